"""Generator interface: a config, a training recipe, ``generate`` and bundle save/load."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import torch
from pydantic import BaseModel, ConfigDict

from aigc_sdk.dataset import DataSchema, Dataset
from aigc_sdk.samples import Exporter, Samples

if TYPE_CHECKING:
    from aigc_sdk.training.recipe import Recipe
    from aigc_sdk.training.trainer import TrainConfig


class GeneratorConfig(BaseModel):
    """Base of every generator's config; unknown keys are an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid")


class Generator(ABC):
    """Subclasses declare ``Config`` and build their networks from config + data schema.

    ``saved_modules`` are written to bundles; every module the recipe trains (e.g. the
    discriminator) is kept in training checkpoints only.
    """

    Config: ClassVar[type[GeneratorConfig]] = GeneratorConfig
    saved_modules: ClassVar[tuple[str, ...]] = ("generator", "ema")
    # Registered metric names `aigc evaluate` runs for this generator.
    default_metrics: ClassVar[tuple[str, ...]] = ()
    intended_use: ClassVar[str] = ""
    limitations: ClassVar[str] = ""

    def __init__(self, config: GeneratorConfig, schema: DataSchema, name: str = "") -> None:
        self.config = config
        self.schema = schema
        self.name = name or type(self).__name__
        self.bundle_hash: str | None = None
        # Filled by training and evaluation; rendered into the bundle's card.
        self.card: dict[str, Any] = {}

    @abstractmethod
    def modules(self) -> dict[str, torch.nn.Module]:
        """Every network by name, including those only training needs."""

    @abstractmethod
    def recipe(self, train: TrainConfig) -> Recipe:
        """The optimisers, losses and phases the Trainer runs for this generator."""

    @abstractmethod
    def generate(
        self, n: int, condition: Mapping[str, Any] | None = None, seed: int | None = None
    ) -> Samples: ...

    @property
    def exporters(self) -> dict[str, Exporter]:
        return {}

    def prepare(self, dataset: Dataset) -> Dataset:
        """Fit what must be learnt from the data before training (a text generator trains
        its tokenizer and builds its networks here) and return the dataset the recipe
        trains on. Called by the Trainer before the recipe; the default changes nothing."""
        return dataset

    def after_training(self, dataset: Dataset) -> None:
        """Called by the Trainer once gradient training ends, with the training data: for
        parts estimated in closed form from what the networks learnt (e.g. a density
        over an autoencoder's codes). The default does nothing."""
        return None

    def snapshot_score(
        self, train: Dataset, heldout: Dataset
    ) -> Callable[[Generator], float] | None:
        """A score on real data held out from training (lower is better) by which
        :class:`~aigc_sdk.training.BestSnapshot` picks the averaged weights to keep, or None
        when this generator has none (the default). ``train`` may be used to fit the
        measuring instrument, ``heldout`` is what the draws are compared with."""
        return None

    def save_assets(self, directory: Path) -> list[str]:
        """Write non-tensor parts (e.g. a tokenizer) into ``directory``; return the file
        names, which the bundle manifest hashes. Never pickle."""
        return []

    def load_assets(self, directory: Path) -> None:
        """Read what :meth:`save_assets` wrote; called before the weights are loaded."""
        return None

    def sample_metadata(
        self, codes: torch.Tensor, seed: int | None, **extra: Any
    ) -> list[dict[str, Any]]:
        conds = self.schema.decode(codes)
        return [
            {
                "generator": self.name,
                "bundle_hash": self.bundle_hash,
                "seed": seed,
                "index": i,
                "condition": c,
                **extra,
            }
            for i, c in enumerate(conds)
        ]

    def save_pretrained(self, directory: str | Path) -> Path:
        from aigc_sdk.bundle import save_bundle

        return save_bundle(self, directory)

    @classmethod
    def from_pretrained(cls, directory: str | Path, device: str = "cpu") -> Generator:
        from aigc_sdk.bundle import load_bundle

        gen = load_bundle(directory, device=device)
        if not isinstance(gen, cls):
            raise TypeError(f"{directory} holds a {type(gen).__name__}, not a {cls.__name__}")
        return gen
