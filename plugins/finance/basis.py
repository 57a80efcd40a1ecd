"""The basis a stated change is measured on: "up 4% year over year" is a claim of its own.

A change fact holds the period it compares with (``MetricFact.prior_period``) when the
source said it ("up 4% from q2 2021"), and the basis it named in words when it named one
(``MetricFact.basis``: "a 9.7 percent increase year-over-year", "up 2% sequentially").
A generated sentence that states a basis must agree with them: "grew 4% year over year"
for a change against the previous quarter is false, and so is a basis the facts do not
hold at all ("revenue $5.90 billion, up 27%" written "up 27% year-over-year"; added bases
were the most common false claim of the v36 hand audit). Qualifiers such as "constant
currency" or "organic" are checked as qualifiers (qualifiers.py), not here.
"""

from __future__ import annotations

import re

from aigc_plugins.finance.facts import FinancialFacts, FiscalPeriod, MetricFact

_LINK = r"(?:than|versus|vs\.?|from|over|against|compared\s+(?:to|with))\s+(?:the\s+)?"
BASES: dict[str, re.Pattern[str]] = {
    "year": re.compile(
        r"\b(?:year[-\s]+over[-\s]+year|[a-z]+[-\s]over[-\s]year|yoy|y/y|year[-\s]ago|"
        r"a\s+year\s+(?:ago|earlier)|(?:prior|last|previous|same)[-\s]year(?:\s+period)?|"
        r"year\s+period|" + _LINK + r"(?:last|prior|previous)\s+year|"
        # "up 21% year" (a decoder's cut "year-over-year"), "5% year on year"
        r"(?:(?<=%\s)|(?<=percent\s))year(?![-\s]*(?:over|end|ago|earlier|to\b|period)))\b",
        re.I),
    "quarter": re.compile(
        r"\b(?:sequential(?:ly)?|quarter[-\s]+over[-\s]+quarter|q/q|qoq|"
        + _LINK + r"(?:last|prior|previous|preceding)\s+quarter)\b", re.I),
}
_SENTENCE_END = re.compile(r"[.;](?=\s|$)")


def relation(period: FiscalPeriod | None, prior: FiscalPeriod | None) -> str | None:
    """'year' when ``prior`` is the same period a year earlier, 'quarter' when it is the
    quarter before, 'other' for any other comparison; None when it cannot be told (a
    period without its year)."""
    if period is not None and prior is not None and prior.year is None and period.year \
            and period.kind == prior.kind == "quarter" and period.quarter and prior.quarter:
        # "up 5% when compared to q2" in a q3 report: the q2 just before (v34 audit)
        prior = prior.model_copy(update={"year": period.year if prior.quarter < period.quarter
                                         else period.year - 1})
    if period is None or prior is None or period.year is None or prior.year is None:
        return None
    if period.kind == prior.kind and prior.year == period.year - 1 and (
            period.quarter, period.half, period.month) == (prior.quarter, prior.half,
                                                           prior.month):
        return "year"
    if period.kind == prior.kind == "quarter" and period.quarter and prior.quarter:
        if (period.year * 4 + period.quarter) - (prior.year * 4 + prior.quarter) == 1:
            return "quarter"
    return "other"


def _period(facts: FinancialFacts, index: int | None) -> FiscalPeriod | None:
    return facts.periods[index] if index is not None and index < len(facts.periods) else None


def stated_bases(text: str, changes: list[tuple[int, int]]) -> list[tuple[int, int, str, str]]:
    """(start of the change number, its metric index, basis kind, phrase) for every basis
    phrase in ``text``. ``changes``: (character offset, metric index) of the change
    numbers in ``text``; a basis phrase belongs to the nearest one before it in its
    sentence (else the first after it), the same way when a source is parsed and when a
    text is checked."""
    out: list[tuple[int, int, str, str]] = []
    bounds = [0] + [m.end() for m in _SENTENCE_END.finditer(text)] + [len(text) + 1]
    hits = sorted((hit.start(), kind, hit.group(0)) for kind, pattern in BASES.items()
                  for hit in pattern.finditer(text))
    for at, kind, phrase in hits:
        lo = max(b for b in bounds if b <= at)
        hi = min(b for b in bounds if b > at)
        near = [c for c in changes if lo <= c[0] < hi]
        if not near:
            continue
        before = [c for c in near if c[0] < at]
        start, k = before[-1] if before else near[0]
        if not before and any(at < h < start for h, *_ in hits):
            continue  # "up sequentially from q1, with a year-over-year change of 4%": the
            # nearer phrase is the number's basis, this one a numberless change's
        out.append((start, k, kind, phrase))
    return out


def basis_findings(facts: FinancialFacts, text: str,
                   changes: list[tuple[int, int]]) -> list[tuple[int, str]]:
    """(start of the change number, finding) for every basis the facts contradict or do
    not hold; ``changes`` as for :func:`stated_bases` (the ones the filter traced)."""
    return [(start, problem) for start, k, kind, phrase in stated_bases(text, changes)
            if (problem := _problem(facts, facts.metrics[k], kind, phrase))]


def _problem(facts: FinancialFacts, m: MetricFact, kind: str, phrase: str) -> str | None:
    prior = _period(facts, m.prior_period)
    found = relation(_period(facts, m.period) or facts.period, prior)
    if found is not None and prior is not None:  # the prior period the facts hold decides
        return None if found == kind else (
            f"{phrase!r}: the {m.name} change is against {prior.render()}")
    if m.basis == kind:
        return None
    if m.basis is None:
        return f"{phrase!r}: the facts give no basis for the {m.name} change"
    return f"{phrase!r}: the {m.name} change is {m.basis} over {m.basis}"
