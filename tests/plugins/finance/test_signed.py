"""A negative amount written as a magnitude needs its words: "a loss of", "a benefit of"."""

from __future__ import annotations

from aigc_plugins.finance.faithfulness import check_text
from aigc_plugins.finance.planning import plan_report
from aigc_plugins.finance.signed import state_sign
from aigc_plugins.finance.templates import realise, report_from_call


def test_the_loss_or_benefit_words_are_written_in_and_then_pass() -> None:
    facts, _, text = report_from_call({"ticker": "KEY", "quarter": 2, "year": 2022, "bullets": [
        "provision for credit losses was a net benefit of $222 million.",
        "r&m segment income from operations was $224 million, compared with a loss of $1.5 "
        "billion.",
        "q2 net loss of $5 million."]})
    assert check_text(facts, text).faithful
    drawn = "<m0.name> was <m0.value>. <m1.name> was <m1.value> versus <m1.prior>. " \
            "<m2.name> of <m2.value>."
    assert not check_text(facts, realise(drawn, facts)).faithful  # the signs are dropped
    fixed = state_sign(drawn, facts.metrics)
    # a provision is released as a benefit, a prior income as a loss; a net loss says it
    assert fixed == ("<m0.name> was a benefit of <m0.value>. <m1.name> was <m1.value> versus "
                     "a loss of <m1.prior>. <m2.name> of <m2.value>.")
    assert check_text(facts, realise(fixed, facts)).findings == []
    assert state_sign(fixed, facts.metrics) == fixed  # already said: nothing added


def test_a_share_is_planned_with_the_figure_it_is_a_share_of() -> None:
    facts, _, _ = report_from_call({"ticker": "KEY", "quarter": 2, "year": 2022, "bullets": [
        "qtrly earnings per share $0.72.",
        "net loan charge-offs for q2 of 2021 totaled $22 million, or 0.09% of average total "
        "loans."]})
    plans = plan_report(facts)
    assert [p.metric_index for p in plans] == [[0], [1, 2]]
    # the training sentence's own shape states both
    local = plans[1].facts
    assert check_text(local, realise("<m0.name> for <p0> totaled <m0.value>, or <m1.value> "
                                     "of <m1.name>.", local)).findings == []
