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


def test_word_gate_allows_a_token_only_while_its_word_can_still_be_listed() -> None:
    from aigc_plugins.finance.decoding import WordGate

    pieces = ["rev", "enue", " rose", " ver", "izon", "<m0.value>", ".", " r", "ose", "ev",
              "[EOS]", "1", " to"]
    gate = WordGate(pieces, {"revenue", "rose", "to"}, separators={5, 10})
    ok = lambda partial: {p for i, p in enumerate(pieces) if not gate.banned(partial)[i]}  # noqa: E731
    # at a word boundary: anything that starts a listed word, ends nothing unlisted
    assert ok("") == {"rev", " rose", "<m0.value>", ".", " r", "[EOS]", "1", " to"}
    assert ok("rev") == {"enue"}  # "rev" is no word, so nothing may end it
    assert ok("revenue") == {" rose", "<m0.value>", ".", " r", "[EOS]", "1", " to"}
    assert ok("r") == {"ose", "ev"}
    assert gate.after("", 2) == "rose" and gate.after("rev", 1) == "revenue"
    assert gate.after("rose", 5) == "" and gate.after("rose", 6) == ""
