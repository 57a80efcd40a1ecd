"""Structured financial facts, and how each number was written.

A report generator is only trustworthy if every number it prints comes from a fact, so
the facts carry both the *value* (what the number means) and the *style* (how the
source text wrote it: "$481.1 mln", "11.1 percent", "$(0.12)"). Keeping the style apart
from the value lets a template slot be filled with exactly the text the source used,
and lets a new value be written the way the training data writes it.

Values of one metric share one ``scale`` (481.1 with scale "million"); a field written
in another scale keeps that in its style ("$951 million" next to "$1.2 billion" is
stored as 0.951 billion and written back as 951 million). ``base()`` gives the plain
number (481_100_000.0) for comparisons.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from aigc_plugins.finance.phrases import find_named_metrics
from aigc_plugins.finance.qualifiers import metric_concepts
from aigc_plugins.finance.vocab import MetricMention, bound_kind

Unit = Literal["currency", "per_share", "percent", "pp", "bps", "ratio", "count", "other"]
Scale = Literal["none", "thousand", "million", "billion", "trillion"]
Direction = Literal["up", "down", "flat"]
PeriodKind = Literal["quarter", "half", "nine_months", "year", "ytd", "month", "date"]
FieldName = Literal["value", "high", "prior", "prior_high", "change", "change_high", "estimate"]

SCALE_FACTOR: dict[str, float] = {
    "none": 1.0, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
#: slot field -> MetricFact attribute
FIELD_ATTR: dict[str, str] = {
    "value": "value", "high": "value_high", "prior": "prior_value", "prior_high": "prior_high",
    "change": "change", "change_high": "change_high", "estimate": "estimate"}
FIELDS: tuple[str, ...] = tuple(FIELD_ATTR)
CHANGE_FIELDS = frozenset({"change", "change_high"})
CENT_SIGNS = frozenset({"¢", "cents", "cent", "c"})


def factor(scale: str) -> float:
    return SCALE_FACTOR[scale]


def normalise(value: float, scale: str = "none") -> float:
    """The plain number: ``normalise(1.2, "billion") == normalise(1200, "million")``."""
    return value * SCALE_FACTOR[scale]


class NumberStyle(BaseModel):
    """How one number was written; ``format_number(value, style)`` reproduces the text.

    ``scale`` is the scale the written digits are in; ``scale_text`` the word used for it
    ("million", "mln", "m", "bn"; "" when not written, e.g. the first number of
    "$685 to $715 million", which borrows the scale of the second). ``sign`` says how a
    sign is written: "" (magnitude only: the sign comes from words such as "fell" or
    "loss"), "-", "−", "+" (always signed), "()" or "negative "/"minus ".
    """

    model_config = ConfigDict(frozen=True)

    currency: str = ""  # as written: "$", "us$", "usd", "€", "rmb", "¢"
    currency_after: bool = False  # "5 euros", "71¢"
    currency_sep: str = ""  # between currency and digits: "" or " "
    sign: str = ""
    sign_inside: bool = False  # "$-0.12", "$(0.12)" rather than "-$0.12", "($0.12)"
    decimals: int = 0
    thousands: bool = False  # "1,309.9"
    leading_zero: bool = True  # False for "$.42"
    pad: int = 0  # zero-padded integer width ("00"), 0 when not padded
    scale: Scale = "none"
    scale_text: str = ""
    scale_sep: str = ""
    suffix: str = ""  # unit text as written: "%", " percent", " pct", " basis points", "x"


def format_number(value: float, style: NumberStyle, base_scale: str = "none") -> str:
    """Write ``value`` (in ``base_scale`` units) exactly as ``style`` says."""
    x = value * SCALE_FACTOR[base_scale] / SCALE_FACTOR[style.scale]
    if style.currency_after and style.currency.lower() in CENT_SIGNS:
        x *= 100.0
    neg = x < 0 and round(abs(x), style.decimals) != 0
    digits = f"{abs(x):,.{style.decimals}f}" if style.thousands else f"{abs(x):.{style.decimals}f}"
    if not style.leading_zero and digits.startswith("0."):
        digits = digits[1:]
    if style.pad:
        head, dot, tail = digits.partition(".")
        digits = head.zfill(style.pad) + dot + tail
    sign, close = "", ""
    if style.sign == "+":
        sign = "-" if neg else "+"
    elif neg and style.sign == "()":
        sign, close = "(", ")"
    elif neg and style.sign:
        sign = style.sign
    scale = style.scale_sep + style.scale_text if style.scale_text else ""
    cur = style.currency
    pre = cur + style.currency_sep if cur and not style.currency_after else ""
    post = style.currency_sep + cur if cur and style.currency_after else ""
    if style.sign_inside:  # "$(0.12)", "$-0.12"
        return pre + sign + digits + close + scale + post + style.suffix
    return sign + pre + digits + scale + post + style.suffix + close


def default_style(unit: str, scale: str = "none", value: float | None = None) -> NumberStyle:
    """The ECTSum house style, used when user facts come without a style."""
    decimals = 0
    if value is not None:
        text = f"{abs(value):.6f}".rstrip("0").rstrip(".")
        decimals = len(text.split(".")[1]) if "." in text else 0
    scale_text = "" if scale == "none" else scale
    if unit in ("currency", "per_share"):
        decimals = max(decimals, 2) if unit == "per_share" else decimals
        return NumberStyle(currency="$", decimals=decimals, scale=scale, scale_text=scale_text,
                           scale_sep=" " if scale_text else "")
    suffix = {"percent": "%", "pp": " percentage points", "bps": " basis points",
              "ratio": "x"}.get(unit, "")
    return NumberStyle(decimals=decimals, scale=scale, scale_text=scale_text,
                       scale_sep=" " if scale_text else "", suffix=suffix)


QUARTER_WORDS = ("first", "second", "third", "fourth")
ORDINALS = ("1st", "2nd", "3rd", "4th")
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
          "september", "october", "november", "december")


def _cased(word: str, case: str) -> str:
    return {"lower": word, "title": word.title(), "upper": word.upper()}[case]


class FiscalPeriod(BaseModel):
    """A period or date mention. ``style`` is the pattern it was written with, e.g.
    "q{q}", "{qw} quarter {y}", "fy'{yy}", "qtrly", "{month} {d}, {y}" (see ``render``);
    fields the text does not state (the year of "q1") may come from context."""

    model_config = ConfigDict(frozen=True)

    kind: PeriodKind = "quarter"
    quarter: int | None = Field(default=None, ge=1, le=4)
    half: int | None = Field(default=None, ge=1, le=2)
    year: int | None = None
    month: int | None = Field(default=None, ge=1, le=12)
    day: int | None = Field(default=None, ge=1, le=31)
    style: str = ""

    def render(self) -> str:
        """The period as its style writes it. Placeholders: {q} {qw}/{Qw}/{QW} {qth}
        {h} {hw}/{Hw} {hth} {y} {yy} {m} {mm} {month}/{Month}/{MONTH} {mon}/{Mon} {d} {dd}.
        Without a style, the ECTSum house style of its kind ("q1", "fy 2021", ...)."""
        return _PLACEHOLDER.sub(lambda m: self._fill(m.group(1)), self.style or self._default())

    def _default(self) -> str:
        if self.kind == "quarter":
            return "qtrly" if self.quarter is None else "q{q}" + " {y}" * (self.year is not None)
        if self.kind == "half":
            return "h{h}" + " {y}" * (self.year is not None)
        if self.kind in ("year", "ytd", "nine_months"):
            word = {"year": "fy", "ytd": "ytd", "nine_months": "nine months"}[self.kind]
            return word + " {y}" * (self.year is not None)
        if self.kind == "month":
            return "{month} {y}"
        return "{month} {d}" + ", {y}" * (self.year is not None)

    def _fill(self, key: str) -> str:
        case = "upper" if key.isupper() and len(key) > 1 else (
            "title" if key[0].isupper() else "lower")
        low = key.lower()
        try:
            if low == "q":
                return str(self.quarter)
            if low == "qw":
                return _cased(QUARTER_WORDS[self.quarter - 1], case)  # type: ignore[operator]
            if low == "qth":
                return ORDINALS[self.quarter - 1]  # type: ignore[operator]
            if low == "h":
                return str(self.half)
            if low == "hth":
                return ORDINALS[self.half - 1]  # type: ignore[operator]
            if low == "hw":
                return _cased(QUARTER_WORDS[self.half - 1], case)  # type: ignore[operator]
            if low == "y":
                return str(self.year)
            if low == "yy":
                return f"{self.year % 100:02d}"  # type: ignore[operator]
            if low == "m":
                return str(self.month)
            if low == "mm":
                return f"{self.month:02d}"
            if low == "month":
                return _cased(MONTHS[self.month - 1], case)  # type: ignore[operator]
            if low == "mon":
                return _cased(MONTHS[self.month - 1][:3], case)  # type: ignore[operator]
            if low == "d":
                return str(self.day)
            if low == "dd":
                return f"{self.day:02d}"
        except (TypeError, IndexError) as exc:
            raise ValueError(f"period {self!r} has no value for {{{key}}}") from exc
        raise ValueError(f"unknown period placeholder {{{key}}} in {self.style!r}")

    def same_time(self, other: FiscalPeriod) -> bool:
        """True when nothing stated in both contradicts (kind, quarter, half, year, ...)."""
        if self.kind != other.kind:
            return False
        for f in ("quarter", "half", "year", "month", "day"):
            a, b = getattr(self, f), getattr(other, f)
            if a is not None and b is not None and a != b:
                return False
        return True

    def key(self) -> tuple:
        return (self.kind, self.quarter, self.half, self.year, self.month, self.day)


_PLACEHOLDER = re.compile(r"\{([A-Za-z]+)\}")


@lru_cache(maxsize=4096)
def _named(surface: str) -> tuple[MetricMention, ...]:
    """The metric phrases of a fact's surface (phrase() and segment() both ask, often)."""
    return tuple(find_named_metrics(surface))


