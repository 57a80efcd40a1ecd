"""Weight averaging and the batch-norm refresh the averaged copy needs."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from aigc_sdk.layers import CondBatchNorm
from aigc_sdk.training import EMA, refresh_batch_norm


class TwoInput(nn.Module):
    """A conditional layer like the generators': forward takes features and codes."""

    def __init__(self) -> None:
        super().__init__()
        self.lin = nn.Conv2d(3, 4, 1)
        self.norm = CondBatchNorm(2, 4, [2])

    def forward(self, x: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        return self.norm(self.lin(x), cond)


def test_ema_averages_weights_but_copies_stale_statistics() -> None:
    torch.manual_seed(0)
    live = TwoInput()
    ema = EMA(live)
    x, cond = torch.randn(64, 3, 4, 4), torch.zeros(64, 1, dtype=torch.long)
    live.train()
    live(x, cond)
    with torch.no_grad():
        live.lin.weight.mul_(3.0)  # the live weights move on
    ema.update(live, decay=0.5, step=10**6)
    # the running statistics were copied from the live network's earlier weights
    assert torch.equal(ema.module.norm.norm.running_mean, live.norm.norm.running_mean)
    assert not torch.allclose(ema.module.lin.weight, live.lin.weight)


def test_refresh_matches_batch_statistics_of_the_current_weights() -> None:
    torch.manual_seed(0)
    net = TwoInput()
    x = torch.randn(256, 3, 8, 8) * 2 + 1
    cond = torch.randint(0, 2, (256, 1))
    net.eval()  # running statistics are the defaults (mean 0, var 1): wrong for x
    stale = net(x, cond)
    assert stale.mean().abs() > 0.1 or (stale.std() - 1).abs() > 0.1
    n = refresh_batch_norm(net, [(x[i:i + 64], cond[i:i + 64]) for i in range(0, 256, 64)])
    assert n == 1
    assert not net.training  # mode restored
    assert net.norm.norm.momentum == pytest.approx(0.1)  # momentum restored
    # eval output now normalises like a training-mode pass over all the data at once
    net.train()
    with torch.no_grad():
        want = net(x, cond)
    net.eval()
    with torch.no_grad():
        got = net(x, cond)
    assert torch.allclose(got, want, atol=2e-2)


def test_refresh_with_no_batches_keeps_the_old_statistics() -> None:
    net = TwoInput()
    net.norm.norm.running_mean.fill_(5.0)
    with pytest.raises(ValueError, match="no batches"):
        refresh_batch_norm(net, [])
    assert torch.all(net.norm.norm.running_mean == 5.0)
    assert refresh_batch_norm(nn.Linear(2, 2), []) == 0  # nothing to refresh
