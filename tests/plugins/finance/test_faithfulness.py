"""The faithfulness filter: planted wrong numbers, metrics and directions are caught."""

from __future__ import annotations

import pytest

from aigc_plugins.finance.faithfulness import FaithfulnessFilter, check_text
from aigc_plugins.finance.qualifiers import concepts
from aigc_plugins.finance.templates import report_from_call

CALL = {"ticker": "AAN", "quarter": 1, "year": 2021, "bullets": [
    "q1 revenue rose 11.1 percent to $481.1 million.",
    "q1 non-gaap earnings per share $1.24.",
    "sees fy revenue $1.725 billion to $1.775 billion.",
]}


@pytest.fixture(scope="module")
def report():
    facts, _, text = report_from_call(CALL)
    return facts, text


def kinds(facts, text: str) -> list[str]:
    return [k for k, _ in check_text(facts, text).findings if k != "missing_fact"]


def test_true_text_passes_with_full_coverage(report) -> None:
    facts, text = report
    d = check_text(facts, text)
    assert d.faithful and d.findings == []
    assert d.numeric_faithfulness == d.claim_correctness == d.coverage == 1.0
    assert d.numbers_checked == 7 and d.claims_checked == 5  # 5 amounts, q1 twice ("fy": no number)


@pytest.mark.parametrize(("planted", "kind"), [
    ("$481.1 million", "$491.1 million"),
    ("q1 revenue rose", "q1 net income rose"),
    ("rose", "fell"),
])
def test_planted_errors_are_caught(report, planted: str, kind: str) -> None:
    facts, text = report
    expected = {"$481.1 million": "unsupported_number", "q1 revenue rose": "wrong_metric",
                "rose": "wrong_direction"}[planted]
    found = kinds(facts, text.replace(planted, kind, 1))
    assert found and set(found) == {expected}


def test_units_and_rounding_are_normalised(report) -> None:
    facts, _ = report
    for text in ["q1 revenue rose 11.1 percent to $0.48 billion.",
                 "q1 revenue rose 11 percent to $481,100,000.",
                 "sees fy revenue $1,725 million to $1.8 billion."]:
        assert kinds(facts, text) == [], text
    assert kinds(facts, "q1 revenue rose 11.1 percent to $0.49 billion.") == [
        "unsupported_number"]


def test_periods_roles_and_coverage(report) -> None:
    facts, _ = report
    assert kinds(facts, "q3 revenue rose 11.1 percent to $481.1 million.") == [
        "unsupported_number"]
    assert kinds(facts, "q1 revenue $481.1 million versus $1.725 billion.") == ["wrong_field"]
    d = check_text(facts, "q1 adjusted eps $1.24.")
    assert d.faithful and d.coverage == pytest.approx(1 / 5)
    missing = [x for k, x in d.findings if k == "missing_fact"]
    assert len(missing) == 4 and any("$481.1 million" in x for x in missing)


def test_filter_keeps_true_and_removes_planted(report) -> None:
    facts, text = report
    bad = text.replace("rose", "fell")
    filt = FaithfulnessFilter()
    res = filt.apply([(facts, text), (facts, bad), (facts, "q1 adjusted eps $1.24.")])
    assert res.kept == [(facts, text), (facts, "q1 adjusted eps $1.24.")]
    assert res.removed == [(facts, bad)]
    assert {f.index for f in res.findings if f.kind == "wrong_direction"} == {1}
    strict = FaithfulnessFilter(min_coverage=0.5).apply([(facts, "q1 adjusted eps $1.24.")])
    assert strict.kept == [] and strict.findings[0].filter == "finance_faithfulness"
    with pytest.raises(ValueError, match="runs at"):
        filt.apply([], stage="input")
    with pytest.raises(TypeError):
        filt.apply(["just text"])


def test_real_calls_are_faithful_to_their_own_facts(ectsum_train: list[dict]) -> None:
    n = ok = 0
    for record in ectsum_train[:200]:
        facts, _, text = report_from_call(record)
        d = check_text(facts, text)
        n += 1
        ok += d.faithful
    assert ok / n >= 0.98



