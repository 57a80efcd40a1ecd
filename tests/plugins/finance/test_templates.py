"""Delexicalisation: attachment, exact round trip, reports of whole calls."""

from __future__ import annotations

import pytest

from aigc_plugins.finance.facts import FinancialFacts, FiscalPeriod, MetricFact
from aigc_plugins.finance.templates import (
    SLOT_RE,
    delexicalise,
    metric_signature,
    realise,
    report_from_call,
    slot_set,
    slot_tokens,
)

CALL = {"ticker": "AAN", "quarter": 1, "year": 2021, "bullets": [
    "q1 revenue rose 11.1 percent to $481.1 million.",
    "q1 non-gaap earnings per share $1.24.",
    "sees fy revenue $1.725 billion to $1.775 billion.",
    "q1 adjusted earnings per share $1.24 versus refinitiv ibes estimate of $1.10.",
]}


def fields(facts, i: int) -> dict:
    m = facts.metrics[i]
    return {f: round(m.get(f), 6) for f in m.fields()}


def test_numbers_attach_to_their_metric_with_roles_and_direction() -> None:
    facts, t = delexicalise(CALL["bullets"][0], CALL)
    assert t == "<p0> <m0.name> rose <m0.change> to <m0.value>."
    m = facts.metrics[0]
    assert (m.name, m.surface, m.direction, m.unit, m.scale, m.change_unit) == (
        "revenue", "revenue", "up", "currency", "million", "percent")
    assert fields(facts, 0) == {"value": 481.1, "change": 11.1}
    assert facts.periods[0].quarter == 1 and facts.periods[0].year == 2021


@pytest.mark.parametrize(("text", "name", "expected", "direction"), [
    ("qtrly net sales $175.6 million versus $151.3 million.", "revenue",
     {"value": 175.6, "prior": 151.3}, None),
    ("q4 sales fell 12 percent to $226.9 million.", "revenue",
     {"value": 226.9, "change": -12.0}, "down"),
    ("sees fy revenue up 25 to 28 percent.", "revenue",
     {"change": 25.0, "change_high": 28.0}, "up"),
    ("trueblue q2 loss per share $0.23.", "eps", {"value": -0.23}, None),
    ("q2 sales $2.6 billion versus refinitiv ibes estimate of $2.64 billion.", "revenue",
     {"value": 2.6, "estimate": 2.64}, None),
    ("increased q2 dividend $0.02 to $.42 per share.", "dividend",
     {"value": 0.42, "change": 0.02}, "up"),
    ("qtrly gross margin increased 170 basis points to 46.5 percent.", "gross margin",
     {"value": 46.5, "change": 170.0}, "up"),
    ("sees fy 2020 free cash flow usage in the range of $8 to $12 million, changed from "
     "previous range of $7 to $10 million.", "free cash flow",
     {"value": 8.0, "high": 12.0, "prior": 7.0, "prior_high": 10.0}, None),
    ("net interest income increased by $13.5 million to $148.7 million for q3 of 2020, "
     "compared to $135.2 million for q2 of 2020.", "net interest income",
     {"value": 148.7, "prior": 135.2, "change": 13.5}, "up"),
])
def test_attachment_on_real_bullet_shapes(text: str, name: str, expected: dict,
                                          direction: str | None) -> None:
    facts, t = delexicalise(text)
    assert realise(t, facts) == text
    m = facts.metrics[0]
    assert (m.name, fields(facts, 0), m.direction) == (name, expected, direction)


def test_right_attachment_and_adjusted_names() -> None:
    facts, t = delexicalise("continues to plan for $9 billion in share repurchases and "
                            "$2 billion in capital expenditures in fiscal 2021.")
    assert [m.name for m in facts.metrics] == ["share repurchases", "capex"]
    assert all(m.guidance for m in facts.metrics)
    facts, _ = delexicalise("q1 non-gaap earnings per share $1.24.")
    assert facts.metrics[0].name == "adjusted eps"
    assert facts.metrics[0].qualifier == "non-gaap"


def test_realise_writes_new_values_in_the_learnt_style() -> None:
    facts, t = delexicalise(CALL["bullets"][2])
    assert t == "sees <p0> <m0.name> <m0.value> to <m0.high>."
    facts.metrics[0].value, facts.metrics[0].value_high = 1.8, 1.9254
    assert realise(t, facts) == "sees fy revenue $1.800 billion to $1.925 billion."


