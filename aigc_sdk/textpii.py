"""PII in text: find personal data in strings and redact, mask or pseudonymise it.

The engine is domain-free. Recognizers find character spans (a regex with an optional
validator and context cues, a token-classification model from a local folder, or a
plugin's own class); overlapping spans are merged so that no part of a value is left
behind; the filter rewrites each record and reports entity kinds and offsets, never the
values. Plugins bring the recognizers of their domain.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from aigc_sdk.privacy import FilterResult, Finding, PrivacyFilter, Stage

KEY_ENV = "AIGC_PII_KEY"


@dataclass(frozen=True)
class Span:
    """A recognised value at ``text[start:end]``; ``value`` never leaves the process."""

    start: int
    end: int
    entity: str
    score: float
    value: str
    source: str = ""


class Recognizer(ABC):
    """Finds spans of one entity kind (or a few: see ``entities``) in a text."""

    entity: str = ""

    @property
    def entities(self) -> tuple[str, ...]:
        return (self.entity,)

    @abstractmethod
    def find(self, text: str) -> list[Span]: ...


class ContextWords:
    """Whole-word, case-insensitive cues near a span: a digit run right after "IBAN" or
    "SSN" is far more likely to be one than the same digits in a table of amounts."""

    def __init__(self, words: Iterable[str] = (), window: int = 40) -> None:
        ordered = sorted({w.lower() for w in words}, key=len, reverse=True)
        self.window = window
        self._re = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, ordered)) + r")(?!\w)",
                              re.IGNORECASE) if ordered else None

    def near(self, text: str, start: int, end: int) -> bool:
        if self._re is None:
            return False
        before = self._re.search(text, max(0, start - self.window), start)
        return bool(before or self._re.search(text, end, end + self.window // 2))


class RegexRecognizer(Recognizer):
    """A pattern, an optional validator (a checksum, a range rule) and context cues.

    ``group`` picks the capture group holding the value, so a pattern may include its
    own context ("account no. 1234"). A match near a context word gains ``context_boost``;
    with ``require_context`` a match without one is dropped.
    """

    def __init__(self, entity: str, pattern: str | re.Pattern[str], score: float = 0.5, *,
                 validator: Callable[[str], bool] | None = None, context: Iterable[str] = (),
                 context_boost: float = 0.35, window: int = 40, require_context: bool = False,
                 group: int | str = 0, flags: int = 0, name: str = "") -> None:
        self.entity = entity
        self.pattern = re.compile(pattern, flags) if isinstance(pattern, str) else pattern
        self.score, self.validator, self.group = score, validator, group
        self.context = ContextWords(context, window)
        self.context_boost, self.require_context = context_boost, require_context
        self.name = name or f"regex:{entity}"

    def find(self, text: str) -> list[Span]:
        spans = []
        for m in self.pattern.finditer(text):
            start, end = m.span(self.group)
            value = text[start:end]
            if start == end or (self.validator is not None and not self.validator(value)):
                continue
            cued = self.context.near(text, start, end)
            if self.require_context and not cued:
                continue
            score = min(1.0, self.score + (self.context_boost if cued else 0.0))
            spans.append(Span(start, end, self.entity, score, value, self.name))
        return spans


_EMAIL = (r"(?<![\w.+'%-])[A-Za-z0-9](?:[A-Za-z0-9._%+'-]*[A-Za-z0-9_%+-])?@"
          r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![\w-])")


class EmailRecognizer(RegexRecognizer):
    """Addresses with a dotted domain; the syntax alone is a strong signal."""

    def __init__(self, score: float = 0.95) -> None:
        super().__init__("EMAIL", _EMAIL, score, name="email")


class NerRecognizer(Recognizer):
    """Entities (person names by default) from a token-classification model saved in a
    LOCAL folder (``save_pretrained``). Nothing is downloaded; transformers is imported on
    first use. ``pipe`` injects any callable with the pipeline's output format."""

    def __init__(self, model_path: str | Path | None = None,
                 labels: Mapping[str, str] | None = None, *, device: int | str = -1,
                 min_score: float = 0.0, pipe: Callable[[str], list[dict[str, Any]]] | None = None
                 ) -> None:
        self.labels = dict(labels or {"PER": "PERSON", "PERSON": "PERSON"})
        self.entity = next(iter(self.labels.values()))
        self.path = Path(model_path) if model_path is not None else None
        self.device, self.min_score, self._pipe = device, min_score, pipe
        if pipe is None:
            if self.path is None or not (self.path / "config.json").is_file():
                raise FileNotFoundError(
                    f"NER model not found at {self.path}: expected a local folder with "
                    "config.json, tokenizer files and weights (save_pretrained). "
                    "Nothing is downloaded.")

    @property
    def entities(self) -> tuple[str, ...]:
        return tuple(sorted(set(self.labels.values())))

    def _pipeline(self) -> Callable[[str], list[dict[str, Any]]]:
        if self._pipe is None:
            from transformers import AutoModelForTokenClassification, AutoTokenizer, pipeline

            tok = AutoTokenizer.from_pretrained(self.path, local_files_only=True)
            model = AutoModelForTokenClassification.from_pretrained(
                self.path, local_files_only=True)
            self._pipe = pipeline("token-classification", model=model, tokenizer=tok,
                                  aggregation_strategy="simple", device=self.device)
        return self._pipe

    def find(self, text: str) -> list[Span]:
        spans = []
        for r in self._pipeline()(text):
            label = str(r.get("entity_group") or r.get("entity", "")).split("-")[-1]
            entity, score = self.labels.get(label), float(r["score"])
            start, end = int(r["start"]), int(r["end"])
            while start < end and text[start].isspace():
                start += 1
            if entity is None or score < self.min_score or start >= end:
                continue
            spans.append(Span(start, end, entity, score, text[start:end], "ner"))
        return spans


