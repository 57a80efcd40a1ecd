"""A recipe tells the one Trainer loop what to optimise: modules, optimisers, phases."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import torch

Batch = dict[str, torch.Tensor]
# loss(batch, modules, step) -> (loss to backpropagate, detached tensors to log)
LossFn = Callable[[Batch, dict[str, torch.nn.Module], int], tuple[torch.Tensor, dict]]


@dataclass
class Phase:
    """One optimisation step per training step (or every ``every`` steps)."""

    name: str
    optimizer: str
    loss: LossFn
    every: int = 1
    clip_grad_norm: float | None = None
    # False for terms (e.g. R1's double backward) that must run outside autocast.
    autocast: bool = True


@dataclass
class Recipe:
    modules: dict[str, torch.nn.Module]
    optimizers: dict[str, torch.optim.Optimizer]
    phases: list[Phase]
    # (trained module, its exponential moving average) — the EMA is what generates; a
    # list of such pairs when several modules are averaged.
    ema: tuple[str, str] | list[tuple[str, str]] | None = None
    # Which optimiser steps which modules, so gradients are zeroed where they belong.
    owners: dict[str, list[str]] = field(default_factory=dict)

    def ema_pairs(self) -> list[tuple[str, str]]:
        if self.ema is None:
            return []
        return [self.ema] if isinstance(self.ema[0], str) else list(self.ema)  # type: ignore[list-item]
