"""Domain feature networks trained on real sprites: a view classifier and an identity
embedding. They are the yardsticks of the character metrics (view accuracy, identity
margin, FID, memorisation): no ImageNet network has seen pixel-art characters, and none
can be downloaded here anyway.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import torch
import torch.nn.functional as F
from safetensors.torch import load_file, save_file
from torch import nn

from aigc_plugins.entertainment.networks import SpriteEncoder
from aigc_sdk.training.allocator import keep_freed_memory

M = TypeVar("M", bound=nn.Module)


class _Saved(nn.Module):
    config: dict

    def save(self, path: str | Path) -> Path:
        p = Path(path)
        p.mkdir(parents=True, exist_ok=True)
        save_file({k: v.contiguous() for k, v in self.state_dict().items()},
                  str(p / "model.safetensors"))
        (p / "config.json").write_text(json.dumps({"type": type(self).__name__, **self.config}))
        return p

    @classmethod
    def load(cls, path: str | Path) -> _Saved:
        p = Path(path)
        cfg_file = p / "config.json"
        if not cfg_file.is_file():
            raise FileNotFoundError(f"{p}: no config.json; save the model with .save(path) first")
        cfg = json.loads(cfg_file.read_text())
        kind = cfg.pop("type", "")
        if kind != cls.__name__:
            raise ValueError(f"{cfg_file}: holds a {kind!r}, not a {cls.__name__}")
        model = cls(**cfg)
        model.load_state_dict(load_file(str(p / "model.safetensors")))
        return model.eval()


class ViewClassifier(_Saved):
    def __init__(self, n_views: int, channels: int = 4, width: int = 32) -> None:
        super().__init__()
        self.config = {"n_views": n_views, "channels": channels, "width": width}
        self.encoder = SpriteEncoder(channels, width)
        self.head = nn.Linear(128, n_views)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        return F.leaky_relu(self.encoder(x), 0.1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))


class IdentityEmbedder(_Saved):
    """Unit-norm embedding where views of one character lie close together."""

    def __init__(self, channels: int = 4, width: int = 32, dim: int = 64) -> None:
        super().__init__()
        self.config = {"channels": channels, "width": width, "dim": dim}
        self.encoder = SpriteEncoder(channels, width, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.normalize(self.encoder(x), dim=1)


class AttributeClassifier(_Saved):
    """One head per attribute on a shared encoder: reads the attributes of a sprite."""

    def __init__(self, sizes: list[int], channels: int = 4, width: int = 32) -> None:
        super().__init__()
        self.config = {"sizes": list(sizes), "channels": channels, "width": width}
        self.encoder = SpriteEncoder(channels, width, 256)
        self.heads = nn.ModuleList(nn.Linear(256, k) for k in sizes)

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        h = F.leaky_relu(self.encoder(x), 0.1)
        return [head(h) for head in self.heads]


def train_attribute_classifier(x: torch.Tensor, codes: torch.Tensor, sizes: list[int],
                               steps: int = 800, batch: int = 128,
                               seed: int = 0) -> AttributeClassifier:
    """``x`` (N, 4, H, W) real sprites, ``codes`` (N, K) their attribute codes."""
    keep_freed_memory()
    g = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    model = AttributeClassifier(sizes, x.shape[1])

    def loss() -> torch.Tensor:
        i = torch.randint(0, len(x), (batch,), generator=g)
        return sum(F.cross_entropy(lg, codes[i, k]) for k, lg in enumerate(model(x[i])))

    return _fit(model, steps, 3e-3, loss)


@torch.no_grad()
def predict_attributes(model: AttributeClassifier, x: torch.Tensor,
                       batch: int = 512) -> torch.Tensor:
    """(N, K) predicted codes."""
    out = [torch.stack([lg.argmax(1) for lg in model(x[i:i + batch])], dim=1)
           for i in range(0, len(x), batch)]
    return torch.cat(out) if out else torch.zeros(0, len(model.heads), dtype=torch.long)


def _fit(model: M, steps: int, lr: float, loss: Callable[[], torch.Tensor]) -> M:
    """AdamW with a one-cycle schedule, ``loss()`` drawing its own batch each step."""
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps)
    model.train()
    for _ in range(steps):
        value = loss()
        opt.zero_grad()
        value.backward()
        opt.step()
        sched.step()
    return model.eval()


def _jitter(x: torch.Tensor, g: torch.Generator, pixels: int = 2) -> torch.Tensor:
    """Shift whole sprites by up to ``pixels`` (transparent fill): the metrics must not
    hinge on exact placement on the canvas."""
    dy, dx = (int(v) for v in torch.randint(-pixels, pixels + 1, (2,), generator=g))
    pad = F.pad(x, (pixels, pixels, pixels, pixels), value=-1.0)
    h, w = x.shape[-2:]
    return pad[..., pixels + dy:pixels + dy + h, pixels + dx:pixels + dx + w]


def mirror_views(views: list[str]) -> list[int]:
    """Index permutation of the views under a horizontal flip (left <-> right)."""
    swap = {"left": "right", "right": "left", "west": "east", "east": "west"}
    return [views.index(swap[v]) if v in swap and swap[v] in views else i
            for i, v in enumerate(views)]


def train_view_classifier(chars: torch.Tensor, views: list[str], steps: int = 400,
                          batch: int = 64, seed: int = 0) -> ViewClassifier:
    """``chars`` (N, V, 4, H, W) real characters; every frame is labelled by its view slot."""
    keep_freed_memory()
    g = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    n, v = chars.shape[:2]
    model = ViewClassifier(v, chars.shape[2])
    mirror = torch.as_tensor(mirror_views(views))

    def loss() -> torch.Tensor:
        ci = torch.randint(0, n, (batch,), generator=g)
        vi = torch.randint(0, v, (batch,), generator=g)
        x = chars[ci, vi]
        if torch.rand(1, generator=g) < 0.5:
            x, vi = x.flip(-1), mirror[vi]
        return F.cross_entropy(model(_jitter(x, g)), vi)

    return _fit(model, steps, 2e-3, loss)


def train_identity_embedder(chars: torch.Tensor, steps: int = 600, batch: int = 64,
                            temperature: float = 0.1, seed: int = 0) -> IdentityEmbedder:
    """Contrastive (InfoNCE) over pairs of different views of one character: the other
    characters in the batch are the negatives."""
    keep_freed_memory()
    g = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    n, v = chars.shape[:2]
    model = IdentityEmbedder(chars.shape[2])
    target = torch.arange(min(batch, n))

    def loss() -> torch.Tensor:
        ci = torch.randperm(n, generator=g)[:batch]
        va = torch.randint(0, v, (len(ci),), generator=g)
        vb = (va + torch.randint(1, v, (len(ci),), generator=g)) % v
        ea = model(_jitter(chars[ci, va], g))
        eb = model(_jitter(chars[ci, vb], g))
        logits = ea @ eb.T / temperature
        return (F.cross_entropy(logits, target) + F.cross_entropy(logits.T, target)) / 2

    return _fit(model, steps, 2e-3, loss)


@torch.no_grad()
def batched(fn: nn.Module, x: torch.Tensor, batch: int = 256) -> torch.Tensor:
    return torch.cat([fn(x[i:i + batch]) for i in range(0, len(x), batch)]) if len(x) else x
