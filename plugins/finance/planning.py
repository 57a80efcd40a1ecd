"""From report facts to sentence-sized conditioning, and back.

The model writes one sentence per group of metrics. A group's facts are renumbered
locally (``<m0.*>``, ``<p0>``...) so that "revenue rose <m0.change>" is the same training
example in every report, and the conditioning string names each metric, its direction,
unit and the fields that must be written: the decoder sees what it has to say, not only
slot types. Constrained decoding (``decoding.py``) then allows exactly those slots.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from aigc_plugins.finance.facts import FIELD_ATTR, FinancialFacts, MetricFact
from aigc_plugins.finance.qualifiers import metric_concepts
from aigc_plugins.finance.templates import NAME, SLOT_RE, slot, slot_tokens
from aigc_plugins.finance.vocab import find_metrics

_PERIOD_RE = re.compile(r"<p(\d+)>")
_METRIC_RE = re.compile(r"<m(\d+)\.")
MAX_METRICS, MAX_PERIODS = 4, 3  # per sentence; longer sentences are not used to train


@dataclass
class SentencePlan:
    facts: FinancialFacts  # local: metrics and periods renumbered from 0
    metric_index: list[int]  # local metric k is report metric metric_index[k]


def local_slots() -> list[str]:
    return slot_tokens(MAX_METRICS, MAX_PERIODS)


def localise(template: str, facts: FinancialFacts) -> tuple[str, SentencePlan] | None:
    """Renumber the metrics and periods a sentence template uses; None when it uses none
    or more than a sentence may."""
    metrics = list(dict.fromkeys(int(i) for i in _METRIC_RE.findall(template)))
    periods = list(dict.fromkeys(int(i) for i in _PERIOD_RE.findall(template)))
    if not metrics or len(metrics) > MAX_METRICS or len(periods) > MAX_PERIODS:
        return None
    mmap = {old: new for new, old in enumerate(metrics)}
    pmap = {old: new for new, old in enumerate(periods)}
    local = template
    local = _METRIC_RE.sub(lambda m: f"<m{mmap[int(m.group(1))]}.", local)
    local = _PERIOD_RE.sub(lambda m: f"<p{pmap[int(m.group(1))]}>", local)
    # A metric merged from several bullets holds fields this sentence does not state:
    # the local facts keep only the stated ones, so the conditioning says what to write.
    used = {k: {f for i, f in _FIELD_RE.findall(local) if int(i) == k} for k in mmap.values()}
    return local, SentencePlan(_subset(facts, metrics, periods, used), metrics)


_FIELD_RE = re.compile(r"<m(\d+)\.(\w+)>")


def _subset(facts: FinancialFacts, metrics: list[int], periods: list[int],
            fields: dict[int, set[str]] | None = None) -> FinancialFacts:
    pmap = {old: new for new, old in enumerate(periods)}
    chosen = []
    for k, i in enumerate(metrics):
        m = facts.metrics[i]
        update = {
            "period": pmap.get(m.period) if m.period is not None else None,
            "prior_period": pmap.get(m.prior_period) if m.prior_period is not None else None,
        }
        if fields is not None:
            update |= {attr: None for f, attr in FIELD_ATTR.items() if f not in fields[k]}
        chosen.append(m.model_copy(update=update))
    return facts.model_copy(update={"metrics": chosen,
                                    "periods": [facts.periods[j] for j in periods]})


def plan_report(facts: FinancialFacts) -> list[SentencePlan]:
    """One sentence per metric that holds a number, with the periods that metric refers
    to (or the report's own period, so the sentence may say "q1"; not for an outlook held
    for no period, which the filter rejects pinned on any: "q2 restructuring charges of
    $10 million to $13 million" for charges the company "will incur")."""
    plans: list[SentencePlan] = []
    for i, m in enumerate(facts.metrics):
        if not m.fields():
            continue  # a direction without a number ("volume down"): nothing to state exactly
        periods = [j for j in (m.period, m.prior_period) if j is not None]
        periods = list(dict.fromkeys(periods))
        if plans and plans[-1].metric_index == [i - 1] and is_share(m):
            # "charge-offs totaled $22 million, or 0.09% of average total loans": the share
            # is only stated after the figure it is a share of ("average total loans were
            # 0.09%" names another metric), so both go in one sentence
            prev = facts.metrics[i - 1]
            both = list(dict.fromkeys(
                [j for j in (prev.period, prev.prior_period) if j is not None] + periods))
            local = _subset(facts, [i - 1, i], both)
            if not local.periods and facts.period is not None and not prev.guidance:
                local = local.model_copy(update={"periods": [facts.period]})
            plans[-1] = SentencePlan(local, [i - 1, i])
            continue
        for fields in _sentences_of(m.fields()):
            local = _subset(facts, [i], periods, None if fields is None else {0: fields})
            if fields is not None and "change" not in fields:  # the estimate's sentence
                local.metrics[0] = local.metrics[0].model_copy(update={"direction": None})
            if not local.periods and facts.period is not None and not m.guidance:
                local = local.model_copy(update={"periods": [facts.period]})
            plans.append(SentencePlan(local, [i]))
    return plans


def is_share(m: MetricFact) -> bool:
    """A percentage named by what it is a share of ("0.09% of average total loans"): an
    unknown metric whose own words name a known one."""
    return m.name == "other" and m.unit == "percent" and bool(find_metrics(m.surface or ""))


def _sentences_of(fields: list[str]) -> list[set[str] | None]:
    """The field groups a metric is stated in, one sentence each (None: all in one). An
    analysts' estimate goes in a sentence of its own when the metric also holds a change
    or prior: the calls say "sales of $404 million, down 28%" and then "sales $404 million
    versus refinitiv ibes estimate of $409.4 million", and training holds one sentence
    with all three (v28: no draw of val set 8 ever ended)."""
    if "estimate" not in fields or set(fields) <= {"value", "high", "estimate"}:
        return [None]
    rest = set(fields) - {"estimate"}
    return [rest, ({"value", "high"} & set(fields)) | {"estimate"}]


def describe(facts: FinancialFacts) -> str:
    """The conditioning text: per metric its name (and, for a metric outside the synonym
    table, its own words), qualifier, counted noun, the qualifier concepts it must be
    stated with, direction, unit, the basis of its change and fields."""
    parts = []
    for k, m in enumerate(facts.metrics):
        words = [f"m{k}", m.name]
        if m.name == "other" and m.surface:
            words.append(m.surface)  # no canonical name: the words it was called by
        if m.qualifier:
            words.append(m.qualifier)
        if m.counted:  # the noun its count may be written with, and no other
            words += ["counts", m.counted]
        # what the filter holds the text to, named even where the name slot cannot write
        # it ("eps" for "gaap income from continuing operations ... per diluted share")
        words += [c.replace(" ", "_") for c in sorted(metric_concepts(m))]
        if m.guidance:
            words.append("guidance")
        words += [m.direction or "none", m.unit]
        if m.basis:  # "year over year" may be written only when the facts say so
            words += ["basis", m.basis]
        words.append(":")
        for f in m.fields():  # "value at_least": the text must say "at least"
            words += [f, *(["at_least" if m.bound(f) == "min" else "at_most"]
                           if f in m.bounds else [])]
        parts.append(" ".join(words))
    for j, p in enumerate(facts.periods):
        parts.append(f"p{j} {p.kind}")
    return " ; ".join(parts)


def required_slots(facts: FinancialFacts) -> set[str]:
    """Every number the facts hold must appear (that is what fact coverage means), and
    each metric's name, copied from the facts rather than spelt by the model."""
    return {slot(k, f) for k, m in enumerate(facts.metrics) for f in m.fields()} | {
        slot(k, NAME) for k, m in enumerate(facts.metrics) if m.phrase()}


def allowed_slots(facts: FinancialFacts) -> set[str]:
    return required_slots(facts) | {f"<p{j}>" for j in range(len(facts.periods))}


#: a period phrase a sentence reads without ("sees <p0> <m0.name> ...", "... for <p0>.")
_PERIOD_PHRASE = re.compile(r",?\s+(?:for|in|during|through|of)\s+(?:the\s+)?<p0>(?=[\s.,;])|"
                            r"(?:^|(?<=\s))<p0>\s+(?=\S)")


def templates_stating(plan: SentencePlan, templates: list[str],
                      drop_period: bool = False) -> list[str]:
    """The templates that state exactly what ``plan`` must (its periods optional). With
    ``drop_period``, a plan held for no period (an outlook "once plans are fully
    implemented") may also take a one-period template with its period phrase cut: few
    training sentences state an outlook without one (v34: val set 218 had no fallback)."""
    need, allowed = required_slots(plan.facts), allowed_slots(plan.facts)
    out = [t for t in templates if need <= template_slots(t) <= allowed]
    if drop_period and not plan.facts.periods:
        for t in templates:
            slots = template_slots(t)
            if "<p0>" in slots and need <= slots - {"<p0>"} <= allowed | {"<p0>"}:
                cut = _PERIOD_PHRASE.sub("", t, count=1)
                if "<p" not in cut and need <= template_slots(cut) <= allowed:
                    out.append(cut)
    return out


@lru_cache(maxsize=65536)  # fallback and retrieval scan the same training templates
def template_slots(template: str) -> frozenset[str]:
    return frozenset(m.group(0) for m in SLOT_RE.finditer(template))


_WORD_RE = re.compile(r"[a-z]+")


def words_of(template: str) -> set[str]:
    """Lower-case words outside the slots."""
    return set(_WORD_RE.findall(SLOT_RE.sub(" ", template.lower())))
