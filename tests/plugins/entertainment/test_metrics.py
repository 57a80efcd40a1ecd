"""Character metrics: they separate good characters from broken ones on toy sprites."""

from __future__ import annotations

import pytest
import torch

pytest.importorskip("monai.networks")

from aigc_plugins.entertainment.metrics import AttributeAccuracy, CharacterQuality  # noqa: E402
from aigc_sdk.dataset import ConditionSpec, DataSchema  # noqa: E402
from toy_sprites import VIEWS, schema, toy_characters  # noqa: E402


def split(x: torch.Tensor, cond: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
    return {"x": x, "cond": cond if cond is not None else torch.zeros(len(x), 0,
                                                                       dtype=torch.long)}


def test_character_metrics_catch_wrong_views_mixed_identities_and_copies() -> None:
    real, held = toy_characters(48, seed=0), toy_characters(24, seed=1)
    good = toy_characters(24, seed=2)
    # views of different characters stitched together, and the views in the wrong order
    mixed = torch.stack([good[(torch.arange(24) + 5 * v) % 24, v] for v in range(4)], dim=1)
    rotated = good[:, [1, 2, 3, 0]]
    ctx = {"test": split(held), "schema": schema(), "seed": 0, "feature_steps": 200}
    m = CharacterQuality()
    ok = m.compute(split(real), split(good), **ctx)
    assert ok["view_accuracy"] > 0.95 and ok["view_accuracy_real"] > 0.95, ok
    assert ok["identity_margin"] > 0.3 and ok["retrieval"] > 0.5, ok
    bad_id = m.compute(split(real), split(mixed), **ctx)
    assert bad_id["identity_margin"] < 0.5 * ok["identity_margin"], (bad_id, ok)
    assert bad_id["retrieval"] < 0.5 * ok["retrieval"]
    bad_view = m.compute(split(real), split(rotated), **ctx)
    assert bad_view["view_accuracy"] < 0.5, bad_view
    copies = m.compute(split(real), split(real[:24].clone()), **ctx)
    assert copies["nn_train_distance"] == pytest.approx(0, abs=1e-6)
    assert ok["nn_train_distance_real"] > 0
    assert len(VIEWS) == 4


def test_attribute_accuracy_reads_back_the_requested_attribute() -> None:
    g = torch.Generator().manual_seed(0)
    n = 256
    codes = torch.randint(0, 3, (n, 1), generator=g)
    colours = torch.tensor([[1.0, -1, -1], [-1, 1, -1], [-1, -1, 1]])
    x = torch.full((n, 1, 4, 16, 16), -1.0)
    x[:, 0, :3, 4:12, 4:12] = colours[codes[:, 0]][:, :, None, None]
    x[:, 0, 3, 4:12, 4:12] = 1.0
    sch = DataSchema(sample_shape=[1, 4, 16, 16],
                     conditions=[ConditionSpec(name="shirt", values=["red", "green", "blue"])],
                     attributes={"views": ["front"]})
    wrong = split(x[:64], (codes[:64] + 1) % 3)  # images whose label says another colour
    m = AttributeAccuracy()
    ctx = {"test": split(x[192:], codes[192:]), "schema": sch, "seed": 0, "feature_steps": 150}
    right = m.compute(split(x[:192], codes[:192]), split(x[:64], codes[:64]), **ctx)
    assert right["attr_accuracy_shirt"] > 0.95 and right["attr_accuracy_shirt_real"] > 0.95
    assert m.compute(split(x[:192], codes[:192]), wrong, **ctx)["attr_accuracy_shirt"] < 0.05
