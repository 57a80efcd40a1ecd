import json

import pytest
import torch

from aigc_sdk.training import TrainConfig, Trainer
from aigc_sdk.training.checkpoint import latest_checkpoint
from toy import MODES, near_mode_fraction, ring, toy_generator


def _cfg(**kw):
    base = dict(steps=300, batch_size=128, log_every=25, checkpoint_every=0, progress=False,
                tensorboard=False, precision="no", seed=3)
    base.update(kw)
    return TrainConfig(**base)


def test_small_gan_learns_the_mixture(tmp_path):
    ds = ring()
    gen = toy_generator(ds.schema)
    before = near_mode_fraction(gen.generate(1000, seed=0).data)
    history = Trainer(gen, ds, _cfg(steps=1500, ema_decay=0.99), tmp_path).fit()
    x = gen.generate(1000, seed=0).data
    after = near_mode_fraction(x)
    assert before < 0.05
    assert after > 0.5, (before, after)
    # no mode collapse: each of the 8 modes receives at least 3% of the samples
    counts = torch.bincount(torch.cdist(x, MODES).argmin(1), minlength=8)
    assert counts.min() >= 30, counts
    # the discriminator's hinge loss falls from its chance level (2.0) as it learns
    assert history[0]["d_loss"] > history[-1]["d_loss"] - 0.5
    rows = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    assert rows[-1]["step"] == 1500 and {"d_loss", "g_loss", "seconds"} <= set(rows[-1])


def _weights(gen):
    return {f"{m}.{k}": v.clone() for m, mod in gen.modules().items()
            for k, v in mod.state_dict().items()}


def test_resume_reaches_the_same_weights(tmp_path):
    ds = ring(512)
    full = toy_generator(ds.schema)
    Trainer(full, ds, _cfg(steps=40), tmp_path / "full").fit()

    # an interrupted run: stopped after 15 steps, its last checkpoint on disk
    Trainer(toy_generator(ds.schema), ds, _cfg(steps=15), tmp_path / "cut").fit()
    resumed = toy_generator(ds.schema)  # a new process would start from fresh weights
    trainer = Trainer(resumed, ds, _cfg(steps=40), tmp_path / "cut")
    trainer.fit(resume=True)
    assert trainer.step == 40
    a, b = _weights(full), _weights(resumed)
    assert a.keys() == b.keys()
    assert all(torch.equal(a[k], b[k]) for k in a), [k for k in a if not torch.equal(a[k], b[k])]
    assert latest_checkpoint(tmp_path / "cut" / "checkpoints").name == "step-0000040"
    # the metrics log of the resumed run continues where the first one stopped
    steps = [json.loads(x)["step"] for x in (tmp_path / "cut" / "metrics.jsonl").open()]
    assert steps == [15, 25, 40]


def test_resume_without_checkpoint_is_a_clear_error(tmp_path):
    ds = ring(512)
    with pytest.raises(FileNotFoundError, match="no checkpoint"):
        Trainer(toy_generator(ds.schema), ds, _cfg(steps=5), tmp_path).fit(resume=True)


def test_gradient_accumulation_and_bf16_run(tmp_path):
    ds = ring(512)
    gen = toy_generator(ds.schema)
    trainer = Trainer(gen, ds, _cfg(steps=5, grad_accum=2, batch_size=64, precision="bf16"),
                      tmp_path)
    history = trainer.fit()
    assert trainer.precision == "bf16" and history[-1]["step"] == 5
    assert gen.card["training"]["grad_accum"] == 2


def test_recipe_ema_takes_one_pair_or_several() -> None:
    from aigc_sdk.training.recipe import Recipe

    one = Recipe(modules={}, optimizers={}, phases=[], ema=("g", "ema"))
    several = Recipe(modules={}, optimizers={}, phases=[], ema=[("a", "a_avg"), ("b", "b_avg")])
    assert one.ema_pairs() == [("g", "ema")]
    assert several.ema_pairs() == [("a", "a_avg"), ("b", "b_avg")]
    assert Recipe(modules={}, optimizers={}, phases=[]).ema_pairs() == []