def test_a_loss_stated_without_its_sign_is_caught() -> None:
    facts, _, text = report_from_call({"ticker": "X", "quarter": 1, "year": 2021, "bullets": [
        "q1 loss per share $0.13.", "q1 net loss of $5.2 million versus net income of $1.0 "
        "million."]})
    assert kinds(facts, text) == []
    assert kinds(facts, "q1 earnings per share $0.13.") == ["wrong_direction"]
    assert kinds(facts, "q1 net income of $5.2 million.") == ["wrong_direction"]
    facts, _, text = report_from_call({"ticker": "X", "quarter": 1, "year": 2022, "bullets": [
        "resort reported ebitda loss $108.4 million for q1 2022."]})
    assert facts.metrics[0].value == -108.4 and kinds(facts, text) == []
    assert kinds(facts, "q1 2022 resort reported ebitda of $108.4 million.") == [
        "wrong_direction"]


def test_an_amount_stated_per_share_is_caught() -> None:
    facts, _, text = report_from_call({"ticker": "X", "quarter": 4, "year": 2021,
                                       "bullets": ["aum for q4 was $106.6 billion."]})
    assert kinds(facts, text) == []
    assert kinds(facts, "aum for q4 was $106.6 billion per diluted share.") == ["wrong_unit"]
    # the v27 audit: "used vehicle gross profit per common stock, up 43% to $1,994"
    assert kinds(facts, "q4 aum per common stock was $106.6 billion.") == ["wrong_unit"]


def test_a_count_of_something_else_is_caught() -> None:
    facts, _, text = report_from_call({"ticker": "X", "quarter": 3, "year": 2020, "bullets": [
        "qtrly tons sold 1.3 million, down 13.1%.",
        "to acquire 11 stores and 1 collision center.",
        "resuming store openings, with 8 to 10 new stores planned in fiscal year 2022.",
        "sees q1 production of 2.15 bcfe per day."]})
    assert [m.counted for m in facts.metrics] == ["", "stores", "", "stores", "bcfe"]
    # the second count is of something else, named after it
    assert facts.metrics[2].surface == "collision center"
    assert kinds(facts, text) == []
    # the noun the source counted, or the metric's own words, may follow the number
    assert kinds(facts, "qtrly tons sold 1.3 million tons, down 13.1%.") == []
    assert kinds(facts, "resuming store openings, 8 to 10 stores planned in fiscal year "
                 "2022.") == []
    # "planned" makes the stores an outlook: stated as done, they are a false claim
    assert "wrong_guidance" in kinds(facts, "resuming store openings of 8 to 10 stores in "
                                     "fiscal year 2022.")
    for wrong in ("qtrly tons sold 1.3 million boepd, down 13.1%.",
                  "to acquire 11 homes.",
                  "resuming store openings of 8 to 10 per diluted share in fiscal year 2022.",
                  "sees q1 production of 2.15 boepd.",
                  "sees q1 production of 2.15 bcfe per share.",
                  "sees q1 production of 2.15."):  # says nothing of what is counted
        assert "wrong_unit" in kinds(facts, wrong), wrong


def test_an_outlook_held_for_no_period_is_not_pinned_on_one() -> None:
    facts, _, text = report_from_call({"ticker": "X", "quarter": 2, "year": 2020, "bullets": [
        "q2 revenue $567 million.",
        "expect to achieve annual pre-tax savings of $11 million to $13 million once "
        "restructuring plans are fully implemented.",
        "sees q3 revenue $260 million to $290 million."]})
    assert kinds(facts, text) == []
    assert kinds(facts, "sees annual pre-tax savings of $11 million to $13 million.") == []
    assert kinds(facts, "sees annual pre-tax savings of $11 million to $13 million in q2."
                 ) == ["wrong_period", "wrong_period"]
    assert kinds(facts, "sees q2 revenue $260 million to $290 million.") == [
        "wrong_period", "wrong_period"]


