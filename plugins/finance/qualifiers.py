"""Qualifiers that change what a figure means, wherever the sentence puts them.

"revenue rose 5% at constant currency" and "revenue rose 5%" are different claims: the
reported growth may be 1% or 9%. The same holds for organic growth (acquisitions left
out), results from continuing operations (disposals left out), pro forma figures, figures
per unit sold ("gross profit per vehicle retailed"), same-store figures, and time frames:
annual savings or an aggregate charge are not a quarter's. Guidance status words
("reaffirms", "raises", "lowers", "narrows") are read the same way, but only one way round
(``STATUS``): a text may leave them out, never add them.

A qualifier written before the metric is part of its phrase ("organic revenue"); one
written after it ("eps $1.01 from continuing operations", "up 5% on a currency-neutral
basis") used to be lost, so the facts did not hold it and a generated sentence could add
or drop it unchecked (hand audits found both). ``concepts`` reads them from any words;
the attachment stores the trailing ones in the metric's ``qualifier``, and the
faithfulness filter requires a claim's concepts to equal its fact's.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

#: what a figure "per ..." can be per, other than a share
_UNITS = (r"vehicle|unit|ton|tonne|barrel|boe|mcfe?|employee|square\s+(?:foot|feet)|room|"
          r"available\s+room|store|location|customer|subscriber|member|user|car|mile|pound|"
          r"ounce|transaction|visit")
_NOT_SHARE = r"(?!(?:diluted\s+|basic\s+|common\s+|weighted\s+)?share)"
_REVISES = (r"(?=\s+(?:its\s+|the\s+)?(?:fy|fiscal|full|q[1-4]|20\d\d|guidance|outlook|"
             r"forecast|view|quarterly|annual|dividend|adjusted|gaap|non-gaap)\b)")
#: concept -> how text writes it. Only qualifiers that change the number are here:
#: "total", "consolidated" or "reported" do not make a claim false when dropped.
FORMS: dict[str, str] = {
    "constant currency": (
        r"constant[\s-]+currenc(?:y|ies)|currency[\s-]+neutral|fx[\s-]+neutral|"
        r"local[\s-]+currenc(?:y|ies)|excluding\s+(?:the\s+)?(?:impact\s+of\s+)?"
        r"(?:foreign\s+)?(?:currency|fx|exchange)(?:\s+(?:rates?|effects?|impacts?|"
        r"translation))?"),
    "organic": r"organic(?:ally)?",
    # a figure before special items: "adjusted ffo" is not the nareit-defined ffo, and an
    # added "excluding items" makes the gaap figure an adjusted one (v33 audit). Metrics with
    # an "adjusted ..." name of their own carry it by name too (``metric_concepts``)
    "adjusted": (r"adj(?:usted)?|non[\s-]?gaap|core|normalized|underlying|excluding\s+"
                 r"(?:certain\s+|special\s+|one-time\s+|non-recurring\s+)?items"),
    "continuing operations": r"continuing\s+oper(?:ations|\.)?",  # "from continuing oper"
    "pro forma": r"pro[\s-]+forma",
    # tax-exempt income grossed up to a taxable equivalent: not the reported figure
    "taxable equivalent": r"(?:fully\s+)?(?:taxable|tax)[\s-]+equivalent",
    # before or after tax: "r&m income $224 million pre-tax" where the source names no
    # tax basis is an invented claim (v31 audit), and a pre-tax figure is not an after-tax one
    "pre-tax": r"pre[\s-]?tax|before\s+(?:income\s+)?taxes",
    "after-tax": r"after[\s-]?tax|post[\s-]?tax|net\s+of\s+(?:income\s+)?tax(?:es)?",
    # an insurer's figure after what it ceded to reinsurers (v31: invented for a refiner)
    "net of reinsurance": r"net\s+of\s+reinsurance",
    # stores open a year or more, not the whole chain ("same-store used vehicle unit sales")
    "comparable": (r"same[\s-]+(?:store|restaurant|property|hotel|center|branch|unit)s?|"
                   r"like[\s-]+for[\s-]+like|comparable[\s-]+(?:(?:store|restaurant|hotel)s?|"
                   r"property|properties|sales|basis)|comps?(?=\s+sales)"),
    # time frames: an annual saving or an aggregate charge stated "in q2" is false
    "annual": r"annual(?:ized|ly)?(?!\s+recurring)|run[\s-]+rate|per\s+annum|"
              r"per\s+year",  # "260 million gallons per year" (v33 audit: dropped)
    "cumulative": r"aggregate|cumulative",
    # a figure per unit sold is not the total ("gross profit per vehicle retailed $2,535")
    "per unit": rf"per\s+{_NOT_SHARE}(?:{_UNITS})s?(?:\s+(?:retailed|sold|shipped))?",
    # a share of output in one product ("about 30% attributed to liquids production"): not
    # the whole output's figure, and one product's share is not another's
    "product share": r"(?:attributed|attributable)\s+to\s+(?:oil|liquids|natural\s+gas|gas|ngls?)",
    # a guidance status: "reaffirms" where the source only "expects" is an invented claim
    "reaffirmed": r"re-?affirm(?:s|ed|ing)?|affirm(?:s|ed|ing)?|reiterat(?:es|ed|ing)|"
                  r"maintain(?:s|ed|ing)?|confirm(?:s|ed|ing)?",
    # a revised outlook or payout: the verb before a period or an outlook word ("raises fy
    # 2022 eps view", "increases its quarterly dividend"), not a change ("sales increased")
    "raised": r"(?:rais|increas|lift|boost)(?:es|ed|ing|s)?",
    "lowered": r"(?:lower|cut|reduc)(?:es|ed|ing|s)?",
    "narrowed": r"narrow(?:s|ed|ing)?",
}
#: where a form counts only in context, when read from a sentence (a metric's stored
#: qualifier words are read without it)
CONTEXT = {"raised": _REVISES, "lowered": _REVISES, "narrowed": _REVISES}
#: concepts a text may leave out (saying "sees" for a reaffirmed outlook is still true),
#: but never add
STATUS = frozenset({"reaffirmed", "raised", "lowered", "narrowed"})
PER_UNIT = "per unit"  # named by its unit when read: "per vehicle", "per ton"
PRODUCT_SHARE = "product share"  # named by its product when read: "liquids share"
CONCEPTS = {c: re.compile(rf"\b(?:{form})\b", re.I) for c, form in FORMS.items()
            if c not in (PER_UNIT, PRODUCT_SHARE)}
_SHARE_OF_PRODUCT = re.compile(r"\b(?:attributed|attributable)\s+to\s+"
                               r"(?P<product>oil|liquids|natural\s+gas|gas|ngls?)\b", re.I)
_PER_UNIT = re.compile(rf"\bper\s+{_NOT_SHARE}(?P<unit>{_UNITS})s?\b", re.I)
#: a qualifier with its joining words ("on a currency-neutral basis", "from continuing
#: operations"): what a trailing one keeps as the metric's qualifier words
TRAILING = re.compile(
    r"\b(?:(?:on|at|in)\s+(?:an?\s+)?|from\s+)?\b(?:"
    + "|".join(f"(?:{form}){CONTEXT.get(c, '')}" for c, form in FORMS.items())
    + r")(?:\s+basis)?\b", re.I)


def concepts(*words: str | None) -> frozenset[str]:
    """The meaning-changing qualifiers named anywhere in ``words``. A figure per unit is
    named by its unit ("per vehicle", "per ton"): one per ton is not one per vehicle."""
    text = " ".join(w for w in words if w)
    found = {c for c, p in CONCEPTS.items() if p.search(text)}
    found |= {"per " + m.group("unit").lower().removesuffix("s")
              for m in _PER_UNIT.finditer(text)}
    found |= {" ".join(m.group("product").lower().split()) + " share"
              for m in _SHARE_OF_PRODUCT.finditer(text)}
    return frozenset(found)


def metric_concepts(m: Any) -> frozenset[str]:
    """The concepts a metric fact holds: its words', and "adjusted" when its canonical
    name is an adjusted one ("eps $0.94, as adjusted" is named "eps" but adjusted)."""
    found = concepts(m.surface, m.qualifier)
    return found | {"adjusted"} if m.name.startswith("adjusted ") else found


def trailing_phrases(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) of each qualifier phrase in ``text[start:end]``."""
    return [(m.start(), m.end()) for m in TRAILING.finditer(text, start, end)
            if concepts(m.group())]


