"""The example plugin's points GAN, importable without installing it, on a ring of 8 modes."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import torch

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "custom_plugin"
if str(EXAMPLE) not in sys.path:
    sys.path.insert(0, str(EXAMPLE))

from aigc_example_plugin.points import PointsGAN, PointsGANConfig  # noqa: E402
from aigc_sdk.dataset import ConditionSpec, DataSchema, TensorDataset  # noqa: E402

MODES = torch.tensor([[2 * np.cos(a), 2 * np.sin(a)] for a in np.arange(8) * np.pi / 4],
                     dtype=torch.float32)


def ring(n: int = 2048, seed: int = 0) -> TensorDataset:
    g = torch.Generator().manual_seed(seed)
    k = torch.randint(0, 8, (n,), generator=g)
    x = MODES[k] + 0.05 * torch.randn(n, 2, generator=g)
    cond = (x[:, :1] > 0).long()
    schema = DataSchema(sample_shape=[2], conditions=[ConditionSpec(name="side",
                                                                    values=["left", "right"])])
    return TensorDataset("ring", x, cond, schema)


def toy_generator(schema: DataSchema, seed: int = 0) -> PointsGAN:
    torch.manual_seed(seed)  # initial weights come from the global RNG
    return PointsGAN(PointsGANConfig(), schema)


def near_mode_fraction(x: torch.Tensor, radius: float = 0.5) -> float:
    return float((torch.cdist(x, MODES).min(1).values < radius).float().mean())


def register_example_in_process() -> None:
    """Make ``example.*`` resolvable by the registry even when the package is not installed."""
    from aigc_sdk import registry
    from aigc_sdk.plugins import get_plugin_manager

    pm = get_plugin_manager()
    if "example" not in pm.infos or pm.infos["example"].status != "available":
        from aigc_example_plugin import plugin

        pm.infos.pop("example", None)
        pm.register_object(plugin, "example")
        registry.reset()