def test_bounds_must_be_stated_as_the_facts_hold_them() -> None:
    facts, _, text = report_from_call({"ticker": "X", "quarter": 1, "year": 2021, "bullets": [
        "board authorized repurchase of up to $200 million of shares.",
        "sees 2021 deliveries of at least 1,500."]})
    assert [m.bounds for m in facts.metrics] == [{"value": "up to"}, {"value": "at least"}]
    assert [m.bound("value") for m in facts.metrics] == ["max", "min"]
    assert kinds(facts, text) == []
    for dropped in [text.replace("up to ", ""), text.replace("at least", "up to"),
                    text.replace("at least ", "")]:
        assert kinds(facts, dropped) == ["wrong_bound"], dropped


def test_a_number_stated_for_another_period_is_caught() -> None:
    facts, _, text = report_from_call({"ticker": "X", "quarter": 4, "year": 2021, "bullets": [
        "q4 2021 revenue $5.1 million.", "sees fy 2022 revenue $20.5 million."]})
    assert kinds(facts, text) == []
    swapped = "fy 2022 revenue $5.1 million. sees q4 2021 revenue $20.5 million."
    assert kinds(facts, swapped) == ["wrong_period", "wrong_period"]
    assert kinds(facts, "qtrly revenue $5.1 million.") == []  # names no period
    # a fact without a period is the report's own (q4 2021), not another period's
    facts, _, text = report_from_call({"ticker": "X", "quarter": 4, "year": 2021, "bullets": [
        "sees fy 2022 revenue $20.5 million.", "restructuring charges were $3.2 million."]})
    assert facts.metrics[1].period is None and kinds(facts, text) == []
    assert kinds(facts, "fy 2022 restructuring charges were $3.2 million.") == ["wrong_period"]
    assert kinds(facts, "q4 2021 restructuring charges were $3.2 million.") == []
    # an outlook without a period is no period's: not the report's quarter's, and not the
    # year another outlook names (the source may mean a later one)
    facts, _, text = report_from_call({"ticker": "X", "quarter": 4, "year": 2021, "bullets": [
        "sees fy 2022 revenue $20.5 million.", "sees capex of $3 million."]})
    assert kinds(facts, text) == []
    assert kinds(facts, "sees fy 2022 capex of $3 million.") == ["wrong_period"]
    assert kinds(facts, "sees q4 2021 capex of $3 million.") == ["wrong_period"]


def test_a_result_stated_as_an_outlook_is_caught() -> None:
    facts, _, text = report_from_call({"ticker": "X", "quarter": 1, "year": 2021, "bullets": [
        "sees fy 2021 revenue $20.5 million.", "q1 2021 operating expenses were $1.6 million."]})
    assert kinds(facts, text) == []  # the outlook cue of one sentence stays in it
    assert kinds(facts, "sees fy 2021 revenue $20.5 million. sees q1 2021 operating expenses "
                        "of $1.6 million.") == ["wrong_guidance"]
    assert kinds(facts, "fy 2021 revenue was $20.5 million.") == ["wrong_guidance"]


def test_a_dropped_or_swapped_segment_is_caught() -> None:
    facts, _, text = report_from_call({"ticker": "X", "quarter": 3, "year": 2021, "bullets": [
        "q3 revenue $3.9 billion.",
        "completion and production revenue in q3 was $2.1 billion.",
        "north america revenue in q3 was $1.6 billion, a 3% increase."]})
    assert [m.segment() for m in facts.metrics] == [
        None, "completion and production", "north america"]
    assert kinds(facts, text) == []
    assert kinds(facts, "q3 revenue was $2.1 billion.") == ["wrong_metric"]
    assert kinds(facts, "europe revenue in q3 was $1.6 billion.") == ["wrong_metric"]
    assert kinds(facts, "north america revenue $3.9 billion.") == ["wrong_metric"]
    assert kinds(facts, "North America revenue in q3 was $1.6 billion.") == []


