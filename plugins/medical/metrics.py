"""Registered metrics for medical images, all offline.

Each metric reports the synthetic figure next to a real-vs-real reference (train vs test),
because a number without its reference cannot be judged.
"""

from __future__ import annotations

from typing import Any, ClassVar

import torch
from monai.metrics import MultiScaleSSIMMetric, PSNRMetric, SSIMMetric

from aigc_plugins.medical.classifier import (
    SmallCNN,
    auc_accuracy,
    classifier_steps,
    features,
    mean_std,
    predict,
    train_classifier,
)
from aigc_sdk.evaluation import generate_like
from aigc_sdk.evaluation.featurestats import fid, kid, prdc
from aigc_sdk.metrics import Metric

Split = dict[str, torch.Tensor]


def _labels(split: Split) -> torch.Tensor:
    return split["cond"][:, 0] if split["cond"].numel() else torch.zeros(len(split["x"]),
                                                                         dtype=torch.long)


def _n_classes(context: dict[str, Any], *splits: Split) -> int:
    schema = context.get("schema")
    if schema is not None and schema.conditions:
        return len(schema.conditions[0].values)
    return int(max(int(_labels(s).max()) for s in splits)) + 1


def fresh_draws(gen: Any, real: Split, n: int, seed: int = 3) -> Split:
    """At least ``n`` draws with the real split's conditions, repeated whole so the class
    mix is the real one."""
    return generate_like(gen, real["cond"].repeat(-(-n // len(real["cond"])), 1), seed=seed)


def feature_model(real: Split, context: dict[str, Any]) -> SmallCNN:
    """A local feature extractor when given (``feature_extractor`` path), else one trained
    on the real training split; kept in ``context["cache"]`` so metrics share it."""
    cache = context.setdefault("cache", {})
    if cache.get("features") is None:
        path = context.get("feature_extractor")
        if path:
            cache["features"] = SmallCNN.load(path)
        else:
            cache["features"] = train_classifier(
                real["x"], _labels(real), _n_classes(context, real), seed=context.get("seed", 0),
                min_steps=context.get("classifier_min_steps", 300),
            )
    return cache["features"]


class ImageFidelity(Metric):
    name: ClassVar[str] = "medical.image_fidelity"
    direction = "lower"
    requires = ("test",)

    def compute(self, real: Split, synthetic: Split, **context: Any) -> dict[str, float]:
        test = context["test"]
        model = feature_model(real, context)
        f_train, f_test, f_syn = (features(model, s["x"]) for s in (real, test, synthetic))
        out = {
            "fid_synthetic_vs_test": fid(f_syn, f_test),
            "fid_train_vs_test": fid(f_train, f_test),
            "kid_synthetic_vs_test": kid(f_syn, f_test),
            "kid_train_vs_test": kid(f_train, f_test),
        }
        y_syn, y_test, y_train = _labels(synthetic), _labels(test), _labels(real)
        schema = context.get("schema")
        names = schema.conditions[0].values if schema is not None and schema.conditions else None
        for c in torch.unique(y_test).tolist():
            tag = names[c] if names else str(c)
            ref, syn, trn = f_test[y_test == c], f_syn[y_syn == c], f_train[y_train == c]
            if len(syn) < 6 or len(ref) < 6:
                continue
            for key, value in prdc(ref, syn).items():
                out[f"{key}_synthetic[{tag}]"] = value
            for key, value in prdc(ref, trn).items():
                out[f"{key}_train[{tag}]"] = value
        return out


def _pairs(x: torch.Tensor, n: int, g: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    i = torch.randint(0, len(x), (n,), generator=g)
    j = (i + torch.randint(1, len(x), (n,), generator=g)) % len(x)
    return x[i], x[j]


class ImageSimilarity(Metric):
    """Diversity (mean pairwise MS-SSIM within a class: higher = less diverse) and
    memorisation (SSIM/PSNR of each synthetic image to its nearest training image, next
    to the same for real test images)."""

    name: ClassVar[str] = "medical.image_similarity"
    direction = "lower"
    requires = ("test",)

    def __init__(self, pairs: int = 200) -> None:
        self.pairs = pairs

    def _msssim(self, size: int) -> MultiScaleSSIMMetric:
        # MONAI's defaults need >= 161 px; measured working settings for small images.
        if size < 64:
            return MultiScaleSSIMMetric(spatial_dims=2, data_range=2.0, kernel_size=7,
                                        weights=(0.3, 0.3, 0.4))
        return MultiScaleSSIMMetric(spatial_dims=2, data_range=2.0, kernel_size=11,
                                    weights=(0.2, 0.3, 0.5))

    def compute(self, real: Split, synthetic: Split, **context: Any) -> dict[str, float]:
        test = context["test"]
        if real["x"].dim() != 4:
            raise ValueError("medical.image_similarity compares 2-D images (N, C, H, W)")
        g = torch.Generator().manual_seed(context.get("seed", 0))
        ms = self._msssim(real["x"].shape[-1])
        out: dict[str, float] = {}
        for tag, split in (("synthetic", synthetic), ("real", test)):
            a, b = _pairs(split["x"], self.pairs, g)
            out[f"pairwise_msssim_{tag}"] = float(ms(a, b).mean())
        ssim, psnr = SSIMMetric(spatial_dims=2, data_range=2.0), PSNRMetric(max_val=2.0)
        flat_train = real["x"].flatten(1)
        for tag, split in (("synthetic", synthetic), ("test", test)):
            x = split["x"][torch.randperm(len(split["x"]), generator=g)[: self.pairs]]
            nearest = torch.cdist(x.flatten(1), flat_train).argmin(1)
            out[f"nn_train_ssim_{tag}"] = float(ssim(x, real["x"][nearest]).mean())
            out[f"nn_train_psnr_{tag}"] = float(psnr(x, real["x"][nearest]).mean())
        return out


class Utility(Metric):
    """Train-on-synthetic/test-on-real next to train-on-real/test-on-real, mean over seeds.

    ``tstr_*`` trains on the synthetic set it is given (as many images as the real split).
    Given the generator (``evaluate`` passes it as ``generator``), ``tstr_fresh_*`` also
    trains with TRTR's steps on fresh draws, as many as its batches take, since a generator
    gives as many images as asked: on BreastMNIST (546 training images) the same generator
    scored TSTR AUC 0.823 on 546 draws and 0.860 on 38766 (TRTR 0.900)."""

    name: ClassVar[str] = "medical.utility"
    direction = "higher"
    requires = ("test",)

    def __init__(self, seeds: int = 3, epochs: int = 12, min_steps: int = 300,
                 fresh: bool = True, batch_size: int = 128) -> None:
        self.seeds, self.epochs, self.min_steps = seeds, epochs, min_steps
        self.fresh, self.batch_size = fresh, batch_size

    def compute(self, real: Split, synthetic: Split, **context: Any) -> dict[str, float]:
        test = context["test"]
        k = _n_classes(context, real, test)
        base = context.get("seed", 0)
        out: dict[str, float] = {}
        steps = classifier_steps(len(real["x"]), self.epochs, self.batch_size, self.min_steps)
        runs: list[tuple[str, Split, int | None]] = [("tstr", synthetic, None),
                                                     ("trtr", real, None)]
        gen = context.get("generator")
        if self.fresh and gen is not None:
            runs.append(("tstr_fresh", fresh_draws(gen, real, steps * self.batch_size,
                                                   seed=base + 3), steps))
        for tag, split, fixed in runs:
            aucs, accs = [], []
            for s in range(self.seeds):
                model = train_classifier(split["x"], _labels(split), k, seed=base + s,
                                         epochs=self.epochs, min_steps=self.min_steps,
                                         batch_size=self.batch_size, steps=fixed)
                auc, acc = auc_accuracy(predict(model, test["x"]), _labels(test))
                aucs.append(auc)
                accs.append(acc)
            out[f"{tag}_auc"], out[f"{tag}_auc_std"] = mean_std(aucs)
            out[f"{tag}_accuracy"], _ = mean_std(accs)
        out["tstr_trtr_auc_ratio"] = out["tstr_auc"] / max(out["trtr_auc"], 1e-9)
        if "tstr_fresh_auc" in out:
            out["tstr_fresh_trtr_auc_ratio"] = out["tstr_fresh_auc"] / max(out["trtr_auc"],
                                                                            1e-9)
        return out
