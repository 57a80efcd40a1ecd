"""The words that name a metric the synonym table does not know.

"domestic systemwide revpar decreased 25.1%" or "sold more than 225 million covid-19
tests": the number has no known metric phrase, yet the sentence does say what it
counts. Those words become the metric's ``surface`` and, in a template, its
``<m0.name>`` slot, so a generator copies them from the facts instead of spelling them
token by token (a small model misspells rare words: "adjusted spabversiid"). The rule is
deliberately plain: the run of content words right before the number (after dropping
linking verbs, fillers and direction words), else the run right after it. The faithfulness
filter does not check such metrics' names (it has nothing to check them against).

A known metric may carry segment words in front ("north america revenue", "completion
and production revenue"): :func:`find_named_metrics` keeps them in its surface, so the
name slot writes them and the filter rejects a report that drops or swaps them.
"""

from __future__ import annotations

import re
from dataclasses import replace

from aigc_plugins.finance.counted import is_counted
from aigc_plugins.finance.vocab import (
    DIRECTIONS,
    ESTIMATE_CUES,
    GUIDANCE_CUES,
    PRIOR_CUES,
    MetricMention,
    find_metrics,
)
from aigc_plugins.finance.vocab import MAX_WORDS as AT_MOST_WORDS
from aigc_plugins.finance.vocab import MIN_WORDS as AT_LEAST_WORDS

MAX_WORDS = 6
_WORD = re.compile(r"[a-z][\w&'’/.-]*", re.IGNORECASE)
#: words between a metric's name and its number ("revpar was", "capacity of more than")
_LINK = frozenset("""
was were is are be been being of at to by totaled totalled totaling totalling reached
approximately about around nearly almost roughly some over under more than less up from
a an the its their our his her this that these those as with per each and or
""".split()) | {w for ws in DIRECTIONS.values() for w in ws}
#: auxiliaries between a name and its verb ("will be down", "is expected to be")
_MODAL = frozenset("will would should could may might must shall now also expected projected "
                   "continue continues likely".split())
#: stop or link words that may stand inside a name, between two content words ("tons
#: sold", "average selling price per ton sold")
_INNER = frozenset({"sold", "per"})
#: words that end a name on its left ("compname says", "sees", "in q3")
_STOP = frozenset("""
compname says said reports reported posts posted sees expects expected expect announces
announced sold has have had will would may could should in for on during qtrly quarterly
annual annually q1 q2 q3 q4 fy h1 h2 year quarter month company co inc corp ltd and or
to of with but while also which who that plans plan repurchased paid record records
range guidance outlook acquire acquired acquires targets target selling sell buy
purchase purchased included includes including reflects reflected reflecting
reaffirms reaffirmed reiterates reiterated affirms affirmed maintains maintained raises
raised lowers lowered narrows narrowed updates updated
""".split()) | {c for c in PRIOR_CUES + ESTIMATE_CUES if " " not in c}  # "flat to up 2% versus q3"


