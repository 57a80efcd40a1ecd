"""The held-out FID that chooses a medical GAN's snapshot ranks draws by likeness to real."""

from __future__ import annotations

import pytest
import torch

from aigc_plugins.medical.classifier import train_classifier
from aigc_plugins.medical.selection import HeldoutFID
from aigc_sdk.dataset import ConditionSpec, DataSchema, TensorDataset
from aigc_sdk.samples import Samples

SCHEMA = DataSchema(sample_shape=[1, 28, 28],
                    conditions=[ConditionSpec(name="label", values=["faint", "bright"])])


class Drawer:
    """Stands in for a generator: draws from a fixed pool of images of the asked class."""

    schema = SCHEMA

    def __init__(self, x: torch.Tensor, y: torch.Tensor) -> None:
        self.x, self.y = x, y

    def generate(self, n, condition=None, seed=0):
        g = torch.Generator().manual_seed(seed)
        pool = self.x[self.y == condition["label"]]
        return Samples(pool[torch.randint(0, len(pool), (n,), generator=g)], [{}] * n, {})


def _ds(x, y, name):
    return TensorDataset(name, x, y[:, None], SCHEMA)


def test_draws_like_the_heldout_images_score_better(blobs) -> None:
    train, heldout = _ds(*blobs(64, seed=0), "train"), _ds(*blobs(32, seed=1), "val")
    # the default extractor takes >= 300 steps of 128 images; 16 a batch is enough here
    extractor = train_classifier(train.x, train.cond[:, 0], 2, batch_size=16)
    score = HeldoutFID(train, heldout, extractor=extractor)
    xa, ya = blobs(64, seed=2)  # new images of the same kind
    good = Drawer(xa, ya)
    swapped = Drawer(xa, 1 - ya)  # right images, wrong class: each class's look is swapped
    noise = Drawer(torch.rand(64, 1, 28, 28) * 2 - 1, ya)
    s_good, s_swapped, s_noise = score(good), score(swapped), score(noise)
    assert s_good < s_swapped < s_noise, (s_good, s_swapped, s_noise)
    assert score(good) == s_good  # the same draws every time: snapshots compare alike


def test_a_source_without_images_is_refused() -> None:
    with pytest.raises(ValueError, match="heldout needs image tensors"):
        HeldoutFID(_ds(torch.zeros(4, 1, 28, 28), torch.zeros(4, dtype=torch.long), "t"),
                   object())
