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


def _scalar_net(value: float) -> nn.Linear:
    net = nn.Linear(1, 1, bias=False)
    with torch.no_grad():
        net.weight.fill_(value)
    return net


@pytest.mark.parametrize("decay", [0.9, 0.999])
def test_debiased_warmup_is_the_normalised_exponential_average(decay: float) -> None:
    # the live weight takes the values 0, 1, ..., 49; the average must be
    # sum(decay**(t-1-i) * w_i) / sum(decay**(t-1-i)), whatever the initial copy held
    values = [float(i) for i in range(50)]
    ema = EMA(_scalar_net(123.0))
    for step, v in enumerate(values):
        ema.update(_scalar_net(v), decay, step, warmup="debiased")
    w = torch.tensor([decay ** (len(values) - 1 - i) for i in range(len(values))],
                     dtype=torch.float64)
    want = float((w * torch.tensor(values, dtype=torch.float64)).sum() / w.sum())
    assert float(ema.module.weight) == pytest.approx(want, rel=1e-5)


def test_step_warmup_ignores_a_long_decay_early() -> None:
    # at step 1200 the cap (1201/1210) is below both decays, so they average alike
    finals = []
    for decay in (0.999, 0.9995):
        ema = EMA(_scalar_net(0.0))
        for step in range(1201):
            ema.update(_scalar_net(float(step)), decay, step)
        finals.append(float(ema.module.weight))
    assert finals[0] == finals[1]
    debiased = EMA(_scalar_net(0.0))
    for step in range(1201):
        debiased.update(_scalar_net(float(step)), 0.999, step, warmup="debiased")
    # the debiased window is longer: its average lags further behind the last value
    assert 1200 - float(debiased.module.weight) > 3 * (1200 - finals[0])
    with pytest.raises(ValueError, match="debiased"):
        debiased.update(_scalar_net(0.0), 0.999, 0, warmup="linear")