def test_a_credit_loss_benefit_is_a_negative_provision() -> None:
    facts, _, text = report_from_call({"ticker": "X", "quarter": 1, "year": 2021, "bullets": [
        "qtrly benefit for credit losses $823 million versus provision for credit losses of "
        "$5,423 million."]})
    assert [(m.name, m.value) for m in facts.metrics] == [
        ("credit loss provision", -823.0), ("credit loss provision", 5423.0)]
    assert kinds(facts, text) == []
    assert kinds(facts, "qtrly provision for credit losses $823 million.") == [
        "wrong_direction"]


def test_a_segment_binds_only_when_the_name_slot_can_write_it() -> None:
    # "$0.46 per share" of "net financial earnings" is eps; its name slot writes "eps",
    # so no text could name "financial": holding the text to it made the fact unreleasable
    facts, template, text = report_from_call({"ticker": "X", "quarter": 1, "year": 2021,
                                              "bullets": [
        "qtrly consolidated net financial earnings of $44.7 million, or $0.46 per share."]})
    eps = next(m for m in facts.metrics if m.name == "eps")
    assert eps.phrase() == "eps" and eps.segment() is None
    assert kinds(facts, text) == []
    assert kinds(facts, "qtrly eps $0.46. qtrly financial earnings $44.7 million.") == []
    # a surface that is the metric's own name keeps its segment
    facts, _, _ = report_from_call({"ticker": "X", "quarter": 3, "year": 2021, "bullets": [
        "north america revenue in q3 was $1.6 billion."]})
    assert facts.metrics[0].segment() == "north america"


def test_a_direction_word_on_a_value_needs_a_direction_in_the_facts() -> None:
    facts, _, text = report_from_call({"ticker": "X", "quarter": 4, "year": 2021,
                                       "bullets": ["q4 revenue $5.1 billion."]})
    assert kinds(facts, text) == []
    assert kinds(facts, "q4 revenue was $5.1 billion.") == []
    # "rose to" claims a rise the source never states
    assert kinds(facts, "q4 revenue rose to $5.1 billion.") == ["wrong_direction"]


def test_a_change_worded_as_a_level_is_caught() -> None:
    facts, _, text = report_from_call({"ticker": "X", "quarter": 3, "year": 2021, "bullets": [
        "same-property cash noi increase of 4.8% in quarter.",
        "sees fy revenue up 22 to 23 percent."]})
    assert kinds(facts, text) == []
    for good in ("q3 same-property cash noi rose 4.8%.", "q3 same-property cash noi +4.8%.",
                 "same-property cash noi change of 4.8% versus q3 2020."):
        assert "wrong_field" not in kinds(facts, good), good
    # the v24 hand audit's false claims: a rise read as a level
    assert "wrong_field" in kinds(facts, "compname reports q3 same-property cash noi of 4.8%.")
    assert kinds(facts, "expects fy revenue to be in range of 22 to 23 percent.").count(
        "wrong_field") == 2


def test_a_share_is_a_level_and_will_marks_an_outlook() -> None:
    facts, _, text = report_from_call({"ticker": "X", "quarter": 3, "year": 2021, "bullets": [
        "net loan charge-offs for q3 totaled $29 million, or 0.11% of average total loans.",
        "q4 production averaged 149 mboepd with 55 percent oil.",
        "expectations are that 2021 sales will be approximately $3.45 billion.",
        "will incur aggregate pre-tax restructuring charges of $10 million to $13 million."]})
    shares = [m for m in facts.metrics if m.change_unit == "percent" or m.unit == "percent"]
    assert shares and all(m.change is None for m in shares), shares  # levels, not changes
    sales, charges = facts.metrics[-2], facts.metrics[-1]
    assert sales.guidance and charges.guidance and sales.value == 3.45
    assert kinds(facts, text) == []
    # an outlook written as a result is caught (v24 hand audit: "compname reports q2 incur
    # aggregate pre-tax restructuring charges of $10 million to $13 million")
    said = "compname reports {}incur aggregate pre-tax restructuring charges of $10 million to " \
           "$13 million."
    assert "wrong_guidance" in kinds(facts, said.format(""))
    assert "wrong_period" in kinds(facts, said.format("q3 "))  # an undated outlook pinned on q3


