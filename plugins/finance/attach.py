"""Attachment: which metric each number of a sentence belongs to, and in which role.

Each number belongs to the metric phrase before it in its clause (or the one right after
it in "$9 billion in share repurchases", "15 percent revenue growth"), and takes a role
from the words between (roles.py): "versus"/"compared to" -> prior, "estimate" ->
estimate, a direction word or basis points -> change, "to"/"-" after a value -> the top
of a range, otherwise the value. A second number in a role already taken starts another
instance of the metric. A number the metric "included" is the part named after it ("a
$187 million post-tax benefit"), not the metric's own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from aigc_plugins.finance.facts import CHANGE_FIELDS
from aigc_plugins.finance.numbers import NAME_PER_SHARE, Span, bound_span, parse
from aigc_plugins.finance.phrases import find_named_metrics, unknown_metric_phrase
from aigc_plugins.finance.qualifiers import trailing_phrases, with_phrase
from aigc_plugins.finance.roles import (
    AS_SHARE_WORDS,
    PART_OF,
    RANGE,
    compatible,
    guided,
    last_direction,
    role_of,
)
from aigc_plugins.finance.segments import Segments
from aigc_plugins.finance.signed import said_negative
from aigc_plugins.finance.vocab import (
    ADJUSTABLE,
    ADJUSTED,
    LINK_GAP,
    RIGHT_GAP,
    DirectionMention,
    MetricMention,
    find_directions,
    metric_kind,
    per_share_name,
)


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
    losses: set[str] = field(default_factory=set)  # fields stated as "a loss of" a number

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
    # "revenue headwind of $70 million" is not revenue, wherever its number stands
    mentions = [m for m in find_named_metrics(text, taken) if not _overlaps(m.start, m.end, taken)
                and not _BASE_OF.search(text, max(0, m.start - 32), m.start)
                and not _EFFECT.match(text, m.end)]
    # "flat" in a bound ("flat to 3%") is the range's low end, not the figure's direction
    bounded = [(b[0], q.start) for q in nums if (b := bound_span(text, q.start))]
    dirs = [d for d in find_directions(text) if not _overlaps(d.start, d.end, taken)
            and not any(m.start <= d.start < m.end for m in mentions)
            and not (d.direction == "flat" and _overlaps(d.start, d.end, bounded))]
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
            current[key] = _new_draft(drafts, mention, text, q, seg, cl, taken,
                                      _share_base(text, q, mentions, cl, seg))
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
            role, direction = role_of(text, q, drafts[d], same, anchor, dirs)
        compared_again = role == "next_change"
        if compared_again:
            role = "change"
        if role == "reinterpret" and same:
            drafts[d].fields["change"] = drafts[d].fields.pop("value")
            roles[same[0].start] = (d, "change")
            role, direction = "value", direction or last_direction(dirs, 0, same[0].start)
        if role in drafts[d].fields or not compatible(drafts[d], role, q):
            name = drafts[d].name
            if q.kind == "per_share" and drafts[d].kind == "amount":
                name = per_share_name(name)
            if drafts[d].mention is None and q.kind == "count" \
                    and _names_another(text, q, seg, cl, taken, drafts[d].phrase):
                _new_draft(drafts, None, text, q, seg, cl, taken)  # "11 stores and 1 center"
            else:
                drafts.append(drafts[d].clone(name))
            if compared_again:  # the same metric and period, measured against another one
                drafts[-1].period_at = _period_pos(drafts[d])
            d = current[key] = len(drafts) - 1
        drafts[d].fields[role] = q
        if role not in CHANGE_FIELDS and said_negative(drafts[d].name, text[anchor:q.start]):
            drafts[d].losses.add(role)  # "income $224 million, compared with a loss of $1.5b"
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
    _trailing_qualifiers(text, nums, roles, drafts, mentions, seg, taken)
    for dr in drafts:  # "core net operating earnings $10.10 per share": "core" joined late
        if dr.name in ADJUSTABLE and set((dr.qualifier or "").lower().split()) & ADJUSTED:
            dr.name = f"adjusted {dr.name}"
    return Analysis(text, spans, drafts, roles)


def _trailing_qualifiers(text: str, nums: list[Span], roles: dict[int, tuple[int, str]],
                         drafts: list[Draft], mentions: list[MetricMention], seg: Segments,
                         taken: list[tuple[int, int]]) -> None:
    """A qualifier outside any metric phrase ("eps $1.01 from continuing operations", "up
    5% on a currency-neutral basis") joins the metric nearest before it in its clause (a
    number's or a name's), else the first one after it ("on an organic basis, sales
    rose 4%"), as ``qualifier`` words (qualifiers.py)."""
    anchors = sorted([(q.end, roles[q.start][0]) for q in nums if q.start in roles]
                     + [(d.phrase[1], k) for k, d in enumerate(drafts) if d.phrase])
    blocked = taken + [(m.start, m.end) for m in mentions]
    for a, b in trailing_phrases(text, 0, len(text)):
        # "30% attributed to liquids production": the product is also the next metric's
        # first word, which does not make the share that metric's
        head = _ATTRIBUTED.match(text, a)
        if _overlaps(a, head.end() if head else b, blocked):
            continue
        same = [(pos, k) for pos, k in anchors if seg.clause(pos) == seg.clause(a)]
        before = [pos for pos, _ in same if pos <= a]
        after = [pos for pos, _ in same if pos >= b]
        at = before[-1] if before else (after[0] if after else None)
        # every instance of a metric named there ("gross profit per unit up $158 or 17.0%,
        # to $1,086": the restated change is a second instance of the same phrase)
        for k in dict.fromkeys(k for pos, k in same if pos == at):
            drafts[k].qualifier = with_phrase(drafts[k].qualifier, text[a:b])


_ATTRIBUTED = re.compile(r"(?:attributed|attributable)\s+to\s+", re.I)
#: the same change restated in other units: "increased 1%, or $14 million"
_RESTATED = re.compile(r"\s*,?\s*or\s+", re.I)
#: a percentage that is a share of the metric after it ("1.62% of loans", "0.09% of average
#: total loans"), not its change
_SHARE_OF = re.compile(r"\s+of\s+(?:(?:average|avg\.?|ending|period-end)\s+)?", re.I)
_OF = re.compile(r"\s+of\s+", re.I)

#: words that name the number right after it ("$187 million post-tax benefit")
_NAMED_AFTER = re.compile(r"\s+(?!(?:in|for|during|at|to|from|and|or|of|on|by|as|with|"
                          r"versus|vs|compared)\b)[a-z]", re.I)
#: a metric word that only qualifies the noun after it ("a $70 million revenue headwind")
_EFFECT = re.compile(r"\s+(?:headwinds?|tailwinds?|benefits?|charges?|impacts?|gains?|"
                     r"reserve\s+releases?|adjustments?)\b", re.I)
#: a metric named as the base of a percentage ("sg&a as a percentage of gross profit was
#: 64.4%"): the number is not that metric's
_BASE_OF = re.compile(rf"(?:{AS_SHARE_WORDS}|percent(?:age)?\s+of)\s+$", re.I)
#: after a per-share figure: it excludes special items, so it is the adjusted figure
_EXCLUDING = re.compile(r"(?:\s+from\s+continuing\s+operations)?,?\s+excluding\s+"
                        r"(?:certain\s+|special\s+|one-time\s+|non-recurring\s+)?items\b"
                        # "$2.95 ($3.17 on an adjusted basis)", "$0.94, as adjusted"
                        r"|,?\s+(?:as\s+adjusted|on\s+an?\s+adjusted\s+basis)\b", re.I)


def _goes_on(text: str, prev: Span, q: Span, phrase: tuple[int, int] | None) -> bool:
    """Whether ``q`` continues the number before it: the top of its range ("$2.30 to
    $3.05"), or the same amount restated ("$187 million post-tax benefit, or $0.33 per
    share"), with that number's own name between them allowed."""
    start = prev.end
    if phrase and phrase[0] >= prev.end and not text[prev.end:phrase[0]].strip():
        start = phrase[1]
    return bool(_RESTATED.fullmatch(text, start, q.start)
                or (start == prev.end and prev.kind == q.kind
                    and RANGE.fullmatch(text, start, q.start)))


def _overlaps(a: int, b: int, ranges: list[tuple[int, int]]) -> bool:
    return any(a < e and s < b for s, e in ranges)


def _choose_mention(text: str, q: Span, mentions: list[MetricMention], nums: list[Span],
                    cl: int, seg: Segments) -> MetricMention | None:
    clause = seg.clause
    left = next((m for m in reversed(mentions) if m.end <= q.start and clause(m.end) == cl), None)
    if left and PART_OF.search(text, left.end, q.start):
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


def _share_base(text: str, q: Span, mentions: list[MetricMention], cl: int, seg: Segments
                ) -> tuple[int, int] | None:
    """The words a percentage is a share of ("0.09% of average total loans"): they name it,
    so "total loans were 0.09%" is caught as another metric's claim."""
    if q.kind != "percent":
        return None
    right = next((m for m in mentions if m.start >= q.end and seg.clause(m.start) == cl), None)
    if right is None or not _SHARE_OF.fullmatch(text, q.end, right.start):
        return None
    return _OF.match(text, q.end).end(), right.end  # type: ignore[union-attr]


def _names_another(text: str, q: Span, seg: Segments, cl: int, taken: list[tuple[int, int]],
                   phrase: tuple[int, int] | None) -> bool:
    """Whether the words after an unnamed count name another thing than the clause's
    earlier unnamed figure ("to acquire 11 stores and 1 collision center")."""
    end = seg.clauses[cl] if cl < len(seg.clauses) else len(text)
    span = unknown_metric_phrase(text, q.start, q.end, seg.clause_start(cl), end, taken)
    return span is not None and phrase is not None and span[0] >= q.end \
        and text[span[0]:span[1]].lower() != text[phrase[0]:phrase[1]].lower()


def _new_draft(drafts: list[Draft], mention: MetricMention | None, text: str, q: Span,
               seg: Segments, cl: int, taken: list[tuple[int, int]],
               base: tuple[int, int] | None = None) -> int:
    if mention is None:
        end = seg.clauses[cl] if cl < len(seg.clauses) else len(text)
        span = base or unknown_metric_phrase(text, q.start, q.end, seg.clause_start(cl), end,
                                             taken)
        surface = text[span[0]:span[1]] if span else ""
        drafts.append(Draft("other", surface, None, "other", False, None,
                            guided(text, q.start, q.end), phrase=span))
    else:
        name = mention.name
        if mention.kind == "amount" and (q.kind == "per_share" or (
                q.kind == "money" and q.scale == "none"
                and NAME_PER_SHARE.match(text, mention.end))):
            name = per_share_name(name)
        drafts.append(Draft(name, mention.surface, mention.qualifier, metric_kind(name),
                            mention.negative, mention,
                            guided(text, max(q.start, mention.start), q.end),
                            phrase=(mention.start, mention.end)))
    return len(drafts) - 1


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
                                guided(text, m.start), {}, nxt.direction,
                                phrase=(m.start, m.end)))
            current[id(m)] = len(drafts) - 1


