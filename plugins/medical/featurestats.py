"""Distribution comparisons on feature vectors: FID, KID and precision/recall/density/coverage.

FID is MONAI's; KID (polynomial-kernel MMD, Binkowski et al. 2018) is written here because
MONAI's MMDMetric uses a linear kernel that only compares means; PRDC (Naeem et al. 2020)
has no MONAI counterpart and is a few lines over a distance matrix.
"""

from __future__ import annotations

import torch
from monai.metrics import FIDMetric


def fid(a: torch.Tensor, b: torch.Tensor) -> float:
    return float(FIDMetric()(a.double(), b.double()))


def kid(a: torch.Tensor, b: torch.Tensor, subsets: int = 20, subset_size: int = 200,
        seed: int = 0) -> float:
    """Unbiased MMD^2 with kernel (x.y / d + 1)^3, averaged over random subsets."""
    g = torch.Generator().manual_seed(seed)
    d = a.shape[1]
    m = min(subset_size, len(a), len(b))
    vals = []
    for _ in range(subsets):
        x = a[torch.randperm(len(a), generator=g)[:m]].double()
        y = b[torch.randperm(len(b), generator=g)[:m]].double()
        kxx = (x @ x.T / d + 1) ** 3
        kyy = (y @ y.T / d + 1) ** 3
        kxy = (x @ y.T / d + 1) ** 3
        off = ~torch.eye(m, dtype=torch.bool)
        vals.append(kxx[off].mean() + kyy[off].mean() - 2 * kxy.mean())
    return float(torch.stack(vals).mean())


def prdc(real: torch.Tensor, fake: torch.Tensor, k: int = 5) -> dict[str, float]:
    """Precision/recall (fidelity/coverage of manifolds) and density/coverage; a collapsed
    generator keeps precision but loses recall and coverage."""
    real, fake = real.double(), fake.double()
    k = min(k, len(real) - 1, len(fake) - 1)
    d_rr = torch.cdist(real, real)
    d_ff = torch.cdist(fake, fake)
    d_rf = torch.cdist(real, fake)
    r_real = d_rr.kthvalue(k + 1, dim=1).values  # +1 skips the zero self-distance
    r_fake = d_ff.kthvalue(k + 1, dim=1).values
    inside_real = d_rf < r_real[:, None]  # (real i, fake j): fake j inside real i's ball
    precision = inside_real.any(0).double().mean()
    recall = (d_rf < r_fake[None, :]).any(1).double().mean()
    density = inside_real.double().sum(0).mean() / k
    coverage = (d_rf.min(1).values < r_real).double().mean()
    return {"precision": float(precision), "recall": float(recall),
            "density": float(density), "coverage": float(coverage)}
