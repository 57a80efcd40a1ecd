"""Clause and sentence ends (segments.py)."""

from __future__ import annotations

from aigc_plugins.finance.attach import analyse
from aigc_plugins.finance.segments import Segments


def test_a_sentence_ending_in_a_digit_ends_there() -> None:
    """"of 1." ends a sentence (initials like "j." do not): the next sentence's number
    belonged to the metric before the full stop and failed a true report."""
    text = "q1 stores of 1. sees combined new to be approximately 1 million."
    seg = Segments(text, [])
    assert seg.sentence(text.index("1.")) != seg.sentence(text.index("1 million"))
    drafts = analyse(text).drafts
    assert [d.surface for d in drafts] == ["stores", "combined new"]
    initials = "j. smith said revenue rose"
    assert Segments(initials, []).sentences == []


def test_versus_with_a_full_stop_ends_no_sentence() -> None:
    text = "net sales increased 22% versus. 2020, up 20% in local currency."
    assert Segments(text, []).sentences == [len(text) - 1]
