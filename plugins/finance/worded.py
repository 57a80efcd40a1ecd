"""A change must be written as a change.

The parser reads a bare percentage after an amount metric as its change ("revenue 5%"
can mean nothing else in a human bullet), so a generated "compname reports q1 unit sales
of 4.3 percent" traced to a 4.3% rise and passed, while a reader takes it for a level.
From the v24 hand audit: 6 of 21 false claims were changes worded as levels ("expects fy
revenue to be in range of 22 to 23 percent" for growth of 22 to 23 percent). A change
passes when it has a direction word (the draft's direction), a sign or "by" before it, or
its sentence a change word or comparison anywhere up to just after the number (lenient:
the word may belong to another figure of the sentence).
"""

from __future__ import annotations

import re
from typing import Any

from aigc_plugins.finance.numbers import Span
from aigc_plugins.finance.vocab import DIRECTIONS

_CHANGE_WORDS = re.compile(
    r"\b(chang(?:e|es|ed|ing)|grow(?:s|th|ing)?|grew|increas(?:e|es|ed|ing)|"
    r"decreas(?:e|es|ed|ing)|declin(?:e|es|ed|ing)|gain(?:s|ed)?|drop(?:s|ped)?|"
    r"jump(?:s|ed)?|rais(?:e|es|ed|ing)|lower(?:s|ed|ing)?|reduc(?:e|es|ed|ing|tion)|"
    r"cut(?:s|ting)?|improv(?:e|es|ed|ing|ement)|expan(?:d|ds|ded|sion)|"
    r"contract(?:s|ed|ion)?|boost(?:s|ed)?|hike[sd]?|lift(?:s|ed)?|"
    r"versus|vs\.?|compared|comparison|year[- ]over[- ]year|yoy|y/y|sequential(?:ly)?|"
    r"comps?|stack|negative|positive|" + "|".join(w for ws in DIRECTIONS.values() for w in ws) +
    r")\b", re.I)
_BY = re.compile(r"\bby\s+(?:approximately\s+|about\s+|roughly\s+|nearly\s+)?$", re.I)
_SENTENCE_END = re.compile(r"(?<!\bu\.s)(?<!\bvs)[.;!?](?:\s|$)")  # "vs." ends no sentence
_AFTER = 50  # after the number, still its wording ("6% - 8% utility eps annual growth rate")


def change_worded(text: str, s: Span, draft: Any) -> bool:
    """Whether the number ``s``, read as a change of ``draft``'s metric, is worded as one."""
    if draft.direction or (s.style and s.style.sign):
        return True
    start = max((m.end() for m in _SENTENCE_END.finditer(text, 0, s.start)), default=0)
    if _BY.search(text, start, s.start):
        return True  # "reduces debt by $34 million"
    end = _SENTENCE_END.search(text, s.end)
    stop = min(s.end + _AFTER, end.start() if end else len(text))
    return bool(_CHANGE_WORDS.search(text, start, stop))