#: a change's comparison period right after it: "declined 15% compared to 2020"
_CHANGE_VERSUS = re.compile(r"(?:\s+(?:increase|decrease|rise|decline|gain|drop))?"  # "a 5%
                            r"(?:\s+when)?"  # increase when compared to q2" (v34 audit)
                            r"\s*,?\s*(?:compared\s+(?:to|with)|versus|vs\.?|over|from)\s+"
                            r"(?:the\s+)?(?:same\s+period\s+(?:of|in)\s+)?", re.I)


def _period_pos(d: Draft) -> int:
    """Where a draft's period is looked for: its own mark, its metric's name, its first number."""
    if d.period_at is not None:
        return d.period_at
    return d.mention.start if d.mention else min((s.start for s in d.fields.values()), default=0)


#: a period written right after a figure ("$540 million in 2022 and $625 million in 2023")
_PERIOD_AFTER = re.compile(r"\s*(?:in|for|during|by(?:\s+end\s+of)?)\s+(?:the\s+)?", re.I)


def _period_right_after(text: str, q: Span, times: list[Span]) -> Span | None:
    m = _PERIOD_AFTER.match(text, q.end)
    return next((s for s in times if m and s.start == m.end()), None)


def _attach_periods(text: str, spans: list[Span], drafts: list[Draft], clause: Any) -> None:
    times = [s for s in spans if s.is_time]
    # a period written right after one draft's figure is that figure's, not the next one's
    owned = {id(p): k for k, d in enumerate(drafts) for f, q in d.fields.items()
             if f in ("value", "high") and (p := _period_right_after(text, q, times))}
    for k, d in enumerate(drafts):
        pos = _period_pos(d)
        same = [s for s in times if clause(s.start) == clause(pos)]
        before = [s for s in same if s.end <= pos and owned.get(id(s), k) == k]
        own = [p for p in same if owned.get(id(p)) == k]
        if own and (d.mention is None or not before):
            d.period = own[-1]  # "savings of $540 million in 2022 and $625 million in 2023"
        else:
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
        # "aua of $1.12 trillion, up 26% over sept 2020": not sept's; a period without its
        # year ("compared to q2 a year ago") is left to the basis words
        if d.prior_period is not None and d.period is d.prior_period \
                and d.prior_period.period is not None and d.prior_period.period.year:
            d.period = None
