"""Delexicalisation: a sentence becomes facts plus a template whose slots point at them.

Slot syntax: ``<m{i}.{field}>`` is field ``field`` (value, high, prior, prior_high,
change, change_high, estimate) of ``facts.metrics[i]``, written in its style with unit
and scale ("$481.1 million", "11.1 percent"); ``<p{j}>`` is ``facts.periods[j]`` ("q1",
"fy 2021", "march 31, 2021"). Each slot is one whitespace-free ASCII token: register
:func:`slot_tokens` with the tokenizer (``tokenizer.add_tokens(slot_tokens())`` or as
additional special tokens) so BPE keeps every slot as one id. Metric words ("revenue
rose") stay in the template as text; numbers never do.

Attachment (which number belongs to which metric, in which role) lives in attach.py.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from aigc_plugins.finance.attach import Draft, analyse
from aigc_plugins.finance.basis import stated_bases
from aigc_plugins.finance.counted import counted_after
from aigc_plugins.finance.facts import (
    CHANGE_FIELDS,
    FIELD_ATTR,
    FIELDS,
    FinancialFacts,
    FiscalPeriod,
    MetricFact,
    factor,
)
from aigc_plugins.finance.numbers import Span, bound_span

SLOT_RE = re.compile(r"<(?:m(\d+)\.(value|high|prior|prior_high|change|change_high|estimate|name)"
                     r"|p(\d+))>")
NAME = "name"  # <m0.name>: the metric's own words (its ``surface``), copied from the facts


def slot(metric: int, field: str) -> str:
    return f"<m{metric}.{field}>"


def period_slot(index: int) -> str:
    return f"<p{index}>"


def slot_tokens(max_metrics: int = 16, max_periods: int = 8) -> list[str]:
    """Every slot token up to the given counts, to add to a tokenizer's vocabulary."""
    return [slot(i, f) for i in range(max_metrics) for f in (*FIELDS, NAME)] + \
        [period_slot(j) for j in range(max_periods)]


def slot_set(template: str) -> frozenset[str]:
    return frozenset(m.group() for m in SLOT_RE.finditer(template))


def realise(template: str, facts: FinancialFacts) -> str:
    """Fill every slot with its fact written exactly in the fact's style."""
    def fill(m: re.Match[str]) -> str:
        if m.group(3) is not None:
            j = int(m.group(3))
            if j >= len(facts.periods):
                raise ValueError(f"{m.group()}: facts have {len(facts.periods)} periods")
            return facts.periods[j].render()
        i = int(m.group(1))
        if i >= len(facts.metrics):
            raise ValueError(f"{m.group()}: facts have {len(facts.metrics)} metrics")
        if m.group(2) == NAME:
            phrase = facts.metrics[i].phrase()
            if not phrase:
                raise ValueError(f"{m.group()}: metric {i} has no name to write (set its "
                                 "surface)")
            return phrase
        return facts.metrics[i].format(m.group(2))
    return SLOT_RE.sub(fill, template)


def metric_signature(facts: FinancialFacts, include_other: bool = False) -> tuple[str, ...]:
    """Sorted unique "name:direction" of the metrics (direction "-" when unstated)."""
    return tuple(sorted({f"{m.name}:{m.direction or '-'}" for m in facts.metrics
                         if include_other or m.name != "other"}))


def _value_in(span: Span, scale: str) -> float:
    return (span.value or 0.0) * factor(span.scale) / factor(scale)


def draft_to_fact(d: Draft, period: int | None = None, prior_period: int | None = None
                  ) -> MetricFact:
    """Values in one scale per metric, signs from words ("fell", "loss"), styles kept."""
    value_fields = [f for f in d.fields if f not in CHANGE_FIELDS]
    first = d.fields[value_fields[0]] if value_fields else None
    change = next((d.fields[f] for f in ("change", "change_high") if f in d.fields), None)
    unit = first.unit if first else {"per_share": "per_share", "ratio": "percent",
                                     "growth": "percent", "count": "count"}.get(d.kind, "currency")
    scale = first.scale if first else (change.scale if change and change.unit in (
        "currency", "count") else "none")
    fact = MetricFact(name=d.name, surface=d.surface, qualifier=d.qualifier, guidance=d.guidance,
                      unit=unit or "other", scale=scale,
                      change_unit=change.unit if change else None, direction=d.direction,
                      period=period, prior_period=prior_period, bounds=dict(d.bounds))
    for f, s in d.fields.items():
        v = _value_in(s, fact.scale_of(f))
        implicit = s.style is not None and not s.style.sign
        if implicit and f in CHANGE_FIELDS and d.direction == "down":
            v = -abs(v)
        elif implicit and f not in CHANGE_FIELDS and (d.negative or f in d.losses):
            v = -abs(v)
        setattr(fact, FIELD_ATTR[f], v)
        if s.style is not None:
            fact.styles[f] = s.style
    if fact.direction is None and fact.change is not None and fact.change != 0:
        fact.direction = "up" if fact.change > 0 else "down"
    return fact


def context_facts(context: FinancialFacts | Mapping[str, Any] | None) -> FinancialFacts:
    """A copy of ``context`` as FinancialFacts (a mapping may give ticker/quarter/year)."""
    if isinstance(context, FinancialFacts):
        return context.model_copy(deep=True)
    ctx = dict(context or {})
    q, y = ctx.get("quarter"), ctx.get("year")
    period = FiscalPeriod(kind="quarter" if q else "year", quarter=q, year=y,
                          style="q{q}" if q else "{y}") if (q or y) else None
    return FinancialFacts(company=ctx.get("company"), ticker=ctx.get("ticker"), period=period,
                          currency=ctx.get("currency", "USD"))