def test_realise_user_facts_without_styles() -> None:
    facts = FinancialFacts(periods=[FiscalPeriod(kind="quarter", quarter=3, year=2021)],
                           metrics=[MetricFact(name="revenue", scale="million", value=1250.5,
                                               change=-4.2, change_unit="percent")])
    assert realise("<p0> revenue fell <m0.change> to <m0.value>.", facts) == \
        "q3 2021 revenue fell 4.2% to $1250.5 million."
    with pytest.raises(ValueError, match="facts have 1 metrics"):
        realise("<m1.value>", facts)


def test_report_from_call_merges_repeats_and_keeps_ids() -> None:
    facts, templates, text = report_from_call(CALL)
    assert " ".join(realise(t, facts) for t in templates) == text
    eps = [i for i, m in enumerate(facts.metrics) if m.name == "adjusted eps"]
    assert len(eps) == 1  # "$1.24" stated twice is one fact, completed by the estimate
    assert fields(facts, eps[0]) == {"value": 1.24, "estimate": 1.1}
    assert f"<m{eps[0]}.value>" in templates[1] and f"<m{eps[0]}.value>" in templates[3]
    assert slot_set(templates[2]) == {"<p1>", "<m2.name>", "<m2.value>", "<m2.high>"}
    assert metric_signature(facts) == ("adjusted eps:-", "revenue:-", "revenue:up")


def test_slot_tokens_stay_whole_in_a_bpe_tokenizer() -> None:
    tokenizers = pytest.importorskip("tokenizers")
    tok = tokenizers.Tokenizer(tokenizers.models.BPE(unk_token="[UNK]"))
    tok.pre_tokenizer = tokenizers.pre_tokenizers.ByteLevel(add_prefix_space=False)
    trainer = tokenizers.trainers.BpeTrainer(vocab_size=300, special_tokens=["[UNK]"])
    tok.train_from_iterator(["q1 revenue rose to million"] * 10, trainer)
    tokens = slot_tokens(4, 2)
    assert all(SLOT_RE.fullmatch(t) for t in tokens) and len(tokens) == 4 * 8 + 2
    tok.add_tokens(tokens)
    enc = tok.encode("<p0> revenue rose <m0.change> to <m3.value>.")
    assert {"<p0>", "<m0.change>", "<m3.value>"} <= set(enc.tokens)


def test_exact_round_trip_on_real_calls(ectsum_train: list[dict]) -> None:
    ok = n = 0
    for record in ectsum_train:
        facts, templates, text = report_from_call(record)
        assert " ".join(realise(t, facts) for t in templates) == text
        for bullet, t in zip(record["bullets"], templates):
            ok += realise(t, facts) == bullet
            n += 1
        if n >= 1000:
            break
    assert ok / n >= 0.99


def test_a_metric_outside_the_synonym_table_is_named_by_its_own_words() -> None:
    sentence = "domestic systemwide revpar decreased 25.1% for q4 2020."
    facts, t = delexicalise(sentence)
    assert t == "<m0.name> decreased <m0.change> for <p0>."
    assert facts.metrics[0].name == "other"
    assert facts.metrics[0].surface == "domestic systemwide revpar"
    assert realise(t, facts) == sentence
    facts, t = delexicalise("compname says co has supply capacity of more than 100 million "
                            "tests per month.")
    assert facts.metrics[0].surface == "supply capacity" and "<m0.name>" in t


def test_name_slot_writes_the_surface_or_the_canonical_name() -> None:
    facts, t = delexicalise("q3 net sales rose 5% to $1.2 billion.")
    assert t == "<p0> <m0.name> rose <m0.change> to <m0.value>."
    assert facts.metrics[0].name == "revenue" and facts.metrics[0].surface == "net sales"
    bare = facts.model_copy(deep=True)
    bare.metrics[0].surface = ""
    assert realise(t, bare) == "q3 revenue rose 5% to $1.2 billion."


def test_words_that_do_not_name_the_metric_alone_stay_literal() -> None:
    facts, t = delexicalise("compname reports q3 earnings of $3.23 per share.")
    m = facts.metrics[0]
    assert m.name == "eps" and m.surface == "earnings" and m.phrase() == "eps"
    assert t == "compname reports <p0> earnings of <m0.value> per share."
    loss = m.model_copy(update={"value": -0.12})
    assert loss.phrase() == "loss per share"  # never "eps $0.12" for a loss


def test_a_bound_is_part_of_its_slot() -> None:
    facts, template = delexicalise("board authorized repurchase of up to $200 million of shares.")
    assert template.endswith(" of <m0.value> of shares.")  # "up to" is in the slot
    assert facts.metrics[0].bounds == {"value": "up to"}
    assert realise(template, facts) == "board authorized repurchase of up to $200 million of " \
                                       "shares."
    with pytest.raises(ValueError, match="not a bound"):
        MetricFact(name="revenue", value=1.0, bounds={"value": "roughly"})


