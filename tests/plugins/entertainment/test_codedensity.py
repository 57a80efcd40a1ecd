"""CodeDensity: a Gaussian over codes whose mean follows the attributes."""

from __future__ import annotations

import pytest
import torch

from aigc_plugins.entertainment.codedensity import CodeDensity


def test_recovers_a_planted_conditional_gaussian() -> None:
    g = torch.Generator().manual_seed(0)
    n, d = 6000, 3
    cond = torch.stack([torch.randint(0, 3, (n,), generator=g),
                        torch.randint(0, 2, (n,), generator=g)], 1)
    shift = torch.tensor([[0.0, 0, 0], [4, 0, 0], [0, 4, 0]])  # per value of attribute 0
    mix = torch.tensor([[1.0, 0, 0], [0.5, 1, 0], [0, 0, 0.2]])
    codes = shift[cond[:, 0]] + 2 + torch.randn(n, d, generator=g) @ mix.T
    dens = CodeDensity(d, [3, 2], shrinkage=0.0, ridge=1e-3)
    dens.fit(codes, cond)
    want = torch.tensor([[2, 1]]).expand(n, 2)
    drawn = dens.codes(torch.randn(n, d, generator=g), want)
    assert torch.allclose(drawn.mean(0), torch.tensor([2.0, 6, 2]), atol=0.1)
    assert torch.allclose(torch.cov(drawn.T), mix @ mix.T, atol=0.1)
    # soft codes halfway between two values give the halfway mean
    soft = torch.tensor([[0.5, 0.5, 0, 1, 0]])
    assert torch.allclose(dens.codes(torch.zeros(1, d), soft)[0], torch.tensor([4.0, 2, 2]),
                          atol=0.15)


def test_shrinkage_keeps_few_codes_in_many_dimensions_sampleable() -> None:
    codes = torch.randn(10, 64)  # rank 9 covariance: no Cholesky without shrinkage
    dens = CodeDensity(64, [])
    dens.fit(codes, torch.zeros(10, 0, dtype=torch.long))
    assert torch.isfinite(dens.codes(torch.randn(5, 64), torch.zeros(5, 0))).all()
    with pytest.raises(ValueError, match="at least 2"):
        dens.fit(codes[:1], torch.zeros(1, 0, dtype=torch.long))


def test_unfitted_draws_standard_normal_codes() -> None:
    dens = CodeDensity(4, [2])
    z = torch.randn(3, 4)
    assert torch.equal(dens.codes(z, torch.zeros(3, 1, dtype=torch.long)), z)


def test_kernel_density_draws_near_training_codes_and_reloads() -> None:
    g = torch.Generator().manual_seed(0)
    codes = torch.randn(50, 6, generator=g) * 3
    cond = torch.zeros(50, 0, dtype=torch.long)
    dens = CodeDensity(6, [], bandwidth=0.1)
    dens.fit(codes, cond)
    drawn = dens.codes(torch.randn(400, 6, generator=g), torch.zeros(400, 0))
    nearest = torch.cdist(drawn, codes).min(1).values
    spread = torch.cdist(codes, codes).topk(2, largest=False).values[:, 1].median()
    assert nearest.median() < 0.5 * spread  # each draw sits by one training code
    used = torch.cdist(drawn, codes).argmin(1).unique()
    assert len(used) > 40  # ... and the draws use (nearly) all of them
    gauss = CodeDensity(6, [])
    gauss.fit(codes, cond)
    assert torch.cdist(gauss.codes(torch.randn(400, 6, generator=g), torch.zeros(400, 0)),
                       codes).min(1).values.median() > nearest.median()
    again = CodeDensity(6, [], bandwidth=0.1)  # a fresh module takes the fitted anchors
    again.load_state_dict(dens.state_dict())
    z = torch.randn(5, 6, generator=g)
    assert torch.equal(again.codes(z, torch.zeros(5, 0)), dens.codes(z, torch.zeros(5, 0)))
    old = {k: v for k, v in gauss.state_dict().items() if k != "anchors"}
    before = CodeDensity(6, [])  # a bundle saved before kernel densities still loads
    before.load_state_dict(old)
    assert len(before.anchors) == 0
    with pytest.raises(ValueError, match="bandwidth"):
        CodeDensity(6, [], bandwidth=0.0)