def test_a_move_in_points_then_to_a_level_and_an_effect_named_after_a_metric() -> None:
    facts, _, text = report_from_call({"ticker": "X", "quarter": 3, "year": 2021, "bullets": [
        "qtrly adjusted sg&a as a percentage of gross profit was 64.4%, up 800 basis points.",
        "guidance includes a $70 million revenue headwind from foreign exchange."]})
    assert kinds(facts, text) == []
    # "up 800 basis points to 64.4%": the level it reached (val set 13's drafts, all rejected)
    assert kinds(facts, "qtrly adjusted sg&a increased 800 basis points to 64.4%.") == []
    # the headwind is not revenue, before or after its number
    assert kinds(facts, "sees revenue headwind of $70 million.") == []
    assert "wrong_metric" in kinds(facts, "sees revenue of $70 million.")


def test_a_number_after_from_and_a_noun_is_where_the_change_started() -> None:
    facts, _, text = report_from_call({"ticker": "X", "quarter": 3, "year": 2021, "bullets": [
        "qtrly same-store customer financial services gross profit per vehicle retailed was "
        "$2,154, up 11%."]})
    assert kinds(facts, text) == []
    said = "qtrly customer financial services gross profit increased 11% {} $2,154 per " \
           "vehicle retailed on a same-store basis."
    assert kinds(facts, said.format("to")) == []
    # the v26 audit: "from a benefit of $2,154" makes the level the prior year's figure
    assert kinds(facts, said.format("from a benefit of")) == ["wrong_field"]


def test_a_level_placed_in_the_prior_period_by_the_words_after_it_is_caught() -> None:
    facts, _, text = report_from_call({"ticker": "X", "quarter": 3, "year": 2021, "bullets": [
        "qtrly revenue $5.40 billion, down 1%.",
        "qtrly same-store new vehicle gross profit per vehicle retailed was $2,535, up 56%."]})
    assert kinds(facts, text) == []
    # the comparison belongs to the change (not the level), and is one the facts do not hold
    assert kinds(facts, "qtrly revenue fell 1% to $5.40 billion from the prior year quarter.") \
        == ["unsupported_basis"]
    for said in ("qtrly revenue was $5.40 billion in the prior year quarter, down 1%.",
                 "qtrly revenue was $5.40 billion a year ago, down 1%.",
                 # the v26 audit, with qualifiers between the number and the period
                 "qtrly new vehicle gross profit increased 56% to $2,535 per vehicle retailed "
                 "on a same-store basis in the same period last year."):
        assert "wrong_field" in kinds(facts, said), said


def test_facts_the_v27_hand_audit_found_misread() -> None:
    facts, _, text = report_from_call({"ticker": "X", "quarter": 2, "year": 2021, "bullets": [
        "ups - fy capital expenditures are now planned to be approximately $4.2 billion.",
        "targeting to have over 130 autonation usa stores in operation by end of 2026.",
        "forecasting 2021 revenues of about $12.5 billion, up from $11.7 billion in 2020.",
        "used unit sales in comparable stores rose 1.2%.",
        "wholesale gross profit per unit up $158 or 17.0%, to $1,086.",
        "production for full-year 2021 is expected to average about 2.15 bcfe per day, with "
        "about 30% attributed to liquids production."]})
    capex, stores, revenue, used, profit, profit2, production, liquids = facts.metrics
    # "planned to be", "targeting", "forecasting": outlooks
    assert capex.guidance and stores.guidance and revenue.guidance
    assert "comparable" in concepts(used.qualifier)  # "in comparable stores"
    assert profit.qualifier == profit2.qualifier == "per unit"  # both instances per unit
    assert liquids.change is None and liquids.value == 30.0  # a share, not growth
    assert kinds(facts, text) == []
    assert "wrong_qualifier" in kinds(facts, "q2 used unit sales rose 1.2%.")
    assert "wrong_qualifier" in kinds(facts, "q2 wholesale gross profit increased $158.")
    # "per unit" after an operating figure is per vehicle, as before it; after a payout
    # it is per partnership unit, a per-share figure
    assert kinds(facts, "q2 wholesale gross profit increased $158 per unit.") == []
    assert liquids.qualifier == "attributed to liquids"  # whose share it is
    assert kinds(facts, "sees full-year 2021 production 30% attributed to liquids.") == []
    assert "wrong_qualifier" in kinds(facts, "sees full-year 2021 production 30% attributed "
                                      "to oil.")
    assert "wrong_qualifier" in kinds(facts, "sees full-year 2021 production 2.15 bcfe "
                                      "attributed to liquids.")
    assert "wrong_guidance" in kinds(facts, "fy capital expenditures of approximately $4.2 "
                                     "billion.")


