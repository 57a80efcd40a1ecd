"""Trainer callbacks and the metrics log (JSONL, plus TensorBoard when installed)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aigc_sdk.training.trainer import Trainer


class Callback:
    """Override what you need; every hook gets the trainer."""

    def on_train_start(self, trainer: Trainer) -> None: ...

    def on_log(self, trainer: Trainer, step: int, logs: dict[str, float]) -> None: ...

    def on_checkpoint(self, trainer: Trainer, path: Path) -> None: ...

    def on_train_end(self, trainer: Trainer) -> None: ...


class MetricsLog(Callback):
    """Appends one JSON object per logged step; keeps the history in memory for plots."""

    def __init__(self, path: Path, tensorboard: bool = True) -> None:
        self.path = path
        self.history: list[dict[str, Any]] = []
        self._tb: Any = None
        self._want_tb = tensorboard

    def on_train_start(self, trainer: Trainer) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self._want_tb and trainer.is_main:
            try:
                from torch.utils.tensorboard import SummaryWriter
            except ImportError:  # tensorboard is optional
                self._tb = None
            else:
                self._tb = SummaryWriter(str(self.path.parent / "tensorboard"))

    def on_log(self, trainer: Trainer, step: int, logs: dict[str, float]) -> None:
        row = {"step": step, **logs}
        self.history.append(row)
        if not trainer.is_main:
            return
        with self.path.open("a") as f:
            f.write(json.dumps(row) + "\n")
        if self._tb is not None:
            for k, v in logs.items():
                self._tb.add_scalar(k, v, step)

    def on_train_end(self, trainer: Trainer) -> None:
        if self._tb is not None:
            self._tb.close()


def read_metrics_log(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
