"""What a count counts: the noun after a number, and the nouns a decoder may not write."""

from __future__ import annotations

import pytest

from aigc_plugins.finance.attach import analyse
from aigc_plugins.finance.counted import (
    counted_after,
    foreign_counted,
    singular,
    state_counted,
)
from aigc_plugins.finance.facts import MetricFact


@pytest.mark.parametrize(("text", "noun"), [
    ("to acquire 11 stores.", "stores"),
    ("about 4 million net tons.", "tons"),
    ("opened 12 new restaurants in the quarter", "restaurants"),
    ("production of 52,000 boepd", "boepd"),
    ("orders grew 23% to 4,292 with net order value", None),  # no noun: nothing counted
    ("deliveries between 2,700 and 3,000.", None),
])
def test_the_noun_after_a_count_is_read(text: str, noun: str | None) -> None:
    count = [s for s in analyse(text).spans if s.kind == "count"][-1]  # "1.3 million"
    assert counted_after(text, count.end) == noun


def test_plural_and_abbreviated_nouns_compare_as_one() -> None:
    assert singular("communities") == "community"
    assert singular("tonnes") == singular("tons") == "ton"
    assert singular("bpd") == singular("barrels") == "barrel"
    assert singular("bcfe") == "bcfe"


def test_only_nouns_the_facts_do_not_hold_are_foreign() -> None:
    words = {"homes", "stores", "revenue", "units", "days", "boepd"}
    # "units" and "days" serve other ends ("per unit", "per day") and stay writable
    assert foreign_counted(words, frozenset({"store", "openings"})) == {"homes", "boepd"}


def test_durations_and_units_need_not_be_written_after_their_count() -> None:
    from aigc_plugins.finance.counted import needs_noun

    assert needs_noun("stores") and needs_noun("boe")
    assert not needs_noun("months") and not needs_noun("units")  # "over 12 to 16 months"


def test_a_count_gets_the_noun_its_fact_counts() -> None:
    boe = MetricFact(name="production", surface="production", unit="count", value=570000,
                     counted="boe")
    months = MetricFact(name="other", surface="return", unit="count", value=12,
                        value_high=16, counted="months")
    assert state_counted("sees <m0.name> of <m0.value> units.", [boe]) == \
        "sees <m0.name> of <m0.value> boe."  # a wrong noun is replaced
    assert state_counted("sees <m0.name> of <m0.value>.", [boe]) == \
        "sees <m0.name> of <m0.value> boe."  # a missing one is written
    assert state_counted("<m0.name> <m0.value> to <m0.high>.", [boe]) == \
        "<m0.name> <m0.value> to <m0.high> boe."  # once, after the top of the range
    same = "<m0.name> of <m0.value> to <m0.high>."  # a duration need not be written
    assert state_counted(same, [months]) == same
