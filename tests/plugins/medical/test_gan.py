"""medical.dcgan2d / dcgan3d: shapes, conditioning, determinism, training, bundles."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

pytest.importorskip("monai.networks")

from aigc_plugins.medical.gan import DCGAN2D, DCGAN3D, DCGAN3DConfig, DCGANConfig  # noqa: E402
from aigc_sdk.bundle import load_bundle  # noqa: E402
from aigc_sdk.dataset import ConditionSpec, DataSchema, TensorDataset  # noqa: E402
from aigc_sdk.training import TrainConfig, Trainer  # noqa: E402

LABELS = ["faint", "bright"]
SMALL = {"latent_dim": 16, "base_channels": 8, "max_channels": 16}


def schema(size: int, dims: int = 2) -> DataSchema:
    return DataSchema(sample_shape=[1, *[size] * dims],
                      conditions=[ConditionSpec(name="label", values=LABELS)])


def gan2d(size: int = 28, seed: int = 0, **cfg) -> DCGAN2D:
    torch.manual_seed(seed)  # initial weights come from the global RNG
    return DCGAN2D(DCGANConfig(**{**SMALL, **cfg}), schema(size))


def train_cfg(steps: int, **kw) -> TrainConfig:
    return TrainConfig(steps=steps, progress=False, tensorboard=False, checkpoint_every=0,
                       precision="no", device="cpu", **kw)


@pytest.mark.parametrize("size", [28, 32, 64])
def test_builds_and_generates_for_each_size(size: int) -> None:
    gen = gan2d(size)
    s = gen.generate(5, seed=3)
    assert s.data.shape == (5, 1, size, size) and s.data.dtype == torch.float32
    assert s.data.min() >= -1 and s.data.max() <= 1 and s.data.std() > 0
    assert len(s.metadata) == 5
    for i, meta in enumerate(s.metadata):
        assert meta["generator"] == "medical.dcgan2d" and meta["seed"] == 3
        assert meta["index"] == i and meta["condition"]["label"] in LABELS
    assert {"png", "dicom", "nifti"} <= set(s.formats)


@pytest.mark.parametrize("shape", [[1, 30, 30], [1, 28, 32], [1, 8, 28, 28]])
def test_unsupported_shapes_are_a_clear_error(shape: list[int]) -> None:
    bad = DataSchema(sample_shape=shape, conditions=schema(28).conditions)
    with pytest.raises(ValueError, match=r"image size 30|square samples") as info:
        DCGAN2D(DCGANConfig(**SMALL), bad)
    assert "30" in str(info.value) or "resize" in str(info.value)


def test_condition_is_honoured_and_unknown_values_refused() -> None:
    gen = gan2d()
    s = gen.generate(6, condition={"label": "bright"}, seed=1)
    assert [m["condition"] for m in s.metadata] == [{"label": "bright"}] * 6
    codes = gen.schema.encode({"label": "bright"}, 6, seed=1)
    assert codes.tolist() == [[1]] * 6
    # the code really reaches the network: same noise, other class, other image
    other = gen.generate(6, condition={"label": "faint"}, seed=1)
    assert not torch.allclose(s.data, other.data)
    # by index, as the CLI passes it
    assert gen.generate(2, condition={"label": 0}, seed=1).metadata[0]["condition"] == {
        "label": "faint"}
    with pytest.raises(ValueError, match="not one of"):
        gen.generate(2, condition={"label": "medium"})
    with pytest.raises(ValueError, match="unknown condition"):
        gen.generate(2, condition={"side": "left"})


def test_more_generator_convolutions_keep_the_one_conv_layout() -> None:
    one, two = gan2d(), gan2d(gen_block_convs=2)
    keys_one, keys_two = set(one.net_g.state_dict()), set(two.net_g.state_dict())
    # the default's parameter names are those of bundles written before the option
    assert not any("more_" in k for k in keys_one) and "blocks.0.conv.conv.weight" in keys_one
    assert keys_one < keys_two and "blocks.1.more_convs.0.conv.weight" in keys_two
    assert two.generate(3, seed=0).data.shape == (3, 1, 28, 28)


def test_same_seed_same_samples() -> None:
    gen = gan2d()
    a, b = gen.generate(8, seed=42), gen.generate(8, seed=42)
    assert torch.equal(a.data, b.data) and a.metadata == b.metadata
    assert not torch.equal(a.data, gen.generate(8, seed=43).data)


def _separation(gen: DCGAN2D, x: torch.Tensor, y: torch.Tensor) -> tuple[float, float]:
    """The fraction of (real, fake) pairs the discriminator ranks real above fake, and its
    mean logit gap real - fake (hinge training aims at +1 for real, -1 for fake)."""
    z = torch.randn(len(x), gen.config.latent_dim, generator=torch.Generator().manual_seed(9))
    gen.net_g.eval(), gen.net_d.eval()  # eval: no spectral-norm power iteration either
    with torch.no_grad():
        real = gen.net_d(x, y[:, None])
        fake = gen.net_d(gen.net_g(z, y[:, None]), y[:, None])
    gen.net_g.train(), gen.net_d.train()
    return float((real[:, None] > fake[None, :]).float().mean()), float(real.mean() - fake.mean())


def _separates(auc_gap: tuple[float, float]) -> bool:
    auc, gap = auc_gap
    return auc > 0.95 and gap > 1.5


def test_trainer_trains_dcgan2d_and_the_discriminator_learns(tmp_path: Path, blobs) -> None:
    x, y = blobs(64)
    ds = TensorDataset("blobs", x, y[:, None], schema(28))
    gen = gan2d(seed=0)
    before = _separation(gen, x, y)
    history = Trainer(gen, ds, train_cfg(40, batch_size=16, log_every=10), tmp_path).fit()
    after = _separation(gen, x, y)
    # untrained, the logit gap is a fraction of 1 (either sign); 40 steps make it > 3
    assert not _separates(before) and _separates(after), (before, after)
    assert [h["step"] for h in history] == [10, 20, 30, 40]
    first, last = history[0], history[-1]
    assert last["d_real"] - last["d_fake"] > 1.0 and last["d_loss"] < 0.5 * first["d_loss"]
    assert gen.card["training"]["steps_done"] == 40
    s = gen.generate(4, condition={"label": "faint"}, seed=0)
    assert s.data.shape == (4, 1, 28, 28) and torch.isfinite(s.data).all()


def test_dcgan3d_trains_and_generates_volumes(tmp_path: Path) -> None:
    g = torch.Generator().manual_seed(0)
    x = (torch.rand(8, 1, 16, 16, 16, generator=g) * 2 - 1).clamp(-1, 1)
    ds = TensorDataset("vols", x, (torch.arange(8) % 2)[:, None], schema(16, dims=3))
    torch.manual_seed(0)
    gen = DCGAN3D(DCGAN3DConfig(latent_dim=16, base_channels=4, max_channels=8), ds.schema)
    assert gen.name == "medical.dcgan3d"
    history = Trainer(gen, ds, train_cfg(3, batch_size=4, log_every=1), tmp_path).fit()
    assert len(history) == 3 and all(torch.isfinite(torch.tensor(h["d_loss"])) for h in history)
    s = gen.generate(3, condition={"label": "bright"}, seed=5)
    assert s.data.shape == (3, 1, 16, 16, 16)
    assert s.data.min() >= -1 and s.data.max() <= 1
    assert torch.equal(s.data, gen.generate(3, condition={"label": "bright"}, seed=5).data)
    with pytest.raises(ValueError, match="dcgan2d"):
        DCGAN3D(DCGAN3DConfig(), schema(16))


def test_bundle_round_trip_is_bit_identical(tmp_path: Path, blobs) -> None:
    x, y = blobs(32)
    gen = gan2d()
    Trainer(gen, TensorDataset("blobs", x, y[:, None], schema(28)),
            train_cfg(3, batch_size=16), tmp_path / "run").fit()  # EMA != initial weights
    out = gen.save_pretrained(tmp_path / "bundle")
    again = load_bundle(out)  # "medical.dcgan2d" resolved through the entry point
    assert type(again) is DCGAN2D and again.config == gen.config
    assert again.schema == gen.schema
    a = gen.generate(16, condition={"label": "bright"}, seed=7)
    b = again.generate(16, condition={"label": "bright"}, seed=7)
    assert torch.equal(a.data, b.data)
    assert b.metadata[0]["bundle_hash"] == gen.bundle_hash is not None
    assert a.metadata == b.metadata
