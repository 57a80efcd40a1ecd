"""Exporters for generated characters: single PNG frames, sprite sheets and turnaround GIFs.

A character is RGBA in [-1, 1], straight alpha, one image per view (facing direction):
``Samples.data`` is (N, V, 4, H, W), or (N, V, F, 4, H, W) with F animation frames per view.
View names come from each sample's ``metadata["views"]``, else the exporter's ``views``
argument, else ``view0, view1, ...``. Every export also writes ``metadata.jsonl`` (one line
per sample: its metadata, the view names and the files written) so the provenance survives
next to the images.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image

from aigc_plugins.entertainment.palette import to_levels
from aigc_sdk.samples import Samples

TURNAROUND = ("down", "left", "up", "right")  # front, side, back, side: reads as a rotation
GIF_FRAME_MS = 250


def _frames(x: torch.Tensor) -> torch.Tensor:
    """A character as (V, F, 4, H, W): a 4-dim one has one frame per view."""
    if x.ndim == 4:
        x = x[:, None]
    if x.ndim != 5 or x.shape[2] != 4:
        raise ValueError(f"expected a character (V, 4, H, W) or (V, F, 4, H, W) with RGBA "
                         f"channels, got {tuple(x.shape)}")
    return x


def _prepare(samples: Samples, out_dir: Path) -> tuple[torch.Tensor, Path]:
    """(N, V, F, 4, H, W) float in [-1, 1], and ``out_dir`` created (exporters may be called
    directly, not only through :meth:`Samples.export`)."""
    data = samples.data
    if not isinstance(data, torch.Tensor) or data.ndim not in (5, 6):
        shape = tuple(data.shape) if isinstance(data, torch.Tensor) else type(data).__name__
        raise TypeError("entertainment exporters take characters (N, V, 4, H, W) or "
                        f"(N, V, F, 4, H, W), got {shape}")
    x = data.detach().float().cpu().clamp(-1.0, 1.0)
    x = torch.stack([_frames(c) for c in x]) if len(x) else x
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    return x, out_dir


def _rgba(x: torch.Tensor) -> np.ndarray:
    """(..., 4, H, W) in [-1, 1] to uint8 (..., H, W, 4), straight alpha kept as alpha."""
    return to_levels(x).movedim(-3, -1).numpy()


def _view_names(meta: Mapping[str, Any], n_views: int, views: Sequence[str] | None,
                where: str) -> list[str]:
    names = meta.get("views") or views
    if names is None:
        return [f"view{i}" for i in range(n_views)]
    names = [str(v) for v in names]
    if len(names) != n_views or len(set(names)) != n_views:
        raise ValueError(f"{where}: {len(names)} view names {names} for {n_views} views; "
                         f"give {n_views} distinct names in metadata['views'] or views=")
    return names


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "x"


def _stems(metadata: list[dict[str, Any]]) -> list[str]:
    """``character_{index:04d}``; a repeated index (two generate calls) gets ``-k`` so no
    file overwrites another."""
    out: list[str] = []
    for i, meta in enumerate(metadata):
        stem = f"character_{int(meta.get('index', i)):04d}"
        out.append(stem if stem not in out else f"{stem}-{i}")
    return out


def _each(x: torch.Tensor, metas: list[dict[str, Any]], views: Sequence[str] | None
          ) -> list[tuple[torch.Tensor, dict[str, Any], str, list[str]]]:
    """(character (V, F, 4, H, W), metadata, stem, view names) per sample."""
    return [(x[i], meta, stem, _view_names(meta, x.shape[1], views, stem))
            for i, (meta, stem) in enumerate(zip(metas, _stems(metas), strict=True))]


def _write_jsonl(rows: list[dict[str, Any]], out_dir: Path) -> Path:
    path = out_dir / "metadata.jsonl"
    with open(path, "w") as fh:
        for row in rows:
            fh.write(json.dumps(row, default=str) + "\n")
    return path


def _row(meta: Mapping[str, Any], names: list[str], files: list[Path]) -> dict[str, Any]:
    return {**meta, "views": names, "files": [f.name for f in files]}


# ---------------------------------------------------------------- single frames


def export_png(samples: Samples, out_dir: Path, views: Sequence[str] | None = None
               ) -> list[Path]:
    """One RGBA PNG per view (``{stem}_{view}.png``; ``{stem}_{view}_{f}.png`` per frame
    when animated), alpha kept as alpha."""
    x, out_dir = _prepare(samples, out_dir)
    files, rows = [], []
    for char, meta, stem, names in _each(x, samples.metadata, views):
        written = []
        pixels = _rgba(char)
        for v, name in enumerate(names):
            for f in range(char.shape[1]):
                suffix = "" if char.shape[1] == 1 else f"_{f}"
                path = out_dir / f"{stem}_{_safe(name)}{suffix}.png"
                Image.fromarray(pixels[v, f], "RGBA").save(path)
                written.append(path)
        files += written
        rows.append(_row(meta, names, written))
    return [*files, _write_jsonl(rows, out_dir)]


# ---------------------------------------------------------------- sprite sheets


def sheet_image(x: torch.Tensor) -> Image.Image:
    """One character as an RGBA sheet: a row per view (in order), a column per animation
    frame, cells of the frame size with no padding, so cell (r, c) is at (c*w, r*h)."""
    px = _rgba(_frames(x.detach().float().cpu()))  # (V, F, H, W, 4)
    v, f, h, w, _ = px.shape
    return Image.fromarray(px.transpose(0, 2, 1, 3, 4).reshape(v * h, f * w, 4), "RGBA")


def sheet_layout(image: str, views: Sequence[str], n_frames: int, width: int, height: int
                 ) -> dict[str, Any]:
    """The sheet's description for game-engine importers: grid size, row names and a
    TexturePacker-like frame list (``{view}_{frame}`` with its pixel rectangle)."""
    return {
        "image": image,
        "image_width": n_frames * width,
        "image_height": len(views) * height,
        "frame_width": width,
        "frame_height": height,
        "rows": list(views),
        "columns": n_frames,
        "frames": [{"name": f"{view}_{c}", "x": c * width, "y": r * height,
                    "w": width, "h": height}
                   for r, view in enumerate(views) for c in range(n_frames)],
    }


def export_sheet(samples: Samples, out_dir: Path, views: Sequence[str] | None = None
                 ) -> list[Path]:
    """Per character ``{stem}_sheet.png`` (see :func:`sheet_image`) and
    ``{stem}_sheet.json`` (see :func:`sheet_layout`, plus the sample's provenance)."""
    x, out_dir = _prepare(samples, out_dir)
    files, rows = [], []
    for char, meta, stem, names in _each(x, samples.metadata, views):
        png, js = out_dir / f"{stem}_sheet.png", out_dir / f"{stem}_sheet.json"
        sheet_image(char).save(png)
        layout = sheet_layout(png.name, names, char.shape[1], char.shape[-1], char.shape[-2])
        layout["meta"] = {k: meta.get(k) for k in ("generator", "bundle_hash", "seed", "index",
                                                   "condition")}
        js.write_text(json.dumps(layout, indent=1, default=str) + "\n")
        files += [png, js]
        rows.append(_row(meta, names, [png, js]))
    return [*files, _write_jsonl(rows, out_dir)]


# ---------------------------------------------------------------- turnaround GIFs


def turnaround_order(names: Sequence[str]) -> list[int]:
    """View indices in turnaround order: down, left, up, right when all four exist (then
    any others), else the given order."""
    if not set(TURNAROUND) <= set(names):
        return list(range(len(names)))
    first = [list(names).index(n) for n in TURNAROUND]
    return first + [i for i in range(len(names)) if i not in first]


def _indexed(frames: np.ndarray) -> tuple[np.ndarray, list[int], int]:
    """(T, H, W, 4) uint8 to palette indices (T, H, W), a flat RGB palette and the
    transparent index. GIF alpha is binary: alpha >= 128 is opaque. Colours are kept
    exactly when there are at most 255; otherwise one shared median-cut palette."""
    opaque = frames[..., 3] >= 128
    colours, inverse = np.unique(frames[..., :3][opaque], axis=0, return_inverse=True)
    if len(colours) > 255:
        img = Image.fromarray(frames[..., :3][opaque][None], "RGB")
        q = img.quantize(colors=255, method=Image.Quantize.MEDIANCUT, kmeans=3,
                         dither=Image.Dither.NONE)
        inverse = np.asarray(q)[0]
        colours = np.asarray(q.getpalette(), dtype=np.uint8).reshape(-1, 3)[:255]
    idx = np.full(frames.shape[:3], 255, np.uint8)
    idx[opaque] = inverse.reshape(-1).astype(np.uint8)
    pal = np.zeros((256, 3), np.uint8)
    pal[:len(colours)] = colours
    return idx, pal.reshape(-1).tolist(), 255


def save_turnaround(x: torch.Tensor, path: str | Path, views: Sequence[str] | None = None,
                    upscale: int = 4, frame: int = 0, duration_ms: int = GIF_FRAME_MS) -> Path:
    """One character as a looping GIF that turns through its views (one GIF frame per view,
    animation frame ``frame`` of each), upscaled ``upscale`` times with NEAREST so pixels
    stay crisp, with a transparent palette index so it sits on any page background."""
    if upscale < 1:
        raise ValueError(f"upscale={upscale}: use an integer >= 1")
    char = _frames(x.detach().float().cpu())
    names = list(views) if views is not None else [f"view{i}" for i in range(len(char))]
    px = _rgba(char[turnaround_order(names), frame])  # (T, H, W, 4)
    idx, pal, transparent = _indexed(px)
    idx = idx.repeat(upscale, axis=1).repeat(upscale, axis=2)
    images = []
    for plane in idx:
        im = Image.fromarray(plane, "P")
        im.putpalette(pal)
        im.info["transparency"] = transparent
        images.append(im)
    path = Path(path)
    images[0].save(path, save_all=True, append_images=images[1:], duration=duration_ms,
                   loop=0, disposal=2, transparency=transparent, background=transparent,
                   optimize=False)
    return path


def export_gif(samples: Samples, out_dir: Path, views: Sequence[str] | None = None,
               upscale: int = 4) -> list[Path]:
    """Per character ``{stem}_turnaround.gif`` (see :func:`save_turnaround`)."""
    x, out_dir = _prepare(samples, out_dir)
    files, rows = [], []
    for char, meta, stem, names in _each(x, samples.metadata, views):
        path = save_turnaround(char, out_dir / f"{stem}_turnaround.gif", names, upscale)
        files.append(path)
        rows.append(_row(meta, names, [path]))
    return [*files, _write_jsonl(rows, out_dir)]


# ---------------------------------------------------------------- preview grid


def _checkerboard(h: int, w: int, cell: int = 8) -> np.ndarray:
    yy, xx = np.indices((h, w))
    return np.where(((yy // cell + xx // cell) % 2)[..., None] == 0, 204, 153).astype(np.uint8) \
        .repeat(3, axis=2)


def grid_image(characters: torch.Tensor | Samples, upscale: int = 2, pad: int = 2
               ) -> Image.Image:
    """Many characters at a glance: one per row, views left to right (first animation
    frame), on a checkerboard so transparency and stray pixels are visible."""
    x = characters.data if isinstance(characters, Samples) else characters
    if not isinstance(x, torch.Tensor) or x.ndim not in (5, 6):
        raise TypeError("save_grid takes characters (N, V, 4, H, W) or (N, V, F, 4, H, W)")
    x = x.detach().float().cpu()
    x = x[:, :, 0] if x.ndim == 6 else x
    px = _rgba(x).repeat(upscale, axis=2).repeat(upscale, axis=3)  # (N, V, h, w, 4)
    n, v, h, w, _ = px.shape
    canvas = np.full((n * (h + pad) + pad, v * (w + pad) + pad, 3), 255, np.uint8)
    board = _checkerboard(h, w, cell=max(4, 4 * upscale)).astype(np.float32)
    for i in range(n):
        for j in range(v):
            a = px[i, j, ..., 3:4].astype(np.float32) / 255.0
            cell = px[i, j, ..., :3].astype(np.float32) * a + board * (1.0 - a)
            y0, x0 = pad + i * (h + pad), pad + j * (w + pad)
            canvas[y0:y0 + h, x0:x0 + w] = np.round(cell).astype(np.uint8)
    return Image.fromarray(canvas, "RGB")


def save_grid(characters: torch.Tensor | Samples, path: str | Path, upscale: int = 2,
              pad: int = 2) -> Path:
    """Write :func:`grid_image` to ``path`` (a preview, not an asset: the sprites are
    composited onto the checkerboard)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    grid_image(characters, upscale=upscale, pad=pad).save(path)
    return path


EXPORTERS: dict[str, Callable[[Samples, Path], list[Path]]] = {
    "png": export_png,
    "sheet": export_sheet,
    "gif": export_gif,
}
