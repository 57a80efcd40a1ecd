"""Feature statistics (FID, KID, PRDC) and the registered image metrics on tiny data."""

from __future__ import annotations

import functools

import pytest
import torch

pytest.importorskip("monai.metrics")

from aigc_plugins.medical import metrics as mmetrics  # noqa: E402
from aigc_plugins.medical.classifier import train_classifier  # noqa: E402
from aigc_plugins.medical.featurestats import fid, kid, prdc  # noqa: E402
from aigc_plugins.medical.metrics import ImageSimilarity, Utility  # noqa: E402
from aigc_sdk.dataset import ConditionSpec, DataSchema  # noqa: E402


def feats(n: int = 200, d: int = 16, seed: int = 0) -> torch.Tensor:
    return torch.randn(n, d, generator=torch.Generator().manual_seed(seed))


def test_prdc_identical_sets_are_perfect() -> None:
    a = feats()
    out = prdc(a, a.clone())
    assert set(out) == {"precision", "recall", "density", "coverage"}
    assert out["precision"] == pytest.approx(1) and out["recall"] == pytest.approx(1)
    assert out["coverage"] == pytest.approx(1) and out["density"] == pytest.approx(1, abs=0.05)


def test_prdc_collapsed_generator_keeps_precision_loses_recall_and_coverage() -> None:
    real = feats()
    g = torch.Generator().manual_seed(1)
    collapsed = real[3] + 0.01 * torch.randn(200, 16, generator=g)  # one mode, copied
    out = prdc(real, collapsed)
    assert out["precision"] > 0.9
    assert out["recall"] < 0.1 and out["coverage"] < 0.1, out
    fair = prdc(real, feats(seed=2))  # an independent draw of the same distribution
    assert fair["recall"] > 0.7 and fair["coverage"] > 0.7, fair


def test_fid_is_zero_on_itself_and_grows_with_a_mean_shift() -> None:
    a = feats()
    assert fid(a, a) == pytest.approx(0, abs=1e-6)
    shifts = [fid(a, a + s) for s in (0.25, 0.5, 1.0)]
    assert shifts == pytest.approx([0.25**2 * 16, 0.5**2 * 16, 16.0], rel=1e-3)  # |mu1-mu2|^2
    assert fid(a, feats(seed=1)) < shifts[-1]


def test_kid_near_zero_for_one_distribution_large_for_another() -> None:
    a, b = feats(seed=0), feats(seed=1)
    same, shifted = kid(a, b), kid(a, b + 1.0)
    assert abs(same) < 0.05 and shifted > 1.0, (same, shifted)
    assert kid(a, b, seed=3) == kid(a, b, seed=3)


def split(blobs, n: int, seed: int) -> dict[str, torch.Tensor]:
    x, y = blobs(n, seed=seed)
    return {"x": x, "cond": y[:, None]}


SCHEMA = DataSchema(sample_shape=[1, 28, 28],
                    conditions=[ConditionSpec(name="label", values=["faint", "bright"])])


def test_image_similarity_keys_and_memorisation_signal(blobs) -> None:
    real, test = split(blobs, 48, seed=0), split(blobs, 24, seed=1)
    copies = {"x": real["x"][:24].clone(), "cond": real["cond"][:24]}
    metric = ImageSimilarity(pairs=32)
    out = metric.compute(real, copies, test=test, seed=0, schema=SCHEMA)
    assert set(out) == {"pairwise_msssim_synthetic", "pairwise_msssim_real",
                        "nn_train_ssim_synthetic", "nn_train_psnr_synthetic",
                        "nn_train_ssim_test", "nn_train_psnr_test"}
    assert all(isinstance(v, float) and v == v for v in out.values()), out
    # copies of training images are their own nearest neighbours: SSIM 1, PSNR infinite
    assert out["nn_train_ssim_synthetic"] == pytest.approx(1.0)
    assert out["nn_train_ssim_synthetic"] > out["nn_train_ssim_test"]
    with pytest.raises(ValueError, match="2-D"):
        metric.compute({"x": torch.zeros(4, 1, 8, 8, 8), "cond": real["cond"][:4]}, copies,
                       test=test)


@pytest.mark.slow
def test_utility_trtr_auc_on_separable_data(blobs, monkeypatch: pytest.MonkeyPatch) -> None:
    # train_classifier runs >= 300 steps; batches of 16 instead of 128 keep this ~5 s
    monkeypatch.setattr(mmetrics, "train_classifier",
                        functools.partial(train_classifier, batch_size=16))
    real, test = split(blobs, 64, seed=0), split(blobs, 40, seed=1)
    swapped = {"x": real["x"], "cond": 1 - real["cond"]}  # "synthetic" with wrong labels
    out = Utility(seeds=1, epochs=1).compute(real, swapped, test=test, seed=0, schema=SCHEMA)
    assert set(out) == {"tstr_auc", "tstr_auc_std", "tstr_accuracy", "trtr_auc", "trtr_auc_std",
                        "trtr_accuracy", "tstr_trtr_auc_ratio"}
    assert out["trtr_auc"] > 0.9 and out["trtr_accuracy"] > 0.8, out
    assert out["trtr_auc_std"] == 0.0  # one seed
    # TSTR learns from the synthetic labels: swapped, it ranks the real test set backwards
    assert out["tstr_auc"] < 0.1 and out["tstr_trtr_auc_ratio"] < 0.1, out
