"""Training: one Trainer loop, recipes (adversarial, ...), losses, augmentation, checkpoints."""

from aigc_sdk.training.adversarial import AdversarialConfig, adversarial_recipe
from aigc_sdk.training.callbacks import Callback, MetricsLog, read_metrics_log
from aigc_sdk.training.ema import EMA, refresh_batch_norm
from aigc_sdk.training.recipe import Phase, Recipe
from aigc_sdk.training.snapshots import BestSnapshot
from aigc_sdk.training.trainer import TrainConfig, Trainer
from aigc_sdk.training.variational import (
    ElboTerms,
    VariationalConfig,
    variational_recipe,
)

__all__ = [
    "AdversarialConfig",
    "BestSnapshot",
    "Callback",
    "ElboTerms",
    "EMA",
    "MetricsLog",
    "Phase",
    "Recipe",
    "TrainConfig",
    "Trainer",
    "VariationalConfig",
    "adversarial_recipe",
    "read_metrics_log",
    "refresh_batch_norm",
    "variational_recipe",
]
