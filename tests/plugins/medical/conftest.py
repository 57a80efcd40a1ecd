"""Fixtures of the medical plugin's tests: tiny separable images, one torch thread."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import torch

Blobs = Callable[..., tuple[torch.Tensor, torch.Tensor]]


@pytest.fixture(autouse=True)
def _one_torch_thread() -> Iterator[None]:
    """The networks here are tiny: one thread is fastest, and on a small, busy machine
    two threads spin against each other (a GAN step measured 6 ms vs 0.9 s)."""
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


def make_blobs(n: int, size: int = 28, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """(N, 1, size, size) in [-1, 1] and labels (N,): one Gaussian blob per image at a
    random place on a black background, faint (peak -0.4) for class 0, bright (1.0) for 1."""
    g = torch.Generator().manual_seed(seed)
    y = torch.arange(n) % 2
    yy, xx = torch.meshgrid(torch.arange(size), torch.arange(size), indexing="ij")
    c = torch.randint(size // 4, size - size // 4, (n, 2), generator=g)
    r2 = (yy[None] - c[:, 0, None, None]) ** 2 + (xx[None] - c[:, 1, None, None]) ** 2
    amp = torch.where(y == 1, 2.0, 0.6)[:, None, None]
    x = -1.0 + amp * torch.exp(-r2 / (size / 4.0) ** 2 * 2)
    return x.clamp(-1, 1)[:, None].float(), y


@pytest.fixture(scope="session")
def blobs() -> Blobs:
    return make_blobs
