"""Sentence-shape checks on drawn templates (no model needed)."""

from __future__ import annotations

import pytest

from aigc_plugins.finance.wellformed import attribution, shape_ok


@pytest.mark.parametrize("template", [
    "<p0> <m0.name> increased <m0.change> to <m0.value>.",
    "<p0> <m0.name> <m0.value> versus refinitiv ibes estimate of <m0.estimate>.",
    "sees <p0> <m0.name> of <m0.value> to <m0.high>.",
])
def test_whole_sentences_pass(template: str) -> None:
    assert shape_ok(template)


@pytest.mark.parametrize("template", [
    "<p0> <m0.name> increased <m0.change> to s.",  # trails off on a fragment
    "<p0> <m0.name> increased <m0.change> to .",
    "<p0> <m0.name> <m0.value> versus refinitiv ibes estimate of plans.",  # no number
    "<p0> <m0.name> of at least <m0.value>.",
])
def test_sentences_that_stop_short_or_name_an_estimate_without_its_number_fail(
        template: str) -> None:
    assert not shape_ok(template)


@pytest.mark.parametrize(("glued", "spaced"), [
    ("<p0> <m0.name> was<m0.value>.", "<p0> <m0.name> was <m0.value>."),
    ("<p0> will<m0.name> were <m0.value>.", None),  # writes "willadministered"
    ("sees <p0> <m0.name> of<m0.value> to <m0.high>.",
     "sees <p0> <m0.name> of <m0.value> to <m0.high>."),
    ("<p0> <m0.name> rose <m0.change>from <p1>.", "<p0> <m0.name> rose <m0.change> from <p1>."),
    ("<p0> <m0.name> of <m0.value>in <p1>.", "<p0> <m0.name> of <m0.value> in <p1>."),
])
def test_a_slot_glued_to_a_word_fails(glued: str, spaced: str | None) -> None:
    assert not shape_ok(glued)
    assert spaced is None or shape_ok(spaced)


@pytest.mark.parametrize(("broken", "whole"), [
    ("<p0> <m0.name> increased <m0.change> to $.", "<p0> <m0.name> increased <m0.change>."),
    ("<p0> <m0.name> grew <m0.change> versus \u200d.", "<p0> <m0.name> grew <m0.change>."),
    ("<p0> <m0.name> \ufeffrose <m0.change>.", "<p0> <m0.name> rose <m0.change>."),
])
def test_a_currency_sign_without_a_number_or_an_invisible_character_fails(
        broken: str, whole: str) -> None:
    assert not shape_ok(broken)
    assert shape_ok(whole)


def test_attribution_reads_the_name_before_a_leading_dash() -> None:
    assert attribution("distribution & directors realty trust - quarterly dividend of "
                       "<m0.value>.") == {"distribution", "directors", "realty", "trust"}
    assert attribution("<p0> acme corp - <m0.name> rose <m0.change>.") == {"acme", "corp"}
    assert attribution("compname - <p0> <m0.name> <m0.value>.") == {"compname"}
    # a range's dash is no attribution
    assert attribution("sees <p0> <m0.name> <m0.value> - <m0.high>.") == set()
    assert attribution("<p0> <m0.name> <m0.value> - <m0.high>.") == set()


@pytest.mark.parametrize("template", [
    "compname says <p0> <m0.name> declined <m0.change>, driven by tax network.",
    "<p0> <m0.name> of <m0.value>, reflecting higher volumes.",
    "<p0> <m0.name> rose <m0.change> due to acquisitions.",
    "<p0> <m0.name> of <m0.value>, primarily from the energy segment.",
    "for <p0>, expects <m0.name> will be between <m0.value>.",  # "between" one number
    "<m0.name> in end of <p0>, a range of <m0.value>.",  # v36 audit
    # v37 audit: the analysts named where no estimate is stated
    "<m0.name> by approximately <m0.value> at refinitiv ibes estimate of <p0>.",
])
def test_a_reason_or_a_one_number_range_fails(template: str) -> None:
    # facts hold no causes: any reason the decoder gives is invented
    assert not shape_ok(template)
    assert shape_ok("sees <p0> <m0.name> in a range of <m0.value> to <m0.high>.")
    assert shape_ok("<p0> <m0.name> <m0.value> versus refinitiv ibes estimate of "
                    "<m0.estimate>.")
    assert shape_ok("for <p0>, company now expects <m0.name> of <m0.change>-<m0.change_high>, "
                    "compared to a previous estimate of <m0.prior>-<m0.prior_high>.")


@pytest.mark.parametrize(("garbled", "whole"), [
    ("<p0> <m0.name> of <m0.change> increase in the prior year.",
     "<p0> <m0.name> of <m0.change> increase over the prior year."),
    ("<p0> <m0.name> was <m0.value>, an increase of <m0.change> year end.",
     "<p0> <m0.name> was <m0.value>, an increase of <m0.change> from year end."),
    ("<p0> <m0.name> up <m0.change> increase in prior quarter.",
     "<p0> <m0.name> decreased <m0.change> compared to a <m0.prior> decrease in prior "
     "quarter."),
])
def test_a_change_placed_in_its_comparison_period_fails(garbled: str, whole: str) -> None:
    # v30/v31 audits: the decoder garbled "over the prior year" into a claim about it
    assert not shape_ok(garbled)
    assert shape_ok(whole)


def test_per_diluted_is_said_of_a_share_only() -> None:
    # v34 audit: "... per vehicle retailed ... per diluted net income from prior period"
    assert not shape_ok("<p0> <m0.name> was <m0.value> per diluted net income.")
    assert shape_ok("<p0> <m0.name> was <m0.value> per diluted share.")
    assert shape_ok("<p0> earnings per diluted class a nonvoting common share <m0.value>.")
