"""A small CNN classifier trained on real images: the feature space for FID/PRDC and the
model behind train-on-synthetic/test-on-real. Inception weights cannot be downloaded
offline, and features of a classifier trained on the same modality separate what matters.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch
from monai.metrics import compute_roc_auc
from monai.networks.blocks import Convolution
from safetensors.torch import load_file, save_file
from torch import nn


class SmallCNN(nn.Module):
    def __init__(self, spatial_dims: int, channels: int, n_classes: int, width: int = 32,
                 feature_dim: int = 128, size: int = 28) -> None:
        super().__init__()
        self.config = {"spatial_dims": spatial_dims, "channels": channels,
                       "n_classes": n_classes, "width": width, "feature_dim": feature_dim,
                       "size": size}
        act = ("leakyrelu", {"negative_slope": 0.1})
        self.body = nn.Sequential(
            # a stride-2 stem from 64 px up keeps the cost of large images near that of 32 px
            Convolution(spatial_dims, channels, width, strides=2 if size >= 64 else 1,
                        kernel_size=3, act=act, norm="BATCH"),
            Convolution(spatial_dims, width, width * 2, strides=2, kernel_size=3, act=act,
                        norm="BATCH"),
            Convolution(spatial_dims, width * 2, width * 4, strides=2, kernel_size=3, act=act,
                        norm="BATCH"),
            Convolution(spatial_dims, width * 4, width * 4, strides=2, kernel_size=3, act=act,
                        norm="BATCH"),
        )
        self.proj = nn.Sequential(nn.Linear(width * 4, feature_dim), nn.LeakyReLU(0.1))
        self.drop = nn.Dropout(0.3)
        self.head = nn.Linear(feature_dim, n_classes)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        h = self.body(x).mean(dim=tuple(range(2, x.dim())))
        return self.proj(h)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.drop(self.features(x)))

    def save(self, directory: str | Path) -> Path:
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        save_file({k: v.contiguous() for k, v in self.state_dict().items()},
                  str(d / "model.safetensors"))
        (d / "config.json").write_text(json.dumps(self.config))
        return d

    @classmethod
    def load(cls, directory: str | Path) -> SmallCNN:
        d = Path(directory)
        if not (d / "config.json").exists() or not (d / "model.safetensors").exists():
            raise FileNotFoundError(
                f"{d}: a feature extractor folder needs config.json and model.safetensors "
                "(write one with SmallCNN.save)"
            )
        model = cls(**json.loads((d / "config.json").read_text()))
        model.load_state_dict(load_file(str(d / "model.safetensors")))
        return model.eval()


def classifier_steps(n: int, epochs: int = 12, batch_size: int = 128,
                     min_steps: int = 300) -> int:
    """The optimiser steps ``train_classifier`` gives a set of ``n`` images: small sets
    still get enough steps."""
    return max(min_steps, epochs * n // batch_size)


def train_classifier(
    x: torch.Tensor, y: torch.Tensor, n_classes: int, seed: int = 0, epochs: int = 12,
    batch_size: int = 128, lr: float = 2e-3, min_steps: int = 300, steps: int | None = None,
) -> SmallCNN:
    """Class-balanced sampling so a skewed (real or synthetic) set does not bias thresholds.
    ``steps`` fixes the budget (e.g. to a real-trained reference's) instead of ``epochs``."""
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    model = SmallCNN(x.dim() - 2, x.shape[1], n_classes, size=x.shape[-1])
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-3)
    counts = torch.bincount(y, minlength=n_classes).clamp(min=1).float()
    weights = (1.0 / counts)[y]
    steps = steps or classifier_steps(len(x), epochs, batch_size, min_steps)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps)
    model.train()
    for _ in range(steps):
        idx = torch.multinomial(weights, batch_size, replacement=True, generator=g)
        xb = x[idx]
        shift = torch.randint(-2, 3, (x.dim() - 2,), generator=g).tolist()
        xb = torch.roll(xb, shifts=shift, dims=tuple(range(2, x.dim())))
        loss = nn.functional.cross_entropy(model(xb), y[idx])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
    return model.eval()


@torch.no_grad()
def predict(model: SmallCNN, x: torch.Tensor, batch: int = 512) -> torch.Tensor:
    model.eval()
    return torch.cat([model(x[i:i + batch]).softmax(1) for i in range(0, len(x), batch)])


@torch.no_grad()
def features(model: SmallCNN, x: torch.Tensor, batch: int = 512) -> torch.Tensor:
    model.eval()
    return torch.cat([model.features(x[i:i + batch]) for i in range(0, len(x), batch)])


def auc_accuracy(probs: torch.Tensor, y: torch.Tensor) -> tuple[float, float]:
    """ROC AUC (macro one-vs-rest for >2 classes) and arg-max accuracy."""
    n_classes = probs.shape[1]
    if n_classes == 2:
        auc = float(compute_roc_auc(probs[:, 1], y.float()))
    else:
        onehot = nn.functional.one_hot(y, n_classes).float()
        auc = float(compute_roc_auc(probs, onehot, average="macro"))
    acc = float((probs.argmax(1) == y).float().mean())
    return auc, acc


def mean_std(values: list[float]) -> tuple[float, float]:
    arr = np.asarray(values, dtype=np.float64)
    return float(arr.mean()), float(arr.std())
