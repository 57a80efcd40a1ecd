"""Learning-rate annealing over a run whose length may be a wall-clock budget.

Written here rather than with ``torch.optim.lr_scheduler``: a run bounded by
``max_minutes`` learns its own length only while it trains (the Trainer re-estimates the
last step at every log), and a stateless rule of (step, horizon) needs nothing saved to
resume; each group's starting rate is kept as ``initial_lr``, the key torch's schedulers
use, so it travels in the optimiser's checkpointed state.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import torch


class LRSchedule:
    """Sets every optimiser group's rate from the step: constant, or a half cosine from
    the group's initial rate to 0 at ``horizon``."""

    def __init__(self, optimizers: Iterable[torch.optim.Optimizer], horizon: int,
                 kind: str = "constant") -> None:
        if kind not in ("constant", "cosine"):
            raise ValueError(f"lr_schedule={kind!r}: use 'constant' or 'cosine'")
        self.kind, self.horizon = kind, horizon
        self.groups = [g for opt in optimizers for g in opt.param_groups]
        for g in self.groups:
            g.setdefault("initial_lr", g["lr"])

    def factor(self, step: int) -> float:
        if self.kind == "constant":
            return 1.0
        return 0.5 * (1 + math.cos(math.pi * min(1.0, step / max(1, self.horizon))))

    def apply(self, step: int) -> None:
        if self.kind == "constant":
            return
        f = self.factor(step)
        for g in self.groups:
            g["lr"] = g["initial_lr"] * f
