"""Adversarial losses, the R1 penalty, the LeCam and mode-seeking regularisers.

Written out rather than taken from MONAI: the core must not depend on a domain library,
and each loss is one line over the discriminator's logits.
"""

from __future__ import annotations

from typing import Literal

import torch
import torch.nn.functional as F

GanLoss = Literal["hinge", "non_saturating"]


def d_loss(kind: GanLoss, real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    if kind == "hinge":
        return F.relu(1 - real_logits).mean() + F.relu(1 + fake_logits).mean()
    if kind == "non_saturating":
        return F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()
    raise ValueError(f"unknown GAN loss {kind!r}; use 'hinge' or 'non_saturating'")


def g_loss(kind: GanLoss, fake_logits: torch.Tensor) -> torch.Tensor:
    if kind == "hinge":
        return -fake_logits.mean()
    if kind == "non_saturating":
        return F.softplus(-fake_logits).mean()
    raise ValueError(f"unknown GAN loss {kind!r}; use 'hinge' or 'non_saturating'")


def r1_penalty(real: torch.Tensor, real_logits: torch.Tensor) -> torch.Tensor:
    """Squared gradient norm of D at real data (Mescheder et al. 2018); ``real`` needs grad."""
    (grad,) = torch.autograd.grad(real_logits.sum(), real, create_graph=True)
    return grad.pow(2).flatten(1).sum(1).mean()


def mode_seeking(fake: torch.Tensor, z: torch.Tensor, eps: float = 1e-5) -> torch.Tensor:
    """Mode-seeking term (Mao et al. 2019, MSGAN) to minimise: the first and second halves
    of ``fake`` share their conditions, and two noises that differ should give images that
    differ. A conditional generator that ignores its noise (every sample of a class the
    same image) makes this large; it costs no extra forward pass."""
    half = fake.shape[0] // 2
    d_img = (fake[:half] - fake[half:2 * half]).float().abs().flatten(1).mean(1)
    d_z = (z[:half] - z[half:2 * half]).float().abs().flatten(1).mean(1)
    return (1.0 / (d_img / d_z + eps)).mean()


class LeCam:
    """LeCam regulariser (Tseng et al. 2021): real logits above the fakes' moving mean, and
    fake logits below the reals', are penalised. A discriminator that starts memorising a
    few hundred training images drives the two apart without bound; this holds them near
    each other without augmenting the images. Stateful: keeps the two moving means."""

    def __init__(self, decay: float = 0.99) -> None:
        self.decay = decay
        self.real_mean: torch.Tensor | None = None
        self.fake_mean: torch.Tensor | None = None

    def _update(self, mean: torch.Tensor | None, logits: torch.Tensor) -> torch.Tensor:
        m = logits.detach().float().mean()
        return m if mean is None else self.decay * mean + (1 - self.decay) * m

    def __call__(self, real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
        self.real_mean = self._update(self.real_mean, real_logits)
        self.fake_mean = self._update(self.fake_mean, fake_logits)
        return (F.relu(real_logits.float() - self.fake_mean).pow(2).mean()
                + F.relu(self.real_mean - fake_logits.float()).pow(2).mean())
