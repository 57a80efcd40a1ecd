"""The registered medical image metrics on tiny data."""

from __future__ import annotations

import pytest
import torch

pytest.importorskip("monai.metrics")

from aigc_plugins.medical import metrics as mmetrics  # noqa: E402
from aigc_plugins.medical.classifier import train_classifier  # noqa: E402
from aigc_plugins.medical.metrics import ImageSimilarity, Utility  # noqa: E402
from aigc_sdk.dataset import ConditionSpec, DataSchema  # noqa: E402


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
def test_utility_trtr_auc_on_separable_data(blobs) -> None:
    # train_classifier runs >= 300 steps; batches of 16 instead of 128 keep this ~5 s
    real, test = split(blobs, 64, seed=0), split(blobs, 40, seed=1)
    swapped = {"x": real["x"], "cond": 1 - real["cond"]}  # "synthetic" with wrong labels
    out = Utility(seeds=1, epochs=1, batch_size=16).compute(real, swapped, test=test, seed=0,
                                                            schema=SCHEMA)
    assert set(out) == {"tstr_auc", "tstr_auc_std", "tstr_accuracy", "trtr_auc", "trtr_auc_std",
                        "trtr_accuracy", "tstr_trtr_auc_ratio"}
    assert out["trtr_auc"] > 0.9 and out["trtr_accuracy"] > 0.8, out
    assert out["trtr_auc_std"] == 0.0  # one seed
    # TSTR learns from the synthetic labels: swapped, it ranks the real test set backwards
    assert out["tstr_auc"] < 0.1 and out["tstr_trtr_auc_ratio"] < 0.1, out


def test_fresh_draws_keep_the_real_class_mix() -> None:
    from aigc_plugins.medical.gan import DCGAN2D, DCGANConfig

    gen = DCGAN2D(DCGANConfig(base_channels=8, max_channels=16), SCHEMA)
    real = {"x": torch.zeros(30, 1, 28, 28), "cond": (torch.arange(30) % 3 == 0).long()[:, None]}
    drawn = mmetrics.fresh_draws(gen, real, 100, seed=0)
    assert len(drawn["x"]) == 120 and drawn["x"].shape[1:] == (1, 28, 28)  # 4 whole copies
    assert int((drawn["cond"][:, 0] == 1).sum()) == 40  # a third, as in the real split


def test_utility_trains_fresh_draws_with_trtr_steps(blobs,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from aigc_plugins.medical.classifier import classifier_steps
    from aigc_plugins.medical.gan import DCGAN2D, DCGANConfig

    fits: list[tuple[int, int | None]] = []

    def recording(x, y, k, **kw):
        fits.append((len(x), kw.get("steps")))
        return train_classifier(x, y, k, **{**kw, "steps": 3 if kw.get("steps") else None,
                                            "min_steps": 3})

    monkeypatch.setattr(mmetrics, "train_classifier", recording)
    real, test = split(blobs, 64, seed=0), split(blobs, 40, seed=1)
    gen = DCGAN2D(DCGANConfig(base_channels=8, max_channels=16), SCHEMA)
    metric = Utility(seeds=1, epochs=1, batch_size=16, min_steps=20)
    out = metric.compute(real, real, test=test, seed=0, schema=SCHEMA, generator=gen)
    assert {"tstr_fresh_auc", "tstr_fresh_accuracy", "tstr_fresh_trtr_auc_ratio"} <= set(out)
    steps = classifier_steps(64, epochs=1, batch_size=16, min_steps=20)
    # TSTR and TRTR on 64 images each at their own budget, then fresh draws at TRTR's steps,
    # enough that each batch is new
    assert fits[:2] == [(64, None), (64, None)]
    assert fits[2][1] == steps and fits[2][0] >= steps * 16, fits
    # without the generator (or with fresh=False) there is no fresh figure
    no_gen = Utility(seeds=1, epochs=1, batch_size=16, min_steps=20, fresh=False)
    assert "tstr_fresh_auc" not in no_gen.compute(real, real, test=test, seed=0, schema=SCHEMA,
                                                  generator=gen)
