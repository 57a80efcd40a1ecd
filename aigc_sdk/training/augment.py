"""Differentiable augmentation (DiffAugment, Zhao et al. 2020) for 2-D and 3-D tensors.

Applied to real and fake samples alike before the discriminator, so a GAN trained on a
few hundred images does not overfit its discriminator. Data are assumed in [-1, 1];
translation pads with -1 (background), cutout fills with 0.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

POLICIES = ("translation", "cutout", "brightness", "contrast")


def parse_policy(policy: str) -> list[str]:
    parts = [p.strip() for p in policy.split(",") if p.strip()]
    bad = [p for p in parts if p not in POLICIES]
    if bad:
        raise ValueError(f"unknown DiffAugment op(s) {bad}; choose from {POLICIES}")
    return parts


def _shape(x: torch.Tensor) -> tuple[int, ...]:
    return (x.shape[0],) + (1,) * (x.dim() - 1)


def translation(x: torch.Tensor, ratio: float = 0.125) -> torch.Tensor:
    n, spatial = x.shape[0], x.dim() - 2
    shift = (torch.rand(n, spatial, device=x.device) * 2 - 1) * ratio * 2
    theta = torch.zeros(n, spatial, spatial + 1, device=x.device, dtype=x.dtype)
    theta[:, :, :spatial] = torch.eye(spatial, device=x.device, dtype=x.dtype)
    theta[:, :, spatial] = shift.to(x.dtype)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    return F.grid_sample(x + 1, grid, mode="nearest", padding_mode="zeros", align_corners=False) - 1


def cutout(x: torch.Tensor, ratio: float = 0.5) -> torch.Tensor:
    n, spatial = x.shape[0], x.shape[2:]
    # The cut box is where every axis is inside its random window.
    box = torch.ones((n, 1, *spatial), device=x.device, dtype=torch.bool)
    for d, size in enumerate(spatial):
        cut = max(1, int(size * ratio))
        start = torch.randint(0, size - cut + 1, (n,), device=x.device)
        pos = torch.arange(size, device=x.device)
        inside = (pos[None] >= start[:, None]) & (pos[None] < start[:, None] + cut)
        view = [n, 1] + [1] * len(spatial)
        view[2 + d] = size
        box = box & inside.view(view)
    return x * (~box).to(x.dtype)


def brightness(x: torch.Tensor) -> torch.Tensor:
    return x + (torch.rand(_shape(x), device=x.device, dtype=x.dtype) - 0.5) * 0.5


def contrast(x: torch.Tensor) -> torch.Tensor:
    mean = x.mean(dim=tuple(range(1, x.dim())), keepdim=True)
    return (x - mean) * (torch.rand(_shape(x), device=x.device, dtype=x.dtype) * 0.5 + 0.75) + mean


_OPS = {"translation": translation, "cutout": cutout, "brightness": brightness,
        "contrast": contrast}


def diff_augment(x: torch.Tensor, ops: list[str]) -> torch.Tensor:
    for op in ops:
        x = _OPS[op](x)
    return x
