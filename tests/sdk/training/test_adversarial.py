"""The adversarial recipe's LeCam regulariser: zero while D cannot tell the two sides
apart, and it really holds a memorising discriminator's logits together."""

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

