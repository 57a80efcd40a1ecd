"""What a count counts: "to acquire 11 stores", "production of 52,000 boepd". The noun
after a plain count is part of the claim: "1.3 million tons" written as "1.3 million
boepd", or "8 to 10 new stores" as "8 to 10 homes", states a number the facts hold about
a thing they do not. The noun is kept with the fact (``MetricFact.counted``) and a text
may only put that noun, or one of the metric's own words, after the number."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

#: nouns that say what a number counts, singular. Measured on ECTSum train: the words
#: after its 176 counts are mostly these (homes, boepd, units, barrels, mboepd, bcfe, rigs,
#: stores...) or words that are no noun ("to", "and", "compared", "in").
COUNTED = frozenset("""
home unit store restaurant location community rig ship vessel aircraft plane vehicle car
truck customer subscriber subscription member employee worker contract ticket project
theatre theater salon center centre bed hospital clinic mine acre foot account client user
patient property apartment shipment container seat screen school student outlet franchise
dealership club hotel resort casino door household connection loan policy
boepd boe boed mboe mboepd mmboe bcf bcfe mmcf mmcfe mmcfd mmcfpd mcf mcfe bpd barrel bbl
mbbl mmbbl bopd lbs ton tonne ounce oz pound lb gallon gw mw gwh mwh day week month
""".split())
#: counted nouns that also serve other ends ("per unit", "per day", "three months ended"):
#: checked after a count, but a decoder may write them elsewhere
COMMON = frozenset({"unit", "day", "week", "month", "foot", "center", "account", "loan",
                    "policy", "user", "door"})
#: words that may stand between a count and its noun ("4 million net tons", "12 new stores")
_MODIFIERS = frozenset("""
new net additional combined short metric total square more net-new used pre-owned
""".split())
_WORD = re.compile(r"\s*([a-z][a-z'-]*)", re.I)


#: abbreviations a text may use for the noun it spelt out ("186,000 barrels per day
#: (bpd), compared to 157,000 bpd")
_SAME = {"bpd": "barrel", "bbl": "barrel", "bopd": "barrel", "lbs": "pound", "lb": "pound",
         "oz": "ounce", "tonne": "ton", "theater": "theatre", "centre": "center"}


def singular(word: str) -> str:
    """The noun's singular, abbreviations spelt out: "communities" -> "community"."""
    w = word.lower()
    if w in _SAME or w == "feet":
        return _SAME.get(w, "foot")
    if w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith(("ches", "shes", "xes", "sses")):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith("ss") and len(w) > 3:
        w = w[:-1]
    return _SAME.get(w, w)


def counted_after(text: str, end: int) -> str | None:
    """The counted noun right after a number that ends at ``end`` (modifiers skipped),
    as written; None when the next word names nothing counted."""
    found = counted_span(text, end)
    return found[0] if found else None


def counted_span(text: str, end: int) -> tuple[str, int] | None:
    """:func:`counted_after` with the position where the noun ends."""
    pos = end
    for _ in range(3):
        m = _WORD.match(text, pos)
        if m is None:
            return None
        word = m.group(1).lower()
        if word not in _MODIFIERS:
            return (word, m.end()) if singular(word) in COUNTED else None
        pos = m.end()
    return None


def needs_noun(noun: str) -> bool:
    """Whether a count of ``noun`` must be written with it: not for nouns that also mark
    a duration or serve other ends ("12 to 16 months", "per unit")."""
    return singular(noun) not in COMMON


def is_counted(word: str) -> bool:
    return singular(word) in COUNTED


def counts_ok(noun: str, own_words: str) -> bool:
    """``noun`` may follow the fact's number: the fact counts it or names it."""
    return singular(noun) in {singular(w) for w in re.findall(r"[a-z]+", own_words.lower())}


def foreign_counted(words: set[str] | frozenset[str], own: frozenset[str]) -> set[str]:
    """The counted nouns among ``words`` that the facts (``own``: their words) never
    count or name: a decoder that writes one after a number makes a false claim, and
    anywhere else it names a segment ("new vehicle revenue") the facts do not hold."""
    held = {singular(w) for w in own}
    return {w for w in words if is_counted(w) and singular(w) not in COMMON
            and singular(w) not in held}


_COUNT_SLOT = re.compile(r"<m(\d+)\.(value|high|prior|prior_high|change|change_high|estimate)>")


def state_counted(template: str, metrics: Sequence[Any]) -> str:
    """``template`` with each count written with the noun its fact counts: a wrong noun
    after the slot is replaced ("570,000 units" for boe), a missing one written after the
    last number of the metric (the top of a range carries it). The decoder drops rare
    nouns ("260 million gallons" came out "260 million" in every draw); as with
    qualifiers, the caller re-checks the result with the filter."""
    edits: list[tuple[int, int, str]] = []
    last: dict[int, int] = {}
    for m in _COUNT_SLOT.finditer(template):
        k, field = int(m.group(1)), m.group(2)
        if k >= len(metrics):
            continue
        fact = metrics[k]
        if not fact.counted or fact.unit_of(field) != "count":
            continue
        found = counted_span(template, m.end())
        if found and not counts_ok(found[0], f"{fact.counted} {fact.surface}"):
            edits.append((found[1] - len(found[0]), found[1], fact.counted))
        elif not found and needs_noun(fact.counted) and not counts_ok(fact.counted,
                                                                       fact.surface):
            last[k] = m.end()
    edits += [(end, end, " " + metrics[k].counted) for k, end in last.items()]
    for start, end, words in sorted(edits, reverse=True):
        template = template[:start] + words + template[end:]
    return template
