"""Character sources: the shared in-memory base, pixel conversions and LPC .npz (folders of
sprites and sheets are in :mod:`~aigc_plugins.entertainment.folder`).

A sample is one character in all its views: float32 (V, 4, H, W), RGBA in [-1, 1] with
straight alpha, RGB set to -1 where alpha is 0 so nothing hides under transparency.
Every source converts through :func:`to_tensor` / :func:`to_uint8`, so pixels survive a
round trip to files exactly, and gives a :mod:`~aigc_plugins.entertainment.dataquality`
report (empty frames, missing alpha, duplicates, attribute balance, unreadable files).
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import torch

from aigc_plugins.entertainment.dataquality import SpriteLog, character_hashes, sprite_report
from aigc_sdk.dataset import ConditionSpec, DataSchema, TensorDataset
from aigc_sdk.quality import QualityReport

SPLITS = ("train", "heldout", "all")
Size = int | tuple[int, int]
# name, frames by view (None: unreadable), attributes
Character = tuple[str, dict[str, "np.ndarray | None"], dict[str, str]]


def to_tensor(rgba: np.ndarray) -> torch.Tensor:
    """uint8 (..., H, W, 4) to float32 (..., 4, H, W) in [-1, 1]; RGB -1 where alpha is 0."""
    a = np.asarray(rgba)
    if a.dtype != np.uint8 or a.ndim < 3 or a.shape[-1] != 4:
        raise ValueError(f"to_tensor: expected uint8 RGBA (..., H, W, 4), got {a.dtype} {a.shape}")
    x = a.astype(np.float32)
    x /= np.float32(127.5)
    x -= np.float32(1.0)
    np.copyto(x, np.float32(-1.0), where=a[..., 3:] == 0)
    return torch.from_numpy(np.ascontiguousarray(np.moveaxis(x, -1, -3)))


def to_uint8(x: torch.Tensor | np.ndarray) -> np.ndarray:
    """float (..., 4, H, W) in [-1, 1] to uint8 (..., H, W, 4), rounded and clipped: the
    exact inverse of :func:`to_tensor` on pixels whose RGB is 0 where alpha is 0."""
    if isinstance(x, torch.Tensor):
        x = x.detach().to("cpu", torch.float32).numpy()
    a = np.asarray(x, dtype=np.float32)
    if a.ndim < 3 or a.shape[-3] != 4:
        raise ValueError(f"to_uint8: expected RGBA (..., 4, H, W), got shape {a.shape}")
    out = np.moveaxis(a, -3, -1) + np.float32(1.0)
    out *= np.float32(127.5)
    np.rint(out, out=out)
    return np.clip(out, 0, 255, out=out).astype(np.uint8)


def cut_sheet(image: np.ndarray, frame_w: int, frame_h: int) -> np.ndarray:
    """A sprite sheet (H, W, C) to its frames (rows, cols, frame_h, frame_w, C)."""
    h, w = image.shape[:2]
    if frame_w <= 0 or frame_h <= 0:
        raise ValueError(f"frame size must be positive, got {frame_w}x{frame_h} (w x h)")
    if h % frame_h or w % frame_w:
        raise ValueError(
            f"a {w}x{h} sheet (w x h) is not a whole number of {frame_w}x{frame_h} frames "
            f"({w / frame_w:g} columns, {h / frame_h:g} rows); set frame_width/frame_height "
            "to the size of one frame, or crop the sheet to whole frames")
    rows, cols = h // frame_h, w // frame_w
    grid = image.reshape(rows, frame_h, cols, frame_w, *image.shape[2:])
    return np.ascontiguousarray(np.swapaxes(grid, 1, 2))


def holdout_split(n: int, heldout: int | float, seed: int = 0) -> dict[str, np.ndarray]:
    """Deterministic character split: a seeded permutation keeps ``heldout`` characters (a
    count, or a fraction when a float below 1) out of train. Indices are sorted."""
    k = round(heldout * n) if isinstance(heldout, float) and heldout < 1 else int(heldout)
    if k < 0 or (n and k >= n):
        raise ValueError(f"heldout={heldout} of {n} characters leaves no training characters; "
                         f"use 0 <= heldout < {n} (or a fraction below 1)")
    perm = np.random.default_rng(seed).permutation(n)
    return {"train": np.sort(perm[k:]), "heldout": np.sort(perm[:k]), "all": np.arange(n)}


def check_split(path: Path, split: str) -> None:
    if split not in SPLITS:
        raise ValueError(f"{path}: no split {split!r}; choose from {list(SPLITS)}")


class SpriteSource(TensorDataset):
    """Characters held in memory (x: (N, V, 4, H, W)) with the sprite quality report."""

    kind: ClassVar[str] = "sprites"
    split: str
    names: list[str]  # one per character, used in findings
    _log: SpriteLog
    _other: dict[str, list[str]]  # character hashes of the other splits (leakage check)
    indices: np.ndarray  # positions of this split's characters in the whole source

    def _finish(self, images: np.ndarray, codes: np.ndarray, specs: list[ConditionSpec],
                views: list[str], split: str, names: list[str], description: str,
                **attributes: Any) -> None:
        x = to_tensor(images)
        schema = DataSchema(
            sample_shape=list(x.shape[1:]), conditions=specs, description=description,
            attributes={"views": list(views), "kind": "character",
                        "source": self.source_name, "split": split, **attributes})
        cond = torch.as_tensor(np.asarray(codes, np.int64).reshape(len(x), len(specs)))
        TensorDataset.__init__(self, self.path, x, cond, schema)
        self.split, self.names = split, list(names)

    def _pick(self, images: np.ndarray, split: str, heldout: int | float, seed: int) -> None:
        """Set ``indices`` of ``split``; keep the other split's character hashes (leakage)."""
        parts = holdout_split(len(images), heldout, seed)
        hashes = character_hashes(images)
        self._other = {s: [hashes[i] for i in parts[s]] for s in ("train", "heldout")
                       if split != "all" and s != split}
        self.indices = parts[split]

    @property
    def views(self) -> list[str]:
        return list(self.schema.attributes["views"])

    def quality_report(self) -> QualityReport:
        return sprite_report(
            str(self.path), f"{self.source_name}: {self.kind}", to_uint8(self.x), self.views,
            names=self.names, conditions=self.schema.conditions, codes=self.cond.numpy(),
            log=self._log, split=self.split, other_splits=self._other)


