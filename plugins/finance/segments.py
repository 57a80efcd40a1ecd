"""Where clauses and sentences end in financial text.

A full stop ends a sentence unless it closes an abbreviation ("u.s.", "vs.", "inc.") or an
initial; a semicolon ends a clause. Numbers attach to metrics within a clause and never
across a sentence, so a wrong cut (an initial taken for a sentence end, or the reverse)
moves a number to another metric.
"""

from __future__ import annotations

import re
from bisect import bisect_left

_STOP = re.compile(r"[.!?](?=\s|$)|\.(?=\d)|;")
_ABBREV = frozenset({"u.s", "inc", "co", "corp", "ltd", "vs", "no", "approx", "mr", "ms", "dr",
                     "st", "e.g", "i.e", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
                     "sept", "oct", "nov", "dec", "est", "incl", "excl", "u.k", "n.a",
                     "versus"})  # "increased 22% versus. 2020": no sentence ends in "versus"
_WORD_END = re.compile(r"[\w.&]*$")


class Segments:
    """Clause and sentence numbers of text positions: numbers attach within a clause
    (cut at ";" and sentence ends) and never across a sentence."""

    def __init__(self, text: str, taken: list[tuple[int, int]]) -> None:
        self.clauses: list[int] = []
        self.sentences: list[int] = []
        for m in _STOP.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            word = _WORD_END.search(text[max(0, m.start() - 24):m.start()])
            word = word.group().lower() if word else ""
            letters = word.replace(".", "")
            # "u.", "j." are initials; "of 1." ends a sentence ("q1 stores of 1. sees ...")
            if m.group() == "." and m.end() < len(text) and not text[m.end()].isdigit() and (
                    word in _ABBREV or (len(letters) == 1 and letters.isalpha())):
                continue
            self.clauses.append(m.start())
            if m.group() != ";":
                self.sentences.append(m.start())

    def clause(self, pos: int) -> int:
        return bisect_left(self.clauses, pos)

    def sentence(self, pos: int) -> int:
        return bisect_left(self.sentences, pos)

    def clause_start(self, k: int) -> int:
        return self.clauses[k - 1] + 1 if k else 0
