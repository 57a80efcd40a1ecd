"""Distribution comparisons on feature vectors: FID, KID and precision/recall/density/coverage.

Domain-free, so every image plugin measures diversity the same way. The core does not
depend on MONAI, so FID is written here in torch (the test checks it against MONAI's
FIDMetric); KID (polynomial-kernel MMD, Binkowski et al. 2018) because MONAI's MMDMetric
uses a linear kernel that only compares means; PRDC (Naeem et al. 2020) has no library
counterpart here and is a few lines over a distance matrix.
"""

from __future__ import annotations

import torch


def fid(a: torch.Tensor, b: torch.Tensor) -> float:
    """Frechet distance of Gaussians fitted to two feature sets (Heusel et al. 2017).

    tr(sqrt(S_a S_b)) is the sum of the square roots of the eigenvalues of S_a S_b, which
    are real and non-negative in exact arithmetic; round-off imaginary parts are dropped."""
    a, b = a.double(), b.double()
    mu_a, mu_b = a.mean(0), b.mean(0)
    s_a, s_b = torch.cov(a.T), torch.cov(b.T)
    eig = torch.linalg.eigvals(s_a @ s_b).real.clamp(min=0)
    return float((mu_a - mu_b).pow(2).sum() + s_a.trace() + s_b.trace() - 2 * eig.sqrt().sum())


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
