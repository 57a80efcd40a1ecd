"""PrivacyFilter interface: runs on records at the ``input`` or ``output`` stage."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, Literal, TypeVar

from pydantic import BaseModel

Stage = Literal["input", "output"]
R = TypeVar("R")


class Finding(BaseModel):
    """Why a record was changed or removed; ``index`` is its position in the input."""

    index: int
    filter: str
    kind: str
    detail: str
    score: float | None = None


@dataclass
class FilterResult(Generic[R]):
    kept: R
    removed: R
    findings: list[Finding] = field(default_factory=list)

    def summary(self, name: str, n_in: int, n_kept: int) -> dict[str, Any]:
        return {"filter": name, "in": n_in, "kept": n_kept, "removed": n_in - n_kept,
                "findings": len(self.findings)}


class PrivacyFilter(ABC, Generic[R]):
    """Every filter that ran is recorded in the bundle card and in each sample's metadata."""

    name: ClassVar[str] = ""
    stages: ClassVar[tuple[Stage, ...]] = ("output",)

    @abstractmethod
    def apply(self, records: R, stage: Stage = "output") -> FilterResult[R]: ...

    def check_stage(self, stage: Stage) -> None:
        if stage not in self.stages:
            raise ValueError(f"filter {self.name!r} runs at {self.stages}, not at {stage!r}")
