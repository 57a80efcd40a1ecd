"""Nouns parts decoder, composites and source: pixel-exact against the real parts file."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from aigc_plugins.entertainment.data import LPCSource, to_uint8
from aigc_plugins.entertainment.nouns import (
    LAYERS,
    NounsParts,
    NounsSource,
    decode_part,
    draw_codes,
    hidden_share,
)
from aigc_sdk.quality import Check, QualityReport


def checks(report: QualityReport) -> dict[str, Check]:
    return {c.name: c for c in report.checks}


@pytest.fixture(scope="module")
def nouns_path(shared_data: Path) -> Path:
    path = shared_data / "characters" / "nouns_image-data.json"
    if not path.is_file():
        pytest.skip(f"Nouns parts file not found at {path}")
    return path


@pytest.fixture(scope="module")
def parts(nouns_path: Path) -> NounsParts:
    return NounsParts.load(nouns_path)


def cursor_render(data: str, palette: list[str]) -> np.ndarray:
    """The plain reading of the format, pixel by pixel: a cursor walks the box from
    (top, left); it moves to the next row after column right - 1; bottom row included."""
    raw = bytes.fromhex(data[2:])
    top, right, _bottom, left = raw[1:5]
    out = np.zeros((32, 32, 4), np.uint8)
    y, x = top, left
    for i in range(5, len(raw), 2):
        length, colour = raw[i], raw[i + 1]
        for _ in range(length):
            if colour:
                hexc = palette[colour]
                out[y, x] = [int(hexc[0:2], 16), int(hexc[2:4], 16), int(hexc[4:6], 16), 255]
            x += 1
            if x == right:
                x, y = left, y + 1
    return out


def test_glasses_part_is_pixel_exact(nouns_path: Path, parts: NounsParts) -> None:
    doc = json.loads(nouns_path.read_text())
    entry = doc["images"]["glasses"][0]
    assert entry["filename"] == "glasses-hip-rose" and parts.names["glasses"][0] == "hip-rose"
    got = parts.render_part("glasses", 0)
    assert got.shape == (32, 32, 4) and got.dtype == np.uint8
    np.testing.assert_array_equal(got, cursor_render(entry["data"], doc["palette"]))
    # Pixels read off the x8 render (square glasses, the arm on the left going down):
    frame, white, pupil = (255, 99, 141, 255), (255, 255, 255, 255), (0, 0, 0, 255)
    assert tuple(got[11, 10]) == frame and tuple(got[11, 22]) == frame  # top row of the box
    assert got[11, 9, 3] == 0 and got[11, 16, 3] == 0  # left of the lens, gap between lenses
    assert got[11, 23, 3] == 0  # right = 23 is exclusive
    assert tuple(got[12, 11]) == white and tuple(got[12, 13]) == pupil
    assert tuple(got[13, 7]) == frame and tuple(got[15, 7]) == frame  # the arm
    assert tuple(got[16, 10]) == frame and got[17, 10, 3] == 0  # bottom = 16 is inclusive
    assert int((got[..., 3] > 0).sum()) == 81


def test_every_part_matches_the_cursor_reading(nouns_path: Path, parts: NounsParts) -> None:
    doc = json.loads(nouns_path.read_text())
    for layer, key in (("body", "bodies"), ("head", "heads")):
        for k in (0, 7, len(doc["images"][key]) - 1):
            expected = cursor_render(doc["images"][key][k]["data"], doc["palette"])
            np.testing.assert_array_equal(parts.render_part(layer, k), expected)
    assert {k: len(v) for k, v in parts.names.items()} == {
        "body": 30, "accessory": 143, "head": 254, "glasses": 23}
    assert "aardvark" in parts.names["head"]
    for layer in LAYERS:
        assert len(set(parts.names[layer])) == len(parts.names[layer])


def test_decode_wraps_runs_across_rows() -> None:
    colours = np.array([[0, 0, 0, 0], [10, 20, 30, 255], [1, 2, 3, 255]], np.uint8)
    # box rows 1..2, columns 1..2 (right = 3 exclusive); a run of 3 wraps onto row 2
    img = decode_part("0x00" + "01030201" + "0301" + "0102", colours, canvas=4)
    alpha = (img[..., 3] > 0).astype(int)
    assert alpha.tolist() == [[0, 0, 0, 0], [0, 1, 1, 0], [0, 1, 1, 0], [0, 0, 0, 0]]
    assert tuple(img[2, 1]) == (10, 20, 30, 255) and tuple(img[2, 2]) == (1, 2, 3, 255)
    with pytest.raises(ValueError, match="runs cover 3 pixels"):
        decode_part("0x00" + "01030201" + "0301", colours, canvas=4)
    assert not decode_part("0x0000000000", colours).any()  # "accessory-none"


def test_compose_layers_glasses_over_head_over_accessory(parts: NounsParts) -> None:
    head, glasses, acc = (parts.names[k].index(v) for k, v in
                          (("head", "aardvark"), ("glasses", "hip-rose"), ("accessory", "1n")))
    img = parts.compose(0, acc, head, glasses)
    layer = {k: parts.render_part(k, i) for k, i in
             (("body", 0), ("accessory", acc), ("head", head), ("glasses", glasses))}
    g, h = layer["glasses"][..., 3] > 0, layer["head"][..., 3] > 0
    assert (g & h).any()  # the glasses sit on the head
    np.testing.assert_array_equal(img[g], layer["glasses"][g])
    np.testing.assert_array_equal(img[h & ~g], layer["head"][h & ~g])
    a = (layer["accessory"][..., 3] > 0) & ~h & ~g
    np.testing.assert_array_equal(img[a], layer["accessory"][a])
    anything = np.any([m[..., 3] > 0 for m in layer.values()], axis=0)
    assert (img[~anything] == 0).all()  # transparent (and RGB 0) outside every part
    assert set(np.unique(img[..., 3])) == {0, 255}
    opaque = parts.compose(0, acc, head, glasses, background=1)
    assert (opaque[..., 3] == 255).all()
    assert tuple(opaque[0, 0, :3]) == (0xE1, 0xD7, 0xD5)  # bgcolors[1]
    np.testing.assert_array_equal(opaque[anything], img[anything])


def test_source_codes_render_the_exact_composites(nouns_path: Path) -> None:
    ds = NounsSource(nouns_path, n=300, seed=3)
    assert ds.x.shape == (300, 1, 4, 32, 32) and ds.x.dtype == torch.float32
    assert ds.cond.shape == (300, 4) and ds.x.min() >= -1 and ds.x.max() <= 1
    assert ds.schema.sample_shape == [1, 4, 32, 32]
    assert ds.schema.attributes["views"] == ["front"]
    assert ds.schema.attributes["kind"] == "character"
    assert [c.name for c in ds.schema.conditions] == list(LAYERS)
    for k, spec in enumerate(ds.schema.conditions):
        assert 0 <= ds.cond[:, k].min() and ds.cond[:, k].max() < len(spec.values)
    assert torch.equal(ds.render_codes(ds.cond), ds.x)
    row = ds.schema.decode(ds.cond[:1])[0]
    img = to_uint8(ds.x[0, 0])
    np.testing.assert_array_equal(img, ds.parts.compose(
        *(ds.parts.names[k].index(row[k]) for k in LAYERS)))
    again = NounsSource(nouns_path, n=300, seed=3)
    assert torch.equal(again.cond, ds.cond)
    assert not torch.equal(NounsSource(nouns_path, n=300, seed=4).cond, ds.cond)


def test_train_and_test_share_no_combination(nouns_path: Path) -> None:
    train = NounsSource(nouns_path, n=400, split="train")
    test = NounsSource(nouns_path, n=400, split="test")
    tr, te = set(map(tuple, train.cond.tolist())), set(map(tuple, test.cond.tolist()))
    assert len(tr) == 400 and len(te) == 400 and not tr & te
    with pytest.raises(ValueError, match="no split 'val'"):
        NounsSource(nouns_path, n=10, split="val")
    with pytest.raises(ValueError, match="at most"):
        draw_codes((2, 2), 10, 0, "train")


def test_quality_report_names_hidden_bodies(nouns_path: Path, parts: NounsParts) -> None:
    ds = NounsSource(nouns_path, n=500)
    rep = ds.quality_report()
    found = checks(rep)
    assert rep.ok and rep.summary["characters"] == 500
    assert found["empty frames"].status == "ok" and found["alpha"].status == "ok"
    assert found["hidden parts"].status == "warn" and "body" in found["hidden parts"].detail
    gradient = parts.names["accessory"].index("body-gradient-sunset")
    assert hidden_share(parts, np.array([[0, gradient, 0, 0]]))["body"] == 1.0
    assert found["balance: head"].status == "warn"  # 500 draws over 254 heads


def test_accepts(nouns_path: Path, shared_data: Path, tmp_path: Path) -> None:
    assert NounsSource.accepts(nouns_path)
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"records": [1, 2, 3]}))
    assert not NounsSource.accepts(other)
    lpc = shared_data / "characters" / "lpc_characters.npz"
    if lpc.is_file():
        assert not NounsSource.accepts(lpc) and not LPCSource.accepts(nouns_path)
