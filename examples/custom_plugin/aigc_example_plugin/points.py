"""A conditional MLP GAN for 2-D points and the CSV source it trains on."""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import torch
from torch import nn

from aigc_sdk.dataset import ConditionSpec, DataSchema, TensorDataset
from aigc_sdk.generator import Generator, GeneratorConfig
from aigc_sdk.quality import QualityReport
from aigc_sdk.samples import Samples
from aigc_sdk.training import EMA, AdversarialConfig, Recipe, TrainConfig, adversarial_recipe


class PointsCSV(TensorDataset):
    """``x,y`` or ``x,y,label`` rows; all rows are the training split."""

    def __init__(self, path: str | Path, split: str = "train") -> None:
        p = Path(path)
        with p.open(newline="") as f:
            rows = list(csv.DictReader(f))
        if not rows or not {"x", "y"} <= set(rows[0]):
            raise ValueError(f"{p}: expected a CSV header with columns x,y[,label]")
        labels = sorted({r.get("label", "all") for r in rows})
        x = torch.tensor([[float(r["x"]), float(r["y"])] for r in rows])
        cond = torch.tensor([[labels.index(r.get("label", "all"))] for r in rows])
        schema = DataSchema(sample_shape=[2], value_range=(-1e9, 1e9),
                            conditions=[ConditionSpec(name="label", values=labels)])
        super().__init__(p, x, cond, schema)

    @classmethod
    def accepts(cls, path: Path) -> bool:
        return path.suffix.lower() == ".csv"

    def quality_report(self) -> QualityReport:
        rep = QualityReport(source=str(self.path), kind="points_csv",
                            summary={"points": len(self.x)})
        finite = bool(torch.isfinite(self.x).all())
        rep.add("finite values", "ok" if finite else "error",
                "all finite" if finite else "NaN or inf in x/y")
        dups = len(self.x) - len(torch.unique(self.x, dim=0))
        rep.add("duplicates", "warn" if dups else "ok", f"{dups} duplicate points")
        return rep


class PointsGANConfig(GeneratorConfig):
    latent_dim: int = 8
    hidden: int = 64
    gan: AdversarialConfig = AdversarialConfig(diffaugment="", lr_g=1e-3, lr_d=1e-3,
                                               betas=(0.5, 0.99))


class MLP(nn.Module):
    def __init__(self, d_in: int, d_out: int, hidden: int, n_cond: int) -> None:
        super().__init__()
        self.embed = nn.Embedding(max(n_cond, 1), d_in)
        self.net = nn.Sequential(nn.Linear(2 * d_in, hidden), nn.LeakyReLU(0.2),
                                 nn.Linear(hidden, hidden), nn.LeakyReLU(0.2),
                                 nn.Linear(hidden, d_out))

    def forward(self, x: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        out = self.net(torch.cat([x, self.embed(cond[:, 0])], dim=1))
        return out.squeeze(1) if out.shape[1] == 1 else out


def export_csv(samples: Samples, out: Path) -> list[Path]:
    path = out / "points.csv"
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["x", "y", "label", "metadata"])
        for p, meta in zip(samples.data.tolist(), samples.metadata):
            w.writerow([p[0], p[1], meta["condition"].get("label", ""), json.dumps(meta)])
    return [path]


class PointsGAN(Generator):
    Config: ClassVar[type[GeneratorConfig]] = PointsGANConfig

    def __init__(self, config: GeneratorConfig, schema: DataSchema, name: str = "") -> None:
        super().__init__(config, schema, name or "example.points_gan")
        cfg: PointsGANConfig = config  # type: ignore[assignment]
        n_cond = len(schema.conditions[0].values) if schema.conditions else 1
        self.net_g = MLP(cfg.latent_dim, 2, cfg.hidden, n_cond)
        self.net_d = MLP(2, 1, cfg.hidden, n_cond)
        self.ema = EMA(self.net_g)

    def modules(self) -> dict[str, nn.Module]:
        return {"generator": self.net_g, "discriminator": self.net_d, "ema": self.ema}

    def recipe(self, train: TrainConfig) -> Recipe:
        cfg: PointsGANConfig = self.config  # type: ignore[assignment]
        return adversarial_recipe(self.net_g, self.net_d, self.ema, cfg.latent_dim, cfg.gan)

    @property
    def exporters(self) -> dict[str, Any]:
        return {"csv": export_csv}

    @torch.no_grad()
    def generate(self, n: int, condition: Mapping[str, Any] | None = None,
                 seed: int | None = None) -> Samples:
        seed = int(np.random.default_rng().integers(2**31)) if seed is None else seed
        codes = self.schema.encode(dict(condition or {}), n, seed)
        z = torch.randn(n, self.config.latent_dim,  # type: ignore[attr-defined]
                        generator=torch.Generator().manual_seed(seed))
        x = self.ema(z, codes)
        return Samples(x, self.sample_metadata(codes, seed), self.exporters)