def _segment_of(surface: str) -> str | None:
    found = _named(surface)
    if not found or found[-1].end != len(surface) or not found[-1].segment:
        return None
    return " ".join(found[-1].segment.lower().split())


class MetricFact(BaseModel):
    """One metric with up to seven numeric fields, each with the style it was written in.

    ``change`` is signed (a fall of 12 percent is -12); ``direction`` is its sign in words
    and is kept when a text says "rose" without a number. ``value_high``/``prior_high``/
    ``change_high`` hold the top of a range ("sees fy revenue $1.725 billion to $1.775
    billion"); ``estimate`` the analysts' consensus ("versus refinitiv ibes estimate of").
    ``period`` and ``prior_period`` are indices into ``FinancialFacts.periods`` (the period
    the metric is for, and the one its prior value is for: "versus $135.2 million in q2").
    """

    name: str
    surface: str = ""
    counted: str = Field("", description=(
        "for a count, the noun it counts as written after it (\"stores\" of \"11 stores\"): "
        "a text may put only this noun or the metric's own words after the number"))
    qualifier: str | None = None
    guidance: bool = False
    unit: Unit = "currency"
    scale: Scale = "none"
    value: float | None = None
    value_high: float | None = None
    prior_value: float | None = None
    prior_high: float | None = None
    estimate: float | None = None
    change: float | None = None
    change_high: float | None = None
    change_unit: Unit | None = None
    direction: Direction | None = None
    period: int | None = None
    prior_period: int | None = None
    basis: Literal["year", "quarter"] | None = Field(None, description=(
        "what the change is measured against when the source says so in words (\"up 4% "
        "year over year\", \"sequentially\"): a text may state only this basis"))
    styles: dict[str, NumberStyle] = Field(default_factory=dict)
    bounds: dict[str, str] = Field(default_factory=dict, description=(
        "fields stated as a bound, with its words: {\"value\": \"at least\"} is a floor, "
        "{\"value\": \"up to\"} a cap (a buyback limit). The words are written with the "
        "number, so a bound is never dropped or invented"))

    @field_validator("styles", "bounds")
    @classmethod
    def _known_fields(cls, by_field: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
        unknown = sorted(set(by_field) - set(FIELDS))
        if unknown:
            raise ValueError(f"{info.field_name} for unknown fields {unknown}; fields are "
                             f"{list(FIELDS)}")
        if info.field_name == "bounds":
            for words in by_field.values():
                bound_kind(words)  # raises, naming the words that are not a bound
        return by_field

    def bound(self, field: str) -> str | None:
        """'min', 'max' or None: how ``field`` is stated (a floor, a cap, a value)."""
        words = self.bounds.get(field)
        return bound_kind(words) if words else None

    def get(self, field: str) -> float | None:
        return getattr(self, FIELD_ATTR[field])

    def fields(self) -> list[str]:
        """The numeric fields that hold a value, in slot order."""
        return [f for f in FIELDS if self.get(f) is not None]

    def unit_of(self, field: str) -> str:
        return (self.change_unit or "percent") if field in CHANGE_FIELDS else self.unit

    def scale_of(self, field: str) -> str:
        """Percent-like changes carry no scale; amounts share the metric's scale."""
        if field in CHANGE_FIELDS and self.unit_of(field) not in ("currency", "count"):
            return "none"
        return self.scale

    def base(self, field: str) -> float | None:
        """The plain number (1.2 billion -> 1.2e9) for comparisons."""
        v = self.get(field)
        return None if v is None else v * SCALE_FACTOR[self.scale_of(field)]

    def style_of(self, field: str) -> NumberStyle:
        style = self.styles.get(field)
        if style is None:
            style = default_style(self.unit_of(field), self.scale_of(field), self.get(field))
        return style

    def phrase(self) -> str:
        """The words that name this metric on their own (its ``<mK.name>`` slot): its
        surface when that names exactly this metric, else its canonical name ("" for an
        unknown metric without words, which no sentence can name). "earnings" in
        "earnings of $3.23 per share" is not a name for eps by itself: "eps" is."""
        if self.name == "other":
            return self.surface
        if self.surface:
            found = _named(self.surface)
            if len(found) == 1 and found[0].start == 0 and found[0].end == len(
                    self.surface) and found[0].name == self.name:
                return self.surface
        if self.name.endswith("eps") and any((self.get(f) or 0) < 0 for f in
                                             ("value", "high")):
            return self.name.replace("eps", "loss per share")  # "eps $0.12" for a loss
        return self.name

    def segment(self) -> str | None:
        """The segment its words name ("north america" of "North America revenue"),
        lower case with single spaces, so two spellings compare equal. Only a surface that
        is this metric's own name ``phrase()`` carries one: "financial earnings" of "$0.46
        per share" is written "eps", so a text cannot name "financial" and must not be
        held to it (that fact could never be released)."""
        if not self.surface or self.phrase() != self.surface:
            return None
        return _segment_of(self.surface)

    def format(self, field: str = "value") -> str:
        """The field written exactly in its style ("$481.1 million", "11.1 percent"), after
        its bound words when it is a bound ("up to $200 million")."""
        v = self.get(field)
        if v is None:
            raise ValueError(f"metric {self.name!r} has no {field!r}")
        number = format_number(v, self.style_of(field), self.scale_of(field))
        return f"{self.bounds[field]} {number}" if field in self.bounds else number


class FinancialFacts(BaseModel):
    """The facts behind one report: who, when, and the metrics with their numbers.

    ``period`` is the report's own period; ``periods`` are the period and date mentions
    a text refers to (slots ``<p0>``, ``<p1>`` ...), each with its written style.
    """

    company: str | None = None
    ticker: str | None = None
    period: FiscalPeriod | None = None
    currency: str = "USD"
    metrics: list[MetricFact] = Field(default_factory=list)
    periods: list[FiscalPeriod] = Field(default_factory=list)

    def format_value(self, fact: MetricFact | int, which: str = "value") -> str:
        metric = self.metrics[fact] if isinstance(fact, int) else fact
        return metric.format(which)

    def format_period(self, index: int) -> str:
        return self.periods[index].render()

    def add_period(self, p: FiscalPeriod) -> int:
        """Index of ``p`` in ``periods`` (appended when new)."""
        if p in self.periods:
            return self.periods.index(p)
        self.periods.append(p)
        return len(self.periods) - 1

    def add_metric(self, new: MetricFact, skip: set[int] | None = None) -> int:
        """Index of ``new`` in ``metrics``: an existing metric that states the same numbers
        in the same style (a bullet repeated across a call) is reused and completed;
        metrics in ``skip`` (those of the same sentence) never are."""
        for i, old in enumerate(self.metrics):
            if skip and i in skip:
                continue
            shared = [f for f in new.fields() if old.get(f) is not None]
            if not shared or (old.name, old.guidance, old.unit, old.scale, old.segment()) != (
                    new.name, new.guidance, new.unit, new.scale, new.segment()):
                continue
            if any(old.get(f) != new.get(f) or old.styles.get(f) != new.styles.get(f)
                   for f in shared):
                continue
            if old.change_unit and new.change_unit and old.change_unit != new.change_unit:
                continue
            if old.direction and new.direction and old.direction != new.direction:
                continue
            if old.basis and new.basis and old.basis != new.basis:
                continue
            if metric_concepts(old) != metric_concepts(new):
                continue  # "revenue rose 5%" is not the same fact at constant currency
            if old.period is not None and new.period is not None and not self.periods[
                    old.period].same_time(self.periods[new.period]):
                continue
            for f in new.fields():
                if old.get(f) is None:
                    setattr(old, FIELD_ATTR[f], new.get(f))
                    old.styles[f] = new.styles[f]
            old.change_unit = old.change_unit or new.change_unit
            old.direction = old.direction or new.direction
            old.basis = old.basis or new.basis
            old.period = new.period if old.period is None else old.period
            if old.prior_period is None:
                old.prior_period = new.prior_period
            return i
        self.metrics.append(new)
        return len(self.metrics) - 1
