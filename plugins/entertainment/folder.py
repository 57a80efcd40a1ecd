"""Folders of RGBA PNG sprites, or sprite sheets, with an attributes table.

Split from :mod:`~aigc_plugins.entertainment.data` (one source per module): frames are
grouped into characters by the ``character``/``view`` columns of ``attributes.csv``, or
cut from sheets as ``sheet.json`` says.
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from pydantic import BaseModel, Field, NonNegativeInt, ValidationError

from aigc_plugins.entertainment.data import Character, Size, SpriteSource, check_split, cut_sheet
from aigc_plugins.entertainment.dataquality import SpriteLog
from aigc_sdk.dataset import ConditionSpec


class SheetSpec(BaseModel):
    """``sheet.json``: how to cut each sheet PNG of the folder into one character."""

    frame_width: int = Field(gt=0)
    frame_height: int = Field(gt=0)
    views: list[str] = Field(min_length=1, description="view name of each row used")
    rows: list[NonNegativeInt] | None = Field(None, description="sheet row of each view")
    frame: int = Field(0, ge=0, description="column (animation frame) taken from each row")

    @classmethod
    def load(cls, path: Path) -> SheetSpec:
        try:
            spec = cls.model_validate_json(path.read_text())
        except ValidationError as exc:
            why = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'file'}: {e['msg']}"
                            for e in exc.errors())
            raise ValueError(f"{path}: {why}; expected e.g. {{\"frame_width\": 64, "
                             "\"frame_height\": 64, \"views\": [\"up\", \"left\", \"down\", "
                             "\"right\"]}") from None
        if spec.rows is not None and len(spec.rows) != len(spec.views):
            raise ValueError(f"{path}: 'rows' has {len(spec.rows)} entries for "
                             f"{len(spec.views)} views; give one row per view")
        return spec

    @property
    def row_of(self) -> list[int]:
        return self.rows if self.rows is not None else list(range(len(self.views)))


def read_png(path: Path) -> tuple[np.ndarray, str]:
    """RGBA uint8 (H, W, 4) and the file's own mode; palette or colour-key transparency is
    kept, images without alpha (RGB, grey) become fully opaque."""
    from PIL import Image

    with Image.open(path) as im:
        im.load()
        mode = im.mode + ("+transparency" if "transparency" in im.info else "")
        rgba = im if im.mode == "RGBA" else im.convert("RGBA")
        return np.asarray(rgba, dtype=np.uint8).copy(), mode


class SpriteFolderSource(SpriteSource):
    """A folder of PNG sprites with ``attributes.csv`` and/or ``sheet.json``.

    ``attributes.csv`` has a ``file`` column; ``character`` and ``view`` columns group
    frames into one character with V views (in order of first appearance); every other
    column is a categorical attribute, i.e. a condition. Without them each PNG is one
    character with the view "front". With ``sheet.json`` each PNG is a sheet: rows are
    views, columns animation frames. Unreadable files and incomplete characters are
    left out and reported; ``size`` resizes frames (nearest neighbour, pixel art stays crisp).
    """

    source_name: ClassVar[str] = "sprite_folder"
    kind: ClassVar[str] = "PNG sprite folder"

    def __init__(self, path: str | Path, split: str = "all", size: Size | None = None,
                 heldout: int | float = 0.1, seed: int = 0) -> None:
        self.path, self._log = Path(path), SpriteLog()
        check_split(self.path, split)
        if not self.path.is_dir():
            raise ValueError(f"{self.path}: not a folder; a sprite folder holds PNGs and an "
                             "attributes.csv (file, [character, view], attributes) or sheet.json")
        table = self.path / "attributes.csv"
        rows, attrs = _read_table(table) if table.is_file() else (None, [])
        sheet = self.path / "sheet.json"
        if sheet.is_file():
            chars, views = self._read_sheets(rows, SheetSpec.load(sheet))
        elif rows is not None:
            chars, views = self._read_frames(rows, table)
        else:
            raise ValueError(f"{self.path}: no attributes.csv or sheet.json; add attributes.csv "
                             "with a 'file' column (and optional character, view, attributes)")
        chars = self._fit_sizes(chars, views, size)
        if not chars:
            failed = ", ".join(n for n, _ in self._log.failed[:10]) or "none"
            problems = "; ".join(d for _, s, d in self._log.notes if s != "ok") or "none"
            raise ValueError(f"{self.path}: no usable character. Unreadable files: {failed}. "
                             f"Other problems: {problems}")
        specs = [ConditionSpec(name=a, values=sorted({c[2].get(a, "") for c in chars}))
                 for a in attrs]
        self._note_values(specs)
        codes = np.array([[s.values.index(c[2].get(s.name, "")) for s in specs]
                          for c in chars], np.int64).reshape(len(chars), len(specs))
        images = np.stack([np.stack([c[1][v] for v in views]) for c in chars])
        self._pick(images, split, heldout, seed)
        self._finish(images[self.indices], codes[self.indices], specs, views, split,
                     [chars[i][0] for i in self.indices],
                     f"sprite folder {self.path.name} ({split})")

    def _note_values(self, specs: list[ConditionSpec]) -> None:
        """Empty cells become the value ""; digit values are ambiguous with codes."""
        for s in specs:
            why = ["some characters have none: coded as the value ''; fill the cells"] * (
                "" in s.values)
            if any(v.isdigit() for v in s.values):
                why.append(f"values are numbers ({', '.join(s.values[:5])}); a digit string "
                           "given as a condition is read as a code, so use words ('size10')")
            if why:
                self._log.note(f"values: {s.name}", "warn", "; ".join(why))

    def _load(self, name: str, converted: dict[str, list[str]]) -> np.ndarray | None:
        file = self.path / name
        try:
            rgba, mode = read_png(file)
        except Exception as exc:  # noqa: BLE001 - any unreadable file is reported, not fatal
            self._log.unreadable(name, exc if file.is_file() else "no such file")
            return None
        if mode != "RGBA":
            converted.setdefault(mode, []).append(name)
        return rgba

    def _note_converted(self, converted: dict[str, list[str]]) -> None:
        if converted:
            what = "; ".join(f"{m} ({'opaque: no alpha' if _opaque_mode(m) else 'transparency'}"
                             f" kept): {', '.join(f[:10])}" for m, f in converted.items())
            self._log.note("not RGBA", "warn", f"{sum(map(len, converted.values()))} PNG(s) "
                           f"converted to RGBA: {what}")

    def _read_frames(self, rows: list[dict[str, str]], table: Path) -> tuple[
            list[Character], list[str]]:
        grouped = "character" in rows[0] and "view" in rows[0]
        if not grouped and ("character" in rows[0] or "view" in rows[0]):
            raise ValueError(f"{table}: has one of the columns 'character', 'view' but not the "
                             "other; add both to group frames into characters, or neither")
        converted: dict[str, list[str]] = {}
        views = list(dict.fromkeys(r["view"] for r in rows)) if grouped else ["front"]
        chars: dict[str, Any] = {}
        listed, conflicts, repeats = set(), [], []
        for r in rows:
            listed.add(r["file"])
            key = r["character"] if grouped else r["file"]
            _, frames, attrs = chars.setdefault(key, (key, {}, {}))
            view = r["view"] if grouped else "front"
            attr = {k: v for k, v in r.items() if k not in ("file", "character", "view")}
            if attrs and attrs != attr:
                conflicts.append(f"{key} ({r['file']})")
            attrs.update({k: v for k, v in attr.items() if k not in attrs})
            if view in frames:
                repeats.append(f"{key}[{view}] ({r['file']})")
            else:
                frames[view] = self._load(r["file"], converted)
        if conflicts:
            self._log.note("attribute conflict", "warn", f"{table.name}: rows of one character "
                           f"disagree, the first row is used: {', '.join(conflicts[:10])}")
        if repeats:
            self._log.note("repeated view", "warn", f"{table.name}: a character lists a view "
                           f"twice, the first is used: {', '.join(repeats[:10])}")
        self._note_converted(converted)
        unlisted = sorted(p.name for p in self.path.iterdir()
                          if _is_png(p) and p.name not in listed)
        if unlisted:
            self._log.note("unlisted files", "warn", f"{len(unlisted)} PNG(s) not in "
                           f"{table.name} were ignored: {', '.join(unlisted[:10])}")
        return self._complete(list(chars.values()), views), views

    def _read_sheets(self, rows: list[dict[str, str]] | None, spec: SheetSpec) -> tuple[
            list[Character], list[str]]:
        if rows is not None and ("character" in rows[0] or "view" in rows[0]):
            raise ValueError(f"{self.path}: with sheet.json each PNG is one character and its "
                             "rows are the views; drop the 'character'/'view' columns from "
                             "attributes.csv")
        files = [r["file"] for r in rows] if rows is not None else sorted(
            p.name for p in self.path.iterdir() if _is_png(p))
        attrs = {r["file"]: {k: v for k, v in r.items() if k != "file"} for r in rows or []}
        converted: dict[str, list[str]] = {}
        chars: list[Character] = []
        for name in files:
            img = self._load(name, converted)
            if img is None:
                continue
            try:
                grid = cut_sheet(img, spec.frame_width, spec.frame_height)
                if max(spec.row_of) >= grid.shape[0] or spec.frame >= grid.shape[1]:
                    raise ValueError(f"sheet has {grid.shape[0]} rows x {grid.shape[1]} columns"
                                     f" of frames; sheet.json asks for rows {spec.row_of}, "
                                     f"column {spec.frame}")
            except ValueError as exc:
                self._log.unreadable(name, f"sheet.json: {exc}")
                continue
            frames = {v: grid[r, spec.frame] for v, r in zip(spec.views, spec.row_of)}
            chars.append((name, frames, attrs.get(name, {})))
        self._note_converted(converted)
        return chars, list(spec.views)

    def _complete(self, chars: list[Character], views: list[str]) -> list[Character]:
        """Keep characters that have every view; report the others by what they lack."""
        def lacks(c: Character) -> list[str]:
            return [v + ("" if v not in c[1] else " (unreadable)")
                    for v in views if c[1].get(v) is None]

        full = [c for c in chars if not lacks(c)]
        lacking = [f"{c[0]} (no {', '.join(lacks(c))})" for c in chars if lacks(c)]
        if lacking:
            self._log.note("missing views", "warn", f"{len(lacking)} character(s) lack a view "
                           f"and were left out: {'; '.join(lacking[:20])}")
        return full

    def _fit_sizes(self, chars: list[Character], views: list[str],
                   size: Size | None) -> list[Character]:
        from PIL import Image

        sizes = {f"{c[0]}[{v}]": c[1][v].shape[:2] for c in chars for v in views}
        if not sizes:
            return chars
        if size is None:
            target = Counter(sizes.values()).most_common(1)[0][0]
            self._log.sizes(sizes, target, resized=False)
            return [c for c in chars if all(c[1][v].shape[:2] == target for v in views)]
        target = (size, size) if isinstance(size, int) else (int(size[0]), int(size[1]))
        self._log.sizes(sizes, target, resized=True)
        for _, frames, _ in chars:
            for v, f in frames.items():
                if f.shape[:2] != target:
                    im = Image.fromarray(f, "RGBA").resize(target[::-1], Image.Resampling.NEAREST)
                    frames[v] = np.asarray(im)
        return chars

    @classmethod
    def accepts(cls, path: Path) -> bool:
        return path.is_dir() and any((path / f).is_file() for f in ("attributes.csv",
                                                                     "sheet.json"))


def _is_png(p: Path) -> bool:
    return p.is_file() and p.suffix.lower() == ".png" and not p.name.startswith(".")


def _opaque_mode(mode: str) -> bool:
    return "transparency" not in mode and mode not in ("LA", "La", "PA", "RGBa")


def _read_table(path: Path) -> tuple[list[dict[str, str]], list[str]]:
    """Rows of attributes.csv (cells stripped) and its attribute columns."""
    with open(path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        head = [h.strip() for h in reader.fieldnames or []]
        rows = [{h: (v or "").strip() for h, v in zip(head, r.values())} for r in reader]
    if "file" not in head:
        raise ValueError(f"{path}: no 'file' column (header: {head}); add a 'file' column "
                         "with each PNG's path relative to the folder")
    if not rows:
        raise ValueError(f"{path}: no rows; list one PNG per row")
    return rows, [h for h in head if h not in ("file", "character", "view")]
