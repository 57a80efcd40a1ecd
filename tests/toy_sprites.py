"""Toy characters for the entertainment tests: tiny, fast, and with a known structure."""

from __future__ import annotations

import torch

from aigc_sdk.dataset import DataSchema

VIEWS = ["up", "left", "down", "right"]


def toy_characters(n: int = 32, size: int = 16, seed: int = 0) -> torch.Tensor:
    """Blobs whose colour is the identity and whose shape says the view: a body square,
    plus a marker on the side the character faces (none for 'down', a bar for 'up')."""
    g = torch.Generator().manual_seed(seed)
    x = torch.full((n, 4, 4, size, size), -1.0)
    colours = torch.rand(n, 3, generator=g) * 2 - 1
    lo, hi = size // 4, 3 * size // 4
    for v in range(4):
        x[:, v, :3, lo:hi, lo:hi] = colours[:, :, None, None]
        x[:, v, 3, lo:hi, lo:hi] = 1
    mark = {0: (slice(lo - 2, lo), slice(lo, hi)), 1: (slice(lo, hi), slice(lo - 2, lo)),
            3: (slice(lo, hi), slice(hi, hi + 2))}
    for v, (rows, cols) in mark.items():
        x[:, v, :3, rows, cols] = 1.0
        x[:, v, 3, rows, cols] = 1
    return x


def schema(size: int = 16, views: list[str] = VIEWS, conditions=()) -> DataSchema:
    return DataSchema(sample_shape=[len(views), 4, size, size], conditions=list(conditions),
                      attributes={"views": views, "kind": "character"})
