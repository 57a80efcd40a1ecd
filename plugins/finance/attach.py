"""Attachment: which metric each number of a sentence belongs to, and in which role.

Each number belongs to the metric phrase before it in its clause (or the one right after
it in "$9 billion in share repurchases", "15 percent revenue growth"), and takes a role
from the words between: "versus"/"compared to" -> prior, "estimate" -> estimate, a
direction word or basis points -> change, "to"/"-" after a value -> the top of a range,
otherwise the value. A second number in a role already taken starts another instance of
the metric. A number the metric "included" is the part named after it ("a $187 million
post-tax benefit"), not the metric's own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from aigc_plugins.finance.facts import CHANGE_FIELDS
from aigc_plugins.finance.numbers import Segments, Span, bound_span, parse
from aigc_plugins.finance.phrases import find_named_metrics, unknown_metric_phrase
from aigc_plugins.finance.vocab import (
    ADJUSTABLE,
    DIRECTION_AFTER,
    DIRECTIONS,
    ENDS_TO,
    ESTIMATE_RE,
    FROM_PRIOR,
    GUIDANCE_RE,
    LINK_GAP,
    PRIOR_RE,
    RIGHT_GAP,
    DirectionMention,
    MetricMention,
    find_directions,
    metric_kind,
    per_share_name,
)

HIGH = {"value": "high", "prior": "prior_high", "change": "change_high"}
_GROUP = {"currency": "amount", "count": "amount", "per_share": "per_share",
          "percent": "pct", "pp": "pct", "bps": "pct", "ratio": "ratio"}
_RANGE = re.compile(r"\s*(?:-|–|—|to|through)\s*|\s+and\s+", re.I)


@dataclass
class Draft:
    """A metric instance as read from one sentence, before it becomes a MetricFact."""

    name: str
    surface: str
    qualifier: str | None
    kind: str
    negative: bool
    mention: MetricMention | None
    guidance: bool = False
    fields: dict[str, Span] = field(default_factory=dict)
    direction: str | None = None
    period: Span | None = None
    prior_period: Span | None = None
    phrase: tuple[int, int] | None = None  # where ``surface`` stands in the text
    bounds: dict[str, str] = field(default_factory=dict)  # field -> "at least"...
    period_at: int | None = None  # where to look for the period, when not at the metric

    def clone(self, name: str | None = None) -> Draft:
        return Draft(name or self.name, self.surface, self.qualifier, self.kind, self.negative,
                     self.mention, self.guidance, phrase=self.phrase)


@dataclass
class Analysis:
    text: str
    spans: list[Span]
    drafts: list[Draft]
    roles: dict[int, tuple[int, str]]  # span start -> (draft index, field)


def analyse(text: str, spans: list[Span] | None = None) -> Analysis:
    """Attach every quantity in ``text`` to a metric and a role (see the module doc)."""
    spans = parse(text) if spans is None else spans
    nums = [s for s in spans if s.is_quantity]
    taken = [(s.start, s.end) for s in spans if s.kind != "name"]
    mentions = [m for m in find_named_metrics(text, taken) if not _overlaps(m.start, m.end, taken)
                and not _BASE_OF.search(text, max(0, m.start - 32), m.start)]
    dirs = [d for d in find_directions(text) if not _overlaps(d.start, d.end, taken)
            and not any(m.start <= d.start < m.end for m in mentions)]
    seg = Segments(text, taken)
    clause = seg.clause

    drafts: list[Draft] = []
    current: dict[int, int] = {}  # id(mention) or -clause-1 -> draft index
    roles: dict[int, tuple[int, str]] = {}
    prev: tuple[Span, int, str] | None = None
    for q in nums:
        cl = clause(q.start)
        if prev and drafts[prev[1]].mention is None and _goes_on(text, prev[0], q,
                                                                  drafts[prev[1]].phrase):
            # "included a $187 million post-tax benefit, or $0.33 per share": still the benefit
            key = next(k for k, v in current.items() if v == prev[1])
            mention = None
        else:
            mention = _choose_mention(text, q, mentions, nums, cl, seg)
            key = id(mention) if mention else -cl - 1
        if key not in current:
            current[key] = _new_draft(drafts, mention, text, q, seg, cl, taken)
        d = current[key]
        if q.kind == "money" and q.scale == "none" and drafts[d].kind == "per_share":
            q = replace(q, kind="per_share")  # "eps ... raised to $3.75 to $3.95"
        same = prev if prev and prev[1] == d and clause(prev[0].start) == cl else None
        anchor = max(mention.end if mention and mention.end <= q.start else 0,
                     same[0].end if same else 0, seg.clause_start(cl))
        if prev and prev[1] == d and prev[2] in CHANGE_FIELDS \
                and _RESTATED.fullmatch(text, prev[0].end, q.start):
            role, direction = "change", drafts[d].direction  # "up 1%, or $14 million"
        else:
            role, direction = _role(text, q, drafts[d], same, anchor, dirs)
        compared_again = role == "next_change"
        if compared_again:
            role = "change"
        if role == "reinterpret" and same:
            drafts[d].fields["change"] = drafts[d].fields.pop("value")
            roles[same[0].start] = (d, "change")
            role, direction = "value", direction or _last_dir(dirs, 0, same[0].start)
        if role in drafts[d].fields or not _compatible(drafts[d], role, q):
            name = drafts[d].name
            if q.kind == "per_share" and drafts[d].kind == "amount":
                name = per_share_name(name)
            drafts.append(drafts[d].clone(name))
            if compared_again:  # the same metric and period, measured against another one
                drafts[-1].period_at = _period_pos(drafts[d])
            d = current[key] = len(drafts) - 1
        drafts[d].fields[role] = q
        if direction and role in CHANGE_FIELDS | {"value"}:
            drafts[d].direction = drafts[d].direction or direction
        roles[q.start] = (d, role)
        prev = (q, d, role)
    _bare_directions(text, mentions, dirs, drafts, current, clause)
    _attach_periods(text, spans, drafts, clause)
    for q in nums:
        if q.start not in roles:
            continue
        d, role = roles[q.start]
        bound = bound_span(text, q.start)
        if bound:
            drafts[d].bounds[role] = bound[1]
        if drafts[d].name in ADJUSTABLE and _EXCLUDING.match(text, q.end):
            drafts[d].name = f"adjusted {drafts[d].name}"  # "eps $1.93 excluding items"
    return Analysis(text, spans, drafts, roles)


#: the same change restated in other units: "increased 1%, or $14 million"
_RESTATED = re.compile(r"\s*,?\s*or\s+", re.I)
#: a percentage that is a share of the metric after it ("1.62% of loans"), not its change
_SHARE_OF = re.compile(r"\s+of\s+", re.I)

#: a number named as a part of the metric before it, by the words after the number
_PART_OF = re.compile(r"\b(?:included|includes|including|reflects|reflected|reflecting)\s+"
                      r"(?:an?\s+)?(?:approximately\s+|about\s+)?$", re.I)
#: words that name the number right after it ("$187 million post-tax benefit")
_NAMED_AFTER = re.compile(r"\s+(?!(?:in|for|during|at|to|from|and|or|of|on|by|as|with|"
                          r"versus|vs|compared)\b)[a-z]", re.I)
#: the prior period named only to say the number is like it: the number is this period's
_LIKE_PRIOR = re.compile(r"\b(?:similar\s+to|in\s+line\s+with|consistent\s+with|comparable\s+to)"
                         r"\s+(?:the\s+)?(?:prior|last|previous)\s+year(?:'s)?(?:\s+levels?)?"
                         r"[\s,]*(?:(?:in\s+)?(?:the\s+)?range\s+of|at|of|to\s+be)?[\s,]*$", re.I)
#: a metric word that only qualifies the noun after it ("a $70 million revenue headwind")
_EFFECT = re.compile(r"\s+(?:headwinds?|tailwinds?|benefits?|charges?|impacts?|gains?|"
                     r"reserve\s+releases?|adjustments?)\b", re.I)
#: a metric named as the base of a percentage ("sg&a as a percentage of gross profit was
#: 64.4%"): the number is not that metric's
_AS_SHARE_WORDS = r"as\s+a\s+(?:percentage|percent|%|share)\s+of"
_BASE_OF = re.compile(rf"(?:{_AS_SHARE_WORDS}|percent(?:age)?\s+of)\s+$", re.I)
_AS_SHARE = re.compile(rf"\b{_AS_SHARE_WORDS}\b", re.I)
#: after a per-share figure: it excludes special items, so it is the adjusted figure
_EXCLUDING = re.compile(r"\s+excluding\s+(?:certain\s+|special\s+|one-time\s+|"
                        r"non-recurring\s+)?items\b", re.I)
#: an outlook cue after the number ("2022 sales growth of about 6% is expected to ...")
_EXPECTED_AFTER = re.compile(r"\b(?:is|are)\s+(?:now\s+)?(?:expected|projected|forecast|"
                             r"anticipated)\b", re.I)

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

_SENTENCE_END = re.compile(r"(?<!\bu\.s)(?<!\bvs)[.!?]\s+")


def _guided(text: str, pos: int, after: int | None = None) -> bool:
    """An outlook cue ("sees", "expects", "guidance") earlier in the same sentence, or
    from ``after`` on, "is expected" later in it."""
    start = 0
    for m in _SENTENCE_END.finditer(text, 0, pos):
        start = m.end()
    if GUIDANCE_RE.search(text, start, pos):
        return True
    if after is None:
        return False
    end = _SENTENCE_END.search(text, after)
    return bool(_EXPECTED_AFTER.search(text, after, end.start() if end else len(text)))


def _goes_on(text: str, prev: Span, q: Span, phrase: tuple[int, int] | None) -> bool:
    """Whether ``q`` continues the number before it: the top of its range ("$2.30 to
    $3.05"), or the same amount restated ("$187 million post-tax benefit, or $0.33 per
    share"), with that number's own name between them allowed."""
    start = prev.end
    if phrase and phrase[0] >= prev.end and not text[prev.end:phrase[0]].strip():
        start = phrase[1]
    return bool(_RESTATED.fullmatch(text, start, q.start)
                or (start == prev.end and prev.kind == q.kind
                    and _RANGE.fullmatch(text, start, q.start)))


def _overlaps(a: int, b: int, ranges: list[tuple[int, int]]) -> bool:
    return any(a < e and s < b for s, e in ranges)


def _choose_mention(text: str, q: Span, mentions: list[MetricMention], nums: list[Span],
                    cl: int, seg: Segments) -> MetricMention | None:
    clause = seg.clause
    left = next((m for m in reversed(mentions) if m.end <= q.start and clause(m.end) == cl), None)
    if left and _PART_OF.search(text, left.end, q.start):
        # "net earnings included a $187 million benefit": the benefit's number, or a named
        # metric's right after it ("included $189 million of catastrophe losses"); with no
        # name after it, a part of the metric before ("charges, including $14 million in q4")
        after = next((m for m in mentions if m.start >= q.end and clause(m.start) == cl), None)
        if after and (RIGHT_GAP.fullmatch(text[q.end:after.start])
                      or _SHARE_OF.fullmatch(text, q.end, after.start)) \
                and not _EFFECT.match(text, after.end):
            return after
        if not _NAMED_AFTER.match(text, q.end):
            return left
        return None
    nxt = [m for m in mentions if m.start >= q.end and clause(m.start) == cl]
    right = nxt[0] if nxt else None
    if right and any(q.end <= s.start < right.start for s in nums):
        right = None
    if right and q.kind == "percent" and _SHARE_OF.fullmatch(text, q.end, right.start):
        if left and left.kind == "ratio":
            return left  # "gross margin was 40.1% of net sales": the ratio's own value
        return None  # "allowance ... or 1.62% of loans": a share, neither metric's change
    if right and RIGHT_GAP.fullmatch(text[q.end:right.start]):
        if not (left and LINK_GAP.fullmatch(text[left.end:q.start])):
            return right
    if left:
        return left
    if nxt:
        return nxt[0]
    # a clause without a metric continues the previous one: "eps of $0.95; $0.94, as adjusted"
    sentence = seg.sentence(q.start)
    return next((m for m in reversed(mentions)
                 if m.end <= q.start and seg.sentence(m.end) == sentence), None)


def _new_draft(drafts: list[Draft], mention: MetricMention | None, text: str, q: Span,
               seg: Segments, cl: int, taken: list[tuple[int, int]]) -> int:
    if mention is None:
        end = seg.clauses[cl] if cl < len(seg.clauses) else len(text)
        span = unknown_metric_phrase(text, q.start, q.end, seg.clause_start(cl), end, taken)
        surface = text[span[0]:span[1]] if span else ""
        drafts.append(Draft("other", surface, None, "other", False, None,
                            _guided(text, q.start, q.end), phrase=span))
    else:
        name = mention.name
        if q.kind == "per_share" and mention.kind == "amount":
            name = per_share_name(name)
        drafts.append(Draft(name, mention.surface, mention.qualifier, metric_kind(name),
                            mention.negative, mention,
                            _guided(text, max(q.start, mention.start), q.end),
                            phrase=(mention.start, mention.end)))
    return len(drafts) - 1


def _last_dir(dirs: list[DirectionMention], a: int, b: int) -> str | None:
    inside = [d for d in dirs if a <= d.start and d.end <= b]
    return inside[-1].direction if inside else None


def _role(text: str, q: Span, d: Draft, same: tuple[Span, int, str] | None, anchor: int,
          dirs: list[DirectionMention]) -> tuple[str, str | None]:
    """(field, direction) of quantity ``q`` from the words since ``anchor`` (the metric
    phrase or the previous number of the same metric) and the number before it."""
    bound = bound_span(text, q.start)
    gap = text[anchor:bound[0] if bound and bound[0] >= anchor else q.start]  # "to exceed $215M"
    sign_dir = _sign_direction(q)
    p, _, prole = same or (q, 0, "")
    if q.kind == "percent" and (_AS_SHARE.search(gap) or _MOVES_IN_POINTS.match(text, q.end)):
        return "value", None  # "sg&a as a percentage of gross profit was 64.4%": a level
    if same and prole in CHANGE_FIELDS and _NEXT_COMPARISON.fullmatch(gap):
        return "next_change", d.direction
    word = gap.strip().lower()
    before = text[:p.start]
    if same and _RANGE.fullmatch(gap) and p.kind == q.kind and (
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
                and _last_dir(dirs, 0, p.start):
            return "reinterpret", None
        elif prole in HIGH and HIGH[prole] not in d.fields:
            return HIGH[prole], None
    if same and _group(same[0]) != _group(q) and same[2] == "change" \
            and re.fullmatch(r"\s*to\s*", gap, re.I):
        return "value", None
    if ESTIMATE_RE.search(gap):
        return "estimate", None
    gap_dir = _last_dir(dirs, anchor, q.start)
    after = DIRECTION_AFTER.match(text, q.end)
    after_dir = next((x.direction for x in dirs if after and x.start == after.start(1)), None)
    if _LIKE_PRIOR.search(gap):
        return "value", None  # "adjusted ebitda similar to prior year, in the range of $27M"
    if (PRIOR_RE.search(gap) or FROM_PRIOR.search(gap)) \
            and not (gap_dir and re.search(r"\bby\s*$", gap, re.I)):
        return "prior", None
    if q.kind in ("bps", "pp"):
        return "change", gap_dir or after_dir or sign_dir
    if re.search(r"\bby\s*$", gap, re.I) and (gap_dir or d.kind != "ratio"):
        return "change", gap_dir or sign_dir
    if after_dir:
        return "change", after_dir
    if _PART_OF.search(gap):
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


def _compatible(d: Draft, role: str, q: Span) -> bool:
    others = [s for f, s in d.fields.items() if (f in CHANGE_FIELDS) == (role in CHANGE_FIELDS)]
    return all(_group(s) == _group(q) for s in others)


def _bare_directions(text: str, mentions: list[MetricMention], dirs: list[DirectionMention],
                     drafts: list[Draft], current: dict[int, int], clause: Any) -> None:
    """"same store sales rose" (no number): the metric still gets its direction."""
    for m in mentions:
        nxt = next((d for d in dirs if d.start >= m.end and clause(d.start) == clause(m.end)
                    and len(text[m.end:d.start].split()) <= 3), None)
        if nxt is None or any(m.end <= o.start < nxt.start for o in mentions):
            continue
        if id(m) in current:
            d = drafts[current[id(m)]]
            d.direction = d.direction or nxt.direction
        else:
            name = m.name
            drafts.append(Draft(name, m.surface, m.qualifier, metric_kind(name), m.negative, m,
                                _guided(text, m.start), {}, nxt.direction,
                                phrase=(m.start, m.end)))
            current[id(m)] = len(drafts) - 1


#: a change's comparison period right after it: "declined 15% compared to 2020"
_CHANGE_VERSUS = re.compile(r"\s*,?\s*(?:compared\s+(?:to|with)|versus|vs\.?|over|from)\s+"
                            r"(?:the\s+)?(?:same\s+period\s+(?:of|in)\s+)?", re.I)


def _period_pos(d: Draft) -> int:
    """Where a draft's period is looked for: its own mark, its metric's name, its first number."""
    if d.period_at is not None:
        return d.period_at
    return d.mention.start if d.mention else min((s.start for s in d.fields.values()), default=0)


def _attach_periods(text: str, spans: list[Span], drafts: list[Draft], clause: Any) -> None:
    times = [s for s in spans if s.is_time]
    for d in drafts:
        pos = _period_pos(d)
        same = [s for s in times if clause(s.start) == clause(pos)]
        before = [s for s in same if s.end <= pos]
        d.period = before[-1] if before else (same[0] if same else None)
        prior = d.fields.get("prior")
        if prior is not None:  # "versus $135.2 million for q2 of 2020"
            nxt = next((s for s in spans if s.start >= prior.end and clause(s.start) ==
                        clause(prior.start) and not s.is_quantity), None)
            between = [s for s in spans if s.is_quantity and prior.end <= s.start and (
                nxt is None or s.start < nxt.start)]
            d.prior_period = nxt if nxt is not None and nxt.is_time and not between else None
        elif "change" in d.fields:
            last = d.fields.get("change_high", d.fields["change"])
            cue = _CHANGE_VERSUS.match(text, last.end)
            d.prior_period = next((s for s in times if cue and s.start == cue.end()), None)
