"""Dataset interface: real user data read from a path, with a schema and a quality report."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import torch
from pydantic import BaseModel, Field

if TYPE_CHECKING:
    from aigc_sdk.quality import QualityReport


class ConditionSpec(BaseModel):
    """A categorical condition; the position of a value in ``values`` is its integer code."""

    name: str
    values: list[str]

    def code(self, value: Any) -> int:
        if isinstance(value, (int, np.integer)) or (isinstance(value, str) and value.isdigit()):
            idx = int(value)
            if 0 <= idx < len(self.values):
                return idx
        elif value in self.values:
            return self.values.index(value)
        raise ValueError(
            f"condition {self.name!r}: {value!r} is not one of {self.values} "
            f"(or an index 0..{len(self.values) - 1})"
        )


class DataSchema(BaseModel):
    """What a generator needs to know about the data it is built for."""

    sample_shape: list[int] = Field(description="channels first, e.g. [1, 28, 28]")
    value_range: tuple[float, float] = (-1.0, 1.0)
    conditions: list[ConditionSpec] = Field(default_factory=list)
    description: str = ""
    attributes: dict[str, Any] = Field(default_factory=dict)

    def condition(self, name: str) -> ConditionSpec:
        for spec in self.conditions:
            if spec.name == name:
                return spec
        raise KeyError(f"no condition {name!r}; this data has {[c.name for c in self.conditions]}")

    def encode(self, condition: dict[str, Any] | None, n: int, seed: int | None) -> torch.Tensor:
        """Codes of shape (n, n_conditions): given values repeated, missing ones drawn at random."""
        rng = np.random.default_rng(seed)
        condition = dict(condition or {})
        unknown = set(condition) - {c.name for c in self.conditions}
        if unknown:
            raise ValueError(
                f"unknown condition(s) {sorted(unknown)}; "
                f"this generator takes {[c.name for c in self.conditions] or 'none'}"
            )
        cols = []
        for spec in self.conditions:
            if spec.name in condition:
                cols.append(np.full(n, spec.code(condition[spec.name])))
            else:
                cols.append(rng.integers(0, len(spec.values), size=n))
        if not cols:
            return torch.zeros(n, 0, dtype=torch.long)
        return torch.as_tensor(np.stack(cols, axis=1), dtype=torch.long)

    def decode(self, codes: torch.Tensor) -> list[dict[str, str]]:
        return [
            {spec.name: spec.values[int(c)] for spec, c in zip(self.conditions, row)}
            for row in codes.tolist()
        ]


class Dataset(torch.utils.data.Dataset, ABC):
    """A map-style dataset of ``{"x": tensor, "cond": LongTensor}`` items.

    Sources implement ``accepts`` (so ``--data PATH`` finds them), ``schema`` and
    ``quality_report``. In-memory sources also give ``get_batch`` so the trainer can
    fetch a whole batch with one indexing operation.
    """

    source_name: ClassVar[str] = ""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    @classmethod
    @abstractmethod
    def accepts(cls, path: Path) -> bool:
        """True when this source can read ``path`` (cheap: look at suffixes, not content)."""

    @property
    @abstractmethod
    def schema(self) -> DataSchema: ...

    @abstractmethod
    def quality_report(self) -> QualityReport: ...

    def get_batch(self, indices: torch.Tensor) -> dict[str, torch.Tensor]:
        return torch.utils.data.default_collate([self[int(i)] for i in indices])

    def lengths(self) -> Sequence[int] | None:
        """Per-sample lengths when batches are padded to their longest sample (token
        sequences): the Trainer then batches samples of similar length together."""
        return None


class TensorDataset(Dataset):
    """Samples held in memory as one tensor ``x`` and one code tensor ``cond``."""

    def __init__(
        self, path: str | Path, x: torch.Tensor, cond: torch.Tensor, schema: DataSchema
    ) -> None:
        super().__init__(path)
        if len(x) != len(cond):
            raise ValueError(f"{path}: {len(x)} samples but {len(cond)} condition rows")
        self.x, self.cond, self._schema = x, cond, schema

    @classmethod
    def accepts(cls, path: Path) -> bool:
        return False

    @property
    def schema(self) -> DataSchema:
        return self._schema

    def quality_report(self) -> QualityReport:
        raise NotImplementedError("TensorDataset has no source files to report on")

    def __len__(self) -> int:
        return len(self.x)

    def __getitem__(self, i: int) -> dict[str, torch.Tensor]:
        return {"x": self.x[i], "cond": self.cond[i]}

    def get_batch(self, indices: torch.Tensor) -> dict[str, torch.Tensor]:
        return {"x": self.x[indices], "cond": self.cond[indices]}

    def subset(self, indices: np.ndarray | torch.Tensor) -> TensorDataset:
        idx = torch.as_tensor(indices, dtype=torch.long)
        return TensorDataset(self.path, self.x[idx], self.cond[idx], self._schema)


def stratified_split(
    labels: np.ndarray, fractions: dict[str, float], seed: int = 0
) -> dict[str, np.ndarray]:
    """Deterministic stratified split: the same labels and seed give the same indices."""
    if abs(sum(fractions.values()) - 1.0) > 1e-6:
        raise ValueError(f"split fractions must sum to 1, got {fractions}")
    rng = np.random.default_rng(seed)
    out: dict[str, list[int]] = {name: [] for name in fractions}
    for value in np.unique(labels):
        idx = np.flatnonzero(labels == value)
        rng.shuffle(idx)
        start = 0
        names = list(fractions)
        for k, name in enumerate(names):
            stop = len(idx) if k == len(names) - 1 else start + round(fractions[name] * len(idx))
            out[name].extend(idx[start:stop].tolist())
            start = stop
    return {name: np.sort(np.array(v, dtype=np.int64)) for name, v in out.items()}


def open_dataset(
    path: str | Path, source: str | None = None, split: str | None = None, **options: Any
) -> Dataset:
    """Open ``path`` with the named dataset source, or the first registered one that accepts it.

    ``split`` is passed only when given: each source has its own default (an image .npz
    holds train/val/test arrays and defaults to train; a text file a user already split
    defaults to all of it)."""
    from aigc_sdk import registry

    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"{p}: no such file or folder")
    if split is not None:
        options["split"] = split
    if source:
        return registry.dataset(source)(p, **options)
    tried = []
    for comp in registry.components("datasets"):
        cls = comp.load()
        tried.append(comp.name)
        if cls.accepts(p):
            return cls(p, **options)
    raise ValueError(
        f"{p}: no installed dataset source reads this (tried {', '.join(tried) or 'none'}); "
        "pass --dataset NAME or install the plugin for this data (see `aigc plugins`)"
    )
