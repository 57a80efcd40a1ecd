"""Binding: delexicalise a text against facts known beforehand (TAT-QA tables, user
JSONL), so each slot points at a given fact. It traces numbers the way the faithfulness
filter does (same tolerance, same preference for the named metric), but in the other
direction: the facts are fixed and the text becomes a template.
"""

from __future__ import annotations

import re

from aigc_plugins.finance.attach import Analysis, analyse
from aigc_plugins.finance.facts import (
    CHANGE_FIELDS,
    FIELD_ATTR,
    FinancialFacts,
    FiscalPeriod,
    format_number,
)
from aigc_plugins.finance.matching import FAMILY, STATED, tolerance, value_matches
from aigc_plugins.finance.numbers import Span, bound_span
from aigc_plugins.finance.templates import (
    NAME,
    SLOT_RE,
    apply_cuts,
    period_slot,
    slot,
)


def bind(sentence: str, pool: FinancialFacts, keep_unstated: bool = False,
         keep_unused: bool = False) -> tuple[FinancialFacts, str, list[str]]:
    """Delexicalise ``sentence`` against known facts: each number becomes a slot of the
    pool fact it rounds to (preferring the metric the sentence names), written in the
    sentence's style. Returns (facts used, template, numbers that bound to nothing);
    unbound numbers stay literal. ``keep_unstated`` keeps fields the sentence omits,
    ``keep_unused`` appends the pool metrics it never mentions."""
    a = analyse(sentence)
    out = FinancialFacts(company=pool.company, ticker=pool.ticker, period=pool.period,
                         currency=pool.currency)
    uses: dict[int, list[int]] = {}
    cuts, unbound = [], []
    named: dict[int, int] = {}  # draft -> the out metric its first number bound to
    for s in a.spans:
        token = None
        bound = bound_span(sentence, s.start) if s.is_quantity else None
        if s.is_time and s.period is not None:
            token = _bind_period(s.period, pool, out)
        elif s.is_quantity and s.style is not None:
            k, role = a.roles.get(s.start, (-1, "value"))
            d = a.drafts[k] if k >= 0 else None
            token = _bind_number(s, d.name if d else "other", role, d.direction if d else None,
                                 pool, out, uses, keep_unstated, bound[1] if bound else None)
            if token is not None and d is not None:
                named.setdefault(k, int(SLOT_RE.fullmatch(token).group(1)))
        else:
            continue
        if token is None:
            unbound.append(s.text)
            continue
        cuts.append((bound[0] if bound else s.start, s.end, token))  # a slot writes its bound
    cuts += _bind_names(sentence, a, named, out, cuts)
    if keep_unused:
        out.metrics += [m.model_copy(deep=True, update={"period": None, "prior_period": None})
                        for i, m in enumerate(pool.metrics) if i not in uses]
    return out, apply_cuts(sentence, cuts), unbound


def _bind_names(sentence: str, a: Analysis, named: dict[int, int], out: FinancialFacts,
                cuts: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """``<mJ.name>`` where the sentence names a bound metric by the same canonical name:
    those words become the metric's surface, so the template copies them back."""
    names: list[tuple[int, int, str]] = []
    for k, j in named.items():
        d, m = a.drafts[k], out.metrics[j]
        if d.phrase is None or d.name != m.name or any(
                t == slot(j, NAME) for *_, t in names):
            continue
        lo, hi = d.phrase
        words = sentence[lo:hi]
        if m.surface not in ("", words) or any(lo < e and s < hi for s, e, _ in cuts + names):
            continue
        old, m.surface = m.surface, words
        if m.phrase() != words:  # the words do not name the metric on their own
            m.surface = old
            continue
        names.append((lo, hi, slot(j, NAME)))
    return names


def _bind_period(p: FiscalPeriod, pool: FinancialFacts, out: FinancialFacts) -> str | None:
    known = [x for x in [pool.period, *pool.periods] if x is not None]
    stated = any(getattr(p, k) is not None for k in STATED)
    if stated and not any(p.same_time(x) or (p.year is not None and p.year == x.year)
                          for x in known):
        return None
    return period_slot(out.add_period(p))


def _bind_number(s: Span, name: str, role: str, direction: str | None, pool: FinancialFacts,
                 out: FinancialFacts, uses: dict[int, list[int]], keep_unstated: bool,
                 bound: str | None = None) -> str | None:
    value = abs(s.base or 0.0)
    cands = [(i, f) for i, m in enumerate(pool.metrics) for f in m.fields()
             if value_matches(value, s.unit or "other", tolerance(s), m, f)]
    if not cands:
        return None
    told = -1.0 if direction == "down" else 1.0 if direction == "up" else 0.0

    def score(c: tuple[int, str]) -> tuple[bool, bool, bool, bool]:
        """Agreeing sign first, then the named metric, the role family, the exact role."""
        m, f = pool.metrics[c[0]], c[1]
        sign_ok = not told or f not in CHANGE_FIELDS or (m.get(f) or 0.0) * told >= 0
        return sign_ok, m.name == name, FAMILY[f] == FAMILY.get(role), f == role

    i, f = max(cands, key=score)
    if not score((i, f))[0]:
        return None  # "decreased" where every matching change is an increase
    src = pool.metrics[i]
    if format_number(src.get(f) or 0.0, s.style, src.scale_of(f)) != s.text:
        return None  # within tolerance but not written this way (e.g. other rounding)
    for j in uses.get(i, []):
        if out.metrics[j].styles.get(f) in (None, s.style):
            break
    else:
        keep = src.fields() if keep_unstated else []
        copy = src.model_copy(deep=True, update={"styles": {}, "period": None,
                                                 "prior_period": None})
        for g in src.fields():
            if g not in keep and g != f:
                setattr(copy, FIELD_ATTR[g], None)
        out.metrics.append(copy)
        j = len(out.metrics) - 1
        uses.setdefault(i, []).append(j)
    m = out.metrics[j]
    setattr(m, FIELD_ATTR[f], src.get(f))
    m.styles[f] = s.style
    if bound:
        m.bounds[f] = bound  # the table holds the number; the sentence says it is a bound
    if src.period is not None and m.period is None:
        m.period = out.add_period(pool.periods[src.period])
    if src.prior_period is not None and m.prior_value is not None and m.prior_period is None:
        m.prior_period = out.add_period(pool.periods[src.prior_period])
    return slot(j, f)


def merge_sentence(facts: FinancialFacts, part: FinancialFacts, template: str
                   ) -> tuple[FinancialFacts, str]:
    """Add one sentence's facts to a report's, renumbering the sentence's slots."""
    pmap = {j: facts.add_period(p) for j, p in enumerate(part.periods)}
    mmap = {}
    for i, m in enumerate(part.metrics):
        m = m.model_copy(deep=True)
        m.period = pmap.get(m.period) if m.period is not None else None
        m.prior_period = pmap.get(m.prior_period) if m.prior_period is not None else None
        mmap[i] = facts.add_metric(m)

    def renumber(x: re.Match[str]) -> str:
        if x.group(3) is not None:
            return period_slot(pmap[int(x.group(3))])
        return slot(mmap[int(x.group(1))], x.group(2))
    return facts, SLOT_RE.sub(renumber, template)
