"""Palette quantisation that keeps generated sprites crisp pixel art.

A GAN paints soft edges and thousands of near-identical colours; a sprite wants a binary
alpha and a small palette. Quantising every view of one character onto one shared palette
also makes its views agree on colours, which helps the character read as one identity.

Tensors are channels-first RGBA in [-1, 1] with straight alpha: (..., 4, H, W).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import torch
from PIL import Image

PALETTE_SUFFIXES = (".gpl", ".hex", ".png")
MAX_COLOURS = 256  # what one GIF / indexed PNG can hold
_CHUNK = 1 << 18  # pixels per nearest-colour step: bounds memory at ~256k x k floats
_MAX_FIT_PIXELS = 1 << 22  # palette fitting sees at most this many pixels (a seeded sample)


def _check_rgba(x: torch.Tensor, what: str = "x") -> None:
    if not isinstance(x, torch.Tensor) or x.ndim < 3 or x.shape[-3] != 4:
        shape = tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__
        raise ValueError(f"{what}: expected RGBA tensors (..., 4, H, W), got {shape}")


def to_levels(x: torch.Tensor) -> torch.Tensor:
    """[-1, 1] to 0..255, rounded: the one conversion exporters and palettes share, so a
    palette colour survives the trip to a file exactly."""
    return ((x.detach().float().clamp(-1.0, 1.0) + 1.0) * 127.5).round().to(torch.uint8)


def from_levels(x: torch.Tensor | np.ndarray) -> torch.Tensor:
    """0..255 to [-1, 1] float32."""
    return torch.as_tensor(np.asarray(x), dtype=torch.float32) / 127.5 - 1.0


def threshold_alpha(x: torch.Tensor, level: float = 0.0) -> torch.Tensor:
    """Alpha to exactly -1 / +1 (opaque where alpha > ``level``); RGB to -1 where
    transparent, so no stray colour hides under invisible pixels or enters a palette."""
    _check_rgba(x)
    x = x.detach().float()
    opaque = x[..., 3:4, :, :] > level
    rgb = torch.where(opaque, x[..., :3, :, :], torch.full_like(x[..., :3, :, :], -1.0))
    alpha = torch.where(opaque, 1.0, -1.0).to(x.dtype)
    return torch.cat([rgb, alpha], dim=-3)


def remove_specks(x: torch.Tensor, min_pixels: int) -> torch.Tensor:
    """Make opaque islands of fewer than ``min_pixels`` pixels (8-connected, per frame)
    transparent. A generator scatters stray pixels around a sprite; hand-drawn sprites
    have none that small (LPC: no island under 16 pixels in 100 held-out characters).
    scipy's labelling, not a hand-written flood fill."""
    from scipy import ndimage

    _check_rgba(x)
    x = x.detach().float().clone()
    if min_pixels <= 1 or x.numel() == 0:
        return x
    frames = x.reshape(-1, *x.shape[-3:])
    opaque = (frames[:, 3] > 0).cpu().numpy()
    eight = np.ones((3, 3), dtype=bool)
    keep = np.zeros_like(opaque)
    for i, mask in enumerate(opaque):
        labels, n = ndimage.label(mask, structure=eight)
        if n:
            big = np.bincount(labels.ravel()) >= min_pixels
            big[0] = False
            keep[i] = big[labels]
    gone = torch.from_numpy(opaque & ~keep).to(frames.device)
    frames[:, :, :, :] = torch.where(gone[:, None], -1.0, frames)
    return frames.reshape(x.shape)


def _opaque_rgb(x: torch.Tensor, level: float = 0.0) -> torch.Tensor:
    """(M, 3) uint8 colours of the pixels with alpha > ``level``, over all leading dims."""
    rgb = to_levels(x[..., :3, :, :]).movedim(-3, -1).reshape(-1, 3)
    return rgb[(x[..., 3, :, :] > level).reshape(-1)]


def extract_palette(x: torch.Tensor, k: int, seed: int = 0) -> torch.Tensor:
    """The ``k`` dominant colours (k', 3) in [-1, 1] of the opaque pixels of ``x``.

    Pass all views (and frames) of one character together so they get one palette.
    PIL's median cut with k-means refinement is deterministic and returns a colour
    exactly when a character has no more than ``k`` of them, so k' <= k. ``seed`` only
    picks the pixel sample used for very large inputs (over 4M opaque pixels).
    """
    _check_rgba(x)
    if not 1 <= k <= MAX_COLOURS:
        raise ValueError(f"palette size k={k}: use 1..{MAX_COLOURS}")
    px = _opaque_rgb(x)
    if len(px) == 0:
        return torch.zeros(0, 3)
    if len(px) > _MAX_FIT_PIXELS:
        g = torch.Generator().manual_seed(seed)
        px = px[torch.randperm(len(px), generator=g)[:_MAX_FIT_PIXELS]]
    img = Image.fromarray(px.numpy()[None], "RGB")
    q = img.quantize(colors=k, method=Image.Quantize.MEDIANCUT, kmeans=3)
    used = np.unique(np.asarray(q))
    pal = np.asarray(q.getpalette(), dtype=np.uint8).reshape(-1, 3)[used]
    pal = np.unique(pal, axis=0)  # two boxes may round to one colour
    return from_levels(pal)


