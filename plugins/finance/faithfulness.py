"""Output filter: every number in a generated report must trace to an input fact.

A generated text is read with the same parser and attachment as the training data
(:func:`~aigc_plugins.finance.attach.analyse`), so a number, its metric phrase and
its direction word are understood the way the model learnt them. Each number is then
traced to the input facts by value, in plain units ("$1.2 billion" == "1,200 million"),
allowing the rounding its written style implies ("$1.2 billion" covers 1.23 billion) or
the fact's declared style implies. Findings (``Finding.kind``):

- ``unsupported_number``: a number, percentage, year or date that matches no fact
- ``wrong_metric``: the number is a fact's, but the text attaches it to another metric
  (for a metric outside the synonym table: to other words than the fact's own)
- ``wrong_field``: right metric, wrong role (a prior value stated as the current one), or
  a change worded as a level ("unit sales of 4.3 percent" for a 4.3% rise; worded.py)
- ``wrong_direction``: "fell" where the fact's change is positive (or the reverse), or a
  loss stated without its sign ("earnings per share $0.13" for a loss of $0.13)
- ``wrong_period``: a metric's number stated for another period than the fact's ("fy
  revenue" for the quarter's revenue); a result without a period belongs to the report's
  own period, so "fy 2022 restructuring charges" for the quarter's charges is caught
- ``wrong_guidance``: a result stated as an outlook ("sees q1 expenses of $1.6 billion" for
  the quarter's actual expenses), or an outlook stated as a result
- ``wrong_bound``: "at least $1.5 billion" where the fact is a value, or a cap ("up to
  $200 million") stated as a plain value
- ``wrong_qualifier``: a qualifier that changes the figure ("at constant currency",
  "organic", "from continuing operations", "same-store", "per vehicle retailed",
  "annualized") said where the fact has none, or left out where it has one; a guidance
  status ("reaffirms", "raises") said where the source gave none (qualifiers.py)
- ``wrong_unit``: an amount with a scale word stated per share ("$106.6 billion per
  diluted share"): no per-share figure is written in billions; or a metric named per
  share whose numbers are not ("revenue per share rose 16% to $787.2 million")
- ``unsupported_claim``: a direction claimed for a metric the facts do not have
- ``unsupported_basis``: a change stated "year over year", "sequentially", at "constant
  currency"... where the facts compare with another period or never say (basis.py)
- ``missing_fact``: a requested fact field the text never states (coverage)

Records are ``(facts, text)`` pairs (any object with ``.facts`` and ``.text`` works too);
``kept``/``removed`` are lists of the records as given. ``binding.bind`` uses the same
tracing to delexicalise a text against facts known beforehand (binding.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, ClassVar

from pydantic import BaseModel, Field

from aigc_plugins.finance.attach import Analysis, analyse
from aigc_plugins.finance.basis import basis_findings
from aigc_plugins.finance.counted import counted_span, counts_ok, needs_noun
from aigc_plugins.finance.facts import (
    CHANGE_FIELDS,
    FinancialFacts,
    MetricFact,
)
from aigc_plugins.finance.matching import (
    FAMILY,
    STATED,
    plain,
    sign_matches,
    tolerance,
    value_matches,
)
from aigc_plugins.finance.numbers import NAME_PER_SHARE, PER_SHARE_AFTER, Span, bound_before
from aigc_plugins.finance.qualifiers import STATUS, metric_concepts
from aigc_plugins.finance.roles import HIGH
from aigc_plugins.finance.templates import (
    draft_to_fact,
)
from aigc_plugins.finance.worded import change_worded
from aigc_sdk.privacy import FilterResult, Finding, PrivacyFilter, Stage

REJECT = frozenset({"unsupported_number", "wrong_metric", "wrong_field", "wrong_direction",
                    "wrong_period", "wrong_guidance", "wrong_bound", "wrong_qualifier",
                    "wrong_unit",
                    "unsupported_claim", "unsupported_basis"})


class NumberCheck(BaseModel):
    """One number of the text and where it traced to (``metric``/``field``), if anywhere."""

    text: str
    kind: str
    start: int
    claimed_metric: str | None = None
    claimed_field: str | None = None
    metric: int | None = None
    field: str | None = None
    ok: bool = False


class FaithfulnessDetail(BaseModel):
    """Per-text figures a benchmark aggregates (numeric faithfulness, claim correctness,
    fact coverage); ``findings`` are (kind, detail) pairs."""

    numbers_checked: int = 0
    numbers_supported: int = 0
    claims_checked: int = 0
    claims_correct: int = 0
    facts_requested: int = 0
    facts_covered: int = 0
    checks: list[NumberCheck] = Field(default_factory=list)
    findings: list[tuple[str, str]] = Field(default_factory=list)

    @property
    def numeric_faithfulness(self) -> float:
        return self.numbers_supported / self.numbers_checked if self.numbers_checked else 1.0

    @property
    def claim_correctness(self) -> float:
        return self.claims_correct / self.claims_checked if self.claims_checked else 1.0

    @property
    def coverage(self) -> float:
        return self.facts_covered / self.facts_requested if self.facts_requested else 1.0

    @property
    def faithful(self) -> bool:
        return not any(kind in REJECT for kind, _ in self.findings)


#: payouts: paid on each share outstanding, never "per diluted share" (a v34 and a v36 audit
#: found "special dividend was $1.11 per diluted share" released)
_PAID_PER_SHARE = frozenset({"dividend", "distribution"})


def check_text(facts: FinancialFacts, text: str,
               requested: Iterable[tuple[int, str]] | None = None,
               analysis: Analysis | None = None) -> FaithfulnessDetail:
    """Trace every number, period and direction claim of ``text`` to ``facts``.

    ``requested``: the (metric index, field) pairs the text was asked to state (default:
    every field of every metric); the ones it never states are ``missing_fact``."""
    a = analysis or analyse(text)
    out = FaithfulnessDetail()
    covered: set[tuple[int, str]] = set()
    fact_of = {k: draft_to_fact(d) for k, d in enumerate(a.drafts) if d.fields or d.direction}
    for s in a.spans:
        if s.is_time and s.period is not None:
            _check_period(facts, s, out)
        elif s.is_quantity and s.start in a.roles:
            k, role = a.roles[s.start]
            _check_number(facts, s, a.drafts[k].name, role, fact_of[k], out, covered,
                          bound_before(text, s.start), a.drafts[k].period,
                          role not in CHANGE_FIELDS or change_worded(text, s, a.drafts[k]))
            per_share = PER_SHARE_AFTER.match(text, s.end)
            if s.kind == "money" and s.scale != "none" and per_share:
                out.findings.append(("wrong_unit", f"{s.text!r} is an amount in "
                                     f"{s.scale}s, stated per share"))
            elif s.kind in ("ratio", "percent", "pp", "bps") and per_share:
                out.findings.append(("wrong_unit", f"{s.text!r} is a {s.kind}, stated per "
                                     "share"))  # "1.3x times net income ... per share" (v36)
            elif per_share and "diluted" in per_share.group(0).lower() and \
                    a.drafts[k].name in _PAID_PER_SHARE:
                out.findings.append(("wrong_unit", f"{s.text!r} is a {a.drafts[k].name}, "
                                     "paid per share, stated per diluted share"))  # v36
            if s.kind == "count" and out.checks[-1].metric is not None:
                _check_counted(facts.metrics[out.checks[-1].metric], out.checks[-1].field or
                               "value", text, s, out)
    for d in a.drafts:
        if d.phrase and any(s.unit != "per_share" for s in d.fields.values()) \
                and NAME_PER_SHARE.match(text, d.phrase[1]):
            out.findings.append(("wrong_unit", f"{d.surface!r} is stated per share, its "
                                 "numbers are not"))  # "revenue per share rose to $787.2m"
        if not d.fields and d.direction and d.name != "other":
            _check_bare_direction(facts, d.name, d.direction, out)
    _check_basis(facts, text, out)
    want = set(requested) if requested is not None else {
        (i, f) for i, m in enumerate(facts.metrics) for f in m.fields()}
    out.facts_requested = len(want)
    out.facts_covered = len(want & covered)
    for i, f in sorted(want - covered):
        if i < len(facts.metrics):
            m = facts.metrics[i]
            out.findings.append(("missing_fact", f"{m.name} {f} ({m.format(f)}) is not stated"))
    return out


def _check_period(facts: FinancialFacts, s: Span, out: FaithfulnessDetail) -> None:
    p = s.period
    assert p is not None
    if all(getattr(p, k) is None for k in STATED):
        return  # "qtrly", "fy": nothing stated that could be wrong
    out.numbers_checked += 1
    known = [x for x in [facts.period, *facts.periods] if x is not None]
    ok = any(p.same_time(x) for x in known) or any(
        p.year is not None and p.year == x.year for x in known if p.kind == "year")
    out.checks.append(NumberCheck(text=s.text, kind=s.kind, start=s.start, ok=ok))
    if ok:
        out.numbers_supported += 1
    else:
        out.findings.append(("unsupported_number", f"period {s.text!r} is not in the facts"))


def _check_number(facts: FinancialFacts, s: Span, name: str, role: str, told: MetricFact,
                  out: FaithfulnessDetail, covered: set[tuple[int, str]],
                  bound: str | None = None, period: Span | None = None,
                  worded: bool = True) -> None:
    """``worded``: a number read as a change has a direction or change word (worded.py)."""
    out.numbers_checked += 1
    value = told.base(role) or 0.0
    unit = told.unit_of(role)
    tol = tolerance(s)
    cands = [(i, f) for i, m in enumerate(facts.metrics) for f in m.fields()
             if value_matches(value, unit, tol, m, f)]
    check = NumberCheck(text=s.text, kind=s.kind, start=s.start, claimed_metric=name,
                        claimed_field=role)
    out.checks.append(check)
    claim = name != "other"
    out.claims_checked += claim
    if not cands:
        out.findings.append(("unsupported_number", f"{s.text!r} ({name} {role}) matches no fact"))
        return
    out.numbers_supported += 1
    told_value = told.get(role) or 0.0
    explicit = bool(s.style and s.style.sign) or told_value < 0 or (
        role in CHANGE_FIELDS and told.direction is not None)

    said_q = metric_concepts(told)

    def score(c: tuple[int, str]) -> tuple[bool, bool, bool, bool, bool, bool, bool, bool,
                                           float]:
        """Best trace: right metric, role and sign first, then a result for a result and an
        outlook for an outlook (a quarter's loss of $0.06 and an outlook "from a loss of
        $0.06"), then qualifiers the text may state it with (ECTSum calls give one $1.64 as
        "ffo" and as "core ffo"), then not yet used, then the same qualifiers, closest. A
        status the text may leave out does not outrank "not yet used": "sees fy eps $4.70"
        and "sees 2021 eps $4.70" must cover both an "increases fy eps view $4.70" and a
        "sees 2021 eps $4.70" (ECTSum val set 105 was never released)."""
        m, f = facts.metrics[c[0]], c[1]
        sign_ok = sign_matches(told_value, m, f, explicit)
        if role not in CHANGE_FIELDS and told.direction and told.change is None:
            # "raises fy eps view to $3.20" where the source only "expects" $3.20
            sign_ok = sign_ok and told.direction == m.direction
        gap = abs(abs(plain(value, unit)) - abs(plain(m.base(f) or 0.0, m.unit_of(f))))
        same_metric = m.name == name and m.segment() == told.segment() and (
            name != "other" or _words(m.surface) == _words(told.surface))
        # an unknown metric's number may carry any words only when its fact has none
        named = claim or bool(_words(m.surface)) or m.name != "other"
        held_q = metric_concepts(m)
        return (not named or same_metric, FAMILY[role] == FAMILY[f], sign_ok, f == role,
                m.guidance == told.guidance, said_q <= held_q and held_q - STATUS <= said_q,
                c not in covered, held_q == said_q, -gap)

    best = max(cands, key=score)
    covered.add(best)
    check.metric, check.field = best
    name_ok, field_ok, sign_ok = score(best)[:3]
    m = facts.metrics[best[0]]
    where = f"{s.text!r} is {m.name} {best[1]} in the facts"
    as_level = field_ok and best[1] in CHANGE_FIELDS and not worded
    if not name_ok:
        out.findings.append(("wrong_metric", f"{where}{_of(m)}, the text says "
                             f"{name}{_of(told)}"))
    elif not field_ok:
        out.findings.append(("wrong_field", f"{where}, the text states it as {role}"))
    elif as_level:
        out.findings.append(("wrong_field", f"{where}, the text words it as a level (no "
                             "direction or change word)"))
    field_ok = field_ok and not as_level
    if name_ok and field_ok and not sign_ok:
        said = told.direction or ("negative" if told_value < 0 else "positive")
        out.findings.append(("wrong_direction", f"{where} ({m.direction or m.get(best[1])}), "
                             f"the text says {said}"))
    said, held = period.period if period is not None else None, None
    if said is not None and all(getattr(said, k) is None for k in STATED):
        said = None  # "qtrly", "fy": says no particular period
    if m.period is not None and best[1] not in ("prior", "prior_high"):
        held = facts.periods[m.period]
    # a period the facts do not hold at all is already an unsupported number
    known = said is not None and any(said.same_time(x) for x in [*facts.periods, facts.period]
                                     if x is not None)
    if held is None and best[1] not in ("prior", "prior_high") and not m.guidance:
        held = facts.period  # a result without a period is the report's own period's
    # an outlook the facts hold for no period ("annual savings of $11 million once the plan
    # is implemented") is not one for the quarter a text pins on it ("savings in q2")
    undated = m.guidance and held is None and best[1] not in ("prior", "prior_high")
    period_ok = not known or (said is None if undated else held is None or said.same_time(held))
    if name_ok and field_ok and sign_ok and not period_ok:
        when = held.render() if held is not None else "no period"
        out.findings.append(("wrong_period", f"{where} for {when}, the text says "
                             f"{period.text}"))
    outlook_ok = told.guidance == m.guidance or best[1] == "estimate"
    if name_ok and field_ok and sign_ok and period_ok and not outlook_ok:
        kind = {True: "an outlook", False: "a result"}
        out.findings.append(("wrong_guidance", f"{where} ({kind[m.guidance]}), the text "
                             f"states it as {kind[told.guidance]}"))
    bound_ok = bound == m.bound(best[1])
    if name_ok and field_ok and sign_ok and period_ok and outlook_ok and not bound_ok:
        words = {"min": "a floor", "max": "a cap", None: "an exact figure"}
        out.findings.append(("wrong_bound", f"{where} as {words[m.bound(best[1])]}, the "
                             f"text states {words[bound]}"))
    held_q = metric_concepts(m)
    qualifier_ok = said_q <= held_q and held_q - STATUS <= said_q
    if name_ok and field_ok and sign_ok and period_ok and outlook_ok and bound_ok \
            and not qualifier_ok:
        out.findings.append(("wrong_qualifier", f"{where} {_concepts(held_q)}, the text "
                             f"states it {_concepts(said_q)}"))
    check.ok = name_ok and field_ok and sign_ok and period_ok and outlook_ok and bound_ok \
        and qualifier_ok
    out.claims_correct += claim and check.ok


def _check_counted(m: MetricFact, field: str, text: str, s: Span,
                   out: FaithfulnessDetail) -> None:
    """A count says what it counts: "1.3 million boepd" for tons sold, "8 to 10 per
    share" for store openings, are numbers the facts hold about things they do not."""
    found = counted_span(text, s.end)
    noun, after = found if found else (None, s.end)
    low_end = field in HIGH and m.get(HIGH[field]) is not None  # "15.5 - 16 million units"
    if m.counted and noun is None and not low_end and needs_noun(m.counted) \
            and not counts_ok(m.counted, m.surface):
        out.findings.append(("wrong_unit", f"{s.text!r} counts {m.counted!r} in the facts, "
                             "the text does not say what"))  # "stores of 11", "2.15" alone
    elif noun and not counts_ok(noun, f"{m.counted} {m.surface}"):
        held = m.counted or m.surface or "nothing named"
        out.findings.append(("wrong_unit", f"{s.text!r} counts {held!r} in the facts, the "
                             f"text says {noun!r}"))
    elif m.unit_of(field) != "per_share" and PER_SHARE_AFTER.match(text, after):
        out.findings.append(("wrong_unit", f"{s.text!r} is a count, stated per share"))


