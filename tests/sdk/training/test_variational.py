import math

import torch

from aigc_sdk.training.variational import (
    ElboTerms,
    VariationalConfig,
    active_units,
    beta_at,
    kl_per_dim,
    mutual_information,
    variational_recipe,
)


class PointsVAE(torch.nn.Module):
    """A tiny Gaussian VAE over 2-D points: enough to see the ELBO fall."""

    def __init__(self, latent: int = 2) -> None:
        super().__init__()
        self.enc = torch.nn.Sequential(torch.nn.Linear(2, 32), torch.nn.Tanh(),
                                       torch.nn.Linear(32, 2 * latent))
        self.dec = torch.nn.Sequential(torch.nn.Linear(latent, 32), torch.nn.Tanh(),
                                       torch.nn.Linear(32, 2))

    def elbo_terms(self, batch, word_dropout):
        x = batch["x"]
        mu, logvar = self.enc(x).chunk(2, dim=1)
        z = mu + torch.randn_like(mu) * (0.5 * logvar).exp()
        rec = 0.5 * (self.dec(z) - x).pow(2).sum(1).mean() / 0.05
        return ElboTerms(rec, torch.tensor(2.0), mu, logvar, z)


def test_beta_ramps_then_holds_each_cycle():
    cfg = VariationalConfig(kl_ramp=0.5)
    assert beta_at(0, 100, cfg) == 0
    assert math.isclose(beta_at(25, 100, cfg), 0.5)
    assert beta_at(60, 100, cfg) == 1.0
    assert beta_at(100, 100, cfg) == 0  # next cycle starts again


def test_kl_and_active_units_and_mi():
    mu, logvar = torch.zeros(64, 4), torch.zeros(64, 4)
    assert torch.allclose(kl_per_dim(mu, logvar), torch.zeros(4))
    assert active_units(mu) == 0
    mu = torch.randn(64, 4) * torch.tensor([3.0, 3.0, 0.0, 0.0])
    assert active_units(mu) == 0.5
    logvar = torch.full((64, 4), -6.0)
    z = mu + torch.randn_like(mu) * (0.5 * logvar).exp()
    # well-separated posteriors on two dims: I(x; z) close to log(N)
    assert mutual_information(mu, logvar, z) > 0.8 * math.log(64)
    prior_like = mutual_information(torch.zeros(64, 4), torch.zeros(64, 4), torch.randn(64, 4))
    assert abs(prior_like) < 0.2  # Monte Carlo noise around 0


def test_recipe_elbo_falls_with_free_bits_and_annealing():
    torch.manual_seed(0)
    x = torch.randn(512, 2) @ torch.tensor([[2.0, 0.5], [0.0, 0.5]])
    model = PointsVAE()
    cfg = VariationalConfig(lr=3e-3, kl_cycles=2, free_bits=0.05)
    recipe = variational_recipe(model, cfg, total_steps=400)
    (phase,) = recipe.phases
    opt = recipe.optimizers["vae"]
    first, last = [], []
    for step in range(400):
        idx = torch.randint(0, len(x), (64,))
        loss, logs = phase.loss({"x": x[idx]}, recipe.modules, step)
        opt.zero_grad()
        loss.backward()
        opt.step()
        (first if step < 20 else last if step >= 380 else []).append(float(logs["rec_nll_token"]))
    assert sum(last) / len(last) < 0.5 * sum(first) / len(first)
    assert float(logs["beta"]) == 1.0 and float(logs["kl"]) > 0.1  # z is used, not collapsed