def quantise(x: torch.Tensor, palette: torch.Tensor) -> torch.Tensor:
    """Every visible pixel (alpha > -1) to its nearest ``palette`` colour (RGB distance
    in 0..255); alpha is never changed and fully transparent pixels keep their RGB."""
    _check_rgba(x)
    if palette.ndim != 2 or palette.shape[1] != 3:
        raise ValueError(f"palette: expected (k, 3) RGB colours, got {tuple(palette.shape)}")
    x = x.detach().float()
    visible = (x[..., 3, :, :] > -1.0).reshape(-1)
    if not bool(visible.any()):
        return x.clone()
    if len(palette) == 0:
        raise ValueError("palette is empty but the image has visible pixels; pass >= 1 colour")
    rgb = x[..., :3, :, :].movedim(-3, -1).reshape(-1, 3).clone()
    pal = to_levels(palette.float()).float()
    pal_f = from_levels(pal)  # the exact colours a file will hold
    idx = visible.nonzero().squeeze(1)
    for start in range(0, len(idx), _CHUNK):
        sel = idx[start:start + _CHUNK]
        d = torch.cdist(to_levels(rgb[sel]).float(), pal)
        rgb[sel] = pal_f[d.argmin(dim=1)]
    out = rgb.reshape(*x.shape[:-3], x.shape[-2], x.shape[-1], 3).movedim(-1, -3)
    return torch.cat([out, x[..., 3:4, :, :]], dim=-3)


def quantise_character(x: torch.Tensor, k: int = 24, seed: int = 0) -> torch.Tensor:
    """Binary alpha, then all views of this one character mapped onto one shared palette
    of at most ``k`` colours (x: (V, 4, H, W) or (V, F, 4, H, W))."""
    x = threshold_alpha(x)
    return quantise(x, extract_palette(x, k, seed=seed))


def unique_colours(x: torch.Tensor) -> torch.Tensor:
    """(c, 3) uint8 distinct colours of the pixels with alpha > 0 (for checks and GIFs)."""
    _check_rgba(x)
    return torch.unique(_opaque_rgb(x), dim=0)


# ---------------------------------------------------------------- palette files

_HEX = re.compile(r"^(?:#|0x)?([0-9a-fA-F]{6})$")


def _read_hex(path: Path) -> list[tuple[int, int, int]]:
    out = []
    for n, line in enumerate(path.read_text().splitlines(), 1):
        text = line.strip()
        if not text or text.startswith(";"):
            continue
        m = _HEX.match(text)
        if not m:
            raise ValueError(f"{path}:{n}: {text!r} is not a colour; write one RRGGBB per line "
                             "(e.g. ff8800 or #ff8800)")
        v = m.group(1)
        out.append((int(v[0:2], 16), int(v[2:4], 16), int(v[4:6], 16)))
    return out


def _read_gpl(path: Path) -> list[tuple[int, int, int]]:
    lines = path.read_text().splitlines()
    if not lines or lines[0].strip() != "GIMP Palette":
        raise ValueError(f"{path}:1: a .gpl file starts with the line 'GIMP Palette'")
    out = []
    for n, line in enumerate(lines[1:], 2):
        text = line.strip()
        if not text or text.startswith("#") or re.match(r"^(Name|Columns)\s*:", text):
            continue
        parts = text.split()
        try:
            rgb = tuple(int(p) for p in parts[:3])
        except ValueError:
            rgb = ()
        if len(rgb) != 3 or not all(0 <= c <= 255 for c in rgb):
            raise ValueError(f"{path}:{n}: {text!r} is not a colour; a .gpl colour line is "
                             "'R G B [name]' with R, G, B in 0..255")
        out.append(rgb)  # type: ignore[arg-type]
    return out


def _read_png(path: Path) -> list[tuple[int, int, int]]:
    try:
        with Image.open(path) as im:
            arr = np.asarray(im.convert("RGBA"))
    except OSError as exc:
        raise ValueError(f"{path}: cannot read the image ({exc})") from None
    px = arr.reshape(-1, 4)
    px = px[px[:, 3] >= 128, :3]  # transparent pixels are not palette colours
    _, first = np.unique(px, axis=0, return_index=True)
    return [tuple(int(c) for c in px[i]) for i in sorted(first)]  # reading order


def load_palette(path: str | Path) -> torch.Tensor:
    """A fixed user palette (k, 3) in [-1, 1] from a GIMP .gpl, a .hex (one RRGGBB per
    line, as Lospec exports) or a PNG swatch (its distinct opaque colours in reading
    order). Duplicates are dropped, the file's order is kept."""
    path = Path(path)
    readers = {".gpl": _read_gpl, ".hex": _read_hex, ".png": _read_png}
    suffix = path.suffix.lower()
    if suffix not in readers:
        raise ValueError(f"{path}: unknown palette format {path.suffix!r}; "
                         f"use one of {', '.join(PALETTE_SUFFIXES)}")
    if not path.is_file():
        raise FileNotFoundError(f"{path}: palette file not found")
    colours = list(dict.fromkeys(readers[suffix](path)))
    if not colours:
        raise ValueError(f"{path}: the palette has no colours")
    if len(colours) > MAX_COLOURS:
        raise ValueError(f"{path}: {len(colours)} colours; a palette holds at most "
                         f"{MAX_COLOURS} (is this a sprite rather than a palette swatch?)")
    return from_levels(np.asarray(colours, dtype=np.uint8))
