"""The rule-built last-resort sentences: every field stated, read back as the facts."""

from __future__ import annotations

import pytest

from aigc_plugins.finance.facts import FinancialFacts, MetricFact
from aigc_plugins.finance.faithfulness import check_text
from aigc_plugins.finance.plainwriter import plain_templates
from aigc_plugins.finance.planning import plan_report
from aigc_plugins.finance.templates import realise, report_from_call

BULLETS = [
    "increased nfeps guidance for fiscal 2022 by $0.15 to a range of $2.20 to $2.30.",
    "q3 revenue of $1.1 billion, up 12%, versus $982 million in q3 2020.",
    "q4 sales $8.4 billion versus refinitiv ibes estimate of $8.28 billion.",
    "net loan charge-offs were $22 million, or 0.09% of average total loans.",
    "sees fy 2021 revenue of $5.1 billion to $5.3 billion.",
    "opened 12 new stores in q2.",
    "qtrly net loss per share $0.39.",
]


@pytest.mark.parametrize("bullet", BULLETS)
def test_a_plain_sentence_states_every_fact_and_the_filter_reads_it_back(bullet: str) -> None:
    facts, _, _ = report_from_call({"ticker": "X", "quarter": 2, "year": 2021,
                                    "bullets": [bullet]})
    plans = plan_report(facts)
    assert plans
    for plan in plans:
        texts = [realise(t, plan.facts) for t in plain_templates(plan.facts)]
        assert texts, plan.facts
        passed = [t for t in texts if (d := check_text(plan.facts, t)).faithful
                  and d.coverage == 1.0]
        assert passed, [(t, check_text(plan.facts, t).findings) for t in texts]


def test_the_raised_range_of_an_unknown_metric_gets_a_sentence() -> None:
    # ECTSum val set 159: no draw and no training template ever stated it
    facts, _, _ = report_from_call({"ticker": "NJR", "quarter": 1, "year": 2021,
                                    "bullets": [BULLETS[0]]})
    (plan,) = plan_report(facts)
    assert realise(plain_templates(plan.facts)[0], plan.facts) == (
        "sees fiscal 2022 nfeps of $2.20 to $2.30, up $0.15.")


def test_a_wrong_fact_is_not_hidden_by_a_plain_shape() -> None:
    facts, _, _ = report_from_call({"ticker": "X", "quarter": 2, "year": 2021,
                                    "bullets": [BULLETS[1]]})
    (plan,) = plan_report(facts)
    wrong = plan.facts.model_copy(deep=True)
    wrong.metrics[0].direction = "down"
    wrong.metrics[0].change = -12.0
    said = realise(plain_templates(wrong)[0], wrong)
    assert said == "q3 revenue of $1.1 billion, down 12%, versus $982 million in q3 2020."
    # built from a wrong fact, checked against the true ones: rejected
    assert "wrong_direction" in {k for k, _ in check_text(plan.facts, said).findings}


def test_a_metric_nothing_can_name_gets_no_sentence() -> None:
    facts = FinancialFacts(metrics=[MetricFact(name="other", surface="", value=3.0)])
    assert plain_templates(facts) == []