def _check_basis(facts: FinancialFacts, text: str, out: FaithfulnessDetail) -> None:
    """A traced change stated "year over year", "sequentially" or at "constant currency"
    must be so in the facts (basis.py); the claim is then no longer correct."""
    traced = {c.start: c for c in out.checks
              if c.ok and c.metric is not None and c.field in CHANGE_FIELDS}
    for start, problem in basis_findings(facts, text, [(c.start, c.metric)  # type: ignore[misc]
                                                       for c in traced.values()]):
        out.findings.append(("unsupported_basis", problem))
        check = traced[start]
        if check.ok:
            check.ok = False
            out.claims_correct -= check.claimed_metric != "other"


def _words(surface: str) -> str:
    """An unknown metric's name as compared: lower case, one space ("" when it has none:
    then any words pass, as the facts hold nothing to check them against)."""
    return " ".join(surface.lower().split())


def _concepts(found: frozenset[str]) -> str:
    return " and ".join(sorted(found)) if found else "without a qualifier"


def _of(m: MetricFact) -> str:
    segment = m.segment()
    return f" of {segment}" if segment else ""


def _check_bare_direction(facts: FinancialFacts, name: str, direction: str,
                          out: FaithfulnessDetail) -> None:
    same = [m for m in facts.metrics if m.name == name]
    out.claims_checked += 1
    stated = [m.direction for m in same if m.direction]
    if not same:
        out.findings.append(("unsupported_claim", f"{name} {direction}: no fact for {name}"))
    elif stated and direction not in stated:
        out.findings.append(("wrong_direction", f"{name} {direction} in the text, "
                             f"{'/'.join(sorted(set(stated)))} in the facts"))
    else:
        out.claims_correct += 1


