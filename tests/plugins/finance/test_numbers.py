"""The number parser on hand-made cases and on real ECTSum bullets."""

from __future__ import annotations

import pytest

from aigc_plugins.finance.facts import FinancialFacts, MetricFact, format_number, normalise
from aigc_plugins.finance.numbers import parse, typed_coverage, untyped_numbers


def one(text: str):
    spans = [s for s in parse(text) if s.kind != "name"]
    assert len(spans) == 1, spans
    return spans[0]


@pytest.mark.parametrize(("text", "kind", "base"), [
    ("$1.2 billion", "money", 1.2e9),
    ("$481.1 mln", "money", 481.1e6),
    ("$425m", "money", 425e6),
    ("$ 1,418.8 million", "money", 1418.8e6),
    ("usd 5.3 million", "money", 5.3e6),
    ("€12 bln", "money", 12e9),
    ("£3.5 billion", "money", 3.5e9),
    ("rmb 2 million", "money", 2e6),
    ("12 million euros", "money", 12e6),
    ("$(0.12)", "money", -0.12),
    ("($5.1 million)", "money", -5.1e6),
    ("-$2.5 million", "money", -2.5e6),
    ("negative $425 million", "money", -425e6),
    ("11.1 percent", "percent", 11.1),
    ("11.1%", "percent", 11.1),
    ("3 pct", "percent", 3.0),
    ("+9%", "percent", 9.0),
    ("120 basis points", "bps", 120.0),
    ("350+ basis points", "bps", 350.0),
    ("20 percentage points", "pp", 20.0),
    ("2.5x", "ratio", 2.5),
    ("2,137", "count", 2137.0),
    ("11.8 million", "count", 11.8e6),
])
def test_quantities_are_typed_normalised_and_written_back(text: str, kind: str,
                                                          base: float) -> None:
    s = one(f"it was {text} then")
    assert (s.kind, s.text) == (kind, text)
    assert s.base == pytest.approx(base)
    assert format_number(s.value, s.style, s.scale) == text


@pytest.mark.parametrize("text", [
    "q1 earnings per share $1.24.", "eps of $0.45", "dividend of $0.40 per share",
    "$3.35 per diluted share", "71¢ per share", "quarterly distribution of $0.50 per unit",
])
def test_per_share_amounts(text: str) -> None:
    assert [s.kind for s in parse(text) if s.is_quantity] == ["per_share"]


@pytest.mark.parametrize("text", [
    "wholesale gross profit per unit up $158", "wholesale gross profit increased $158 per unit",
])
def test_an_operating_figure_per_unit_sold_is_no_share(text: str) -> None:
    assert [s.kind for s in parse(text) if s.is_quantity] == ["money"]


@pytest.mark.parametrize(("text", "kind", "fields", "style"), [
    ("q1", "quarter", {"quarter": 1}, "q{q}"),
    ("qtrly", "quarter", {}, "qtrly"),
    ("fy2021", "year", {"year": 2021}, "fy{y}"),
    ("fiscal 2022", "year", {"year": 2022}, "fiscal {y}"),
    ("fy'21", "year", {"year": 2021}, "fy'{yy}"),
    ("q4 fy'21", "quarter", {"quarter": 4, "year": 2021}, "q{q} fy'{yy}"),
    ("first quarter", "quarter", {"quarter": 1}, "{qw} quarter"),
    ("Fourth Quarter 2020", "quarter", {"quarter": 4, "year": 2020}, "{Qw} Quarter {y}"),
    ("3q21", "quarter", {"quarter": 3, "year": 2021}, "{q}q{yy}"),
    ("h1", "half", {"half": 1}, "h{h}"),
    ("second half of 2020", "half", {"half": 2, "year": 2020}, "{hw} half of {y}"),
    ("nine months", "nine_months", {}, "nine months"),
    ("march 31, 2021", "date", {"month": 3, "day": 31, "year": 2021}, "{month} {d}, {y}"),
    ("2021", "year", {"year": 2021}, "{y}"),
])
def test_periods_dates_and_years(text: str, kind: str, fields: dict, style: str) -> None:
    s = one(f"for {text} only")
    assert s.is_time and s.text == text
    assert s.period.kind == kind and s.period.style == style
    assert {k: getattr(s.period, k) for k in fields} == fields
    assert s.period.render() == text


def test_glued_sentences_and_names_stay_apart() -> None:
    kinds = [(s.kind, s.text) for s in parse("q3 eps $1.65.2021 guidance; covid-19 hit 5g")]
    assert kinds == [("period", "q3"), ("per_share", "$1.65"), ("year", "2021"),
                     ("name", "covid-19"), ("name", "5g")]


def test_range_ends_borrow_unit_and_scale() -> None:
    a, b = [s for s in parse("capex of $685 to $715 million") if s.is_quantity]
    assert a.elided and a.base == pytest.approx(685e6) and b.base == pytest.approx(715e6)
    assert format_number(a.value, a.style, a.scale) == "$685"
    lo, hi = [s for s in parse("sees fy revenue up 25 to 28 percent") if s.is_quantity]
    assert (lo.kind, hi.kind, lo.text) == ("percent", "percent", "25")


def test_units_normalise_across_scales() -> None:
    assert normalise(1.2, "billion") == normalise(1200, "million")
    m = MetricFact(name="revenue", value=1.2, prior_value=0.951, scale="billion")
    m.styles["value"] = one("$1.2 billion").style
    m.styles["prior"] = one("$951 million").style
    facts = FinancialFacts(metrics=[m])
    assert facts.format_value(0, "value") == "$1.2 billion"
    assert facts.format_value(m, "prior") == "$951 million"
    assert m.base("prior") == pytest.approx(951e6)


def test_unparsable_number_is_reported() -> None:
    assert untyped_numbers("sold 1.5m units in q1") == ["1.5m"]


def test_real_ectsum_numbers_are_typed_and_written_back(train_bullets: list[str]) -> None:
    typed = total = 0
    for text in train_bullets:
        spans = parse(text)
        a, n = typed_coverage(text, spans)
        typed, total = typed + a, total + n
        for s in spans:
            if s.is_quantity:
                assert format_number(s.value, s.style, s.scale) == s.text, text
            elif s.period is not None:
                assert s.period.render() == s.text, text
    assert total > 1500
    assert typed / total >= 0.99