def test_a_figure_given_as_a_loss_of_is_negative() -> None:
    facts, _, text = report_from_call({"ticker": "X", "quarter": 2, "year": 2021, "bullets": [
        "r&m segment income from operations was $224 million in q2 of 2021, compared with a "
        "loss of $1.5 billion.",
        "quarterly loss per share $0.06.",
        "sees fiscal year 2021 eps-diluted from loss of $0.06 to earnings of $0.09."]})
    assert facts.metrics[0].prior_value == -1500.0
    assert kinds(facts, text) == []  # the quarter's loss is traced to the result, not the outlook
    # the v27 audit: the prior year's loss written as a profit
    assert kinds(facts, "q2 of 2021 r&m segment income from operations was $224 million, "
                 "compared to $1.5 billion last year period.") == ["wrong_direction"]


def test_facts_the_v29_hand_audit_found_misread() -> None:
    facts, _, text = report_from_call({"ticker": "X", "quarter": 4, "year": 2021, "bullets": [
        "qtrly earnings per share from continuing operations $2.05.",
        "quarter-end private client group assets under administration of $1.12 trillion, up "
        "26% over sept 2020.",
        "expects 2021 raw material cost increases to exceed 10% on a full year basis."]})
    eps, aua, cost = facts.metrics
    assert kinds(facts, text) == []
    # "excluding items" after a qualifier still makes the figure an adjusted one
    assert "wrong_metric" in kinds(facts, "q4 earnings per share $2.05 from continuing "
                                   "operations excluding items.")
    # administered assets are not managed ones, and the comparison date is not the figure's
    assert (aua.name, aua.period, facts.periods[aua.prior_period].month) == ("aua", None, 9)
    assert "wrong_metric" in kinds(facts, "q4 private client group assets under management "
                                   "of $1.12 trillion.")
    assert "wrong_period" in kinds(facts, "sept 2020 private client group assets under "
                                   "administration of $1.12 trillion.")
    # a bound word never names the figure
    assert cost.surface == "raw material cost" and cost.bounds == {"value": "exceed"}
    more, _, _ = report_from_call({"ticker": "X", "quarter": 4, "year": 2021, "bullets": [
        "qtrly rev from continuing oper up 2.3% to $1.9 bln.",
        "sees 2022 capital plan of $4.3 to $4.7 billion."]})
    rev, plan = more.metrics
    assert concepts(rev.qualifier) == {"continuing operations"}  # the abbreviation, too
    assert (plan.name, plan.value, plan.value_high) == ("capex", 4.3, 4.7)  # was nameless
    # a tax basis or reinsurance the source never named is an invented qualifier
    income, _, _ = report_from_call({"ticker": "X", "quarter": 2, "year": 2021, "bullets": [
        "r&m segment income from operations was $224 million in q2 of 2021.",
        "q2 net earnings included a $187 million post-tax benefit."]})
    assert kinds(income, "q2 r&m segment income from operations $224 million. q2 net "
                 "earnings included a $187 million post-tax benefit.") == []
    for invented in ("pre-tax", "after-tax", "net of reinsurance"):
        assert "wrong_qualifier" in kinds(income, f"q2 r&m segment income from operations, "
                                          f"{invented}, $224 million.")
    assert {"wrong_qualifier", "wrong_metric"} & set(kinds(
        income, "q2 net earnings included a $187 million pre-tax benefit."))


