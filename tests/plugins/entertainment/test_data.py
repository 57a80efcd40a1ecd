"""Sprite sources (LPC .npz, PNG folders, sheets) and their data-quality reports."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from aigc_plugins.entertainment.data import (
    LPCSource,
    cut_sheet,
    holdout_split,
    to_tensor,
    to_uint8,
)
from aigc_plugins.entertainment.folder import SpriteFolderSource
from aigc_sdk.quality import Check, QualityReport

VIEWS = ["down", "left", "right"]


def checks(report: QualityReport) -> dict[str, Check]:
    return {c.name: c for c in report.checks}


def sprite(rng: np.random.Generator, size: int = 16) -> np.ndarray:
    """A random opaque blob on a transparent background, RGB 0 where transparent."""
    img = np.zeros((size, size, 4), np.uint8)
    lo, hi = size // 4, size - size // 4
    img[lo:hi, lo:hi, :3] = rng.integers(0, 256, (hi - lo, hi - lo, 3))
    img[lo:hi, lo:hi, 3] = 255
    img[lo, lo, 3] = 128  # one soft pixel
    return img


# --- tensor conventions -------------------------------------------------------------------


def test_to_tensor_and_back_is_exact_and_hides_nothing() -> None:
    rng = np.random.default_rng(0)
    rgba = rng.integers(0, 256, (3, 2, 5, 6, 4), dtype=np.uint8)
    rgba[..., 3][rgba[..., 3] < 60] = 0
    rgba[..., :3][rgba[..., 3] == 0] = 0
    x = to_tensor(rgba)
    assert x.shape == (3, 2, 4, 5, 6) and x.dtype == torch.float32
    assert x.min() >= -1 and x.max() <= 1
    np.testing.assert_array_equal(to_uint8(x), rgba)
    hidden = np.zeros((1, 1, 4), np.uint8)
    hidden[..., :3] = 200  # colour under alpha 0 is dropped
    assert to_tensor(hidden)[:3].eq(-1).all() and to_tensor(hidden)[3].eq(-1).all()
    with pytest.raises(ValueError, match="uint8 RGBA"):
        to_tensor(rgba[..., :3])


# --- LPC .npz -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def lpc_path(shared_data: Path) -> Path:
    path = shared_data / "characters" / "lpc_characters.npz"
    if not path.is_file():
        pytest.skip(f"LPC characters not found at {path}")
    return path


@pytest.fixture(scope="module")
def lpc_raw(lpc_path: Path) -> np.ndarray:
    with np.load(lpc_path) as npz:
        return npz["images"]


@pytest.fixture(scope="module")
def lpc_train(lpc_path: Path) -> LPCSource:
    return LPCSource(lpc_path)


def test_lpc_shapes_values_and_views(lpc_train: LPCSource, lpc_raw: np.ndarray) -> None:
    ds = lpc_train
    assert ds.x.shape == (700, 4, 4, 64, 64) and ds.x.dtype == torch.float32
    assert ds.cond.shape == (700, 0)
    assert ds.x.min() == -1 and ds.x.max() <= 1
    assert ds.schema.sample_shape == [4, 4, 64, 64]
    assert ds.schema.attributes["views"] == ["up", "left", "down", "right"]
    assert ds.schema.attributes["kind"] == "character"
    rgb, alpha = ds.x[:, :, :3], ds.x[:, :, 3:]
    assert rgb[(alpha == -1).expand_as(rgb)].eq(-1).all()
    for k in (0, 123, 699):  # sample k is character indices[k] in all four views, exactly
        np.testing.assert_array_equal(to_uint8(ds[k]["x"]), lpc_raw[ds.indices[k]])
    np.testing.assert_array_equal(to_uint8(to_tensor(lpc_raw[:50])), lpc_raw[:50])


def test_lpc_heldout_is_disjoint_and_deterministic(lpc_path: Path, lpc_train: LPCSource,
                                                   lpc_raw: np.ndarray) -> None:
    held = LPCSource(lpc_path, split="heldout")
    assert len(held) == 100 and held.schema.attributes["split"] == "heldout"
    assert not set(held.indices) & set(lpc_train.indices)
    assert sorted([*held.indices, *lpc_train.indices]) == list(range(800))
    np.testing.assert_array_equal(to_uint8(held.x[-1]), lpc_raw[held.indices[-1]])
    # the split is a pure function of (n, heldout, seed), which the source uses as is
    np.testing.assert_array_equal(holdout_split(800, 100, 0)["heldout"], held.indices)
    np.testing.assert_array_equal(holdout_split(800, 100, 0)["train"], lpc_train.indices)
    assert not np.array_equal(holdout_split(800, 100, 1)["heldout"], held.indices)
    assert len(holdout_split(800, 0.25, 0)["heldout"]) == 200
    with pytest.raises(ValueError, match="no split 'test'"):
        LPCSource(lpc_path, split="test")
    with pytest.raises(ValueError, match="leaves no training characters"):
        holdout_split(800, 800)


def test_lpc_report_finds_the_duplicate_character(lpc_path: Path, lpc_raw: np.ndarray) -> None:
    by_bytes: dict[bytes, list[int]] = {}
    for i, character in enumerate(lpc_raw):
        by_bytes.setdefault(character.tobytes(), []).append(i)
    pairs = [g for g in by_bytes.values() if len(g) > 1]
    assert len(pairs) == 1 and len(pairs[0]) == 2  # the file holds one character twice
    pair = pairs[0]
    rep = LPCSource(lpc_path, split="all").quality_report()
    found = checks(rep)
    assert found["duplicates"].status == "warn"
    assert all(f"#{i}" in found["duplicates"].detail for i in pair)
    assert found["empty frames"].status == "ok" and found["alpha"].status == "ok"
    assert [r["view"] for r in rep.tables["alpha coverage per view"]] == [
        "up", "left", "down", "right"]
    assert rep.ok and rep.summary["characters"] == 800


def test_lpc_accepts_only_5d_rgba_npz(lpc_path: Path, tmp_path: Path) -> None:
    assert LPCSource.accepts(lpc_path)
    np.savez(tmp_path / "flat.npz", images=np.zeros((2, 8, 8, 4), np.uint8))
    np.savez_compressed(tmp_path / "chars.npz", images=np.zeros((2, 1, 8, 8, 4), np.uint8))
    (tmp_path / "bad.npz").write_bytes(b"not a zip")
    assert not LPCSource.accepts(tmp_path / "flat.npz")
    assert LPCSource.accepts(tmp_path / "chars.npz")
    assert not LPCSource.accepts(tmp_path / "bad.npz")
    with pytest.raises(ValueError, match=r"flat.npz: 'images' must be uint8 \(N, V, H, W, 4\)"):
        LPCSource(tmp_path / "flat.npz", split="all")


# --- folders of PNG sprites ---------------------------------------------------------------


def write_folder(root: Path, chars: dict[str, dict[str, np.ndarray]],
                 attrs: dict[str, dict[str, str]]) -> None:
    root.mkdir(parents=True, exist_ok=True)
    with open(root / "attributes.csv", "w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["file", "character", "view", "hair", "role"])
        for name, frames in chars.items():
            for view, img in frames.items():
                Image.fromarray(img, "RGBA").save(root / f"{name}_{view}.png")
                out.writerow([f"{name}_{view}.png", name, view, *attrs[name].values()])


@pytest.fixture
def folder(tmp_path: Path) -> tuple[Path, dict[str, dict[str, np.ndarray]]]:
    """hero, knight, mage, elf, rogue x 3 views; rogue is a copy of hero, mage's left
    view is a corrupt file, knight's down view is an RGB PNG with no alpha."""
    rng = np.random.default_rng(0)
    chars = {n: {v: sprite(rng) for v in VIEWS} for n in ("hero", "knight", "mage", "elf")}
    chars["rogue"] = chars["hero"]
    attrs = {"hero": {"hair": "red", "role": "fighter"},
             "knight": {"hair": "black", "role": "fighter"},
             "mage": {"hair": "purple", "role": "caster"},
             "elf": {"hair": "blond", "role": "caster"},
             "rogue": {"hair": "black", "role": "thief"}}
    root = tmp_path / "sprites"
    write_folder(root, chars, attrs)
    (root / "mage_left.png").write_bytes(b"\x89PNG\r\n\x1a\n broken" * 10)
    Image.fromarray(chars["knight"]["down"][..., :3], "RGB").save(root / "knight_down.png")
    return root, chars


