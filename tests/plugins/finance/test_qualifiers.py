"""Qualifiers that change a figure (constant currency, organic, continuing operations) are
kept by the parser wherever they stand and checked by the filter both ways."""

from __future__ import annotations

from aigc_plugins.finance.faithfulness import check_text
from aigc_plugins.finance.planning import describe
from aigc_plugins.finance.qualifiers import concepts, state_missing, trailing_phrases
from aigc_plugins.finance.templates import realise, report_from_call


def kinds(facts, text: str) -> list[str]:
    return [k for k, _ in check_text(facts, text).findings if k != "missing_fact"]


def test_concepts_and_trailing_phrases() -> None:
    text = ("q1 adjusted eps $1.01 from continuing operations; sales rose 5% on a "
            "currency-neutral basis and 3% organically, excluding foreign currency impacts.")
    assert concepts(text) == {"adjusted", "continuing operations", "constant currency",
                              "organic"}
    assert [text[a:b] for a, b in trailing_phrases(text, 0, len(text))] == [
        "adjusted", "from continuing operations", "on a currency-neutral basis", "organically",
        "excluding foreign currency impacts"]
    assert concepts("q1 total revenue $5 million, as reported.") == frozenset()


def test_a_trailing_qualifier_joins_its_metric() -> None:
    facts, _, text = report_from_call({"ticker": "X", "quarter": 1, "year": 2021, "bullets": [
        "q1 adjusted earnings per share $1.01 from continuing operations.",
        "q1 revenue $812 million, up 6% at constant currency.",
        "on an organic basis, q1 orders rose 4%.",
        "q1 net income $20 million."]})
    by_name = {m.name: concepts(m.surface, m.qualifier) for m in facts.metrics}
    assert by_name == {"adjusted eps": {"adjusted", "continuing operations"},
                       "revenue": {"constant currency"}, "orders": {"organic"},
                       "net income": frozenset()}
    assert "at constant currency" in describe(facts)  # the model is told
    assert kinds(facts, text) == []


def test_an_added_or_dropped_qualifier_is_caught() -> None:
    facts, _, text = report_from_call({"ticker": "X", "quarter": 1, "year": 2021, "bullets": [
        "q1 revenue $812 million, up 6% at constant currency.",
        "q1 net income $20 million."]})
    assert kinds(facts, text) == []
    assert kinds(facts, "q1 revenue $812 million, up 6% on a currency-neutral basis.") == []
    # both numbers of the qualified revenue are claims, each false
    assert kinds(facts, "q1 revenue $812 million, up 6%.") == ["wrong_qualifier"] * 2
    assert kinds(facts, "q1 revenue $812 million, up 6% organically.") == [
        "wrong_qualifier"] * 2
    assert kinds(facts, "q1 net income from continuing operations $20 million.") == [
        "wrong_qualifier"]
    assert kinds(facts, "q1 net income $20 million on a pro forma basis.") == [
        "wrong_qualifier"]
    detail = check_text(facts, "q1 revenue $812 million, up 6%.")
    assert any("constant currency" in d for k, d in detail.findings if k == "wrong_qualifier")


def test_a_qualified_figure_is_a_fact_of_its_own() -> None:
    facts, _, _ = report_from_call({"ticker": "X", "quarter": 1, "year": 2021, "bullets": [
        "q1 revenue rose 6%.", "q1 revenue rose 6% at constant currency."]})
    assert len(facts.metrics) == 2  # not merged into one


def test_an_annual_or_aggregate_figure_is_not_a_quarters() -> None:
    facts, _, text = report_from_call({"ticker": "X", "quarter": 2, "year": 2021, "bullets": [
        "expects annualized cost savings of $50 million.",
        "aggregate restructuring charges of $12 million."]})
    assert [concepts(m.surface, m.qualifier) for m in facts.metrics] == [
        {"annual"}, {"cumulative"}]
    assert kinds(facts, text) == []
    # an unknown metric must be named by its own words: caught as another metric
    assert kinds(facts, "expects q2 cost savings of $50 million.") == ["wrong_metric"]
    facts, _, text = report_from_call({"ticker": "X", "quarter": 2, "year": 2021, "bullets": [
        "declares annual dividend of $1.20 per share."]})
    assert kinds(facts, text) == []
    assert kinds(facts, "declares quarterly dividend of $1.20 per share.") == [
        "wrong_qualifier"]
    # "aggregate" also reads as a segment of the charges: caught either way
    assert kinds(facts, "q2 restructuring charges of $12 million.") != []
    assert concepts("annual recurring revenue rose 20%") == frozenset()  # that is arr


