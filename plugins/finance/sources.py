"""Dataset sources of the finance plugin: records of (facts, text, templates), not tensors.

A record (:class:`ReportRecord`) is one report: its facts, its text, and one template
per sentence with ``" ".join(realise(t, facts) for t in templates) == text``. Sources
read real user data into such records; a tokenizer turns them into tensors later.

- :class:`ECTSumSource`: ECTSum JSONL ``{ticker, quarter, year, bullets}``, one call a record
- :class:`TatQASource`: TAT-QA JSON; table rows with years become facts, and paragraph
  sentences are kept when every number in them binds to a table fact
- :class:`JsonlReportSource`: user JSONL ``{"facts": {...FinancialFacts...}, "text": ...}``
- :class:`CsvTextSource`: a CSV with a ``text`` column; facts are read from the text

Splits: ``"all"`` (default) or ``"train"``/``"val"``/``"test"`` (0.8/0.1/0.1), decided by a
hash of a group key (ECTSum: the ticker, so no company is in two splits), so a split
stays the same when records are added. Bad input raises ``ValueError`` naming file, line
and field; with ``on_error="skip"`` the line is left out and listed in the quality report.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import unicodedata
from abc import abstractmethod
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar, Literal

import torch
from pydantic import BaseModel, Field, ValidationError

from aigc_plugins.finance.binding import bind, merge_sentence
from aigc_plugins.finance.dataquality import TextQualityLog, text_quality_report
from aigc_plugins.finance.facts import FinancialFacts, FiscalPeriod, MetricFact
from aigc_plugins.finance.numbers import parse
from aigc_plugins.finance.templates import delexicalise, report_from_call, whole_bullets
from aigc_plugins.finance.vocab import canonical, find_metrics
from aigc_sdk.dataset import DataSchema, Dataset
from aigc_sdk.quality import QualityReport

FRACTIONS = {"train": 0.8, "val": 0.1, "test": 0.1}
OnError = Literal["raise", "skip"]


class ReportRecord(BaseModel):
    """One report: ``facts``, ``text``, its ``sentences`` and one template per sentence;
    ``source`` says where it came from ("file.jsonl:12"), ``meta`` keeps other columns."""

    facts: FinancialFacts
    text: str
    sentences: list[str]
    templates: list[str]
    source: str = ""
    meta: dict[str, Any] = Field(default_factory=dict)


def split_of(key: str, seed: int = 0) -> str:
    """train/val/test for a group key, stable across runs and machines."""
    h = hashlib.blake2b(f"{seed}:{key}".encode(), digest_size=8).digest()
    u = int.from_bytes(h, "big") / 2**64
    edge = 0.0
    for name, frac in FRACTIONS.items():
        edge += frac
        if u < edge:
            return name
    return "test"


class TextSource(Dataset):
    """Shared reading, splitting, schema and quality report of the text sources."""

    kind: ClassVar[str] = "financial text"

    def __init__(self, path: str | Path, split: str = "all", seed: int = 0,
                 on_error: OnError = "raise") -> None:
        super().__init__(path)
        if split not in (*FRACTIONS, "all"):
            raise ValueError(f"{self.path}: no split {split!r}; choose from "
                             f"{[*FRACTIONS, 'all']}")
        if on_error not in ("raise", "skip"):
            raise ValueError(f"on_error must be 'raise' or 'skip', not {on_error!r}")
        if not self.path.is_file():
            raise FileNotFoundError(f"{self.path}: no such file")
        self.split, self.seed, self.on_error = split, seed, on_error
        self._log = TextQualityLog()
        self.records = [r for r, key in self._read()
                        if split == "all" or split_of(key, seed) == split]

    @abstractmethod
    def _read(self) -> Iterator[tuple[ReportRecord, str]]:
        """Yield (record, split key) for every readable record."""

    def _fail(self, where: str, why: str) -> None:
        if self.on_error == "raise":
            raise ValueError(f"{where}: {why}")
        self._log.error(where, why)

    def _jsonl(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """(where, object) per non-empty line; bad JSON is reported with its line."""
        with open(self.path, encoding="utf-8") as fh:
            for lineno, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                self._log.read += 1
                where = f"{self.path}:{lineno}"
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as exc:
                    self._fail(where, f"not valid JSON: {exc.msg} (column {exc.colno})")
                    continue
                if not isinstance(obj, dict):
                    self._fail(where, f"expected a JSON object, got {type(obj).__name__}")
                    continue
                yield where, obj

    def __len__(self) -> int:
        return len(self.records)

    def __getitem__(self, i: int) -> ReportRecord:
        return self.records[i]

    def get_batch(self, indices: torch.Tensor | Sequence[int]) -> list[ReportRecord]:
        """Records are not tensors: a batch is the list of records."""
        return [self.records[int(i)] for i in indices]

    @property
    def schema(self) -> DataSchema:
        names = sorted({m.name for r in self.records for m in r.facts.metrics})
        return DataSchema(
            sample_shape=[], description=f"{self.source_name}: {self.path.name} ({self.split})",
            attributes={
                "source": self.source_name, "split": self.split, "modality": "text",
                "record": "ReportRecord(facts, text, sentences, templates)",
                "slot_syntax": "<m{i}.{field}> for facts.metrics[i], <p{j}> for facts.periods[j]",
                "max_metrics": max((len(r.facts.metrics) for r in self.records), default=0),
                "max_periods": max((len(r.facts.periods) for r in self.records), default=0),
                "metric_names": names})

    def quality_report(self) -> QualityReport:
        return text_quality_report(self.records, str(self.path), f"{self.source_name}: "
                                   f"{self.kind}", self.split, self._log)

    @staticmethod
    def _first_line(path: Path) -> dict[str, Any] | None:
        try:
            with open(path, encoding="utf-8") as fh:
                for line in fh:
                    if line.strip():
                        obj = json.loads(line)
                        return obj if isinstance(obj, dict) else None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            return None
        return None


class ECTSumSource(TextSource):
    """ECTSum earnings-call summaries: one record per call, one template per bullet."""

    source_name: ClassVar[str] = "ectsum"
    kind: ClassVar[str] = "ECTSum JSONL (earnings-call bullets)"

    def _read(self) -> Iterator[tuple[ReportRecord, str]]:
        for where, obj in self._jsonl():
            bullets = obj.get("bullets")
            if not isinstance(bullets, list) or not bullets or \
                    not all(isinstance(b, str) for b in bullets):
                self._fail(where, "field 'bullets': expected a non-empty list of strings, "
                           f"got {bullets!r:.60}")
                continue
            bad = [k for k, t in (("quarter", int), ("year", int), ("ticker", str))
                   if obj.get(k) is not None and not isinstance(obj[k], t)]
            if bad or (obj.get("quarter") is not None and not 1 <= obj["quarter"] <= 4):
                k = (bad or ["quarter"])[0]
                self._fail(where, f"field {k!r}: unexpected value {obj.get(k)!r}")
                continue
            facts, templates, text = report_from_call(obj)
            meta = {k: v for k, v in obj.items() if k not in ("bullets",)}
            yield ReportRecord(facts=facts, text=text, sentences=whole_bullets(bullets),
                               templates=templates, source=where, meta=meta), \
                str(obj.get("ticker") or where)

    @classmethod
    def accepts(cls, path: Path) -> bool:
        return path.suffix.lower() == ".jsonl" and "bullets" in (cls._first_line(path) or {})


class JsonlReportSource(TextSource):
    """User reports, one JSON object a line: ``{"facts": {...}, "text": "..."}``.

    ``facts`` follows :class:`~aigc_plugins.finance.facts.FinancialFacts` (styles may be
    left out: they are read from the text). The whole text is one template; numbers that
    match no fact stay literal and are listed by the quality report."""

    source_name: ClassVar[str] = "finance_jsonl"
    kind: ClassVar[str] = "JSONL facts + text"

    def _read(self) -> Iterator[tuple[ReportRecord, str]]:
        for where, obj in self._jsonl():
            text = obj.get("text")
            if not isinstance(text, str) or not text.strip():
                self._fail(where, f"field 'text': expected a non-empty string, got {text!r:.60}")
                continue
            if not isinstance(obj.get("facts"), dict):
                self._fail(where, "field 'facts': expected an object with the report's facts")
                continue
            try:
                pool = FinancialFacts.model_validate(obj["facts"])
            except ValidationError as exc:
                err = exc.errors()[0]
                loc = ".".join(str(x) for x in ("facts", *err["loc"]))
                self._fail(where, f"field {loc!r}: {err['msg']}")
                continue
            facts, template, _ = bind(text, pool, keep_unstated=True, keep_unused=True)
            meta = {k: v for k, v in obj.items() if k not in ("facts", "text")}
            yield ReportRecord(facts=facts, text=text, sentences=[text], templates=[template],
                               source=where, meta=meta), str(pool.ticker or where)

    @classmethod
    def accepts(cls, path: Path) -> bool:
        first = cls._first_line(path) or {}
        return path.suffix.lower() == ".jsonl" and "facts" in first and "text" in first


class CsvTextSource(TextSource):
    """A CSV with a text column (``text_column``, default "text"); each row's facts are
    read from its text by the parser. Other columns are kept in ``meta``."""

    source_name: ClassVar[str] = "finance_csv"
    kind: ClassVar[str] = "CSV text"

    def __init__(self, path: str | Path, split: str = "all", seed: int = 0,
                 on_error: OnError = "raise", text_column: str = "text") -> None:
        self.text_column = text_column
        super().__init__(path, split, seed, on_error)

    def _read(self) -> Iterator[tuple[ReportRecord, str]]:
        with open(self.path, newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            header = reader.fieldnames or []
            if self.text_column not in header:
                raise ValueError(f"{self.path}: no column {self.text_column!r}; "
                                 f"columns are {header}")
            for row in reader:
                self._log.read += 1
                where = f"{self.path}:{reader.line_num}"
                text = row.get(self.text_column)
                if not text or not text.strip():
                    self._fail(where, f"field {self.text_column!r} is empty")
                    continue
                facts, template = delexicalise(text)
                meta = {k: v for k, v in row.items() if k != self.text_column}
                yield ReportRecord(facts=facts, text=text, sentences=[text],
                                   templates=[template], source=where, meta=meta), where

    @classmethod
    def accepts(cls, path: Path) -> bool:
        if path.suffix.lower() != ".csv":
            return False
        try:
            with open(path, newline="", encoding="utf-8") as fh:
                return "text" in [h.strip().lower() for h in next(csv.reader(fh), [])]
        except (OSError, UnicodeDecodeError):
            return False


_YEAR = re.compile(r"(?<!\d)(19[5-9]\d|20[0-4]\d)(?!\d)")
_SCALE_WORD = re.compile(r"\bin (thousands|millions|billions)\b", re.IGNORECASE)
_SENT = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\"'])")


def _cell(cell: str) -> tuple[float, str] | None:
    """A table cell as (value, unit): "$ 1,452.4" -> (1452.4, currency), "(3.1)%" -> -3.1."""
    raw = cell.strip()
    c = raw.replace("$", "").replace(",", "").replace(" ", "").replace("\u2009", "")
    neg = c.startswith("(") and c.rstrip("%").endswith(")")
    c = c.strip("()%").lstrip("-−") if neg else c.strip("%")
    m = re.fullmatch(r"[-−]?\d+(?:\.\d+)?", c)
    if not m:
        return None
    v = float(c.replace("−", "-"))
    unit = "percent" if "%" in raw else "currency"
    return (-v if neg else v), unit


class TatQASource(TextSource):
    """TAT-QA (annual-report tables with paragraphs): one record per table whose
    paragraphs have at least one sentence in which every number binds to the table."""

    source_name: ClassVar[str] = "tatqa"
    kind: ClassVar[str] = "TAT-QA JSON (tables + paragraphs)"

    def _read(self) -> Iterator[tuple[ReportRecord, str]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ValueError(f"{self.path}: not valid JSON: {exc.msg} "
                             f"(line {exc.lineno}, column {exc.colno})") from exc
        if not isinstance(data, list):
            raise ValueError(f"{self.path}: expected a JSON list of TAT-QA items")
        for k, item in enumerate(data):
            self._log.read += 1
            where = f"{self.path}[{k}]"
            rows = (item.get("table") or {}).get("table") if isinstance(item, dict) else None
            paras = item.get("paragraphs") if isinstance(item, dict) else None
            if not isinstance(rows, list) or not isinstance(paras, list):
                self._fail(where, "fields 'table.table' and 'paragraphs' must be lists")
                continue
            pool = self._facts(rows, paras, item.get("questions") or [])
            if pool is None:
                self._log.drop(where, "table has no year columns")
                continue
            facts = FinancialFacts(period=pool.period)
            sentences, templates = [], []
            for p in paras:
                for sent in _SENT.split(str(p.get("text", "")) if isinstance(p, dict) else ""):
                    if not any(s.is_quantity for s in parse(sent)):
                        continue
                    part, template, unbound = bind(sent, pool)
                    if unbound:
                        self._log.drop(where, f"{', '.join(unbound[:3])} in {sent[:80]!r}")
                        continue
                    facts, template = merge_sentence(facts, part, template)
                    sentences.append(sent)
                    templates.append(template)
            if sentences:
                uid = str((item.get("table") or {}).get("uid") or where)
                yield ReportRecord(facts=facts, text=" ".join(sentences), sentences=sentences,
                                   templates=templates, source=where,
                                   meta={"table_uid": uid}), uid

    @staticmethod
    def _facts(rows: list[Any], paras: list[Any], questions: list[Any]) -> FinancialFacts | None:
        """Pool of facts: per row and year column, value (that year) and prior (the year
        before), their change, and a sibling with the change in percent."""
        head = next((i for i, r in enumerate(rows[:4]) if sum(
            bool(_YEAR.fullmatch(str(c).strip())) for c in r[1:]) >= 1), None)
        if head is None:
            return None
        years = {j: int(str(c).strip()) for j, c in enumerate(rows[head]) if j and
                 _YEAR.fullmatch(str(c).strip())}
        text = " ".join(str(c) for r in rows for c in r) + " " + " ".join(
            str(p.get("text", "")) for p in paras if isinstance(p, dict))
        m = _SCALE_WORD.search(text)
        asked = Counter(q.get("scale") for q in questions if isinstance(q, dict)
                        and q.get("scale") in ("thousand", "million", "billion"))
        scale = m.group(1).lower()[:-1] if m else (
            asked.most_common(1)[0][0] if asked else "none")
        pool = FinancialFacts(period=FiscalPeriod(kind="year", year=max(years.values()),
                                                  style="{y}"))
        for y in sorted(set(years.values()), reverse=True):
            pool.add_period(FiscalPeriod(kind="year", year=y, style="{y}"))
        order = sorted(years, key=lambda j: -years[j])
        for r in rows[head + 1:]:
            label = unicodedata.normalize("NFKC", str(r[0])).strip() if r else ""
            cells = {j: _cell(str(r[j])) for j in order if j < len(r)}
            if not label or not any(cells.values()):
                continue
            found = find_metrics(label)
            name = found[0].name if found and len(found[0].surface) >= 0.6 * len(label) \
                else canonical(label)
            for a, b in zip(order, [*order[1:], None]):
                cur, prev = cells.get(a), cells.get(b) if b is not None else None
                if cur is None:
                    continue
                unit = cur[1]
                sc = "none" if unit == "percent" else scale
                pidx = pool.periods.index(FiscalPeriod(kind="year", year=years[a], style="{y}"))
                fact = MetricFact(name=name, surface=label, unit=unit, scale=sc,
                                  value=cur[0], period=pidx)
                if prev is not None and prev[1] == unit:
                    fact.prior_value = prev[0]
                    fact.prior_period = pool.add_period(
                        FiscalPeriod(kind="year", year=years[b], style="{y}"))
                    fact.change = round(cur[0] - prev[0], 10)
                    fact.change_unit = "pp" if unit == "percent" else unit
                    if fact.change:
                        fact.direction = "up" if fact.change > 0 else "down"
                pool.metrics.append(fact)
                if prev is not None and prev[1] == unit == "currency" and prev[0]:
                    pct = (cur[0] - prev[0]) / abs(prev[0]) * 100
                    pool.metrics.append(MetricFact(
                        name=name, surface=label, unit=unit, scale=sc, change=pct,
                        change_unit="percent", direction="up" if pct > 0 else "down",
                        period=pidx))
        return pool

    @classmethod
    def accepts(cls, path: Path) -> bool:
        if path.suffix.lower() != ".json":
            return False
        try:
            with open(path, encoding="utf-8") as fh:
                head = fh.read(4096)
        except (OSError, UnicodeDecodeError):
            return False
        return '"table"' in head and '"paragraphs"' in head