def test_folder_groups_views_and_codes_attributes(folder: tuple[Path, dict]) -> None:
    root, chars = folder
    assert SpriteFolderSource.accepts(root)
    ds = SpriteFolderSource(root)
    assert ds.names == ["hero", "knight", "elf", "rogue"]  # mage lacks a readable left view
    assert ds.x.shape == (4, 3, 4, 16, 16) and ds.views == VIEWS
    specs = ds.schema.conditions
    assert [(s.name, s.values) for s in specs] == [
        ("hair", ["black", "blond", "red"]), ("role", ["caster", "fighter", "thief"])]
    assert ds.schema.decode(ds.cond) == [
        {"hair": "red", "role": "fighter"}, {"hair": "black", "role": "fighter"},
        {"hair": "blond", "role": "caster"}, {"hair": "black", "role": "thief"}]
    np.testing.assert_array_equal(to_uint8(ds.x[0]), np.stack([chars["hero"][v] for v in VIEWS]))
    knight = to_uint8(ds.x[1])
    assert (knight[0, ..., 3] == 255).all()  # the RGB PNG became fully opaque
    np.testing.assert_array_equal(knight[0, ..., :3], chars["knight"]["down"][..., :3])


def test_folder_report_flags_duplicate_corrupt_file_and_missing_alpha(
        folder: tuple[Path, dict]) -> None:
    rep = SpriteFolderSource(folder[0]).quality_report()
    found = checks(rep)
    assert found["duplicates"].status == "warn"
    assert "hero = rogue" in found["duplicates"].detail
    assert found["unreadable files"].status == "warn"
    assert "mage_left.png" in found["unreadable files"].detail
    assert rep.tables["unreadable files"][0]["file"] == "mage_left.png"
    assert found["missing views"].status == "warn"
    assert "mage (no left (unreadable))" in found["missing views"].detail
    assert found["not RGBA"].status == "warn" and "knight_down.png" in found["not RGBA"].detail
    assert found["alpha"].status == "warn" and "knight[down]" in found["alpha"].detail
    assert "alpha probably missing" in found["alpha"].detail
    assert found["balance: role"].status == "ok"
    assert rep.ok  # warnings only: the data can be used once the user has read them