@pytest.mark.parametrize(("text", "expected"), [
    # the same change in other units is a second change, not a value
    ("qtrly railway operating revenues of $2.6 billion increased 1%, or $14 million.",
     [("revenue", "railway", {"value": 2.6, "change": 1.0}),
      ("revenue", "railway", {"change": 14.0})]),
    # a share of another metric is neither metric's change
    ("allowance for credit losses totaled $1.52 billion or 1.62% of loans outstanding.",
     [("credit loss allowance", None, {"value": 1.52}), ("other", None, {"value": 1.62})]),
    ("allowance for credit losses declined $310 million during quarter.",
     [("credit loss allowance", None, {"change": -310.0})]),
    ("q3 adj earnings per share $1.10.", [("adjusted eps", None, {"value": 1.1})]),
    # no segment: a period word, a verb, another metric before it
    ("third-quarter revenue was $5 million.", [("revenue", None, {"value": 5.0})]),
    ("lifts dividend to $0.50 per share.", [("dividend", None, {"value": 0.5})]),
    ("operating income of $3 million and north america revenue of $9 million.",
     [("operating income", None, {"value": 3.0}), ("revenue", "north america",
                                                    {"value": 9.0})]),
    # a ratio's own percentage of its base is its value
    ("gross margin was 40.1% of net sales.", [("gross margin", None, {"value": 40.1})]),
    ("qtrly adjusted sg&a as a percentage of gross profit was 64.4%, up 800 basis points.",
     [("expenses", None, {"value": 64.4, "change": 800.0})]),
    ("q4 earnings per share $1.93 excluding items.", [("adjusted eps", None, {"value": 1.93})]),
    # bound words between "to" and the number: still the level reached, not the change
    ("adjusted ebitda guidance increased to exceed $215 million.",
     [("adjusted ebitda", None, {"value": 215.0})]),
])
def test_segments_restated_changes_and_shares(text: str, expected: list) -> None:
    facts, t = delexicalise(text)
    assert realise(t, facts) == text
    got = [(m.name, m.segment(), fields(facts, i)) for i, m in enumerate(facts.metrics)]
    assert got == expected


def test_project_is_an_outlook_cue_and_nareit_stays_in_the_name() -> None:
    facts, _ = delexicalise("compname says project q2 sales to decline 13% to 14%.")
    assert facts.metrics[0].guidance
    # an outlook cue after the number, and for a metric outside the synonym table
    facts, _ = delexicalise("2022 sales growth of about 6% is expected to continue.")
    assert facts.metrics[0].guidance
    facts, _ = delexicalise("expect to achieve annual pre-tax savings of $11 million.")
    assert (facts.metrics[0].name, facts.metrics[0].guidance) == ("other", True)
    facts, t = delexicalise("qtrly nareit ffo was $26.7 million, or $0.32 per diluted share.")
    assert [m.phrase() for m in facts.metrics] == ["nareit ffo", "nareit ffo"]
    assert t.startswith("<p0> <m0.name> was")  # "qtrly" is a period slot


def test_organic_growth_is_an_organic_revenue_change() -> None:
    # before: the range attached to the next metric ("margin up 5.0% to 6.0%, at 15.5%")
    facts, t = delexicalise("fy 2021 organic growth of 5.0% to 6.0% and adjusted ebita "
                            "margin of about 15.5%.")
    got = [(m.name, m.qualifier, m.change, m.change_high, m.value) for m in facts.metrics]
    assert got == [("revenue", "organic", 5.0, 6.0, None), ("margin", None, None, None, 15.5)]
    # before: "with organic growth of 19.8%" was read as revenue's prior value
    facts, t = delexicalise("q2 net revenue was $2.27 billion, an increase of 22.5% from a "
                            "year ago, with organic growth of 19.8%.")
    assert [(m.qualifier, m.change, m.prior_value) for m in facts.metrics] == [
        (None, 22.5, None), ("organic", 19.8, None)]


def test_a_level_that_moves_in_points_is_a_value_not_a_change() -> None:
    # before: 64.4% beside an expense was read as its change, then 800 bps as a second one
    facts, t = delexicalise("q3 adjusted sg&a was 64.4%, up 800 basis points.")
    m = facts.metrics[0]
    assert (m.name, m.value, m.change, m.change_unit, m.direction) == (
        "expenses", 64.4, 800.0, "bps", "up")
    assert t == "<p0> <m0.name> was <m0.value>, up <m0.change>."


