"""The words that name a metric the synonym table does not know.

"domestic systemwide revpar decreased 25.1%" or "sold more than 225 million covid-19
tests": the number has no known metric phrase, yet the sentence does say what it
counts. Those words become the metric's ``surface`` and, in a template, its
``<m0.name>`` slot, so a generator copies them from the facts instead of spelling them
token by token (a small model misspells rare words: "adjusted spabversiid"). The rule is
deliberately plain: the run of content words right before the number (after dropping
linking verbs, fillers and direction words), else the run right after it. The faithfulness
filter does not check such metrics' names (it has nothing to check them against).
"""

from __future__ import annotations

import re

from aigc_plugins.finance.vocab import DIRECTIONS

MAX_WORDS = 6
_WORD = re.compile(r"[a-z][\w&'’/.-]*", re.IGNORECASE)
#: words between a metric's name and its number ("revpar was", "capacity of more than")
_LINK = frozenset("""
was were is are be been being of at to by totaled totalled totaling totalling reached
approximately about around nearly almost roughly some over under more than less up from
a an the its their our his her this that these those as with per each and or
""".split()) | {w for ws in DIRECTIONS.values() for w in ws}
#: words that end a name on its left ("compname says", "sees", "in q3")
_STOP = frozenset("""
compname says said reports reported posts posted sees expects expected expect announces
announced sold has have had will would may could should in for on during qtrly quarterly
annual annually q1 q2 q3 q4 fy h1 h2 year quarter month company co inc corp ltd and or
to of with but while also which who that plans plan repurchased paid record records
range guidance outlook acquire acquired acquires targets target selling sell buy
purchase purchased
""".split())


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
        if w in _STOP or w in _LINK or any(s < b and a < e for a, b in taken) \
                or len(out) == MAX_WORDS:
            break
        if out:
            a, b = sorted([(out[-1][0], out[-1][1]), (s, e)])
            if text[a[1]:b[0]].strip():
                break
        out.append((s, e, w))
    return out


def unknown_metric_phrase(text: str, start: int, end: int, clause_start: int,
                          clause_end: int, taken: list[tuple[int, int]]
                          ) -> tuple[int, int] | None:
    """Character span of the words naming the quantity at ``[start, end)``, or None.

    ``taken``: spans of numbers and periods, which never belong to a name."""
    left = _words(text, clause_start, start)
    while left and left[-1][2] in _LINK:
        left.pop()
    run = _run(text, left[::-1], taken)
    if run:
        return run[-1][0], run[0][1]
    run = _run(text, _words(text, end, clause_end), taken)
    if run:
        return run[0][0], run[-1][1]
    return None
