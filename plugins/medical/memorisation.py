"""Output-stage privacy filter: reject synthetic images that (nearly) copy a training image.

A GAN trained on a few hundred scans can reproduce one of them; releasing it would
release that patient's image. Distance is the RMS pixel difference to the nearest
training image. The default threshold is a quantile of the same distance between real
training images themselves (leave-one-out), so "too close" means closer than real,
different images usually are to each other.
"""

from __future__ import annotations

from typing import ClassVar

import torch

from aigc_sdk.privacy import FilterResult, Finding, PrivacyFilter, Stage
from aigc_sdk.samples import Samples


def nearest_distance(x: torch.Tensor, reference: torch.Tensor, exclude_self: bool = False,
                     chunk: int = 512) -> tuple[torch.Tensor, torch.Tensor]:
    """RMS distance of each row of ``x`` to its nearest ``reference`` row, and that row's index."""
    ref = reference.flatten(1).float()
    dims = ref.shape[1]
    dists, idxs = [], []
    for start in range(0, len(x), chunk):
        d = torch.cdist(x[start:start + chunk].flatten(1).float(), ref) / dims**0.5
        if exclude_self:
            rows = torch.arange(start, start + len(d))
            d[torch.arange(len(d)), rows] = float("inf")
        v, i = d.min(1)
        dists.append(v)
        idxs.append(i)
    return torch.cat(dists), torch.cat(idxs)


class MemorisationFilter(PrivacyFilter[Samples]):
    name: ClassVar[str] = "medical.memorisation"
    stages: ClassVar[tuple[Stage, ...]] = ("output",)

    def __init__(self, reference: torch.Tensor, threshold: float | None = None,
                 quantile: float = 0.01) -> None:
        if len(reference) < 2:
            raise ValueError("memorisation filter needs at least 2 reference (training) images")
        self.reference = reference
        if threshold is None:
            loo, _ = nearest_distance(reference, reference, exclude_self=True)
            threshold = float(torch.quantile(loo, quantile))
        self.threshold = threshold

    def apply(self, records: Samples, stage: Stage = "output") -> FilterResult[Samples]:
        self.check_stage(stage)
        x = torch.as_tensor(records.data)
        dist, nearest = nearest_distance(x, self.reference)
        keep = (dist > self.threshold).tolist()
        findings = [
            Finding(index=i, filter=self.name, kind="near_copy_of_training_image",
                    detail=f"RMS distance {float(dist[i]):.4f} to training image "
                           f"{int(nearest[i])} is below {self.threshold:.4f}",
                    score=float(dist[i]))
            for i, k in enumerate(keep) if not k
        ]
        summary = {"filter": self.name, "threshold": round(self.threshold, 5)}
        for i, meta in enumerate(records.metadata):
            meta.setdefault("filters", []).append(
                {**summary, "nn_distance": round(float(dist[i]), 5), "passed": keep[i]})
        kept = records.select([i for i, k in enumerate(keep) if k])
        removed = records.select([i for i, k in enumerate(keep) if not k])
        return FilterResult(kept, removed, findings)
