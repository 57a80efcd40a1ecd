"""Nouns characters: run-length-encoded 32x32 parts layered into labelled composites.

The Nouns parts file (``image-data.json`` of nounsDAO/nouns-monorepo) holds a palette and
four layers of parts. Layering one part of each gives a character whose attributes are
known exactly, so a conditional generator can be checked against the real composite of
the same codes (:func:`render_codes`).

Part encoding (``data``, hex after ``0x``): byte 0 palette selector (one palette here),
bytes 1-4 the bounding box top, right, bottom, left; then (run length, colour index)
pairs fill the box row by row, runs wrapping onto the next row. Measured on all 450 parts
of the file: the box is ``rows top..bottom`` inclusive and ``columns left..right-1`` (right
exclusive); every part's runs add up to exactly that area. Colour 0 is transparent; a
part with no runs ("accessory-none": ``0x0000000000``) is empty.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import ClassVar

import numpy as np
import torch

from aigc_plugins.entertainment.data import SpriteSource, to_tensor
from aigc_plugins.entertainment.dataquality import SpriteLog
from aigc_sdk.dataset import ConditionSpec

CANVAS = 32
LAYERS = ("body", "accessory", "head", "glasses")  # drawing order, bottom to top
FILE_KEYS = {"body": "bodies", "accessory": "accessories", "head": "heads",
             "glasses": "glasses"}
TEST_SHARE = 10  # one combination in 10 belongs to the test split
_CHUNK = 4096


def _rgba(hexcolour: str) -> tuple[int, int, int, int]:
    if not hexcolour:
        return (0, 0, 0, 0)
    v = int(hexcolour.lstrip("#"), 16)
    return (v >> 16 & 255, v >> 8 & 255, v & 255, 255)


def decode_part(data: str, colours: np.ndarray, canvas: int = CANVAS) -> np.ndarray:
    """One part's ``data`` hex string to uint8 (canvas, canvas, 4); ``colours`` is the
    (P, 4) RGBA palette with colour 0 transparent."""
    raw = bytes.fromhex(data[2:] if data.startswith("0x") else data)
    if len(raw) < 5 or (len(raw) - 5) % 2:
        raise ValueError(f"{len(raw)} bytes: expected 5 header bytes and (length, colour) pairs")
    top, right, bottom, left = raw[1:5]
    h, w = bottom - top + 1, right - left
    out = np.zeros((canvas, canvas, 4), np.uint8)
    if len(raw) == 5:  # an empty part ("accessory-none" is 0x0000000000)
        return out
    if not (0 <= top <= bottom < canvas and 0 <= left < right <= canvas):
        raise ValueError(f"bounding box top {top}, right {right}, bottom {bottom}, left {left} "
                         f"is not inside the {canvas}x{canvas} canvas")
    runs = np.frombuffer(raw, np.uint8, offset=5).reshape(-1, 2)
    if runs[:, 1].max(initial=0) >= len(colours):
        raise ValueError(f"colour index {runs[:, 1].max()} outside the {len(colours)}-colour "
                         "palette")
    idx = np.repeat(runs[:, 1], runs[:, 0])
    if idx.size != h * w:
        raise ValueError(f"runs cover {idx.size} pixels; the {w}x{h} box has {h * w}")
    out[top:bottom + 1, left:right] = colours[idx].reshape(h, w, 4)
    return out


class NounsParts:
    """All parts of a Nouns parts file, decoded once: ``names[layer]`` are the part names
    without the layer prefix ("aardvark" for "head-aardvark"), ``files[layer]`` the
    original file names; layers are body, accessory, head, glasses."""

    def __init__(self, colours: np.ndarray, backgrounds: np.ndarray,
                 parts: dict[str, np.ndarray], files: dict[str, list[str]]) -> None:
        self.colours, self.backgrounds = colours, backgrounds
        self.parts, self.files = parts, files
        self.names = {layer: _strip(files[layer]) for layer in LAYERS}

    @classmethod
    def load(cls, path: str | Path) -> NounsParts:
        path = Path(path)
        try:
            doc = json.loads(path.read_text())
            colours = np.array([_rgba(c) for c in doc["palette"]], np.uint8).reshape(-1, 4)
            backgrounds = np.array([_rgba(c) for c in doc.get("bgcolors", [])],
                                   np.uint8).reshape(-1, 4)
            images = doc["images"]
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"{path}: not a Nouns parts file ({type(exc).__name__}: {exc}); "
                             "expected keys 'palette', 'bgcolors' and 'images'") from None
        parts, files = {}, {}
        for layer in LAYERS:
            entries = images.get(FILE_KEYS[layer]) or []
            if not entries:
                raise ValueError(f"{path}: images.{FILE_KEYS[layer]} is missing or empty")
            decoded = []
            for k, e in enumerate(entries):
                try:
                    decoded.append(decode_part(e["data"], colours))
                except (KeyError, TypeError, ValueError) as exc:
                    raise ValueError(f"{path}: images.{FILE_KEYS[layer]}[{k}] "
                                     f"({e.get('filename', '?')}): {exc}") from None
            parts[layer] = np.stack(decoded)
            files[layer] = [str(e.get("filename", f"{layer}-{k}")) for k, e in enumerate(entries)]
        return cls(colours, backgrounds, parts, files)

    def _layer(self, layer: str) -> str:
        for name, key in FILE_KEYS.items():
            if layer in (name, key):
                return name
        raise KeyError(f"no layer {layer!r}; layers are {list(LAYERS)}")

    def render_part(self, layer: str, index: int) -> np.ndarray:
        """One part alone on a transparent canvas, uint8 (32, 32, 4)."""
        return self.parts[self._layer(layer)][index].copy()

    def compose(self, body: int, accessory: int, head: int, glasses: int,
                background: int | None = None) -> np.ndarray:
        """Body, accessory, head, glasses drawn in that order, uint8 (32, 32, 4); transparent
        around the character unless ``background`` indexes a background colour."""
        return render_rgba(self, np.array([[body, accessory, head, glasses]]), background)[0]


def render_rgba(parts: NounsParts, codes: np.ndarray | torch.Tensor,
                background: int | None = None) -> np.ndarray:
    """Composites of ``codes`` (N, 4) part indices (body, accessory, head, glasses) as
    uint8 (N, 32, 32, 4). Parts have binary alpha, so layering is a choice per pixel."""
    codes = np.asarray(codes, np.int64).reshape(-1, len(LAYERS))
    for k, layer in enumerate(LAYERS):
        n = len(parts.parts[layer])
        if len(codes) and (codes[:, k].min() < 0 or codes[:, k].max() >= n):
            raise ValueError(f"{layer} codes must be 0..{n - 1}, got {codes[:, k].min()}.."
                             f"{codes[:, k].max()}")
    out = np.zeros((len(codes), CANVAS, CANVAS, 4), np.uint8)
    if background is not None:
        out[:] = parts.backgrounds[background]
    for start in range(0, len(codes), _CHUNK):
        block = out[start:start + _CHUNK]
        for k, layer in enumerate(LAYERS):
            part = parts.parts[layer][codes[start:start + _CHUNK, k]]
            np.copyto(block, part, where=part[..., 3:] > 0)
    return out


def render_codes(parts: NounsParts, codes: np.ndarray | torch.Tensor) -> torch.Tensor:
    """The real composites of condition ``codes`` (N, 4) as samples (N, 1, 4, 32, 32)."""
    return to_tensor(render_rgba(parts, codes))[:, None]


def visible(parts: NounsParts, codes: np.ndarray | torch.Tensor) -> np.ndarray:
    """(N, layers) bool: does any pixel of that layer's part show in the composite? A part
    drawn over completely (17 accessories cover the whole body, for one) has a label
    that cannot be read off the pixels, so attribute accuracy skips it."""
    codes = np.asarray(codes, np.int64).reshape(-1, len(LAYERS))
    above = np.zeros((len(codes), CANVAS, CANVAS), bool)
    out = np.ones((len(codes), len(LAYERS)), bool)
    for k in reversed(range(len(LAYERS))):
        mask = (parts.parts[LAYERS[k]][..., 3] > 0)[codes[:, k]]
        out[:, k] = ~mask.any(axis=(1, 2)) | (mask & ~above).any(axis=(1, 2))
        above |= mask
    return out


def hidden_share(parts: NounsParts, codes: np.ndarray | torch.Tensor) -> dict[str, float]:
    """Share of composites whose part on each layer is drawn over completely."""
    codes = np.asarray(codes, np.int64).reshape(-1, len(LAYERS))
    if not len(codes):
        return dict.fromkeys(LAYERS, 0.0)
    drawn = np.stack([(parts.parts[layer][..., 3] > 0)[codes[:, k]].any(axis=(1, 2))
                      for k, layer in enumerate(LAYERS)], axis=1)
    hidden = drawn & ~visible(parts, codes)
    return {layer: float(hidden[:, k].mean()) for k, layer in enumerate(LAYERS)}


def _strip(files: list[str]) -> list[str]:
    """"head-aardvark" -> "aardvark"; a name that would then repeat keeps its full form."""
    short = [f.split("-", 1)[1] if "-" in f else f for f in files]
    return [s if short.count(s) == 1 else f for s, f in zip(short, files)]


def _in_test(codes: np.ndarray, sizes: tuple[int, ...]) -> np.ndarray:
    """A fixed hash of each combination picks its split, whatever the seed or n, so train
    and test never share a combination."""
    flat = np.zeros(len(codes), np.uint64)
    for k, s in enumerate(sizes):
        flat = flat * np.uint64(s) + codes[:, k].astype(np.uint64)
    z = flat * np.uint64(0x9E3779B97F4A7C15)
    z ^= z >> np.uint64(31)
    z *= np.uint64(0xBF58476D1CE4E5B9)
    z ^= z >> np.uint64(29)
    return z % np.uint64(TEST_SHARE) == 0


def draw_codes(sizes: tuple[int, ...], n: int, seed: int, split: str) -> np.ndarray:
    """``n`` distinct combinations (n, 4) of uniform random parts, from ``split``'s side
    of the combination space; the same arguments give the same codes."""
    space = int(np.prod(sizes, dtype=np.float64))
    room = space // TEST_SHARE if split == "test" else space - space // TEST_SHARE
    if n > room // 2:
        raise ValueError(f"n={n}: split {split!r} holds about {room} combinations; ask for at "
                         f"most {room // 2}")
    rng = np.random.default_rng([seed, ("train", "test").index(split)])
    got = np.zeros((0, len(sizes)), np.int64)
    while len(got) < n:
        cand = np.stack([rng.integers(0, s, 2 * n + 64) for s in sizes], axis=1)
        cand = cand[_in_test(cand, sizes) == (split == "test")]
        got = np.concatenate([got, cand])
        _, first = np.unique(got, axis=0, return_index=True)
        got = got[np.sort(first)]
    return got[:n]


class NounsSource(SpriteSource):
    """``n`` random Nouns composites (one uniform random part per layer, seeded) with the
    four part names as conditions; one view "front", transparent background.

    Train and test draw with different seeds from disjoint parts of the combination space
    (1 in 10 combinations is test), so no composite of the test split is in train.
    """

    source_name: ClassVar[str] = "nouns"
    kind: ClassVar[str] = "Nouns parts composites"
    SPLITS: ClassVar[tuple[str, ...]] = ("train", "test")

    def __init__(self, path: str | Path, n: int = 20000, seed: int = 0,
                 split: str = "train") -> None:
        self.path, self._log = Path(path), SpriteLog()
        if split not in self.SPLITS:
            raise ValueError(f"{self.path}: no split {split!r}; choose from {list(self.SPLITS)}")
        if n < 1:
            raise ValueError(f"n={n}: ask for at least one composite")
        self.parts = NounsParts.load(self.path)
        sizes = tuple(len(self.parts.names[layer]) for layer in LAYERS)
        codes = draw_codes(sizes, n, seed, split)
        specs = [ConditionSpec(name=layer, values=self.parts.names[layer]) for layer in LAYERS]
        self._other, self.indices = {}, np.arange(n)
        self._log.note("frame size", "ok", f"every composite is {CANVAS}x{CANVAS}")
        hidden = {k: v for k, v in hidden_share(self.parts, codes).items() if v > 0}
        self._log.note("hidden parts", "warn" if hidden else "ok", "; ".join(
            f"{layer} part fully covered in {v:.2%} of composites" for layer, v in hidden.items())
            + " (its label is invisible there; identical composites follow)" if hidden
            else "every part shows in every composite")
        self._finish(render_rgba(self.parts, codes)[:, None], codes, specs, ["front"], split,
                     [f"#{i}" for i in range(n)], f"Nouns composites from {self.path.name} "
                     f"({split}, seed {seed})", seed=seed, canvas=CANVAS)

    def render_codes(self, codes: np.ndarray | torch.Tensor) -> torch.Tensor:
        """The real composites (N, 1, 4, 32, 32) of condition codes (N, 4)."""
        return render_codes(self.parts, codes)

    @classmethod
    def accepts(cls, path: Path) -> bool:
        """A .json whose first 16 KB name "palette" and "images" (read no further)."""
        if not (path.is_file() and path.suffix.lower() == ".json"):
            return False
        with open(path, "rb") as fh:
            head = fh.read(1 << 14)
        return b'"palette"' in head and b'"images"' in head