def merge_spans(spans: Iterable[Span], text: str) -> list[Span]:
    """One span per cluster of overlapping spans: the best one's entity and score (higher
    score, then longer), over the union of the cluster, so no fragment is left behind."""
    merged: list[Span] = []
    cluster: list[Span] = []

    def close() -> None:
        if cluster:
            best = max(cluster, key=lambda s: (s.score, s.end - s.start))
            lo, hi = min(s.start for s in cluster), max(s.end for s in cluster)
            merged.append(Span(lo, hi, best.entity, best.score, text[lo:hi], best.source))
            cluster.clear()

    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if cluster and span.start >= max(s.end for s in cluster):
            close()
        cluster.append(span)
    close()
    return merged


class TextPIIConfig(BaseModel):
    """How the filter rewrites what it finds. ``pseudonym`` needs a secret key (``key``
    or the ``key_env`` variable) so the mapping is stable across runs and not recomputable
    by anyone without it."""

    model_config = ConfigDict(extra="forbid")

    mode: Literal["redact", "mask", "pseudonym"] = "redact"
    entities: list[str] | None = None
    threshold: float = Field(0.5, ge=0.0, le=1.0)
    key: SecretStr | None = None
    key_env: str = KEY_ENV
    tag: str = "[{entity}]"
    mask_char: str = Field("*", min_length=1, max_length=1)
    # entity -> trailing characters a mask keeps (e.g. a card's last 4); plugins set theirs
    mask_keep_last: dict[str, int] = Field(default_factory=dict)
    drop_records: bool = False


_FIRST = ("Alex", "Blake", "Casey", "Dana", "Eli", "Frankie", "Gale", "Harper", "Indy",
          "Jules", "Kai", "Lee", "Morgan", "Noel", "Oakley", "Parker", "Quinn", "Reese",
          "Sage", "Tatum", "Uma", "Val", "Wren", "Yael", "Zion", "Ari", "Bo", "Cruz")
_LAST = ("Ashby", "Birch", "Calder", "Dunmore", "Ellery", "Fairlie", "Garrow", "Hale",
         "Irwin", "Jessop", "Kerrow", "Lindqvist", "Marlow", "Norcott", "Orme", "Pell",
         "Quarry", "Rook", "Stanway", "Thorne", "Upton", "Vance", "Wexley", "Yardley")


def _stream(key: bytes, label: str) -> Iterator[int]:
    """Bytes of HMAC-SHA256(key, label || counter): deterministic, keyed, unbounded."""
    counter = 0
    while True:
        yield from hmac.new(key, f"{label}\x00{counter}".encode(), hashlib.sha256).digest()
        counter += 1


def _substitute(value: str, stream: Iterator[int]) -> str:
    """Digits to digits, letters to letters (case kept), everything else kept."""
    out = []
    for ch in value:
        if ch.isdigit():
            out.append(str(next(stream) % 10))
        elif ch.isalpha():
            c = chr(ord("a") + next(stream) % 26)
            out.append(c.upper() if ch.isupper() else c)
        else:
            out.append(ch)
    return "".join(out)


