"""Core conditioning layers: soft codes reproduce integer codes and interpolate linearly."""

from __future__ import annotations

import torch

from aigc_sdk.layers import CondBatchNorm, CondEmbedding, soft_codes


def test_one_hot_soft_codes_equal_integer_codes_and_mixes_are_linear() -> None:
    torch.manual_seed(0)
    sizes = [3, 5]
    emb = CondEmbedding(sizes, 8)
    a, b = torch.tensor([[0, 4], [2, 1]]), torch.tensor([[1, 0], [2, 3]])
    assert torch.allclose(emb(soft_codes(a, sizes)), emb(a), atol=1e-6)
    mix = 0.3 * soft_codes(a, sizes) + 0.7 * soft_codes(b, sizes)
    assert torch.allclose(emb(mix), 0.3 * emb(a) + 0.7 * emb(b), atol=1e-6)
    norm = CondBatchNorm(2, 4, sizes).eval()
    for table in [*norm.gain.tables, *norm.bias.tables]:
        torch.nn.init.normal_(table.weight)
    x = torch.randn(2, 4, 5, 5)
    assert torch.allclose(norm(x, soft_codes(a, sizes)), norm(x, a), atol=1e-5)