class LPCSource(SpriteSource):
    """LPC-style .npz: ``images`` uint8 (N, V, H, W, 4), ``directions`` the V view names.

    ``heldout`` characters (all their views) are kept out of train by a seeded permutation,
    so a model can be checked on characters it never saw. No conditions.
    """

    source_name: ClassVar[str] = "lpc"
    kind: ClassVar[str] = "character .npz"

    def __init__(self, path: str | Path, split: str = "train", heldout: int = 100,
                 seed: int = 0) -> None:
        self.path, self._log = Path(path), SpriteLog()
        check_split(self.path, split)
        with np.load(self.path) as npz:
            if "images" not in npz.files:
                raise ValueError(f"{self.path}: no 'images' array (it has {npz.files}); "
                                 "store characters as images=uint8 (N, V, H, W, 4)")
            images = npz["images"]
            dirs = npz["directions"] if "directions" in npz.files else None
        if images.dtype != np.uint8 or images.ndim != 5 or images.shape[-1] != 4:
            raise ValueError(f"{self.path}: 'images' must be uint8 (N, V, H, W, 4) RGBA, got "
                             f"{images.dtype} {images.shape}")
        views = [str(d) for d in dirs] if dirs is not None else [
            f"view{i}" for i in range(images.shape[1])]
        if len(views) != images.shape[1]:
            raise ValueError(f"{self.path}: 'directions' names {len(views)} views but 'images' "
                             f"has {images.shape[1]}; make them agree")
        self._pick(images, split, heldout, seed)
        self._log.note("frame size", "ok", "one array: every frame is "
                       f"{images.shape[2]}x{images.shape[3]} (h x w)")
        self._finish(images[self.indices], np.zeros((len(self.indices), 0)), [], views, split,
                     [f"#{i}" for i in self.indices], f"LPC characters {self.path.stem} ({split})",
                     heldout=heldout, seed=seed)

    @classmethod
    def accepts(cls, path: Path) -> bool:
        """An .npz whose ``images`` member is 5-D RGBA; reads only the .npy header."""
        if not (path.is_file() and path.suffix.lower() == ".npz"):
            return False
        try:
            with zipfile.ZipFile(path) as zf, zf.open("images.npy") as fh:
                version = np.lib.format.read_magic(fh)
                read = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                        else np.lib.format.read_array_header_2_0)
                shape = read(fh)[0]
        except (KeyError, OSError, ValueError, zipfile.BadZipFile):
            return False
        return len(shape) == 5 and shape[-1] == 4