def _words(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    out = []
    for m in _WORD.finditer(text, start, end):
        word = m.group().rstrip(".,;:")
        out.append((m.start(), m.start() + len(word), word.lower()))
    return out


def _run(text: str, words: list[tuple[int, int, str]], taken: list[tuple[int, int]]
         ) -> list[tuple[int, int, str]]:
    """The leading run of content words, in the order given; it stops at a stop or link
    word, a number or period, or punctuation between two words."""
    out: list[tuple[int, int, str]] = []
    for s, e, w in words:
        inner = w in _INNER and not (out and out[-1][2] in _INNER)
        if (w in _STOP or w in _LINK) and not inner or any(s < b and a < e for a, b in taken) \
                or len(out) == MAX_WORDS:
            break
        if out:
            a, b = sorted([(out[-1][0], out[-1][1]), (s, e)])
            if text[a[1]:b[0]].strip():
                break
        out.append((s, e, w))
    while out and out[-1][2] in _INNER:
        out.pop()  # "company sold 225 million tests": "sold" names nothing alone
    return out if any(w not in _INNER for *_, w in out) else []


#: words between a name and its number that name nothing themselves: "price per ton sold
#: for q1 of 2021 will be up 12%" (with the period), "nfe/share outlook of $1.55"
_BETWEEN = frozenset({"in", "for", "during", "guidance", "outlook"})


#: a word right before a number that says what was done, not what is counted
_VERB = re.compile(r"[a-z]+(?:ed|ing)", re.IGNORECASE)


def _inside(word: tuple[int, int, str], taken: list[tuple[int, int]]) -> bool:
    return any(a <= word[0] and word[1] <= b for a, b in taken)


#: bound words right before a number, which never name it ("cost increases to exceed 10%")
_BOUND_END = re.compile(rf"\b(?:{AT_LEAST_WORDS}|{AT_MOST_WORDS})\s*$", re.IGNORECASE)


def unknown_metric_phrase(text: str, start: int, end: int, clause_start: int,
                          clause_end: int, taken: list[tuple[int, int]]
                          ) -> tuple[int, int] | None:
    """Character span of the words naming the quantity at ``[start, end)``, or None.

    ``taken``: spans of numbers and periods, which never belong to a name."""
    bound = _BOUND_END.search(text, max(clause_start, start - 24), start)
    left = _words(text, clause_start, bound.start() if bound else start)
    while left and (left[-1][2] in _LINK | _MODAL | _BETWEEN or _inside(left[-1], taken) or (
            left[-1][2] == "range" and len(left) > 1 and left[-2][2] in ("in", "the", "a"))):
        left.pop()  # "tons sold will be down 4%", "savings in the range of": the name is before
    run = _run(text, left[::-1], taken)
    right = _run(text, _words(text, end, clause_end), taken)
    if run and right and is_counted(run[-1][2]) and any(
            e <= run[-1][0] and not text[e:run[-1][0]].strip()
            and re.search(r"\d", text[b:e]) for b, e in taken):
        run = []  # "11 stores and 1 collision center": "stores" is what the 11 counts
    if run and not (right and _VERB.fullmatch(run[0][2])):
        return run[-1][0], run[0][1]
    if right:  # "administered 8 million covid-19 tests": the tests, not "administered"
        return right[0][0], right[-1][1]
    return (run[-1][0], run[0][1]) if run else None


#: words that never name a segment ("strong revenue", "$500 million share repurchase",
#: "full-year eps"): scale and period words, verbs and judgements
_NOT_SEGMENT = _STOP | _LINK | frozenset(PRIOR_CUES) | frozenset(ESTIMATE_CUES) | frozenset(
    GUIDANCE_CUES) | frozenset("""
thousand million billion trillion mln bln bn mn percent pct first second third fourth
quarter quarters quarter-end year-end full full-year fiscal half ending end ended month
months nine six twelve three current prior previous last next same new strong solid
robust record higher lower better weaker positive negative overall average estimated
expected targeting deliver delivered delivering declares declared reduce reduced generate
generates generated meet including excluding continued continue continues increasing
decreasing raising raised lowering lowered reiterating reaffirming affirms updates update
provides provide initiates issue not any specific sufficient ample adequate
double single mid low high its lower-than-expected better-than-expected net gross
before after excluding including within without via into across among against versus vs
slowing achieve existing certain future company's accelerated report lifts lifted hikes
hiked cuts cut approves approved beats beat misses missed boosts boosted ups sets set
estimates estimate same-store same-restaurant comparable comparable-store organic
like-for-like constant-currency
""".split())
#: parts of words that mark a period or a count, not a segment ("third-quarter", "ytd")
_NOT_SEGMENT_PART = re.compile(r"quarter|month|year|half|date|week|digit|ytd", re.IGNORECASE)
SEGMENT_WORDS = 3
#: "new" and "used" name a segment before what is sold ("same-store new vehicle unit
#: sales" are not all vehicles' unit sales), not elsewhere ("new revenue record")
_CONDITION = frozenset({"new", "used", "pre-owned"})
_PRODUCT = frozenset({"vehicle", "vehicles", "car", "cars", "home", "homes", "truck", "trucks",
                      "equipment", "aircraft", "unit", "units"})
_COUNTRY = frozenset({"u.s.", "u.s", "u.k.", "u.k"})
_SEGMENT_WORD = re.compile(r"[a-z][a-z&'’-]*", re.IGNORECASE)


def segment_start(text: str, start: int, floor: int = 0) -> int:
    """Where the segment words before a metric phrase at ``start`` begin ("north america"
    in "north america revenue", "completion and production revenue"); ``start`` when
    there are none. Segment words are content words joined by single spaces ("and"
    only between two of them), at most three, never a stop, period or scale word, and
    never before ``floor`` (the end of the metric phrase before)."""
    pos, words, first = start, 0, start
    after = text[start:].split(maxsplit=1)[0].lower() if text[start:].strip() else ""
    while words < SEGMENT_WORDS:
        m = re.search(r"(?:^|(?<=\s))(\S+) $", text[:pos])
        if m is None or m.start(1) < floor:
            break
        word = m.group(1)
        if word.lower() == "and" and words:
            pos = m.start(1)
            continue
        # "new vehicle revenue", "new and used vehicle revenue"
        product = word.lower() in _CONDITION and after in _PRODUCT | _CONDITION
        if not (product or word.lower() in _COUNTRY) and (
                not _SEGMENT_WORD.fullmatch(word) or word.lower() in _NOT_SEGMENT
                or word.lower().endswith("ly") or _NOT_SEGMENT_PART.search(word)):
            break
        pos = first = m.start(1)
        after = word.lower()
        words += word.lower() not in _COUNTRY  # "u.s. new and used vehicle revenue"
    m = re.search(r"(?:^|(?<=\s))(\S+) $", text[:first])
    if words and m and m.start(1) >= floor and m.group(1).lower() in _COUNTRY:
        first = m.start(1)  # a country before three segment words still names the market
    return first


def find_named_metrics(text: str, taken: list[tuple[int, int]] | None = None
                       ) -> list[MetricMention]:
    """:func:`find_metrics` with each mention's segment words in front of it, so "north
    america revenue" is not just "revenue": a report that drops or swaps a segment is
    then naming another metric. A segment never reaches into the metric phrase before
    it ("operating income and north america revenue"), unless that phrase touches this
    one and is itself a segment word ("completion and production revenue"), nor into a
    ``taken`` span (numbers and periods)."""
    found = find_metrics(text)
    out = []
    for k, m in enumerate(found):
        floor = found[k - 1].end if k else 0
        if k and not text[found[k - 1].end:m.start].strip():
            floor = found[k - 2].end if k > 1 else 0  # "production revenue": may swallow it
        s = segment_start(text, m.start, floor)
        if s < m.start and not any(s < b and a < m.start for a, b in taken or []):
            m = replace(m, start=s, surface=text[s:m.end], segment=text[s:m.start].strip())
        out.append(m)
    # "production" inside "completion and production revenue" is a segment word, not a metric
    return [m for m in out if not any(o is not m and o.start <= m.start and m.end <= o.end
                                      for o in out)]