def test_a_change_compared_against_two_periods_is_two_changes() -> None:
    # before: the 38% became 2019's prior value and the metric was named "compared"
    facts, t = delexicalise("total attendance for q1 2021 declined 15% compared to 2020 and "
                            "38% compared to 2019.")
    got = [(m.change, m.prior_value, m.surface or None, facts.periods[m.period].year,
            facts.periods[m.prior_period].year) for m in facts.metrics]
    # the name stands before the period: "total attendance for q1 2021 declined"
    assert got == [(-15.0, None, "total attendance", 2021, 2020),
                   (-38.0, None, "total attendance", 2021, 2019)]
    assert realise(t, facts) == ("total attendance for q1 2021 declined 15% compared to 2020 "
                                 "and 38% compared to 2019.")


def test_a_change_range_restated_from_a_range_keeps_both_ranges() -> None:
    facts, _ = delexicalise("2021 constant currency revenue growth outlook reduced to 8.00% to "
                            "9.00% from 8.50% to 9.75% previously.")
    m = facts.metrics[0]
    assert (m.change, m.change_high, m.prior_value, m.prior_high, m.value) == (
        8.0, 9.0, 8.5, 9.75, None)


def test_a_comparison_word_never_names_a_metric_and_estimates_that_is_an_outlook() -> None:
    facts, _ = delexicalise("estimates its average selling price per ton sold for q4 2020 "
                            "will be flat to up 2% versus q3.")
    m = facts.metrics[0]
    # the name stands before its period and verb ("... for q4 2020 will be"), not "versus"
    assert (m.surface, m.change, m.guidance) == ("price per ton sold", 2.0, True)
    assert facts.periods[m.prior_period].quarter == 3


@pytest.mark.parametrize(("sentence", "name"), [
    ("reaffirmed nfe per share (nfeps) guidance of $1.55 to $1.65 for fiscal 2021.", "nfeps"),
    ("new jersey reaffirms nfe/share outlook of $1.55 to $1.65 for 2021.", "nfe/share"),
    ("sees guidance of $5 million.", ""),  # nothing names it
])
def test_an_unknown_name_is_found_past_guidance_words_and_status_verbs(
        sentence: str, name: str) -> None:
    facts, _ = delexicalise(sentence)
    assert facts.metrics[0].surface == name


def test_a_number_the_metric_includes_is_the_part_named_after_it() -> None:
    # before: "$187 million" became net earnings and "$0.33" its eps
    facts, _ = delexicalise("q3 net earnings included a $187 million post-tax benefit, or $0.33 "
                            "per diluted share.")
    assert [(m.name, m.surface, m.value, m.unit) for m in facts.metrics] == [
        ("other", "post-tax benefit", 187.0, "currency"),
        ("other", "post-tax benefit", 0.33, "per_share")]
    facts, _ = delexicalise("full-year 2022 guidance reaffirmed for revenue including a $70 "
                            "million revenue headwind from foreign exchange.")
    assert [(m.name, m.surface) for m in facts.metrics] == [("other", "revenue headwind")]
    # a named metric right after the number keeps its name; no name after: the part is
    # still the metric before ("charges ..., including $14 million in q4")
    facts, _ = delexicalise("qtrly underwriting income of $499 million included $189 million of "
                            "catastrophe losses.")
    assert [(m.name, m.value) for m in facts.metrics] == [
        ("underwriting income", 499.0), ("catastrophe losses", 189.0)]
    facts, _ = delexicalise("recognized $514 million of pre-tax charges to date, including $14 "
                            "million in q4 of 2021.")
    assert [(m.name, m.value) for m in facts.metrics] == [("charges", 514.0), ("charges", 14.0)]


def test_a_number_said_to_be_like_the_prior_year_is_this_years() -> None:
    facts, _ = delexicalise("sees fy 2020 adjusted ebitda similar to prior year, in the range of "
                            "$27 to $30 million.")
    m = facts.metrics[0]
    assert (m.value, m.value_high, m.prior_value, m.guidance) == (27.0, 30.0, None, True)


