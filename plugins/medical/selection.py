"""The held-out score by which a medical GAN's averaged weights are chosen: FID to a real
validation split, on features of a classifier trained on the training split."""

from __future__ import annotations

from typing import Any

import torch

from aigc_plugins.medical.classifier import SmallCNN, features, train_classifier
from aigc_sdk.evaluation import generate_like
from aigc_sdk.evaluation.featurestats import fid


class HeldoutFID:
    """FID between draws and a held-out real split (lower is better).

    Why FID on a validation split: on BreastMNIST (546 training images) the FID of one run's
    snapshots to the 78 validation images followed their FID to the test split step by
    step (best at step 900 on both, then rising 2.7x by step 4020 as the discriminator
    memorised the set), while a linear probe's AUC did not. The draws copy the training
    set's conditions, so both sides have the same class balance; ``seed`` fixes the noise,
    so snapshots are compared on the same draws."""

    def __init__(self, train: Any, heldout: Any, seed: int = 0,
                 extractor: SmallCNN | None = None) -> None:
        for name, ds in (("train", train), ("heldout", heldout)):
            if not hasattr(ds, "x") or not hasattr(ds, "cond") or len(ds) < 2:
                raise ValueError(f"HeldoutFID: {name} needs image tensors .x and labels .cond "
                                 f"with at least 2 samples (a MedMNIST or image-folder source)")
        self.codes = train.cond
        self.seed = seed
        k = len(train.schema.conditions[0].values) if train.schema.conditions else 1
        labels = train.cond[:, 0] if train.cond.numel() else torch.zeros(len(train), dtype=int)
        self.model = extractor or train_classifier(train.x, labels, max(k, 2), seed=seed)
        self.reference = features(self.model, heldout.x)

    @torch.no_grad()
    def __call__(self, gen: Any) -> float:
        drawn = generate_like(gen, self.codes, seed=self.seed)
        return fid(features(self.model, drawn["x"]), self.reference)
