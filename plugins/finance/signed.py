"""How a negative amount written without a sign is said in words: "compared with a loss
of $1.5 billion", "provision for credit losses was a net benefit of $222 million". The
parser reads these words as the sign (attach.py), so the filter holds a text to them: a
decoder that writes "provision ... was $222 million" for a released reserve states a
charge that never was. Few training sentences say it, so the decoder rarely does;
``state_sign`` writes the words in and the caller re-checks the result with the filter."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from aigc_plugins.finance.vocab import find_metrics

#: a figure given as a loss right before its number: negative, whatever the metric
LOSS_OF = re.compile(r"\b(?:a\s+)?(?:net\s+)?loss(?:es)?\s+of\s+(?:approximately\s+|about\s+)?$",
                     re.I)
#: a provision "was a net benefit of $222 million": reserves released, a negative provision
BENEFIT_OF = re.compile(r"\b(?:to\s+)?(?:a\s+)?(?:net\s+)?benefit\s+of\s+"
                        r"(?:approximately\s+|about\s+)?$", re.I)
_LEVEL_SLOT = re.compile(r"<m(\d+)\.(value|high|prior|prior_high|estimate)>")


def said_negative(name: str, before: str) -> bool:
    """Whether the words ``before`` a number make it negative for metric ``name``."""
    return bool(LOSS_OF.search(before) or ("provision" in name and BENEFIT_OF.search(before)))


def state_sign(template: str, metrics: Sequence[Any]) -> str:
    """``template`` with "a loss of" ("a benefit of" for a provision) before each level
    whose fact is negative and written as a magnitude, unless its own name says so
    ("net loss") or the words before it do."""
    edits = []
    for m in _LEVEL_SLOT.finditer(template):
        k, field = int(m.group(1)), m.group(2)
        if k >= len(metrics):
            continue
        fact = metrics[k]
        value, style = fact.get(field), fact.styles.get(field)
        if value is None or value >= 0 or style is None or style.sign:
            continue
        if any(x.negative for x in find_metrics(fact.phrase() or fact.name)):
            continue
        if said_negative(fact.name, template[:m.start()]):
            continue
        edits.append((m.start(), "a benefit of " if "provision" in fact.name else "a loss of "))
    for at, words in sorted(edits, reverse=True):
        template = template[:at] + words + template[at:]
    return template
