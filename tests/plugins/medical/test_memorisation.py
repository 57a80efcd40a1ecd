"""Output-stage memorisation filter: planted copies of training images are removed."""

from __future__ import annotations

import pytest
import torch

from aigc_plugins.medical.memorisation import MemorisationFilter, nearest_distance
from aigc_sdk.samples import Samples


def _samples(x: torch.Tensor) -> Samples:
    meta = [{"generator": "medical.dcgan2d", "bundle_hash": None, "seed": 0, "index": i,
             "condition": {"label": "bright"}} for i in range(len(x))]
    return Samples(x, meta)


def textured(blobs, n: int, seed: int) -> torch.Tensor:
    """Blobs with their own texture: no two images alike, even with a blob in one place."""
    x, _ = blobs(n, seed=seed)
    g = torch.Generator().manual_seed(seed + 100)
    return (x + 0.1 * torch.randn(x.shape, generator=g)).clamp(-1, 1)


def test_planted_copies_are_removed_and_different_images_kept(blobs) -> None:
    train = textured(blobs, 40, seed=0)
    fresh = textured(blobs, 6, seed=1)  # same distribution, different images
    g = torch.Generator().manual_seed(0)
    near = (train[23] + 0.003 * torch.randn(train[23].shape, generator=g)).clamp(-1, 1)
    x = torch.cat([fresh[:3], train[7:8], fresh[3:], near[None]])  # copies at 3 and 7
    filt = MemorisationFilter(train)
    assert filt.threshold > 0.01  # real images are further apart than the planted noise
    result = filt.apply(_samples(x))

    assert len(result.kept) == 6 and len(result.removed) == 2
    assert [m["index"] for m in result.removed.metadata] == [3, 7]
    assert [m["index"] for m in result.kept.metadata] == [0, 1, 2, 4, 5, 6]
    assert torch.equal(result.kept.data, fresh)
    by_index = {f.index: f for f in result.findings}
    assert sorted(by_index) == [3, 7]
    assert "training image 7 " in by_index[3].detail and by_index[3].score == 0.0
    assert "training image 23 " in by_index[7].detail and 0 < by_index[7].score < 0.01
    assert all(f.kind == "near_copy_of_training_image" for f in result.findings)
    for i, meta in enumerate([*result.kept.metadata, *result.removed.metadata]):
        (entry,) = meta["filters"]
        assert entry["filter"] == "medical.memorisation" and entry["threshold"] > 0
        assert entry["passed"] == (meta["index"] not in (3, 7)), (i, entry)


def test_threshold_and_stage(blobs) -> None:
    train = textured(blobs, 20, seed=0)
    loo, idx = nearest_distance(train, train, exclude_self=True, chunk=7)
    assert (idx != torch.arange(20)).all() and (loo > 0).all()
    assert MemorisationFilter(train, threshold=0.5).threshold == 0.5
    assert MemorisationFilter(train).threshold == pytest.approx(float(torch.quantile(loo, 0.01)))
    with pytest.raises(ValueError, match="not at 'input'"):
        MemorisationFilter(train).apply(_samples(train[:2]), stage="input")
    with pytest.raises(ValueError, match="at least 2"):
        MemorisationFilter(train[:1])