def test_a_basis_aside_and_an_auxiliary_do_not_bend_the_roles() -> None:
    # before: "versus prior year period" made the growth range a prior value, "estimates"
    # joined the metric's name, and the sentence was not an outlook
    facts, t = delexicalise("estimates net sales growth for q4, versus prior year period, to "
                            "be in a range of about 13 to 17 percent.")
    m = facts.metrics[0]
    assert (m.name, m.surface, m.guidance, m.direction) == ("revenue", "net sales", True, "up")
    assert fields(facts, 0) == {"change": 13.0, "change_high": 17.0}
    # an analysts' figure after the number is no outlook
    facts, _ = delexicalise("q1 revenue $5.2 million versus estimates of $4.9 million.")
    assert not facts.metrics[0].guidance
    # before: "will" ended the name's run, so the metric had no words at all
    facts, t = delexicalise("widget shipments will be down 4% to 6% in q4 compared to prior "
                            "quarter.")
    assert facts.metrics[0].phrase() == "widget shipments"
    assert t.startswith("<m0.name> will be down <m0.change> to <m0.change_high>")


def test_an_unknown_name_may_hold_sold_or_per_between_its_words() -> None:
    facts, t = delexicalise("q3 tons sold 1,000, down 4%.")
    assert (facts.metrics[0].phrase(), t) == ("tons sold", "<p0> <m0.name> <m0.value>, down "
                                              "<m0.change>.")
    facts, _ = delexicalise("q3 average selling price per ton sold $1,683.")
    assert facts.metrics[0].phrase() == "price per ton sold"
    facts, _ = delexicalise("compname sold 225 million covid-19 tests.")
    assert facts.metrics[0].phrase() == "covid-19 tests"  # "sold" alone names nothing
    facts, _ = delexicalise("expect run-rate annual savings in range of $40 million to $50 "
                            "million.")
    assert facts.metrics[0].phrase() == "savings"


def test_a_change_after_a_closed_comparison_is_a_change_not_the_prior_figure() -> None:
    # before: the 20% became the prior period's value of net sales
    facts, t = delexicalise("qtrly net sales of $460.3 million increased 22% versus 2020, up "
                            "20% in local currency.")
    assert [(m.name, m.change, m.prior_value, m.qualifier) for m in facts.metrics] == [
        ("revenue", 22.0, None, None), ("revenue", 20.0, None, "in local currency")]
    assert realise(t, facts) == ("qtrly net sales of $460.3 million increased 22% versus 2020, "
                                 "up 20% in local currency.")


@pytest.mark.parametrize(("sentence", "surface"), [
    ("qtrly same-store new vehicle unit sales increased 22%.", "new vehicle unit sales"),
    # the country names the market too (v31 audit: "u.s." was dropped after three words)
    ("u.s. new and used vehicle revenue growth of more than 20 percent.",
     "u.s. new and used vehicle revenue"),
    ("new revenue record of $5 million.", "revenue"),  # "new" names no segment here
])
def test_new_and_used_name_a_segment_before_what_is_sold(sentence: str, surface: str) -> None:
    facts, _ = delexicalise(sentence)
    assert facts.metrics[0].surface == surface


def test_a_verb_before_a_count_names_nothing_when_the_counted_words_follow() -> None:
    facts, _ = delexicalise("administered more than 8 million covid-19 tests in q3.")
    assert (facts.metrics[0].surface, facts.metrics[0].value) == ("covid-19 tests", 8.0)
    facts, _ = delexicalise("homes closed 2,000 in q3.")  # nothing after: the words before
    assert facts.metrics[0].surface == "homes closed"


def test_a_period_right_after_a_figure_is_that_figures() -> None:
    # before: both savings were 2022's, so "$625 million in 2022" passed the filter
    facts, t = delexicalise("expects pre-tax savings of $540 million in 2022 and $625 million "
                            "in 2023.")
    assert [(m.value, facts.periods[m.period].year) for m in facts.metrics] == [
        (540.0, 2022), (625.0, 2023)]
    assert realise(t, facts) == ("expects pre-tax savings of $540 million in 2022 and $625 "
                                 "million in 2023.")


def test_a_bullet_cut_after_versus_is_read_with_the_next() -> None:
    bullets = ["q1 gaap earnings per share $0.85.",
               "qtrly net sales of $460.3 million increased 22% versus.",
               "2020, up 20% in local currency."]
    facts, templates, text = report_from_call({"ticker": "X", "quarter": 1, "year": 2021,
                                               "bullets": bullets})
    assert len(templates) == 2 and text == " ".join(bullets)
    assert " ".join(realise(t, facts) for t in templates) == text
    reported, local = facts.metrics[1:]
    assert (reported.name, reported.value, reported.change) == ("revenue", 460.3, 22.0)
    # before: a metric of its own, "other", with nothing to name it by
    assert (local.name, local.change, local.qualifier) == ("revenue", 20.0, "in local currency")
