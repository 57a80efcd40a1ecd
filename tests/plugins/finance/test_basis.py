"""The basis of a stated change (year over year, sequential, constant currency) is checked."""

from __future__ import annotations

from aigc_plugins.finance.basis import relation
from aigc_plugins.finance.facts import FiscalPeriod
from aigc_plugins.finance.faithfulness import check_text
from aigc_plugins.finance.templates import report_from_call


def kinds(facts, text: str) -> list[str]:
    return [k for k, _ in check_text(facts, text).findings if k != "missing_fact"]


def q(quarter: int, year: int) -> FiscalPeriod:
    return FiscalPeriod(kind="quarter", quarter=quarter, year=year)


def test_relation_of_two_periods() -> None:
    assert relation(q(3, 2021), q(3, 2020)) == "year"
    assert relation(q(3, 2021), q(2, 2021)) == "quarter"
    assert relation(q(1, 2021), q(4, 2020)) == "quarter"
    assert relation(FiscalPeriod(kind="year", year=2021), FiscalPeriod(kind="year", year=2020)) \
        == "year"
    assert relation(q(3, 2021), q(1, 2021)) == "other"
    assert relation(q(3, 2021), None) is None
    assert relation(FiscalPeriod(kind="quarter", quarter=3), q(2, 2021)) is None


def test_a_basis_the_facts_do_not_hold_is_caught() -> None:
    facts, _, text = report_from_call({"ticker": "X", "quarter": 3, "year": 2021, "bullets": [
        "q3 2021 drilling revenue of $1.7 billion, up 4% from q2 2021."]})
    m = facts.metrics[0]
    assert relation(facts.periods[m.period], facts.periods[m.prior_period]) == "quarter"
    assert kinds(facts, text) == []
    assert kinds(facts, "q3 2021 drilling revenue rose 4% sequentially to $1.7 billion.") \
        == []
    for wrong in ["q3 2021 drilling revenue rose 4% year over year to $1.7 billion.",
                  "q3 2021 drilling revenue grew 4% compared-over-year to $1.7 billion.",
                  "q3 2021 drilling revenue rose 4% to $1.7 billion from the prior year."]:
        d = check_text(facts, wrong)
        assert [k for k, _ in d.findings if k != "missing_fact"] == ["unsupported_basis"], wrong
        assert not d.faithful and d.claim_correctness < 1.0


def test_a_basis_named_in_words_is_kept_and_no_other_may_be_added() -> None:
    # "a 9.7 percent increase year-over-year" names no prior period: its words are the
    # basis. A change the source gives no basis for gets none (v36 audit: "up 27%" was
    # released as "up 27% year-over-year", "increased 11% ... from prior year")
    facts, _, text = report_from_call({"ticker": "X", "quarter": 1, "year": 2021, "bullets": [
        "q1 revenue rose 11.1 percent year-over-year to $481.1 million.",
        "q1 gross profit was $2,154, up 11%."]})
    revenue, profit = facts.metrics
    assert revenue.prior_period is None and revenue.basis == "year"
    assert profit.basis is None
    assert kinds(facts, text) == []
    assert kinds(facts, "q1 revenue rose 11.1 percent sequentially to $481.1 million.") == [
        "unsupported_basis"]
    assert kinds(facts, "q1 revenue rose 11.1 percent to $481.1 million.") == []  # omitted
    for added in ["q1 gross profit was $2,154, up 11% year-over-year.",
                  "q1 gross profit was $2,154, up 11% from prior year.",
                  "q1 gross profit was $2,154, up 11% sequentially."]:
        assert kinds(facts, added) == ["unsupported_basis"], added


def test_a_quarter_compared_without_its_year_is_the_one_before() -> None:
    # v34 audit: "a 5% increase when compared to q2" (a q3 report) was released as "up 5%
    # year-over-year"; the comparison was never read after "increase when"
    facts, _, text = report_from_call({"ticker": "X", "quarter": 3, "year": 2021, "bullets": [
        "international revenue in q3 of 2021 was $2.2 billion, a 5% increase when compared "
        "to q2."]})
    assert facts.periods[facts.metrics[0].prior_period].quarter == 2
    assert check_text(facts, text).findings == []
    said = "q3 of 2021 international revenue of $2.2 billion, up 5% year-over-year."
    assert [k for k, _ in check_text(facts, said).findings] == ["unsupported_basis"]
    assert check_text(facts, "q3 of 2021 international revenue of $2.2 billion, up 5% "
                      "sequentially.").findings == []


def test_the_nearer_of_two_bases_belongs_to_the_number() -> None:
    facts, _, text = report_from_call({"ticker": "DCI", "quarter": 1, "year": 2021, "bullets": [
        "q2 sales expected to be up sequentially from q1, with a year-over-year change "
        "between a 4 percent decline and a 1 percent increase."]})
    assert facts.metrics[0].basis == "year"  # "sequentially" is the numberless "up"'s
    assert kinds(facts, text) == []


def test_a_bare_year_after_a_percentage_is_a_yearly_basis() -> None:
    # v37 audit: "up 21% year" for a dividend raised 21% from the prior quarter
    facts, _, _ = report_from_call({"ticker": "MDC", "quarter": 3, "year": 2020, "bullets": [
        "quarterly cash dividend of $0.40 per share declared, up 21% from prior quarter and "
        "33% from prior year."]})
    assert [m.basis for m in facts.metrics] == ["quarter", "year"]
    assert kinds(facts, "quarterly cash dividend of $0.40 per share, up 21% year.") == [
        "unsupported_basis"]
    assert kinds(facts, "quarterly cash dividend, up 33% year.") == []