def _unpack(record: Any) -> tuple[FinancialFacts, str]:
    if isinstance(record, (tuple, list)) and len(record) == 2:
        facts, text = record
    else:
        facts, text = getattr(record, "facts", None), getattr(record, "text", None)
    if isinstance(facts, dict):
        facts = FinancialFacts.model_validate(facts)
    if not isinstance(facts, FinancialFacts) or not isinstance(text, str):
        raise TypeError("a record is (FinancialFacts, text) or has .facts and .text")
    return facts, text


class FaithfulnessFilter(PrivacyFilter[list[Any]]):
    """Removes generated reports with a number, metric or direction the facts do not back.

    ``min_coverage``: also remove texts that state less than this share of the requested
    fact fields (0 keeps them; ``missing_fact`` findings are reported either way).
    ``reject``: the finding kinds that remove a record."""

    name: ClassVar[str] = "finance_faithfulness"
    stages: ClassVar[tuple[Stage, ...]] = ("output",)

    def __init__(self, min_coverage: float = 0.0, reject: Iterable[str] = REJECT) -> None:
        self.min_coverage = min_coverage
        self.reject = frozenset(reject)
        unknown = self.reject - REJECT
        if unknown:
            raise ValueError(f"unknown finding kinds {sorted(unknown)}; "
                             f"choose from {sorted(REJECT)}")

    def details(self, records: Sequence[Any]) -> list[FaithfulnessDetail]:
        return [check_text(*_unpack(r)) for r in records]

    def apply(self, records: list[Any], stage: Stage = "output") -> FilterResult[list[Any]]:
        self.check_stage(stage)
        kept, removed, findings = [], [], []
        for i, rec in enumerate(records):
            detail = check_text(*_unpack(rec))
            findings += [Finding(index=i, filter=self.name, kind=k, detail=d)
                         for k, d in detail.findings]
            bad = any(k in self.reject for k, _ in detail.findings) \
                or detail.coverage < self.min_coverage
            (removed if bad else kept).append(rec)
        return FilterResult(kept=kept, removed=removed, findings=findings)
