import pytest
import torch

from aigc_sdk.training import BestSnapshot, TrainConfig, Trainer
from toy import near_mode_fraction, ring, toy_generator


def _cfg(**kw):
    base = dict(steps=200, batch_size=128, log_every=25, checkpoint_every=0, progress=False,
                tensorboard=False, precision="no", seed=3, ema_decay=0.99)
    base.update(kw)
    return TrainConfig(**base)


class Recorder:
    """Scores by how far drawn points are from the ring's modes; remembers each draw."""

    def __init__(self, order=None):
        self.draws, self.order = [], order

    def __call__(self, gen):
        x = gen.generate(400, seed=0).data
        self.draws.append(x)
        if self.order is not None:  # a planted preference: the n-th call scores order[n]
            return self.order[len(self.draws) - 1]
        return 1.0 - near_mode_fraction(x)


def test_the_best_scoring_weights_are_the_ones_kept(tmp_path):
    ds = ring(1024)
    gen = toy_generator(ds.schema)
    # the second snapshot (step 100) is planted as best, the last one as worst
    rec = Recorder(order=[0.5, 0.1, 0.4, 0.3, 0.9])
    cb = BestSnapshot(rec, every=50)
    Trainer(gen, ds, _cfg(), tmp_path, callbacks=[cb]).fit()
    assert [s for s, _ in cb.history] == [50, 100, 150, 200, 200]
    card = gen.card["snapshot"]
    assert card["chosen_step"] == 100 and card["last_step"] == 200
    assert torch.equal(gen.generate(400, seed=0).data, rec.draws[1])
    assert not torch.equal(rec.draws[1], rec.draws[-1])


def test_scoring_leaves_training_untouched(tmp_path):
    ds = ring(1024)
    plain = toy_generator(ds.schema)
    Trainer(plain, ds, _cfg(), tmp_path / "plain").fit()
    scored = toy_generator(ds.schema)
    rec = Recorder()
    Trainer(scored, ds, _cfg(), tmp_path / "scored", callbacks=[BestSnapshot(rec, 50)]).fit()
    for (name, a), b in zip(plain.net_g.state_dict().items(),
                            scored.net_g.state_dict().values(), strict=True):
        assert torch.equal(a, b), name
    # the last weights score as the plain run's do, and nothing kept scores worse
    last = 1.0 - near_mode_fraction(plain.generate(400, seed=0).data)
    card = scored.card["snapshot"]
    assert card["last_score"] == pytest.approx(last)
    assert card["chosen_score"] <= last
    assert 1.0 - near_mode_fraction(scored.generate(400, seed=0).data) == pytest.approx(
        card["chosen_score"])


def test_a_recipe_without_averaged_weights_is_refused(tmp_path):
    ds = ring(256)
    gen = toy_generator(ds.schema)
    real_recipe = gen.recipe

    def no_ema(train):
        r = real_recipe(train)
        r.ema = None
        return r

    gen.recipe = no_ema
    with pytest.raises(ValueError, match="no EMA pair"):
        Trainer(gen, ds, _cfg(steps=50), tmp_path, callbacks=[BestSnapshot(lambda g: 0.0, 25)]
                ).fit()