def pseudonym(value: str, entity: str, key: bytes) -> str:
    """Keyed, deterministic and format-preserving: the same value (whatever its separators
    or case) always gets the same pseudonym; an email stays an email, a name a name."""
    if entity == "EMAIL":
        norm = value.casefold()
    elif entity == "PERSON":
        norm = " ".join(value.split()).casefold()
    else:
        norm = re.sub(r"[\W_]", "", value).upper()
    stream = _stream(key, f"{entity}\x00{norm}")
    if entity == "EMAIL" and "@" in value:
        local, _, domain = value.rpartition("@")
        *labels, tld = domain.split(".")
        return (_substitute(local, stream) + "@"
                + ".".join([*(_substitute(x, stream) for x in labels), tld]))
    if entity == "PERSON":
        words = []
        for i, word in enumerate(value.split()):
            if word.islower():  # particles: van, de, bin
                words.append(word)
            elif len(word) <= 2 and word.endswith("."):
                words.append(chr(ord("A") + next(stream) % 26) + ".")
            else:
                names = _FIRST if i == 0 else _LAST
                pick = names[(next(stream) << 8 | next(stream)) % len(names)]
                words.append(pick.upper() if word.isupper() else pick)
        return " ".join(words)
    return _substitute(value, stream)


def mask(value: str, keep_last: int = 0, char: str = "*") -> str:
    """Letters and digits become ``char``, separators stay; at most a quarter of the
    characters (the last ``keep_last``) stay readable, e.g. ``**** **** **** 1234``."""
    n = sum(c.isalnum() for c in value)
    keep = min(keep_last, n // 4)
    out, seen = [], 0
    for c in value:
        if c.isalnum():
            seen += 1
            out.append(c if seen > n - keep else char)
        else:
            out.append(c)
    return "".join(out)


class TextPIIFilter(PrivacyFilter[list[str]]):
    """Finds PII in each string with the given recognizers and rewrites it (``input``
    stage: before training; ``output``: generated text that leaks). Findings carry the
    entity kind and offsets in the original string, never the value."""

    name: ClassVar[str] = "text_pii"
    stages: ClassVar[tuple[Stage, ...]] = ("input", "output")

    def __init__(self, recognizers: Sequence[Recognizer], config: TextPIIConfig | None = None,
                 **options: Any) -> None:
        if config is not None and options:
            raise TypeError("pass either config or keyword options, not both")
        self.config = config or TextPIIConfig(**options)
        known = sorted({e for r in recognizers for e in r.entities})
        wanted = set(self.config.entities or known)
        if unknown := sorted(wanted - set(known)):
            raise ValueError(f"unknown PII entities {unknown}; known: {known}")
        self.entities = sorted(wanted)
        self.recognizers = [r for r in recognizers if wanted & set(r.entities)]
        self._key = b""
        if self.config.mode == "pseudonym":
            secret = (self.config.key.get_secret_value() if self.config.key
                      else os.environ.get(self.config.key_env, ""))
            if not secret:
                raise ValueError("pseudonym mode needs a secret key: pass key=... or set "
                                 f"${self.config.key_env}")
            self._key = secret.encode()

    def scan(self, text: str) -> list[Span]:
        """Spans above the threshold, overlaps merged, in text order."""
        found = [s for r in self.recognizers for s in r.find(text)
                 if s.entity in self.entities and s.score >= self.config.threshold]
        return merge_spans(found, text)

    def replacement(self, span: Span) -> str:
        cfg = self.config
        if cfg.mode == "redact":
            return cfg.tag.format(entity=span.entity)
        if cfg.mode == "mask":
            return mask(span.value, cfg.mask_keep_last.get(span.entity, 0), cfg.mask_char)
        return pseudonym(span.value, span.entity, self._key)

    def rewrite(self, text: str, spans: Sequence[Span] | None = None) -> str:
        spans = self.scan(text) if spans is None else spans
        parts, pos = [], 0
        for span in sorted(spans, key=lambda s: s.start):
            parts += [text[pos:span.start], self.replacement(span)]
            pos = span.end
        return "".join(parts) + text[pos:]

    def apply(self, records: list[str], stage: Stage = "output") -> FilterResult[list[str]]:
        self.check_stage(stage)
        kept: list[str] = []
        removed: list[str] = []
        findings: list[Finding] = []
        for i, text in enumerate(records):
            if not isinstance(text, str):
                raise TypeError(f"record {i}: expected str, got {type(text).__name__}")
            spans = self.scan(text)
            findings += [Finding(index=i, filter=self.name, kind=s.entity,
                                 detail=f"chars {s.start}-{s.end}: {self.config.mode}",
                                 score=round(s.score, 3)) for s in spans]
            if spans and self.config.drop_records:
                removed.append(text)
            else:
                kept.append(self.rewrite(text, spans))
        return FilterResult(kept=kept, removed=removed, findings=findings)
