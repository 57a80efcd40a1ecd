"""Feature statistics (FID, KID, PRDC): domain-free diversity measures in the core."""

from __future__ import annotations

import pytest
import torch

from aigc_sdk.evaluation.featurestats import fid, kid, prdc


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


def test_fid_agrees_with_monai() -> None:
    metrics = pytest.importorskip("monai.metrics")
    for n, d in [(200, 16), (50, 64)]:
        a, b = feats(n, d, seed=4), feats(n, d, seed=5) * 1.3 + 0.2
        ref = float(metrics.FIDMetric()(a.double(), b.double()))
        assert fid(a, b) == pytest.approx(ref, rel=1e-6)