def test_a_provision_that_was_a_benefit_and_a_share_of_loans_v32() -> None:
    """v32's one unreleased fact set (KeyCorp): a released provision reversal written as a
    plain provision drops its sign; a charge-off ratio is not the loans' own figure."""
    facts, _, text = report_from_call({"ticker": "KEY", "quarter": 2, "year": 2022, "bullets": [
        "provision for credit losses was a net benefit of $222 million.",
        "net loan charge-offs for q2 of 2021 totaled $22 million, or 0.09% of average total "
        "loans.",
        "qtrly provision for loan losses decreased $165 million to a benefit of $182 million."]})
    provision, charge_offs, ratio, second = facts.metrics
    assert (provision.value, second.value, second.change) == (-222.0, -182.0, -165.0)
    assert (ratio.name, ratio.surface, ratio.value) == ("other", "average total loans", 0.09)
    assert kinds(facts, text) == []
    assert "wrong_direction" in kinds(facts, "provision for credit losses was $222 million.")
    assert "wrong_metric" in kinds(facts, "total loans were 0.09%.")
    assert kinds(facts, "net loan charge-offs of $22 million were 0.09% of average total "
                 "loans.") == []


def test_positioned_to_deliver_is_an_outlook() -> None:
    facts, _, text = report_from_call({"ticker": "IPG", "quarter": 1, "year": 2021, "bullets": [
        "interpublic group of companies - positioned to deliver fy 2021 organic growth of 5.0% "
        "to 6.0% and adjusted ebita margin of about 15.5%."]})
    growth, margin = facts.metrics
    assert growth.guidance and margin.guidance
    assert kinds(facts, text) == []
    # stated as a result, it is not the outlook the facts hold
    assert kinds(facts, "fy 2021 organic growth was 5.0% to 6.0%.") != []


def test_one_outlook_given_twice_is_covered_by_two_sentences() -> None:
    # ECTSum val set 105: the same range as a raised "fy" view and as a "2021" guidance.
    # A status ("increases") a text may leave out must not pull both sentences onto the
    # fact without it, leaving the raised view uncovered.
    facts, _, _ = report_from_call({"ticker": "IDA", "quarter": 2, "year": 2021, "bullets": [
        "idacorp qtrly earnings per share $1.38.",
        "idacorp inc increases fy earnings per share view $4.70 to $4.90.",
        "sees 2021 idacorp earnings guidance (per share) $ 4.70 – $4.90."]})
    assert len(facts.metrics) == 3
    detail = check_text(facts, "qtrly earnings per share $1.38. sees fy earnings per share "
                               "$4.70 to $4.90. sees 2021 eps $ 4.70 to $4.90.")
    assert detail.faithful and detail.coverage == 1.0, detail.findings


def test_a_dividend_per_diluted_share_and_a_ratio_per_share_are_caught() -> None:
    # v36 audit: "special dividend was $1.11 per diluted share", "1.3x per share"
    facts, _, text = report_from_call({"ticker": "X", "quarter": 4, "year": 2021, "bullets": [
        "declared a special dividend of $1.11 per share.",
        "cash flows from operations for the full year 2021 were $22.3 billion or 1.3x "
        "times net income."]})
    assert kinds(facts, text) == []
    assert "wrong_unit" in kinds(facts, "q4 special dividend was $1.11 per diluted share.")
    assert kinds(facts, "q4 special dividend was $1.11 per share.") == []
    assert "wrong_unit" in kinds(facts, "full year 2021 times net income of 1.3x per share.")
