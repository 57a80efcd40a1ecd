"""Does a number written in a text equal a fact's field? In plain units ("$1.2 billion" ==
"1,200 million", basis points as percentage points), up to the rounding either side's
written style implies, and with the sign a negative amount must be said with. The
faithfulness filter (faithfulness.py) and the binding of texts to known facts
(binding.py) trace numbers the same way."""

from __future__ import annotations

from typing import Any

from aigc_plugins.finance.facts import CHANGE_FIELDS, MetricFact, factor
from aigc_plugins.finance.numbers import Span

# money per share and money compare (a per-share value stated as revenue is a wrong metric)
_GROUP = {"currency": "amount", "count": "amount", "per_share": "amount", "percent": "pct",
          "pp": "pct", "bps": "pct", "ratio": "ratio", "other": "other"}
_PCT_SCALE = {"bps": 0.01}  # basis points compare as percentage points
#: roles that may stand for each other: a range's top is still the value
FAMILY = {"value": "value", "high": "value", "prior": "prior", "prior_high": "prior",
          "estimate": "estimate", "change": "change", "change_high": "change"}


STATED = ("quarter", "half", "year", "month", "day")  # a period naming none of these says
# nothing that could be wrong ("qtrly", "fy")


def plain(value: float, unit: str) -> float:
    """``value`` in the unit it compares in (basis points as percentage points)."""
    return value * _PCT_SCALE.get(unit, 1.0)


def tolerance(span_or_fact: Any, field: str | None = None) -> float:
    """Half a unit in the last written digit, in plain units."""
    if isinstance(span_or_fact, Span):
        style, unit = span_or_fact.style, span_or_fact.unit or "other"
    else:
        m: MetricFact = span_or_fact
        if field not in m.styles:
            return 0.0
        style, unit = m.styles[field], m.unit_of(field)
    if style is None:
        return 0.0
    cents = 0.01 if style.currency_after and style.currency.lower() in ("¢", "cents") else 1.0
    return plain(0.5 * 10.0 ** -style.decimals * factor(style.scale) * cents, unit)


def value_matches(text_value: float, text_unit: str, tol: float, m: MetricFact, f: str) -> bool:
    """True when a text number (plain units) is fact ``m.f`` up to either side's rounding."""
    fact_unit = m.unit_of(f)
    if _GROUP.get(text_unit, "other") != _GROUP.get(fact_unit, "other"):
        return False
    base = m.base(f)
    if base is None:
        return False
    a, b = abs(plain(text_value, text_unit)), abs(plain(base, fact_unit))
    return abs(a - b) <= max(tol, tolerance(m, f)) + 1e-9 * max(1.0, b)


def sign_matches(text_value: float, m: MetricFact, f: str, explicit: bool) -> bool:
    """A negative amount (a loss per share, a net loss) must be said to be negative: an
    unsigned "earnings per share $0.13" for a loss of $0.13 is false even without a sign.
    A change without a direction word stays unchecked (it claims no direction)."""
    fact = m.get(f) or 0.0
    if text_value == 0 or fact == 0:
        return True
    if fact < 0 and f not in CHANGE_FIELDS:
        return text_value < 0
    if not explicit:
        return True
    return (text_value > 0) == (fact > 0)
