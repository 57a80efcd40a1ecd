"""Generated samples with per-sample provenance and the generator's exporters."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

# An exporter writes samples into a folder and returns the files it wrote.
Exporter = Callable[["Samples", Path], list[Path]]


@dataclass
class Samples:
    """Tensors (or texts) plus one metadata dict per sample.

    Metadata keys always present: ``generator``, ``bundle_hash``, ``seed``, ``index``,
    ``condition``; privacy filters add ``filters``.
    """

    data: torch.Tensor | list[str]
    metadata: list[dict[str, Any]]
    exporters: Mapping[str, Exporter] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if len(self.data) != len(self.metadata):
            raise ValueError(f"{len(self.data)} samples but {len(self.metadata)} metadata rows")

    def __len__(self) -> int:
        return len(self.data)

    @property
    def formats(self) -> list[str]:
        return sorted(self.exporters)

    def select(self, indices: Sequence[int]) -> Samples:
        idx = list(indices)
        if isinstance(self.data, torch.Tensor):
            data: torch.Tensor | list[str] = self.data[torch.as_tensor(idx, dtype=torch.long)]
        else:
            data = [self.data[i] for i in idx]
        return Samples(data, [self.metadata[i] for i in idx], self.exporters)

    def export(self, fmt: str, out_dir: str | Path) -> list[Path]:
        if fmt not in self.exporters:
            raise ValueError(f"unknown format {fmt!r}; this generator exports {self.formats}")
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        return self.exporters[fmt](self, out)