def _fill_period(p: FiscalPeriod, ctx: FiscalPeriod | None) -> FiscalPeriod:
    if ctx is None or p.kind != "quarter" or ctx.kind != "quarter":
        return p
    if p.quarter is None:
        return p.model_copy(update={"quarter": ctx.quarter, "year": p.year or ctx.year})
    if p.quarter == ctx.quarter and p.year is None:
        return p.model_copy(update={"year": ctx.year})
    return p


def delexicalise(sentence: str, context: FinancialFacts | Mapping[str, Any] | None = None
                 ) -> tuple[FinancialFacts, str]:
    """(facts, template) for ``sentence``. The facts are ``context`` (copied) plus this
    sentence's metrics and periods, so slot ids stay consistent across a report;
    ``realise(template, facts) == sentence`` whenever the sentence parsed."""
    facts = context_facts(context)
    a = analyse(sentence)
    pidx = {s.start: facts.add_period(_fill_period(s.period, facts.period))
            for s in a.spans if s.is_time and s.period is not None}
    midx: dict[int, int] = {}
    # "up 4% year over year": the basis its words give a change is part of the fact
    bases = {k: kind for _, k, kind, _ in stated_bases(sentence, [
        (start, k) for start, (k, role) in a.roles.items() if role in CHANGE_FIELDS])}
    for k, d in enumerate(a.drafts):
        if d.fields or d.direction:
            period = pidx.get(d.period.start) if d.period is not None else None
            prior = pidx.get(d.prior_period.start) if d.prior_period is not None else None
            if prior == period and "prior" not in d.fields:
                prior = None  # "up 7% compared to q3 a year ago": not another period
            fact = draft_to_fact(d, period, prior)
            fact.basis = bases.get(k)  # type: ignore[assignment]
            midx[k] = facts.add_metric(fact, set(midx.values()))
    cuts: list[tuple[int, int, str]] = []
    for s in a.spans:
        if s.is_time and s.start in pidx:
            cuts.append((s.start, s.end, period_slot(pidx[s.start])))
        elif s.is_quantity and s.start in a.roles:
            d, role = a.roles[s.start]
            bound = bound_span(sentence, s.start)
            start = bound[0] if bound else s.start  # the slot writes the bound words too
            metric = facts.metrics[midx[d]]
            noun = counted_after(sentence, s.end) if s.kind == "count" else None
            if noun and not metric.counted:
                metric.counted = noun
            if metric.format(role) == sentence[start:s.end]:
                cuts.append((start, s.end, slot(midx[d], role)))
            # else: cannot be written back exactly, stays literal (quality report)
    cuts += _name_cuts(sentence, a.drafts, midx, facts, cuts)
    return facts, apply_cuts(sentence, cuts)


def apply_cuts(sentence: str, cuts: list[tuple[int, int, str]]) -> str:
    """``sentence`` with each (start, end) span replaced by its slot token."""
    out, pos = [], 0
    for start, end, token in sorted(cuts):
        out += [sentence[pos:start], token]
        pos = end
    out.append(sentence[pos:])
    return "".join(out)


def _name_cuts(sentence: str, drafts: list[Draft], midx: dict[int, int], facts: FinancialFacts,
               taken: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """A ``<mK.name>`` slot where each metric's words stand, once per metric, when they
    are exactly the metric's own name (:meth:`MetricFact.phrase`). Otherwise they stay
    literal: "earnings" of "earnings of $3.23 per share" (eps only with "per share"), or
    a metric merged from an earlier bullet that keeps that bullet's words."""
    cuts: list[tuple[int, int, str]] = []
    for k, d in enumerate(drafts):
        if k not in midx or d.phrase is None:
            continue
        a, b = d.phrase
        metric = facts.metrics[midx[k]]
        if sentence[a:b] != metric.phrase() or any(a < e and s < b for s, e, _ in taken + cuts) \
                or any(t == slot(midx[k], NAME) for *_, t in cuts):
            continue
        cuts.append((a, b, slot(midx[k], NAME)))
    return cuts


def report_from_call(record: Mapping[str, Any]) -> tuple[FinancialFacts, list[str], str]:
    """An ECTSum call ``{ticker, quarter, year, bullets}`` as one report: the union of the
    bullets' facts (repeats merged), one template per bullet, and the text (bullets
    joined by one space: ``" ".join(realise(t, facts) for t in templates) == text``)."""
    bullets = record.get("bullets")
    if not isinstance(bullets, list) or not all(isinstance(b, str) for b in bullets):
        raise ValueError("record needs 'bullets': a list of strings")
    facts = context_facts(record)
    templates = []
    for b in whole_bullets(bullets):
        facts, t = delexicalise(b, facts)
        templates.append(t)
    return facts, templates, " ".join(bullets)


#: a bullet cut after its comparison word ("... increased 22% versus." / "2020, up 20% in
#: local currency."): the summariser's split, not a sentence end
_CUT = re.compile(r"\b(?:versus|vs)\.$", re.I)


def whole_bullets(bullets: list[str]) -> list[str]:
    """``bullets`` with each one cut after "versus" joined to the next by a space,
    so its number stays with the metric it compares (ECTSum val: TUP's "net sales ...
    increased 22% versus." / "2020, up 20% in local currency.")."""
    out: list[str] = []
    for b in bullets:
        if out and _CUT.search(out[-1].rstrip()):
            out[-1] = f"{out[-1]} {b}"
        else:
            out.append(b)
    return out
