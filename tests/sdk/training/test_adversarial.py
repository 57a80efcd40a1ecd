"""The adversarial recipe's small-data options. LeCam: zero while D cannot tell the two
sides apart, and it really holds a memorising discriminator's logits together. Mirror: D
sees real samples mirrored about half the time, and never otherwise."""

from __future__ import annotations

import torch

from aigc_sdk.training.adversarial import AdversarialConfig, adversarial_recipe
from aigc_sdk.training.losses import LeCam, d_loss


def test_penalty_is_zero_until_the_sides_separate() -> None:
    reg = LeCam(decay=0.5)
    mixed = reg(torch.tensor([-0.2, 0.1]), torch.tensor([0.3, 0.0]))
    # real mean -0.05 and fake mean 0.15: no real logit above 0.15, no fake below -0.05
    assert mixed.item() == 0.0
    apart = reg(torch.tensor([3.0, 3.0]), torch.tensor([-3.0, -3.0]))
    assert apart.item() > 1.0


def _train_d(weight: float, steps: int = 300) -> float:
    """A linear D on two fixed, separable clouds (a D memorising its few real images):
    the final gap between mean real and mean fake logits."""
    g = torch.Generator().manual_seed(0)
    real = torch.randn(64, 8, generator=g) + 1.0
    fake = torch.randn(64, 8, generator=g) - 1.0
    torch.manual_seed(0)
    net = torch.nn.Linear(8, 1)
    opt = torch.optim.Adam(net.parameters(), lr=1e-2)
    reg = LeCam()
    for _ in range(steps):
        r, f = net(real).squeeze(1), net(fake).squeeze(1)
        loss = d_loss("non_saturating", r, f) + weight * reg(r, f)
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        return (net(real).mean() - net(fake).mean()).item()


def test_it_holds_a_memorising_discriminator_back() -> None:
    free, held = _train_d(0.0), _train_d(1.0)
    assert free > 10.0 and held < 0.5 * free, (free, held)


class _G(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.net = torch.nn.Linear(4, 6)

    def forward(self, z: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        return self.net(z)


class _D(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.net = torch.nn.Linear(6, 1)

    def forward(self, x: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        return self.net(x).squeeze(1)


def test_the_adversarial_recipe_logs_it_only_when_on() -> None:
    g, d = _G(), _D()

    def run(weight: float) -> dict:
        cfg = AdversarialConfig(diffaugment="", lecam_weight=weight)
        recipe = adversarial_recipe(g, d, None, 4, cfg)
        batch = {"x": torch.randn(8, 6), "cond": torch.zeros(8, 1, dtype=torch.long)}
        return recipe.phases[0].loss(batch, recipe.modules, 0)[1]

    assert "lecam" not in run(0.0)
    assert run(1.0)["lecam"] >= 0.0


class _Recorder(torch.nn.Module):
    """A D that keeps every batch it is shown."""

    def __init__(self) -> None:
        super().__init__()
        self.w = torch.nn.Parameter(torch.zeros(1))
        self.seen: list[torch.Tensor] = []

    def forward(self, x: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        self.seen.append(x.detach().clone())
        return x.flatten(1).sum(1) * self.w


def _mirrored_share(mirror: bool) -> float:
    """Share of real samples D saw mirrored, over 10 D steps of 32 asymmetric images."""
    x = torch.arange(5.0).repeat(32, 1, 5, 1)  # every row 0..4: mirroring reverses it
    d = _Recorder()
    gen = torch.nn.Module()
    gen.lin = torch.nn.Linear(1, 1)
    gen.forward = lambda z, c: torch.zeros(len(z), 1, 5, 5)  # type: ignore[method-assign]
    recipe = adversarial_recipe(gen, d, None, 4, AdversarialConfig(diffaugment="",
                                                                   mirror=mirror))
    batch = {"x": x, "cond": torch.zeros(32, 1, dtype=torch.long)}
    torch.manual_seed(0)
    for _ in range(10):
        recipe.phases[0].loss(batch, recipe.modules, 0)
    real = torch.cat(d.seen[0::2])  # each D step shows the real batch, then the fakes
    flipped = (real == x.flip(-1)[:1]).flatten(1).all(1)
    kept = (real == x[:1]).flatten(1).all(1)
    assert bool((flipped | kept).all())  # mirrored or untouched, nothing else
    return flipped.float().mean().item()


def test_mirror_shows_real_samples_mirrored_about_half_the_time() -> None:
    assert _mirrored_share(False) == 0.0
    assert 0.4 < _mirrored_share(True) < 0.6