def test_folder_report_errors_on_empty_frames_and_size_mismatch(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    chars = {n: {v: sprite(rng) for v in VIEWS} for n in ("a", "b", "c")}
    chars["b"]["left"] = np.zeros((16, 16, 4), np.uint8)
    chars["c"]["right"] = sprite(rng, size=20)
    attrs = {n: {"hair": "x", "role": "y"} for n in chars}
    write_folder(tmp_path / "s", chars, attrs)
    ds = SpriteFolderSource(tmp_path / "s")
    assert ds.names == ["a", "b"]
    found = checks(ds.quality_report())
    assert found["frame size"].status == "error" and "c[right]" in found["frame size"].detail
    assert "size=" in found["frame size"].detail
    assert found["empty frames"].status == "error" and "b[left]" in found["empty frames"].detail
    resized = SpriteFolderSource(tmp_path / "s", size=16)
    assert resized.names == ["a", "b", "c"] and resized.x.shape[-2:] == (16, 16)
    assert checks(resized.quality_report())["frame size"].status == "warn"


def test_folder_without_character_columns_is_one_view_per_png(tmp_path: Path) -> None:
    rng = np.random.default_rng(2)
    root = tmp_path / "icons"
    root.mkdir()
    for i in range(7):
        Image.fromarray(sprite(rng, 8), "RGBA").save(root / f"i{i}.png")
    (root / "attributes.csv").write_text(
        "file,colour\n" + "".join(f"i{i}.png,{'blue' if i else 'red'}\n" for i in range(7)))
    ds = SpriteFolderSource(root)
    assert ds.x.shape == (7, 1, 4, 8, 8) and ds.views == ["front"]
    assert ds.cond[:, 0].tolist() == [1, 0, 0, 0, 0, 0, 0]  # values sorted: blue, red
    found = checks(ds.quality_report())
    assert found["balance: colour"].status == "warn" and "'red': 1" in found[
        "balance: colour"].detail
    train, held = SpriteFolderSource(root, split="train", heldout=2), SpriteFolderSource(
        root, split="heldout", heldout=2)
    assert len(train) == 5 and len(held) == 2 and not set(train.names) & set(held.names)


def test_folder_with_nothing_readable_names_the_folder(tmp_path: Path) -> None:
    root = tmp_path / "broken"
    root.mkdir()
    (root / "a.png").write_bytes(b"garbage")
    (root / "attributes.csv").write_text("file\na.png\nmissing.png\n")
    with pytest.raises(ValueError, match=r"broken: no usable character.*a\.png, missing\.png"):
        SpriteFolderSource(root)
    assert not SpriteFolderSource.accepts(tmp_path)
    (root / "attributes.csv").write_text("name\na.png\n")
    with pytest.raises(ValueError, match="attributes.csv: no 'file' column"):
        SpriteFolderSource(root)


# --- sprite sheets ------------------------------------------------------------------------


def test_cut_sheet_grid_and_error() -> None:
    sheet = np.arange(10 * 12 * 4, dtype=np.int64).reshape(10, 12, 4)  # 2 rows x 3 cols
    grid = cut_sheet(sheet, frame_w=4, frame_h=5)
    assert grid.shape == (2, 3, 5, 4, 4)
    for r in range(2):
        for c in range(3):
            np.testing.assert_array_equal(grid[r, c], sheet[r * 5:(r + 1) * 5, c * 4:(c + 1) * 4])
    with pytest.raises(ValueError, match=r"12x10 sheet .* not a whole number of 5x5 frames"):
        cut_sheet(sheet, frame_w=5, frame_h=5)


def test_folder_of_sheets_takes_frame_zero_of_each_row(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    root = tmp_path / "sheets"
    root.mkdir()
    frames = [[sprite(rng, 8) for _ in range(2)] for _ in range(3)]  # 3 rows x 2 frames
    sheet = np.concatenate([np.concatenate(row, axis=1) for row in frames], axis=0)
    Image.fromarray(sheet, "RGBA").save(root / "hero.png")
    Image.fromarray(sheet[:, :12], "RGBA").save(root / "cropped.png")
    (root / "sheet.json").write_text(json.dumps(
        {"frame_width": 8, "frame_height": 8, "views": VIEWS}))
    assert SpriteFolderSource.accepts(root)
    ds = SpriteFolderSource(root)
    assert ds.names == ["hero.png"] and ds.views == VIEWS
    np.testing.assert_array_equal(to_uint8(ds.x[0]), np.stack([row[0] for row in frames]))
    found = checks(ds.quality_report())
    assert "cropped.png" in found["unreadable files"].detail
    assert "not a whole number" in ds.quality_report().tables["unreadable files"][0]["error"]
    (root / "sheet.json").write_text(json.dumps({"frame_width": 8, "views": VIEWS}))
    with pytest.raises(ValueError, match="sheet.json.*frame_height"):
        SpriteFolderSource(root)
