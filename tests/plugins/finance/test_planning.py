"""Sentence plans: what each generated sentence must state."""

from __future__ import annotations

from aigc_plugins.finance.faithfulness import check_text
from aigc_plugins.finance.planning import describe, plan_report, templates_stating
from aigc_plugins.finance.templates import realise, report_from_call


def test_an_estimate_gets_its_own_sentence_beside_a_change() -> None:
    facts, _, _ = report_from_call({"ticker": "X", "quarter": 2, "year": 2020, "bullets": [
        "second quarter sales of $404 million, down 28% from the prior year.",
        "q2 sales $404 million versus refinitiv ibes estimate of $409.4 million.",
        "q2 adjusted earnings per share $0.31."]})
    sales = facts.metrics[0]
    assert sales.fields() == ["value", "change", "estimate"]  # one fact, as merged
    plans = plan_report(facts)
    assert [p.facts.metrics[0].fields() for p in plans] == [
        ["value", "change"], ["value", "estimate"], ["value"]]
    assert [p.metric_index for p in plans] == [[0], [0], [1]]
    # the estimate's sentence is told no direction: it states none
    assert "down" in describe(plans[0].facts) and "none" in describe(plans[1].facts)
    text = " ".join(realise(t, p.facts) for t, p in zip(
        ["<p0> <m0.name> fell <m0.change> to <m0.value>.",
         "<p0> <m0.name> <m0.value> versus refinitiv ibes estimate of <m0.estimate>.",
         "<p0> <m0.name> <m0.value>."], plans))
    detail = check_text(facts, text)
    assert detail.faithful and detail.coverage == 1.0, detail.findings


def test_an_estimate_with_only_a_value_stays_in_one_sentence() -> None:
    facts, _, _ = report_from_call({"ticker": "X", "quarter": 1, "year": 2021, "bullets": [
        "q1 adjusted earnings per share $1.24 versus refinitiv ibes estimate of $1.10."]})
    plans = plan_report(facts)
    assert [p.facts.metrics[0].fields() for p in plans] == [["value", "estimate"]]


def test_an_outlook_held_for_no_period_may_borrow_a_template_without_its_period() -> None:
    # v34: val set 218's "annual pre-tax savings of $11 million to $13 million once plans
    # are fully implemented" had no training template without a period to fall back on
    facts, _, _ = report_from_call({"ticker": "X", "quarter": 2, "year": 2020, "bullets": [
        "expect to achieve annual pre-tax savings of $11 million to $13 million once "
        "restructuring plans are fully implemented."]})
    plan = plan_report(facts)[0]
    assert plan.facts.periods == []
    templates = ["sees <p0> <m0.name> of <m0.value> to <m0.high>.",
                 "<m0.name> of <m0.value> to <m0.high> for <p0>.",
                 "<p0> <m0.name> of <m0.value> versus <p1>."]
    assert templates_stating(plan, templates) == []
    assert templates_stating(plan, templates, drop_period=True) == [
        "sees <m0.name> of <m0.value> to <m0.high>.", "<m0.name> of <m0.value> to <m0.high>."]


def test_the_decoder_is_told_a_change_s_basis_and_a_repeat_keeps_it() -> None:
    facts, _, _ = report_from_call({"ticker": "X", "quarter": 1, "year": 2021, "bullets": [
        "q1 revenue $481.1 million, up 11.1 percent.",
        "q1 revenue rose 11.1 percent year-over-year to $481.1 million.",
        "q1 gross profit was $2,154, up 11%."]})
    assert len(facts.metrics) == 2  # the repeat merged, its basis kept
    revenue, profit = (p.facts for p in plan_report(facts))
    assert "basis year" in describe(revenue) and "basis" not in describe(profit)