def test_same_store_is_a_qualifier_and_unknown_metrics_keep_their_words() -> None:
    facts, _, text = report_from_call({"ticker": "X", "quarter": 1, "year": 2021, "bullets": [
        "qtrly same-store used vehicle unit sales increased 28%.",
        "annualized cost savings of $50 million."]})
    assert kinds(facts, text) == []
    assert kinds(facts, "qtrly used vehicle unit sales rose 28%. annualized cost savings of "
                        "$50 million.") == ["wrong_qualifier"]
    # the words around an unknown metric's number are its name: others are false
    assert kinds(facts, "qtrly same-store used vehicle unit sales increased 28%. annualized "
                        "stores of $50 million.") == ["wrong_metric"]


def test_a_name_stated_per_share_needs_per_share_numbers() -> None:
    facts, _, text = report_from_call({"ticker": "X", "quarter": 1, "year": 2021, "bullets": [
        "q1 revenue rose 16 percent to $787.2 million.",
        "adjusted net earnings per diluted share for q1, on a non-gaap basis, were $1.30."]})
    assert [(m.name, m.unit) for m in facts.metrics] == [
        ("revenue", "currency"), ("adjusted eps", "per_share")]
    assert kinds(facts, text) == []
    assert "wrong_unit" in kinds(facts, "q1 revenue per share increased 16 percent to "
                                        "$787.2 million.")


def test_a_dropped_qualifier_is_written_after_the_number_in_the_facts_words() -> None:
    facts, _, _ = report_from_call({"ticker": "X", "quarter": 1, "year": 2021, "bullets": [
        "compname says project q2 sales to decline 13% to 14% year over year on organic basis.",
        "q1 eps $1.01 from continuing operations.",
        "qtrly same-store used vehicle unit sales increased 28%."]})
    cases = {
        "sees <p0> <m0.name> down <m0.change> to <m0.change_high>.":
            "sees q2 sales down 13% to 14% on organic basis.",
        "<p1> <m1.name> <m1.value>.": "q1 eps $1.01 from continuing operations.",
        # "same-store" stands before the name: after a number it reads "on a ... basis"
        "<p1> <m2.name> rose <m2.change>.":
            "q1 used vehicle unit sales rose 28% on a same-store basis.",
    }
    for template, text in cases.items():
        assert kinds(facts, realise(template, facts)) != []  # dropped: false
        fixed = realise(state_missing(template, facts.metrics), facts)
        assert fixed == text and kinds(facts, fixed) == []
    stated = "<p1> <m2.name> rose <m2.change> on a same-store basis."
    assert state_missing(stated, facts.metrics) == stated  # nothing twice
    # nor what the name slot already writes ("organic" in "organic sales")
    facts, _, _ = report_from_call({"ticker": "X", "quarter": 1, "year": 2021, "bullets": [
        "q1 organic sales rose 4%."]})
    template = "<p0> <m0.name> rose <m0.change>."
    assert state_missing(template, facts.metrics) == template


