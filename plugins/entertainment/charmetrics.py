"""Character metrics on real-trained domain features, each next to its real reference.

- view accuracy: does a real-trained view classifier see the view each frame claims?
- identity: margin between same-character and different-character cosine similarity of
  a real-trained identity embedding, and cross-view retrieval (find the same character
  among ``gallery`` others from another view);
- FID on the view classifier's and the identity embedding's features (a collapsed model
  gives near-identical characters and a large identity FID);
- memorisation: each character's pixel distance to its nearest training character.
"""

from __future__ import annotations

import torch

from aigc_plugins.entertainment.features import IdentityEmbedder, ViewClassifier, batched
from aigc_sdk.evaluation.featurestats import fid


def frames(chars: torch.Tensor) -> torch.Tensor:
    """(N, V, C, H, W) -> (N*V, C, H, W)."""
    return chars.reshape(-1, *chars.shape[2:])


@torch.no_grad()
def view_accuracy(model: ViewClassifier, chars: torch.Tensor) -> float:
    n, v = chars.shape[:2]
    pred = batched(model, frames(chars)).argmax(1).view(n, v)
    return float((pred == torch.arange(v)).float().mean())


@torch.no_grad()
def embed(model: IdentityEmbedder, chars: torch.Tensor) -> torch.Tensor:
    n, v = chars.shape[:2]
    return batched(model, frames(chars)).view(n, v, -1)


@torch.no_grad()
def identity_scores(model: IdentityEmbedder, chars: torch.Tensor,
                    gallery: int = 100) -> dict[str, float]:
    """Margin over all characters; retrieval within the first ``gallery`` characters
    (chance = 1 / gallery), averaged over every ordered pair of different views."""
    e = embed(model, chars)
    n, v, _ = e.shape
    if n < 2 or v < 2:
        raise ValueError(f"identity needs >= 2 characters with >= 2 views, got {n} x {v}")
    sim = torch.einsum("iad,jbd->ijab", e, e)  # (N, N, V, V)
    other_view = ~torch.eye(v, dtype=torch.bool)
    same_char = torch.eye(n, dtype=torch.bool)
    same = sim[same_char][:, other_view].mean()
    diff = sim[~same_char][:, other_view].mean()
    m = min(gallery, n)
    hits = []
    for a in range(v):
        for b in range(v):
            if a != b:
                s = e[:m, a] @ e[:m, b].T
                hits.append((s.argmax(1) == torch.arange(m)).float().mean())
    return {"identity_same": float(same), "identity_diff": float(diff),
            "identity_margin": float(same - diff),
            "retrieval": float(torch.stack(hits).mean()), "retrieval_gallery": float(m)}


@torch.no_grad()
def feature_fid(view_model: ViewClassifier, id_model: IdentityEmbedder, a: torch.Tensor,
                b: torch.Tensor) -> dict[str, float]:
    """FID between two character sets on both feature spaces (frames pooled)."""
    fa, fb = frames(a), frames(b)
    return {"fid_view": fid(batched(view_model.features, fa), batched(view_model.features, fb)),
            "fid_identity": fid(batched(id_model, fa), batched(id_model, fb))}


@torch.no_grad()
def nearest_distance(chars: torch.Tensor, train: torch.Tensor, batch: int = 128) -> torch.Tensor:
    """RMS pixel distance (all views, RGBA in [-1, 1]) to the nearest training character."""
    t = train.reshape(len(train), -1).float()
    out = []
    for i in range(0, len(chars), batch):
        c = chars[i:i + batch].reshape(min(batch, len(chars) - i), -1).float()
        out.append(torch.cdist(c, t).min(1).values / t.shape[1] ** 0.5)
    return torch.cat(out)
