import math

import pytest
import torch

from aigc_sdk.training import Callback, TrainConfig, Trainer
from aigc_sdk.training import trainer as trainer_mod
from aigc_sdk.training.schedule import LRSchedule
from toy import ring, toy_generator


def test_cosine_falls_from_each_groups_own_rate_to_zero() -> None:
    a = torch.optim.Adam([torch.nn.Parameter(torch.zeros(2))], lr=1e-3)
    b = torch.optim.SGD([torch.nn.Parameter(torch.zeros(2))], lr=0.1)
    s = LRSchedule([a, b], horizon=100, kind="cosine")
    for step, f in ((0, 1.0), (50, 0.5), (100, 0.0), (150, 0.0)):
        s.apply(step)
        assert a.param_groups[0]["lr"] == pytest.approx(1e-3 * f, abs=1e-12)
        assert b.param_groups[0]["lr"] == pytest.approx(0.1 * f, abs=1e-12)
    assert s.factor(25) == pytest.approx(0.5 * (1 + math.cos(math.pi / 4)))
    kept = LRSchedule([a], horizon=100)  # constant: rates are left as they are
    a.param_groups[0]["lr"] = 5e-4
    kept.apply(90)
    assert a.param_groups[0]["lr"] == 5e-4
    with pytest.raises(ValueError, match="lr_schedule"):
        LRSchedule([a], 10, "linear")


def _train(tmp_path, **kw):  # noqa: ANN001, ANN003
    ds = ring()
    gen = toy_generator(ds.schema)
    cfg = TrainConfig(batch_size=64, log_every=1, checkpoint_every=0, progress=False,
                      tensorboard=False, precision="no", **kw)
    rates: list[float] = []

    class Rates(Callback):
        def on_log(self, trainer, step, logs) -> None:  # noqa: ANN001
            rates.append(trainer.recipe.optimizers["generator"].param_groups[0]["lr"])

    trainer = Trainer(gen, ds, cfg, tmp_path, callbacks=[Rates()])
    return trainer, rates


def test_the_trainer_anneals_over_the_steps(tmp_path) -> None:  # noqa: ANN001
    trainer, rates = _train(tmp_path, steps=40, lr_schedule="cosine")
    trainer.fit()
    start = trainer.recipe.optimizers["generator"].param_groups[0]["initial_lr"]
    assert rates[0] == pytest.approx(start) and rates[-1] < 0.01 * start
    assert all(b <= a for a, b in zip(rates, rates[1:], strict=False))
    trainer, rates = _train(tmp_path / "c", steps=10)
    trainer.fit()
    assert len(set(rates)) == 1  # constant by default


def test_a_time_budget_sets_where_the_cosine_ends(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    trainer, rates = _train(tmp_path, steps=100_000, max_minutes=0.5, lr_schedule="cosine")
    # a clock on which every step takes one second: the 30 s budget is 30 steps
    monkeypatch.setattr(trainer_mod.time, "perf_counter", lambda: float(trainer.step))
    trainer.fit()
    start = trainer.recipe.optimizers["generator"].param_groups[0]["initial_lr"]
    assert trainer.step == 31
    # rates[i] drove step i; from step 1 on the pace is known and the horizon is step 30
    assert rates[14] == pytest.approx(start * 0.5 * (1 + math.cos(math.pi * 14 / 30)))
    assert rates[-2] < 0.02 * start
