"""Roles: what a number is to the metric it belongs to -- its value, the top of a range,
a prior value, an estimate, or a change (with the direction the words give) -- read from
the words between the metric (or the previous number) and the number. attach.py decides
which metric a number belongs to and calls :func:`role_of`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from aigc_plugins.finance.facts import CHANGE_FIELDS
from aigc_plugins.finance.numbers import Span, bound_span
from aigc_plugins.finance.qualifiers import TRAILING
from aigc_plugins.finance.vocab import (
    DIRECTION_AFTER,
    DIRECTIONS,
    ENDS_TO,
    ESTIMATE_RE,
    FROM_NAMED_PRIOR,
    FROM_PRIOR,
    GUIDANCE_RE,
    PRIOR_RE,
    DirectionMention,
)

if TYPE_CHECKING:
    from aigc_plugins.finance.attach import Draft

HIGH = {"value": "high", "prior": "prior_high", "change": "change_high"}
_GROUP = {"currency": "amount", "count": "amount", "per_share": "per_share",
          "percent": "pct", "pp": "pct", "bps": "pct", "ratio": "ratio"}
RANGE = re.compile(r"\s*(?:-|–|—|to|through)\s*|\s+and\s+", re.I)


#: a number named as a part of the metric before it, by the words after the number
PART_OF = re.compile(r"\b(?:included|includes|including|reflects|reflected|reflecting)\s+"
                     r"(?:an?\s+)?(?:approximately\s+|about\s+)?$", re.I)
#: the prior period named only to say the number is like it: the number is this period's
_LIKE_PRIOR = re.compile(r"\b(?:similar\s+to|in\s+line\s+with|consistent\s+with|comparable\s+to)"
                         r"\s+(?:the\s+)?(?:prior|last|previous)\s+year(?:'s)?(?:\s+levels?)?"
                         r"[\s,]*(?:(?:in\s+)?(?:the\s+)?range\s+of|at|of|to\s+be)?[\s,]*$", re.I)
#: a comparison set off by commas that names only its basis ("net sales growth for q4,
#: versus prior year period, to be in a range of about 13 to 17 percent"): the numbers
#: after it are the metric's own, not the prior period's
_BASIS_ASIDE = re.compile(r",\s*(?:versus|vs\.?|compared\s+(?:to|with)|against)\s+(?:the\s+)?"
                          r"(?:prior|last|previous|same)[\s-]+(?:year|quarter)(?:'s)?"
                          r"(?:\s+(?:period|quarter|levels?))?\s*,", re.I)
#: "estimates" opening a sentence is an outlook ("estimates q4 sales growth ..."); after a
#: number it is the analysts' figure, which ESTIMATE_RE reads
_ESTIMATES_OUTLOOK = re.compile(r"\s*(?:(?:compname|company|it|management)\s+)?(?:now\s+|also\s+)?"
                                r"estimates\s+(?!of\b)", re.I)
#: a metric named as the base of a percentage ("sg&a as a percentage of gross profit was
#: 64.4%"): the number is not that metric's
AS_SHARE_WORDS = r"as\s+a\s+(?:percentage|percent|%|share)\s+of"
_AS_SHARE = re.compile(rf"\b{AS_SHARE_WORDS}\b", re.I)
#: a percentage that is a share of something named after it, not a change ("charge-offs of
#: $29 million, or 0.11% of average total loans", "expects about 35% to 40% of backlog will
#: convert", "production averaged 155 mboepd with 57 percent oil", "about 30% attributed to
#: liquids production")
_SHARE_AFTER = re.compile(r"(?:\s*(?:to|-|–|and)\s*\d[\d.,]*\s*(?:%|percent))?\s*(?:of\s|"
                          r"(?:(?:attributed|attributable)\s+to\s+)?"
                          r"(?:oil|liquids|natural gas|gas|ngls?)\b)", re.I)
#: an outlook cue after the number ("2022 sales growth of about 6% is expected to ...")
_EXPECTED_AFTER = re.compile(r"\b(?:is|are)\s+(?:now\s+)?(?:expected|projected|forecast|"
                             r"anticipated)\b"
                             # "8 to 10 new stores planned for 2022" (v31 hand audit)
                             r"|(?<!\bas\s)\b(?:planned|scheduled|expected)\s+(?:for|in|by|"
                             r"during|over)\b", re.I)

#: a level whose move is given in points right after it ("adjusted sg&a as a percentage of
#: gross profit 64.4%, up 800 basis points"): the percent is the level, not a change
_MOVES_IN_POINTS = re.compile(
    r"\s*,?\s*(?:" + "|".join(w for ws in DIRECTIONS.values() for w in ws) +
    r")\s+(?:by\s+)?(?:approximately\s+|about\s+)?[\d.,]+\s*"
    r"(?:basis\s+points?|bps|bp|percentage\s+points?|pp|ppts?|pts)(?![a-z])", re.I)
#: a second comparison of the same change: "declined 15% compared to 2020 and [38%]
#: compared to 2019" -- the 38% is another change, not 2019's value
_NEXT_COMPARISON = re.compile(r"\s*(?:compared\s+(?:to|with)|versus|vs\.?|against)\s+"
                              r"[^,;%$]{1,40}?,?\s+and\s*", re.I)
#: a comparison closed by a comma and a fresh direction word right before the number
#: ("increased 22% versus 2020, up [20%] in local currency"): another change, not the
#: prior period's figure
_THEN_MOVED = re.compile(
    r",\s*(?:" + "|".join(w for d in ("up", "down") for w in DIRECTIONS[d]) +
    r")\s+(?:by\s+)?(?:approximately\s+|about\s+)?$", re.I)

_SENTENCE_END = re.compile(r"(?<!\bu\.s)(?<!\bvs)(?<!\bversus)[.!?]\s+")


def guided(text: str, pos: int, after: int | None = None) -> bool:
    """An outlook cue ("sees", "expects", "guidance") earlier in the same sentence, or
    from ``after`` on, "is expected" later in it."""
    start = 0
    for m in _SENTENCE_END.finditer(text, 0, pos):
        start = m.end()
    if GUIDANCE_RE.search(text, start, pos) or _ESTIMATES_OUTLOOK.match(text, start):
        return True
    if after is None:
        return False
    end = _SENTENCE_END.search(text, after)
    return bool(_EXPECTED_AFTER.search(text, after, end.start() if end else len(text)))



def last_direction(dirs: list[DirectionMention], a: int, b: int) -> str | None:
    inside = [d for d in dirs if a <= d.start and d.end <= b]
    return inside[-1].direction if inside else None


#: a level placed in the prior period by the words right after it ("gross profit increased
#: 11% to $2,154 in the same period last year", "revenue was $5.4 billion a year ago")
_PRIOR_AFTER = re.compile(
    r"\s*,?\s*(?:(?:in|for|during|at|over)\s+(?:the\s+)?(?:same|prior|previous|year-ago|"
    r"comparable)\s+(?:year\s+)?(?:period|quarter|year)\b(?!\s*,?\s*(?:and|to)\b)|"
    r"a\s+year\s+(?:ago|earlier)\b|last\s+year\b)", re.I)


_QUALIFIER_NEXT = re.compile(rf"\s*,?\s*(?:{TRAILING.pattern})", re.I)


def role_of(text: str, q: Span, d: Draft, same: tuple[Span, int, str] | None, anchor: int,
            dirs: list[DirectionMention]) -> tuple[str, str | None]:
    """(field, direction) of quantity ``q`` from the words since ``anchor`` (the metric
    phrase or the previous number of the same metric), the number before it, and a
    prior period named right after it."""
    role, direction = _role_before(text, q, d, same, anchor, dirs)
    if role == "value" and _PRIOR_AFTER.match(text, _past_qualifiers(text, q.end)):
        return "prior", None
    return role, direction


def _past_qualifiers(text: str, pos: int) -> int:
    """Where the qualifier phrases right after ``pos`` end ("$2,154 per vehicle retailed
    on a same-store basis")."""
    while (m := _QUALIFIER_NEXT.match(text, pos)) and m.end() > pos:
        pos = m.end()
    return pos


def _role_before(text: str, q: Span, d: Draft, same: tuple[Span, int, str] | None,
                 anchor: int, dirs: list[DirectionMention]) -> tuple[str, str | None]:
    bound = bound_span(text, q.start)
    gap = text[anchor:bound[0] if bound and bound[0] >= anchor else q.start]  # "to exceed $215M"
    sign_dir = _sign_direction(q)
    p, _, prole = same or (q, 0, "")
    if q.kind == "percent" and (_AS_SHARE.search(gap) or _MOVES_IN_POINTS.match(text, q.end)):
        return "value", None  # "sg&a as a percentage of gross profit was 64.4%": a level
    if q.kind == "percent" and _SHARE_AFTER.match(text, q.end) \
            and not last_direction(dirs, anchor, q.start):
        return "value", None  # "0.49% of average total loans", "57 percent oil": a share
    if same and prole in CHANGE_FIELDS and _NEXT_COMPARISON.fullmatch(gap):
        return "next_change", d.direction
    word = gap.strip().lower()
    before = text[:p.start]
    if same and RANGE.fullmatch(gap) and p.kind == q.kind and (
            word != "and" or re.search(r"between\s*$", before, re.I)):
        if prole == "change" and word == "to" and (
                p.kind in ("money", "count", "per_share") and not p.elided
                or re.search(r"\bby\s*$", before, re.I)):
            return "value", None
        elif prole == "prior" and word == "to" and "value" not in d.fields \
                and "change_high" not in d.fields and re.search(r"\bfrom\s*$", before, re.I):
            return "value", None
        elif prole == "value" and word == "to" and not p.elided and p.value and q.value \
                and abs(p.value) < 0.5 * abs(q.value) and not ENDS_TO.search(before) \
                and last_direction(dirs, 0, p.start):
            return "reinterpret", None
        elif prole in HIGH and HIGH[prole] not in d.fields:
            return HIGH[prole], None
    # "up $14 million to 5%", "up 800 basis points to 64.4%": a change in other units,
    # then "to" and the level it reached
    points = ("bps", "pp")
    if same and same[2] == "change" and re.fullmatch(r"\s*to\s*", gap, re.I) and (
            _group(same[0]) != _group(q) or (same[0].kind in points) != (q.kind in points)):
        return "value", None
    if ESTIMATE_RE.search(gap):
        return "estimate", None
    gap_dir = last_direction(dirs, anchor, q.start)
    after = DIRECTION_AFTER.match(text, q.end)
    after_dir = next((x.direction for x in dirs if after and x.start == after.start(1)), None)
    if _LIKE_PRIOR.search(gap):
        return "value", None  # "adjusted ebitda similar to prior year, in the range of $27M"
    prior_gap = _BASIS_ASIDE.sub(",", gap)
    if gap_dir and _THEN_MOVED.search(gap):
        return "change", gap_dir
    named_prior = same and prole in CHANGE_FIELDS and FROM_NAMED_PRIOR.search(prior_gap)
    if (PRIOR_RE.search(prior_gap) or FROM_PRIOR.search(prior_gap) or named_prior) \
            and not (gap_dir and re.search(r"\bby\s*$", gap, re.I)):
        return "prior", None
    if q.kind in ("bps", "pp"):
        return "change", gap_dir or after_dir or sign_dir
    if re.search(r"\bby\s*$", gap, re.I) and (gap_dir or d.kind != "ratio"):
        return "change", gap_dir or sign_dir
    if after_dir:
        return "change", after_dir
    if PART_OF.search(gap):
        return "value", sign_dir  # "including about 1,500 units in brazil": a part's level
    if gap_dir and not re.search(r"\bto\s*$", gap, re.I):
        if q.kind in ("percent", "money", "count", "per_share"):
            return "change", gap_dir
    if q.kind == "percent" and d.kind in ("amount", "growth", "count", "per_share"):
        return "change", sign_dir
    return "value", gap_dir or sign_dir


def _sign_direction(q: Span) -> str | None:
    if q.style and q.style.sign and q.value is not None:
        return "down" if q.value < 0 else "up"
    return None


def _group(s: Span) -> str:
    return _GROUP.get(s.unit or "", "other")


def compatible(d: Draft, role: str, q: Span) -> bool:
    others = [s for f, s in d.fields.items() if (f in CHANGE_FIELDS) == (role in CHANGE_FIELDS)]
    return all(_group(s) == _group(q) for s in others)


