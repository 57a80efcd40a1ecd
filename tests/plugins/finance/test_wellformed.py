"""Sentence-shape checks on drawn templates (no model needed)."""

from __future__ import annotations

import pytest

from aigc_plugins.finance.wellformed import shape_ok


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
