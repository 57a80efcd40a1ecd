"""Nucleus sampling: the partial-sort fast path draws from the same nucleus as a full sort."""

from __future__ import annotations

import torch

from aigc_plugins.finance.decoding import _draw_top_p


def test_top_p_draws_only_the_nucleus_in_proportion() -> None:
    probs = torch.tensor([0.05, 0.5, 0.0, 0.3, 0.15])
    logits = probs.clamp(min=1e-12).log().expand(4000, -1).clone()
    # top_p 0.9: the nucleus is {1, 3, 4} (0.5 + 0.3 reaches 0.8, 0.15 takes it past 0.9)
    for k in (3, 2, 5):  # fast path, fallback (top 2 hold only 0.8), full vocabulary
        g = torch.Generator().manual_seed(0)
        drawn = _draw_top_p(logits, 0.9, g, k=k)
        counts = torch.bincount(drawn, minlength=5).float() / len(drawn)
        assert set(drawn.unique().tolist()) == {1, 3, 4}, k
        expected = torch.tensor([0.0, 0.5, 0.0, 0.3, 0.15]) / 0.95
        assert torch.allclose(counts, expected, atol=0.03), (k, counts)
