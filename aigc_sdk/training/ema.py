"""Exponential moving average of a network: the copy that generates after training."""

from __future__ import annotations

import copy

import torch


class EMA(torch.nn.Module):
    """Holds a frozen copy of ``module``; ``update`` moves it towards the trained weights.

    The decay warms up as ``min(decay, (1 + step) / (10 + step))`` so early, poor weights
    are forgotten quickly. Written here (not ``torch.optim.swa_utils.AveragedModel``) so
    the decay comes from the train config and the state dict stays the plain module's.
    """

    def __init__(self, module: torch.nn.Module) -> None:
        super().__init__()
        self.module = copy.deepcopy(module).eval().requires_grad_(False)

    def forward(self, *args, **kwargs):  # noqa: ANN002, ANN003
        return self.module(*args, **kwargs)

    @torch.no_grad()
    def update(self, source: torch.nn.Module, decay: float, step: int) -> None:
        d = min(decay, (1 + step) / (10 + step))
        ema_p = list(self.module.parameters())
        src_p = [p.detach() for p in source.parameters()]
        torch._foreach_lerp_(ema_p, src_p, 1 - d)
        for b_ema, b_src in zip(self.module.buffers(), source.buffers()):
            b_ema.copy_(b_src)
