"""Exponential moving average of a network: the copy that generates after training."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from typing import Any, Literal

import torch


class EMA(torch.nn.Module):
    """Holds a frozen copy of ``module``; ``update`` moves it towards the trained weights.

    Early, poor weights must be forgotten, so the decay warms up. ``warmup="steps"`` caps it
    at ``(1 + step) / (10 + step)``: that cap stays below 0.999 until step 8990, so in
    shorter runs it, not ``decay``, sets the window (the last ~11% of the steps; at step
    1200 about 130 steps). ``warmup="debiased"`` is an average started from zero and
    divided by ``1 - decay ** t`` (as Adam debiases its moments): a plain mean of the
    first steps that becomes the EMA of ``decay`` (window ~1 / (1 - decay) steps) once
    training is longer than that. On a 546-image set (a GAN, weights kept by validation
    FID every 300 steps, decay 0.999) it moved the test FID ratio from 2.57x to 2.09x with
    GAN seed 0 but from 1.31x to 3.00x with seed 1: no default change. Written here (not
    ``torch.optim.swa_utils.AveragedModel``) so the decay comes from the train config and
    the state dict stays the plain module's.
    """

    def __init__(self, module: torch.nn.Module) -> None:
        super().__init__()
        self.module = copy.deepcopy(module).eval().requires_grad_(False)

    def forward(self, *args, **kwargs):  # noqa: ANN002, ANN003
        return self.module(*args, **kwargs)

    @torch.no_grad()
    def update(self, source: torch.nn.Module, decay: float, step: int,
               warmup: Literal["steps", "debiased"] = "steps") -> None:
        if warmup == "debiased":  # step 0 copies the source (the weight of zero is 0)
            t = step + 1
            d = decay * (1 - decay ** (t - 1)) / (1 - decay ** t)
        elif warmup == "steps":
            d = min(decay, (1 + step) / (10 + step))
        else:
            raise ValueError(f"EMA warmup {warmup!r}: use 'steps' or 'debiased'")
        ema_p = list(self.module.parameters())
        src_p = [p.detach() for p in source.parameters()]
        torch._foreach_lerp_(ema_p, src_p, 1 - d)
        for b_ema, b_src in zip(self.module.buffers(), source.buffers()):
            b_ema.copy_(b_src)


@torch.no_grad()
def refresh_batch_norm(module: torch.nn.Module, batches: Iterable[Sequence[Any]]) -> int:
    """Re-estimate every batch-norm layer's running mean and variance for the weights
    ``module`` has now, from ``batches`` (each the positional arguments of one forward
    call); returns the number of layers refreshed.

    Why: :meth:`EMA.update` averages the weights but can only copy the running statistics
    of the live network, which belong to other weights. A generator drawing in eval mode
    with averaged weights then normalises with mismatched statistics: on one conditional
    image generator every output was shifted by a few intensity levels, its L1 to the
    target doubled and a real-trained classifier read its condition 0.90 of the time
    against 0.96 after a refresh. The statistics are a plain average over all batches (momentum
    None), as ``torch.optim.swa_utils.update_bn`` does; that helper passes only one
    input to ``forward``, while our generators take noise and conditions."""
    norms = [m for m in module.modules()
             if isinstance(m, torch.nn.modules.batchnorm._BatchNorm) and m.track_running_stats]
    if not norms:
        return 0
    batches = iter(batches)
    first = next(batches, None)
    if first is None:
        raise ValueError("refresh_batch_norm got no batches: pass at least one batch of "
                         "inputs for the module's forward")
    momenta = [m.momentum for m in norms]
    was = module.training
    for m in norms:
        m.reset_running_stats()
        m.momentum = None
    module.train()
    try:
        module(*first)
        for args in batches:
            module(*args)
    finally:
        for m, momentum in zip(norms, momenta, strict=True):
            m.momentum = momentum
        module.train(was)
    return len(norms)
