"""Metric interface: ``compute(real, synthetic, **context) -> dict[str, float]``."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar, Literal


class Metric(ABC):
    """``requires`` names the context a metric needs (labels, features, holdout...)."""

    name: ClassVar[str] = ""
    direction: ClassVar[Literal["higher", "lower"]] = "higher"
    requires: ClassVar[tuple[str, ...]] = ()

    def check_context(self, context: dict[str, Any]) -> None:
        missing = [r for r in self.requires if context.get(r) is None]
        if missing:
            raise ValueError(f"metric {self.name!r} needs {missing} in its context")

    @abstractmethod
    def compute(self, real: Any, synthetic: Any, **context: Any) -> dict[str, float]: ...
