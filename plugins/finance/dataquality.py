"""Data-quality report of the finance text sources.

The generator learns to fill slots with facts, so what matters before training is:
does every number in the text parse, bind to a fact and come back exactly
(round trip), which metrics and slot types the data covers, and what is duplicated.
Sources feed a :class:`TextQualityLog` while reading (records, lines they could not
read, sentences they dropped) and the report is built from it without re-reading.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from aigc_plugins.finance.numbers import parse, untyped_numbers
from aigc_plugins.finance.templates import SLOT_RE, realise
from aigc_sdk.quality import QualityReport

if TYPE_CHECKING:
    from aigc_plugins.finance.sources import ReportRecord

MAX_ROWS = 20


@dataclass
class TextQualityLog:
    """What a source saw while reading: unreadable lines and dropped sentences (with
    where and why) and free-form notes."""

    errors: list[tuple[str, str]] = field(default_factory=list)
    dropped: list[tuple[str, str]] = field(default_factory=list)
    read: int = 0

    def error(self, where: str, why: str) -> None:
        self.errors.append((where, why))

    def drop(self, where: str, why: str) -> None:
        self.dropped.append((where, why))


def _literal_numbers(template: str) -> list[str]:
    """Quantities or periods a template still spells out (they could not be slotted)."""
    bare = SLOT_RE.sub(" ", template)
    return [s.text for s in parse(bare) if s.is_quantity or s.is_time]


def text_quality_report(records: list[ReportRecord], source: str, kind: str, split: str,
                        log: TextQualityLog) -> QualityReport:
    """Counts, slot and metric tables, and checks: unreadable lines, unparsed numbers,
    numbers left in templates, round-trip failures, unattributed numbers, duplicates."""
    rep = QualityReport(source=source, kind=kind)
    sentences = [s for r in records for s in r.sentences]
    slots: Counter[str] = Counter()
    per_sentence: list[int] = []
    for r in records:
        for t in r.templates:
            found = [m for m in SLOT_RE.finditer(t)]
            per_sentence.append(sum(m.group(2) not in (None, "name") for m in found))
            slots.update(m.group(2) or "period" for m in found)
    names = Counter(m.name for r in records for m in r.facts.metrics)
    n_num = sum(per_sentence)
    rep.summary = {
        "split": split, "reports": len(records), "sentences": len(sentences),
        "numbers (slotted quantities)": n_num,
        "numbers per sentence": f"mean {n_num / max(1, len(per_sentence)):.2f}, "
                                f"max {max(per_sentence, default=0)}",
        "period slots": slots.get("period", 0),
        "metrics per report": round(
            sum(len(r.facts.metrics) for r in records) / max(1, len(records)), 2),
        "distinct metric names": len(names),
        "lines read (all splits)": log.read,
    }
    rep.tables["slot types"] = [{"slot": k, "count": v} for k, v in slots.most_common()]
    rep.tables["metric names"] = [{"metric": k, "count": v}
                                  for k, v in names.most_common(30)]
    _check_errors(rep, log, bool(records))
    _check_unparsed(rep, records)
    _check_round_trip(rep, records)
    _check_other(rep, records, n_num)
    _check_duplicates(rep, records)
    if log.dropped:
        rep.add("dropped sentences", "ok", f"{len(log.dropped)} sentence(s) left out: a number "
                "in them binds to no fact (see table)")
        rep.tables["dropped sentences"] = [{"where": w, "why": y} for w, y in
                                           log.dropped[:MAX_ROWS]]
    return rep


def _check_errors(rep: QualityReport, log: TextQualityLog, any_ok: bool) -> None:
    if not log.errors:
        rep.add("unreadable lines", "ok", "every line was read")
        return
    shown = "; ".join(f"{w}: {y}" for w, y in log.errors[:5])
    rep.add("unreadable lines", "warn" if any_ok else "error",
            f"{len(log.errors)} skipped: {shown}")
    rep.tables["unreadable lines"] = [{"where": w, "error": y} for w, y in log.errors[:MAX_ROWS]]


def _check_unparsed(rep: QualityReport, records: list[ReportRecord]) -> None:
    rows = []
    for r in records:
        for s, t in zip(r.sentences, r.templates):
            bad = untyped_numbers(s)
            literal = _literal_numbers(t)
            if bad or literal:
                rows.append({"where": r.source, "numbers": ", ".join(bad + literal),
                             "sentence": s[:160]})
    if not rows:
        rep.add("unparsed numbers", "ok", "every number was typed and slotted")
        return
    ex = "; ".join(f"{x['numbers']!r} in {x['sentence'][:60]!r}" for x in rows[:3])
    rep.add("unparsed numbers", "warn", f"{len(rows)} sentence(s) keep numbers the parser "
            f"could not type or slot (they would be copied, not traced): {ex}")
    rep.tables["unparsed numbers"] = rows[:MAX_ROWS]


def _check_round_trip(rep: QualityReport, records: list[ReportRecord]) -> None:
    rows = []
    for r in records:
        for s, t in zip(r.sentences, r.templates):
            try:
                out = realise(t, r.facts)
            except ValueError as exc:
                out = f"<error: {exc}>"
            if out != s:
                rows.append({"where": r.source, "text": s[:160], "realised": out[:160]})
    if not rows:
        rep.add("round trip", "ok", "every sentence is rebuilt exactly from facts and template")
        return
    rep.add("round trip", "warn", f"{len(rows)} sentence(s) do not come back exactly "
            f"from their facts (first: {rows[0]['text'][:80]!r})")
    rep.tables["round-trip failures"] = rows[:MAX_ROWS]


def _check_other(rep: QualityReport, records: list[ReportRecord], n_num: int) -> None:
    other = sum(len(m.fields()) for r in records for m in r.facts.metrics if m.name == "other")
    share = other / max(1, n_num)
    rep.add("unattributed numbers", "warn" if share > 0.2 else "ok",
            f"{other} number(s) ({share:.1%}) have no metric phrase the vocabulary knows "
            "(metric 'other'); extend vocab.METRICS if they matter")


def _check_duplicates(rep: QualityReport, records: list[ReportRecord]) -> None:
    seen: dict[str, list[str]] = {}
    for r in records:
        seen.setdefault(r.text.strip().lower(), []).append(r.source)
    groups = [v for v in seen.values() if len(v) > 1]
    inner = sum(len(r.sentences) - len({s.strip().lower() for s in r.sentences})
                for r in records)
    detail = f"{inner} sentence(s) repeated inside a report"
    if groups:
        shown = "; ".join(" = ".join(g[:3]) for g in groups[:5])
        rep.add("duplicates", "warn", f"{len(groups)} group(s) of identical reports, "
                f"{sum(len(g) - 1 for g in groups)} redundant: {shown}; {detail}")
        rep.tables["duplicate reports"] = [{"group": k, "count": len(g), "where": ", ".join(g)}
                                           for k, g in enumerate(groups[:MAX_ROWS])]
    else:
        rep.add("duplicates", "ok", f"no identical reports; {detail}")
