"""Character outputs: sprite sheets, PNG frames, turnaround GIFs, palettes and the spec."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from aigc_plugins.entertainment.export import (
    EXPORTERS,
    export_gif,
    export_png,
    export_sheet,
    grid_image,
    save_grid,
    sheet_image,
    turnaround_order,
)
from aigc_plugins.entertainment.palette import (
    extract_palette,
    load_palette,
    quantise,
    quantise_character,
    remove_specks,
    threshold_alpha,
    to_levels,
    unique_colours,
)
from aigc_plugins.entertainment.spec import CharacterSpec
from aigc_sdk.samples import Samples

VIEWS = ["up", "left", "down", "right"]


def make_chars(n: int = 2, v: int = 4, f: int | None = None, size: tuple[int, int] = (6, 5),
               seed: int = 0, binary: bool = True) -> torch.Tensor:
    """Random RGBA characters in [-1, 1]; binary alpha unless asked (GIFs keep binary alpha)."""
    g = torch.Generator().manual_seed(seed)
    shape = (n, v, 4, *size) if f is None else (n, v, f, 4, *size)
    x = torch.rand(shape, generator=g) * 2 - 1
    if binary:
        x[..., 3, :, :] = torch.where(x[..., 3, :, :] > 0, 1.0, -1.0)
    return x


def make_samples(x: torch.Tensor, views: list[str] | None = VIEWS) -> Samples:
    meta = [{"generator": "entertainment.sprite_gan", "bundle_hash": "ab" * 32, "seed": 11,
             "index": i, "condition": {"body": "light"}} for i in range(len(x))]
    if views is not None:
        for m in meta:
            m["views"] = list(views)
    return Samples(x, meta, EXPORTERS)


def u8(x: torch.Tensor) -> np.ndarray:
    """(4, H, W) in [-1, 1] as (H, W, 4) uint8, the conversion every exporter must match."""
    return to_levels(x).permute(1, 2, 0).numpy()


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


# ---------------------------------------------------------------- sheets


@pytest.mark.parametrize("frames", [None, 3])
def test_sheet_grid_cells_transparency_and_json(tmp_path: Path, frames: int | None) -> None:
    x = make_chars(n=2, f=frames, binary=False)
    files = make_samples(x).export("sheet", tmp_path)
    assert [f.name for f in files] == ["character_0000_sheet.png", "character_0000_sheet.json",
                                       "character_0001_sheet.png", "character_0001_sheet.json",
                                       "metadata.jsonl"]
    n_frames, (h, w) = frames or 1, x.shape[-2:]
    img = Image.open(files[2])
    assert img.mode == "RGBA" and img.size == (n_frames * w, 4 * h)
    sheet = np.asarray(img)
    layout = json.loads(files[3].read_text())
    assert layout["image"] == files[2].name
    assert (layout["frame_width"], layout["frame_height"]) == (w, h)
    assert layout["rows"] == VIEWS and layout["columns"] == n_frames
    assert [fr["name"] for fr in layout["frames"]] == \
        [f"{v}_{c}" for v in VIEWS for c in range(n_frames)]
    char = x[1] if frames else x[1][:, None]
    for fr in layout["frames"]:
        r, c = VIEWS.index(fr["name"].rsplit("_", 1)[0]), int(fr["name"].rsplit("_", 1)[1])
        assert (fr["x"], fr["y"], fr["w"], fr["h"]) == (c * w, r * h, w, h)
        cell = sheet[fr["y"]:fr["y"] + h, fr["x"]:fr["x"] + w]
        assert np.array_equal(cell, u8(char[r, c]))
        assert (cell[..., 3][(char[r, c, 3] == -1).numpy()] == 0).all()
    assert layout["meta"]["seed"] == 11


def test_sheet_image_helper_and_view_names(tmp_path: Path) -> None:
    x = make_chars(n=1, v=3)
    img = sheet_image(x[0])
    assert img.mode == "RGBA" and img.size == (5, 18)
    export_sheet(make_samples(x, views=None), tmp_path)
    assert json.loads((tmp_path / "character_0000_sheet.json").read_text())["rows"] == \
        ["view0", "view1", "view2"]
    export_sheet(make_samples(x, views=None), tmp_path, views=["a", "b", "c"])
    assert json.loads((tmp_path / "character_0000_sheet.json").read_text())["rows"] == \
        ["a", "b", "c"]
    with pytest.raises(ValueError, match="character_0000: 2 view names"):
        export_sheet(make_samples(x, views=None), tmp_path, views=["a", "b"])


def test_png_frames_and_metadata(tmp_path: Path) -> None:
    x = make_chars(n=2, binary=False)
    s = make_samples(x)
    files = export_png(s, tmp_path)
    assert [f.name for f in files[:4]] == [f"character_0000_{v}.png" for v in VIEWS]
    img = Image.open(tmp_path / "character_0001_down.png")
    assert img.mode == "RGBA" and np.array_equal(np.asarray(img), u8(x[1, 2]))
    rows = read_jsonl(files[-1])
    assert files[-1].name == "metadata.jsonl" and len(rows) == 2
    assert rows[1] == {**s.metadata[1], "files": [f"character_0001_{v}.png" for v in VIEWS]}
    animated = export_png(make_samples(make_chars(n=1, f=2)), tmp_path / "anim")
    assert animated[1].name == "character_0000_up_1.png"


def test_exporters_reject_non_character_data(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match=r"\(N, V, 4, H, W\)"):
        export_png(Samples(torch.zeros(2, 4, 8, 8), [{}, {}]), tmp_path)
    with pytest.raises(ValueError, match="RGBA"):
        export_sheet(Samples(torch.zeros(1, 4, 3, 8, 8), [{}]), tmp_path)


# ---------------------------------------------------------------- GIFs


def test_turnaround_gif_frames_transparency_loop_colours(tmp_path: Path) -> None:
    x = make_chars(n=1)
    files = export_gif(make_samples(x), tmp_path, upscale=3)
    assert [f.name for f in files] == ["character_0000_turnaround.gif", "metadata.jsonl"]
    order = turnaround_order(VIEWS)
    assert [VIEWS[i] for i in order] == ["down", "left", "up", "right"]
    im = Image.open(files[0])
    assert im.n_frames == 4 and im.info["loop"] == 0 and "transparency" in im.info
    assert im.size == (5 * 3, 6 * 3)
    for t, v in enumerate(order):
        im.seek(t)
        assert im.info["duration"] == 250
        got = np.asarray(im.convert("RGBA"))
        exp = u8(x[0, v]).repeat(3, axis=0).repeat(3, axis=1)
        opaque = exp[..., 3] == 255
        assert (got[..., 3][~opaque] == 0).all() and (got[..., 3][opaque] == 255).all()
        assert np.array_equal(got[..., :3][opaque], exp[..., :3][opaque])


def test_turnaround_order_without_the_four_names() -> None:
    assert turnaround_order(["a", "b", "c"]) == [0, 1, 2]
    assert turnaround_order(["up", "left", "down", "right", "dance"]) == [2, 1, 0, 3, 4]


# ---------------------------------------------------------------- palettes


def test_quantise_character_shares_k_colours_and_keeps_alpha() -> None:
    x = make_chars(n=1, size=(16, 16), binary=False)[0]
    q = quantise_character(x, k=6)
    thresholded = threshold_alpha(x)
    assert torch.equal(q[:, 3], thresholded[:, 3])
    assert set(q[:, 3].unique().tolist()) <= {-1.0, 1.0}
    shared = {tuple(c) for c in unique_colours(q).tolist()}
    assert 1 < len(shared) <= 6
    for view in q:
        assert {tuple(c) for c in unique_colours(view[None]).tolist()} <= shared
    assert (q[:, :3][(q[:, 3:] == -1).expand(-1, 3, -1, -1)] == -1).all()


def test_extract_palette_keeps_few_colours_exactly() -> None:
    cols = torch.tensor([[255, 0, 0], [0, 128, 255], [10, 200, 30]], dtype=torch.uint8)
    pick = torch.arange(4 * 8 * 8) % 3
    x = torch.ones(4, 4, 8, 8)
    x[:, :3] = (cols[pick].float() / 127.5 - 1).T.reshape(3, 4, 8, 8).permute(1, 0, 2, 3)
    pal = extract_palette(x, k=24)
    assert sorted(to_levels(pal).tolist()) == sorted(cols.tolist())
    assert extract_palette(-torch.ones(2, 4, 3, 3), k=8).shape == (0, 3)


def test_quantise_maps_to_nearest_and_never_touches_alpha() -> None:
    palette = torch.tensor([[-1.0, -1.0, -1.0], [1.0, 1.0, 1.0]])
    x = torch.tensor([0.2, -0.5, 0.9, 0.5]).reshape(4, 1, 1).expand(4, 2, 1).clone()
    x[3, 1] = -1.0  # fully transparent: left alone
    q = quantise(x, palette)
    assert torch.equal(q[3], x[3])
    assert q[:3, 0, 0].tolist() == [1.0, 1.0, 1.0] and torch.equal(q[:3, 1], x[:3, 1])


def test_remove_specks_drops_small_islands_only() -> None:
    x = -torch.ones(2, 3, 4, 16, 16)  # (characters, views, RGBA, H, W)
    x[:, :, :, 2:8, 2:8] = 0.5  # a 36-pixel body in every frame
    x[0, 1, :, 12, 12] = 0.3  # a one-pixel speck
    x[0, 1, :, 10:12, 14] = 0.3  # a two-pixel one
    x[1, 2, :, 8, 8] = 0.7  # touches the body's corner: 8-connected, so kept
    x[1, 0, :, 0:3, 13:16] = 0.9  # a 9-pixel island: kept at min 9, dropped at 10
    y = remove_specks(x, 9)
    assert y.shape == x.shape
    assert torch.equal(y[0, 1, :, 12, 12], -torch.ones(4))
    assert torch.equal(y[0, 1, :, 10:12, 14], -torch.ones(4, 2))
    assert torch.equal(y[1, 2], x[1, 2]) and torch.equal(y[1, 0], x[1, 0])
    assert torch.equal(y[:, :, :, 2:8, 2:8], x[:, :, :, 2:8, 2:8])
    assert bool((remove_specks(x, 10)[1, 0, 3, 0:3, 13:16] == -1).all())
    assert torch.equal(remove_specks(x, 0), x)


def test_load_palette_hex_gpl_png_and_errors(tmp_path: Path) -> None:
    (tmp_path / "p.hex").write_text("ff0000\n#00ff80\n\nff0000\n")
    assert to_levels(load_palette(tmp_path / "p.hex")).tolist() == [[255, 0, 0], [0, 255, 128]]
    (tmp_path / "p.gpl").write_text("GIMP Palette\nName: test\nColumns: 2\n# comment\n"
                                    "  0   0   0\tBlack\n255 255 255 White\n")
    assert to_levels(load_palette(tmp_path / "p.gpl")).tolist() == [[0, 0, 0], [255] * 3]
    swatch = np.zeros((1, 3, 4), np.uint8)
    swatch[0, :, :3] = [[9, 9, 9], [1, 2, 3], [9, 9, 9]]
    swatch[0, :2, 3] = 255  # the third pixel is transparent: not a colour
    Image.fromarray(swatch, "RGBA").save(tmp_path / "s.png")
    assert to_levels(load_palette(tmp_path / "s.png")).tolist() == [[9, 9, 9], [1, 2, 3]]

    (tmp_path / "bad.hex").write_text("ff0000\nnot-a-colour\n")
    with pytest.raises(ValueError, match=r"bad.hex:2: 'not-a-colour'"):
        load_palette(tmp_path / "bad.hex")
    (tmp_path / "bad.gpl").write_text("Palette\n1 2 3\n")
    with pytest.raises(ValueError, match="starts with the line 'GIMP Palette'"):
        load_palette(tmp_path / "bad.gpl")
    (tmp_path / "bad2.gpl").write_text("GIMP Palette\n1 2 300 x\n")
    with pytest.raises(ValueError, match=r"bad2.gpl:2: .*0..255"):
        load_palette(tmp_path / "bad2.gpl")
    (tmp_path / "empty.hex").write_text("\n")
    with pytest.raises(ValueError, match="no colours"):
        load_palette(tmp_path / "empty.hex")
    with pytest.raises(ValueError, match="unknown palette format '.act'"):
        load_palette(tmp_path / "p.act")
    with pytest.raises(FileNotFoundError, match="missing.gpl"):
        load_palette(tmp_path / "missing.gpl")


# ---------------------------------------------------------------- spec and preview


def test_character_spec_validation_and_json(tmp_path: Path) -> None:
    spec = CharacterSpec(attributes={"hair": "blonde"}, views=["down", "up"], seed=3)
    assert spec.palette is None and spec.palette_size == 24 and spec.n == 1
    assert spec.resolve_views(VIEWS) == ["down", "up"]
    with pytest.raises(ValueError, match=r"\['north'\] not drawn"):
        CharacterSpec(views=["north"]).resolve_views(VIEWS)
    bad = [({"views": []}, "at least one view"), ({"views": ["up", "up"]}, "listed twice"),
           ({"palette": "retro"}, "neither 'auto' nor a palette file"),
           ({"palette": str(tmp_path / "no.gpl")}, "not found"),
           ({"palette_size": 1}, r"palette_size\n.*greater than or equal to 2"),
           ({"n": 0}, r"\nn\n.*greater than or equal to 1"),
           ({"seed": -1}, r"seed\n.*greater than or equal to 0"),
           ({"attributes": {"hair": ""}}, "empty attribute"),
           ({"colour": "red"}, r"colour\n.*Extra inputs are not permitted")]
    for kwargs, message in bad:
        with pytest.raises(ValueError, match=message):
            CharacterSpec(**kwargs)

    (tmp_path / "pal.hex").write_text("000000\nffffff\n")
    (tmp_path / "spec.json").write_text(json.dumps({"palette": "pal.hex", "n": 2}))
    spec = CharacterSpec.from_json_file(tmp_path / "spec.json")
    assert spec.palette == tmp_path / "pal.hex" and spec.n == 2
    out = spec.apply_palette(make_chars(n=2, binary=False))
    assert set(to_levels(out[:, :, :3]).unique().tolist()) <= {0, 255}
    (tmp_path / "typo.json").write_text(json.dumps({"attribtues": {}}))
    with pytest.raises(ValueError, match=r"typo.json.attribtues"):
        CharacterSpec.from_json_file(tmp_path / "typo.json")
    (tmp_path / "broken.json").write_text("{\"n\": 2,")
    with pytest.raises(ValueError, match=r"broken.json:1:.*not valid JSON"):
        CharacterSpec.from_json_file(tmp_path / "broken.json")


def test_save_grid_shows_transparency_on_a_checkerboard(tmp_path: Path) -> None:
    x = make_chars(n=3, f=2)
    x[0, 0, 0, 3] = -1.0  # one fully transparent frame
    path = save_grid(make_samples(x), tmp_path / "grid.png", upscale=2)
    img = np.asarray(Image.open(path))
    assert img.shape == (3 * (12 + 2) + 2, 4 * (10 + 2) + 2, 3)
    assert set(np.unique(img[2:14, 2:12])) <= {153, 204}  # only the checkerboard shows
    assert np.array_equal(np.asarray(grid_image(x, upscale=2)), img)


def test_gif_with_more_than_255_colours_keeps_alpha(tmp_path: Path) -> None:
    x = make_chars(n=1, size=(24, 24))
    assert len(unique_colours(x[0])) > 255
    path = export_gif(make_samples(x), tmp_path, upscale=1)[0]
    im = Image.open(path)
    assert im.n_frames == 4
    im.seek(1)  # "left"
    got = np.asarray(im.convert("RGBA"))
    assert np.array_equal(got[..., 3] == 255, u8(x[0, 1])[..., 3] == 255)
