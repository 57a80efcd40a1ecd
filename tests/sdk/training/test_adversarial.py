"""The adversarial recipe's regularisers. LeCam: zero while D cannot tell the two sides
apart, and it really holds a memorising discriminator's logits together. Mode seeking: it
punishes a generator that ignores its noise, and training with it makes one use it."""

from __future__ import annotations

import torch

from aigc_sdk.training.adversarial import AdversarialConfig, adversarial_recipe
from aigc_sdk.training.losses import LeCam, d_loss, mode_seeking


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



def test_mode_seeking_is_large_for_a_generator_that_ignores_its_noise() -> None:
    z = torch.randn(16, 4, generator=torch.Generator().manual_seed(0))
    same = torch.ones(16, 6)  # every draw the same image
    varied = torch.cat([z, z[:, :2]], 1)  # images move with the noise
    assert mode_seeking(same, z).item() > 1e3 * mode_seeking(varied, z).item()


class _CondG(torch.nn.Module):
    """Class-conditional and collapsed at the start: the noise enters nearly unweighted."""

    def __init__(self) -> None:
        super().__init__()
        self.embed = torch.nn.Embedding(2, 6)
        self.from_z = torch.nn.Linear(4, 6, bias=False)
        torch.nn.init.normal_(self.from_z.weight, std=1e-3)

    def forward(self, z: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        return self.embed(cond[:, 0]) + self.from_z(z)


class _BlindD(torch.nn.Module):
    """A discriminator that gives G no signal, so only the regulariser can move it."""

    def __init__(self) -> None:
        super().__init__()
        self.bias = torch.nn.Parameter(torch.zeros(1))

    def forward(self, x: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        return self.bias.expand(x.shape[0]) + 0 * x.sum(1)


def test_the_recipe_pairs_conditions_and_its_term_makes_g_use_the_noise() -> None:
    def spread(weight: float) -> float:
        torch.manual_seed(0)
        g = _CondG()
        recipe = adversarial_recipe(g, _BlindD(), None, 4, AdversarialConfig(
            diffaugment="", mode_seeking_weight=weight, lr_g=1e-2))
        opt = recipe.optimizers["generator"]
        cond = torch.tensor([[0], [1], [0], [1], [1], [0], [1], [0]])
        batch = {"x": torch.randn(8, 6), "cond": cond}
        for step in range(50):
            loss, logs = recipe.phases[-1].loss(batch, recipe.modules, step)
            opt.zero_grad()
            loss.backward()
            opt.step()
        assert ("mode_seeking" in logs) == (weight > 0)
        with torch.no_grad():  # how far samples of one class lie apart
            x = g(torch.randn(64, 4), torch.zeros(64, 1, dtype=torch.long))
        return x.std(0).mean().item()

    still, moved = spread(0.0), spread(0.1)
    assert still < 2e-3 and moved > 10 * still, (still, moved)  # measured: 18x