def test_a_status_the_source_never_gave_is_caught_one_the_text_leaves_out_is_not() -> None:
    facts, _, text = report_from_call({"ticker": "X", "quarter": 4, "year": 2021, "bullets": [
        "sees fy 2022 adjusted earnings per share $3.20 to $3.30.",
        "declares quarterly dividend of 79¢ per share.",
        "q4 revenue increased 5% to $2 billion."]})
    assert kinds(facts, text) == []
    assert kinds(facts, "raises fy 2022 adjusted earnings per share view to $3.20 to "
                        "$3.30.") == ["wrong_qualifier"] * 2
    assert kinds(facts, "reaffirms fy 2022 adjusted earnings per share $3.20 to $3.30.") == [
        "wrong_qualifier"] * 2
    assert kinds(facts, "increases its quarterly dividend 79¢ per share.") == [
        "wrong_qualifier"]
    assert kinds(facts, "q4 revenue rose 5% to $2 billion.") == []  # a change, no status
    facts, _, text = report_from_call({"ticker": "X", "quarter": 4, "year": 2021, "bullets": [
        "raises fy 2022 adjusted earnings per share view to $3.20 to $3.30."]})
    assert kinds(facts, text) == []
    assert kinds(facts, "sees fy 2022 adjusted earnings per share $3.20 to $3.30.") == []
    assert state_missing("sees <p0> <m0.name> <m0.value> to <m0.high>.", facts.metrics) == \
        "sees <p0> <m0.name> <m0.value> to <m0.high>."  # a status is never added


def test_a_figure_per_unit_sold_is_not_the_total() -> None:
    facts, _, text = report_from_call({"ticker": "X", "quarter": 1, "year": 2021, "bullets": [
        "q1 same-store new vehicle gross profit per vehicle retailed was $2,535, up 56%.",
        "q1 earnings per diluted share $1.20."]})
    assert concepts(facts.metrics[0].surface, facts.metrics[0].qualifier) == {
        "per vehicle", "comparable"}
    assert kinds(facts, text) == []
    assert kinds(facts, "q1 new vehicle gross profit rose 56% to $2,535 on a same-store basis. "
                        "q1 earnings per diluted share $1.20.") == ["wrong_qualifier"] * 2
    assert concepts("q1 earnings per diluted share $1.20, revenue up 98 percent") == set()
    # per ton is not per vehicle
    assert kinds(facts, "q1 new vehicle gross profit rose 56% to $2,535 per ton on a same-store "
                        "basis. q1 earnings per diluted share $1.20.") == ["wrong_qualifier"] * 2
    fixed = state_missing("<p0> <m0.name> rose <m0.change> to <m0.value>.", facts.metrics)
    assert realise(fixed, facts) == ("q1 new vehicle gross profit rose 56% to $2,535 per vehicle "
                                     "retailed on a same-store basis.")


def test_a_taxable_equivalent_figure_is_not_the_reported_one() -> None:
    facts, _, text = report_from_call({"ticker": "X", "quarter": 3, "year": 2021, "bullets": [
        "q3 net interest income expressed on a taxable-equivalent basis was $971 million."]})
    assert concepts(facts.metrics[0].surface, facts.metrics[0].qualifier) == {
        "taxable equivalent"}
    assert kinds(facts, text) == []
    assert kinds(facts, "q3 net interest income was $971 million.") == ["wrong_qualifier"]
    fixed = state_missing("<p0> <m0.name> was <m0.value>.", facts.metrics)
    assert realise(fixed, facts).endswith("$971 million on a taxable-equivalent basis.")


def test_an_adjusted_figure_is_not_the_defined_one() -> None:
    """v33 audit: "qtrly nareit ffo $26.7 million excluding items" passed. An adjusted
    ffo is not the nareit-defined one, and "excluding items" right after "million" was
    never read (the "on" ending "million" was taken for a joining word)."""
    facts, _, text = report_from_call({"ticker": "X", "quarter": 2, "year": 2021, "bullets": [
        "qtrly nareit ffo was $26.7 million.",
        "q2 eps of $0.95; $0.94, as adjusted.",
        "q2 adjusted ebitda margin of 16.0%."]})
    assert check_text(facts, text).findings == []
    for wrong in ("qtrly nareit ffo $26.7 million excluding items.",
                  "qtrly adjusted ffo was $26.7 million.",
                  "qtrly core ffo was $26.7 million.",
                  "q2 ebitda margin of 16.0%."):
        assert "wrong_qualifier" in [k for k, _ in check_text(facts, wrong).findings], wrong
    # the adjusted eps is named "eps" in its source: any adjusted wording states it
    assert [k for k, _ in check_text(facts, "q2 eps $0.94 on an adjusted basis.").findings
            if k != "missing_fact"] == []
    assert [k for k, _ in check_text(facts, "q2 non-gaap eps of $0.94.").findings
            if k != "missing_fact"] == []