def with_phrase(qualifier: str | None, phrase: str) -> str:
    """``qualifier`` with a trailing phrase added (once)."""
    phrase = " ".join(phrase.lower().split())
    if not qualifier:
        return phrase
    return qualifier if phrase in qualifier else f"{qualifier} {phrase}"


#: how a qualifier is written after a number when the fact's own words do not say
WRITTEN = {"constant currency": "at constant currency", "organic": "on an organic basis",
           "continuing operations": "from continuing operations",
           "pro forma": "on a pro forma basis", "comparable": "on a same-store basis",
           "annual": "on an annualized basis", "cumulative": "in aggregate",
           "taxable equivalent": "on a taxable-equivalent basis",
           "adjusted": "on an adjusted basis"}
#: words that let a qualifier read after a number
_JOINED = re.compile(r"(?:on|at|in|from|excluding|per|attributed|attributable)\s", re.I)
_NAME_SLOT = re.compile(r"<m(\d+)\.name>")
_NUMBER_SLOT = re.compile(r"<m(\d+)\.(?!name>)\w+>")


def state_missing(template: str, metrics: Sequence[Any]) -> str:
    """``template`` with each metric's missing qualifiers written after its last number
    ("sees <p0> <m0.name> down <m0.change> to <m0.change_high> on organic basis"), in the
    fact's own words where its ``qualifier`` holds a phrase that reads there. A decoder
    that has seen a qualifier a few times drops it; this is what lets such facts be
    stated at all. The caller re-checks the result with the filter, like any draw."""
    last: dict[int, int] = {}
    for m in _NUMBER_SLOT.finditer(template):
        last[int(m.group(1))] = m.end()
    # what the sentence already says, its metrics' names written out
    said = concepts(_NAME_SLOT.sub(lambda m: metrics[int(m.group(1))].phrase()
                                   if int(m.group(1)) < len(metrics) else " ", template))
    inserts = []
    for k, end in last.items():
        if k >= len(metrics):
            continue
        fact = metrics[k]
        words = fact.qualifier or ""
        phrases = []
        # "per vehicle retailed" belongs right after the number, before any basis
        for c in sorted(metric_concepts(fact) - said - STATUS,
                        key=lambda c: (not c.startswith("per "), c)):
            own = [words[a:b] for a, b in trailing_phrases(words, 0, len(words))
                   if c in concepts(words[a:b]) and _JOINED.match(words, a)]
            phrases.append(own[0] if own else WRITTEN.get(c, c))
        if phrases:
            inserts.append((end, " " + " ".join(phrases)))
    for end, words in sorted(inserts, reverse=True):
        template = template[:end] + words + template[end:]
    return template
