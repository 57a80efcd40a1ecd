"""Numbers, periods and dates in financial text, as typed spans with the style they use.

One left-to-right scan with a single regex finds every span; at a given position the
alternatives are tried as links, dates, periods, quantities, times, ordinals and names (so
"q1 2021" is a period, "2021" alone a year, "$481.1 mln" money, "covid-19" a name).
Each quantity carries a :class:`~aigc_plugins.finance.facts.NumberStyle` such that
``format_number(span.value, span.style, span.style.scale) == span.text``; each period a
:class:`~aigc_plugins.finance.facts.FiscalPeriod` whose ``render()`` gives the text back.
Two passes then use context: a money amount next to "per share" or after "eps" becomes
``per_share``, and the first end of a range borrows the unit the second end states
("$685 to $715 million", "up 25 to 28 percent").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from aigc_plugins.finance.facts import MONTHS, FiscalPeriod, NumberStyle, factor
from aigc_plugins.finance.vocab import MAX_WORDS, MIN_WORDS

QUANTITY_KINDS = frozenset({"money", "per_share", "percent", "pp", "bps", "ratio", "count"})
TIME_KINDS = frozenset({"period", "year", "date"})
KIND_UNIT = {"money": "currency", "per_share": "per_share", "percent": "percent", "pp": "pp",
             "bps": "bps", "ratio": "ratio", "count": "count"}
SCALE_OF = {"trillion": "trillion", "tn": "trillion", "trn": "trillion", "t": "trillion",
            "billion": "billion", "bln": "billion", "bn": "billion", "b": "billion",
            "million": "million", "mln": "million", "mn": "million", "m": "million",
            "mm": "million", "mil": "million", "thousand": "thousand", "k": "thousand"}


@dataclass(frozen=True)
class Span:
    """A typed piece of text. ``value`` is the signed number in ``style.scale`` units
    (cents already in currency units); ``period`` is set for periods, years and dates."""

    start: int
    end: int
    kind: str
    text: str
    value: float | None = None
    style: NumberStyle | None = None
    period: FiscalPeriod | None = None
    elided: bool = False  # unit or scale borrowed from the other end of a range

    @property
    def unit(self) -> str | None:
        return KIND_UNIT.get(self.kind)

    @property
    def scale(self) -> str:
        return self.style.scale if self.style else "none"

    @property
    def base(self) -> float | None:
        """The plain number: "$1.2 billion" -> 1.2e9, "11.1%" -> 11.1."""
        return None if self.value is None else self.value * factor(self.scale)

    @property
    def is_quantity(self) -> bool:
        return self.kind in QUANTITY_KINDS

    @property
    def is_time(self) -> bool:
        return self.kind in TIME_KINDS


_MONTH = (r"(?:january|february|march|april|may|june|july|august|september|october|"
          r"november|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)")
_Y4 = r"(?:19[5-9]\d|20[0-4]\d)"
_NUM = r"(?>\d{1,3}(?:,\d{3})+(?!\d)(?:\.\d+)?|\d+(?:\.\d+)?)"
_SCALE_W = r"(?:trillion|billion|million|thousand|bln|mln|mn|bn|tn|trn)"
_YPRE = r"(?:fiscal[\s-]+year|fiscal|fy|full[\s-]year|calendar[\s-]+year|calendar|cy)"
_NOT_QTY = rf"(?![\d,]\d|\.\d|\s?(?:%|percent|{_SCALE_W}\b|x\b|basis))"
_YREF = (rf"(?:{_YPRE}[\s-]?(?:['’]?\d{{2}}(?![\d%])|{_Y4}{_NOT_QTY})"
         rf"|(?<![\w.])['’]\d{{2}}(?![\d%])|{_Y4}{_NOT_QTY})(?:e(?![a-z]))?")
_QW = r"(?:first|second|third|fourth|1st|2nd|3rd|4th)"
_QPART = (rf"(?:q[1-4]-\d{{2}}(?![\d%])|q[1-4](?!\d)|[1-4]q['’]?\d{{2}}(?!\d)|[1-4]q(?![a-z])"
          rf"|{_QW}[\s-]+(?:quarter|qtr)s?(?![a-z])|(?:quarter|qtr)\s?[1-4](?!\d))")
_HPART = r"(?:h[12](?!\d)|[12]h(?![a-z])|(?:first|second|1st|2nd)[\s-]+half)"
_NPART = r"(?:(?:three|six|nine|twelve)[\s-]+months?)"
_PERIOD = (rf"(?<![a-z0-9])(?:(?:{_QPART}|{_HPART}|{_NPART})"
           rf"(?:\s?(?:of\s+(?:the\s+)?)?{_YREF})?|{_YREF}"
           r"|qtrly(?![a-z])|fy(?![\w'’-])|full[\s-]year(?![a-z])|fiscal\s+year(?![a-z])"
           r"|ytd(?![a-z])|year[\s-]to[\s-]date)")
_DATE = (rf"(?<![a-z]){_MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?(?!\d|\s?%|,\d|\.\d)"
         rf"(?:,?\s+{_Y4}(?!\d))?"
         rf"|(?<![\d.])\d{{1,2}}\s+{_MONTH}\.?,?\s+{_Y4}(?!\d)"
         rf"|(?<![a-z]){_MONTH}\.?,?\s+{_Y4}(?!\d)"
         rf"|(?<![\d/.])\d{{1,2}}/\d{{1,2}}/(?:{_Y4}|\d{{2}})(?![\d/])"
         rf"|(?<!\d){_Y4}-\d{{2}}-\d{{2}}(?!\d)")
_CUR = (r"(?:(?<![a-z])(?:us|c|a|au|hk|s|r|nt)\$|\$|€|£|¥|₹"
        r"|(?<![a-z])(?:usd|eur|gbp|rmb|cny|jpy|inr|cad|aud|chf|hkd|sgd|rs\.?)(?=\s?[\d(.-]))")
_QTY = (
    r"(?P<osign>(?<![\w%.)$€£¥-])(?:[-−+](?=[$€£¥₹\d])|negative\s(?=[$\d])|minus\s(?=[$\d]))"
    r"|(?<!\w)(?P<opar>\()(?=[$€£¥₹-]?\d))?"
    rf"(?:(?P<cur>{_CUR})(?P<csep>\ ?))?"
    r"(?P<isign>(?<=[$€£¥₹\s])[-−](?=\d)|(?<=[$€£¥₹])(?P<ipar>\()(?=\d))?"
    rf"(?P<num>(?<=[$€£¥₹(])\.\d+(?!\d)|{_NUM})"
    r"(?(ipar)\))"
    rf"(?:(?P<ssep>\ ?)(?P<scale>{_SCALE_W})(?![a-z])"
    r"|(?(cur)(?P<scale1>mm|mn|bn|mil|k|m|b|t)(?![a-z])|(?!)))?"
    r"(?P<suffix>\+?\ ?(?:basis\ points?|basis\ point|bps|bp)(?![a-z])"
    r"|\ ?(?:percentage\ points?|percent(?:age)?\ pts?|ppts?|pp)(?![a-z])"
    r"|\ ?(?:%|percent(?![a-z])|per\ cent(?![a-z])|pct(?![a-z]))"
    r"|\ ?x(?![a-z])|\ times(?![a-z])|['’]?s(?![a-z]))?"
    r"(?:(?(cur)(?!)|(?P<psep>[\ -]?)(?P<pcur>usd|dollars|euros|pounds|yuan|rmb|yen|cents|¢)"
    r"(?![a-z])))?"
    r"(?(opar)\))"
    r"(?!(?<=\d)(?!per\b)[a-z])"
)
_TIME = r"(?<!\d)\d{1,2}:\d{2}(?:\s?[ap]\.?m\.?)?"
_ORD = r"(?<![\w.])\d+(?:st|nd|rd|th)(?![a-z])|\#\d+"
_NAME = (r"(?<![\w&])(?:covid|sars-cov|f|mk|ps|ch|jak)-\d+(?![\d.]\d)"
         r"|(?<![\w&])[a-z]+\d+[a-z0-9]*(?!\w)"
         r"|(?<![\w.])\d+[a-z][a-z0-9]*(?![\w])|\d+\(k\)"
         r"|(?<![\w&])(?:s&p|russell|tier|phase|level|class|series|type|stage|gen|version"
         r"|model|form|item|section|rule|article|chapter|schedule|route|boeing|airbus|iphone"
         r"|galaxy|windows|nasdaq|ftse|dax|nikkei)\s+\d+(?![\d,.]\d)")
_URL = r"(?:https?://|www\.)\S+|\S+@\S+\.\w+"
SCANNER = re.compile(
    rf"(?P<url>{_URL})|(?P<date>{_DATE})|(?P<period>{_PERIOD})|(?P<qty>{_QTY})|(?P<time>{_TIME})"
    rf"|(?P<ord>{_ORD})|(?P<name>{_NAME})", re.IGNORECASE | re.VERBOSE)
#: a metric's name made per share by the words after it ("adjusted net earnings per
#: diluted share ... were $1.30"): its numbers are per-share amounts
NAME_PER_SHARE = re.compile(r"\s*per\s+(?:diluted\s+|basic\s+|common\s+)?(?:share|stock)\b", re.I)
PER_SHARE_AFTER = re.compile(
    r"\s*(?:per|a|/)\s*(?:(?:diluted|basic|common|adjusted|ordinary|class\s+[a-z]|weighted|"
    r"average|fully[\s-]diluted|non-gaap|gaap)\s+)*(?:share|shr|sh|unit|ads|adr)s?(?![a-z])",
    re.IGNORECASE)
_PER_SHARE_BEFORE = re.compile(
    r"(?:\beps\b|\bper\s+(?:\w+\s+){0,2}(?:share|unit)s?\b|/share|\bdividend\b)"
    r"[^$€£\d;]{0,40}$", re.IGNORECASE)
#: "gross profit per unit" of a car dealer is per vehicle sold, not per partnership unit
#: as in "distributions per unit": an operating figure before "per unit" is no share's
_OPERATING = r"\b(?:profit|revenue|revenues|sales|costs?|margin|price|expenses?)"
_PRODUCT_UNIT = re.compile(rf"{_OPERATING}\s+per\s+unit", re.IGNORECASE)
#: "wholesale gross profit increased $158 per unit": the same figure, "per unit" after it
_OPERATING_BEFORE = re.compile(rf"{_OPERATING}[^$€£\d;.]{{0,40}}$", re.IGNORECASE)
#: "at least $1.5 billion": bound words, then one space, then the number
_BOUND_BEFORE = re.compile(rf"\b(?:(?P<min>{MIN_WORDS})|(?P<max>{MAX_WORDS})) $", re.IGNORECASE)


def bound_span(text: str, start: int) -> tuple[int, str, str] | None:
    """(where the words start, the words, 'min' or 'max') when the number at ``start`` is
    stated as a bound, else None."""
    m = _BOUND_BEFORE.search(text, max(0, start - 24), start)
    if m is None:
        return None
    return m.start(), m.group(0)[:-1], "min" if m.group("min") else "max"


def bound_before(text: str, start: int) -> str | None:
    """'min' or 'max' when the number at ``start`` is stated as a bound, else None."""
    found = bound_span(text, start)
    return found[2] if found else None


_CONNECTOR = re.compile(r"\s*(?:-|–|—|to|and|through)\s*", re.IGNORECASE)
_DIGITS = re.compile(r"\d")
def parse(text: str) -> list[Span]:
    """Every number, period and date in ``text`` as typed spans, left to right."""
    spans = []
    for m in SCANNER.finditer(text):
        if m.group("qty") is not None:
            span = _quantity(m, text)
        elif m.group("period") is not None:
            span = _period_span(m.start(), m.group(), "period")
        elif m.group("date") is not None:
            span = _period_span(m.start(), m.group(), "date")
        else:
            kind = "time" if m.group("time") else "ordinal" if m.group("ord") else "name"
            if m.group("url") and not _DIGITS.search(m.group()):
                continue
            span = Span(m.start(), m.end(), kind, m.group())
        if span is not None:
            spans.append(span)
    return _borrow_range_units(_per_share(spans, text), text)


def _quantity(m: re.Match[str], text: str) -> Span:
    g = m.groupdict()
    num, suffix = g["num"], g["suffix"] or ""
    value = float(num.replace(",", ""))
    sign = ""
    if g["opar"] or g["ipar"]:
        sign = "()"
    elif g["osign"] or g["isign"]:
        sign = (g["osign"] or g["isign"])
    if sign and sign not in ("+",):
        value = -value
    scale_word = g["scale"] or g["scale1"] or ""
    cur = g["cur"] or g["pcur"] or ""
    kind = _kind(suffix, cur)
    if g["pcur"] and g["pcur"].lower() in ("cents", "¢"):
        value /= 100.0
    style = NumberStyle(
        currency=cur, currency_after=bool(g["pcur"]),
        currency_sep=(g["csep"] if g["cur"] else g["psep"]) or "",
        sign=sign, sign_inside=bool(g["isign"] or g["ipar"]),
        decimals=len(num.split(".")[1]) if "." in num else 0,
        thousands="," in num, leading_zero=not num.startswith("."),
        pad=len(num.split(".")[0]) if re.match(r"0\d", num) else 0,
        scale=SCALE_OF[scale_word.lower()] if scale_word else "none", scale_text=scale_word,
        scale_sep=g["ssep"] or "", suffix=suffix)
    return Span(m.start(), m.end(), kind, m.group(), value, style)


def _kind(suffix: str, cur: str) -> str:
    s = suffix.strip().lower().lstrip("+").strip()
    if s.startswith(("basis", "bp")):
        return "bps"
    if s.startswith(("percentage", "pp")) or re.match(r"percent(?:age)?\s+pts?", s):
        return "pp"
    if s in ("%", "percent", "per cent", "pct"):
        return "percent"
    if s in ("x", "times"):
        return "ratio"
    return "money" if cur else "count"


_Q_WORDS = {"first": 1, "second": 2, "third": 3, "fourth": 4,
            "1st": 1, "2nd": 2, "3rd": 3, "4th": 4}


def _case_key(word: str, key: str) -> str:
    if word.isupper() and len(word) > 1:
        return key.upper()
    return key[0].upper() + key[1:] if word[0].isupper() else key


def period_from_text(raw: str, kind_hint: str = "period") -> FiscalPeriod | None:
    """A FiscalPeriod whose ``render()`` is ``raw`` ("q4 fy'21" -> quarter 4, year 2021,
    style "q{q} fy'{yy}"); None when ``raw`` holds braces (it could not round-trip)."""
    if "{" in raw or "}" in raw:
        return None
    vals: dict[str, int] = {}

    def sub(pattern: str, fn: object, s: str) -> str:
        return re.sub(pattern, fn, s, flags=re.IGNORECASE)  # type: ignore[arg-type]

    def put(key: str, value: int, placeholder: str) -> str:
        vals[key] = value
        return placeholder

    s = raw
    if kind_hint == "date":
        s = sub(rf"(?<![a-z])({_MONTH})(?![a-z])", lambda m: put(
            "month", _month(m.group(1)),
            _month_placeholder(m.group(1))), s)
        if re.fullmatch(r"\d{1,2}/\d{1,2}/\d{2,4}", raw):
            mo, d, y = raw.split("/")
            vals.update(month=int(mo), day=int(d), year=int(y) if len(y) == 4 else 2000 + int(y))
            ph = ["{mm}" if mo.startswith("0") else "{m}", "{dd}" if d.startswith("0") else "{d}",
                  "{y}" if len(y) == 4 else "{yy}"]
            return _make_period("date", vals, "/".join(ph))
        if re.fullmatch(rf"{_Y4}-\d{{2}}-\d{{2}}", raw):
            y, mo, d = raw.split("-")
            vals.update(year=int(y), month=int(mo), day=int(d))
            return _make_period("date", vals, "{y}-{mm}-{dd}")
        s = sub(rf"(?<![\d])({_Y4})(?!\d)", lambda m: put("year", int(m.group(1)), "{y}"), s)
        s = sub(r"(?<![\d{])(\d{1,2})(?=(?:st|nd|rd|th)?(?:\W|$))",
                lambda m: put("day", int(m.group(1)), "{dd}" if m.group(1)[0] == "0" and
                              len(m.group(1)) == 2 else "{d}"), s)
        return _make_period("date" if "day" in vals else "month", vals, s)
    s = sub(rf"(?<![\d])({_Y4})(?!\d)", lambda m: put("year", int(m.group(1)), "{y}"), s)
    s = sub(r"q([1-4])(?!\d)", lambda m: m.group(0)[0] + put("quarter", int(m.group(1)), "{q}"),
            s)
    s = sub(r"(?<![\d{])([1-4])q", lambda m: put("quarter", int(m.group(1)), "{q}") +
            m.group(0)[-1], s)
    s = sub(r"(quarter|qtr)(\s?)([1-4])(?!\d)", lambda m: m.group(1) + m.group(2) + put(
        "quarter", int(m.group(3)), "{q}"), s)
    s = sub(r"(?<![a-z])(first|second|third|fourth|1st|2nd|3rd|4th)(?=[\s-]+(?:quarter|qtr))",
            lambda m: put("quarter", _Q_WORDS[m.group(1).lower()],
                          "{qth}" if m.group(1)[0].isdigit() else
                          "{" + _case_key(m.group(1), "qw") + "}"), s)
    s = sub(r"(?<![a-z{])h([12])(?!\d)", lambda m: m.group(0)[0] + put(
        "half", int(m.group(1)), "{h}"), s)
    s = sub(r"(?<![\d{])([12])h", lambda m: put("half", int(m.group(1)), "{h}") +
            m.group(0)[-1], s)
    s = sub(r"(?<![a-z])(first|second|1st|2nd)(?=[\s-]+half)",
            lambda m: put("half", _Q_WORDS[m.group(1).lower()],
                          "{hth}" if m.group(1)[0].isdigit() else
                          "{" + _case_key(m.group(1), "hw") + "}"), s)
    s = sub(r"(?<=['’qylh\s-])(\d{2})(?!\d)", lambda m: put("year", 2000 + int(m.group(1)),
                                                            "{yy}"), s)
    low = raw.lower()
    if "quarter" in vals or re.search(r"qtr|quarter|qtrly", low):
        kind = "quarter"
    elif "half" in vals or "half" in low:
        kind = "half"
    elif "month" in low:
        kind = "nine_months"
    elif "ytd" in low or "to-date" in low or "to date" in low:
        kind = "ytd"
    else:
        kind = "year"
    return _make_period(kind, vals, s)


def _month_placeholder(word: str) -> str:
    """"march" -> {month}, "Mar" -> {Mon}; other spellings ("sept") stay literal."""
    if word.lower() in MONTHS:
        return "{" + _case_key(word, "month") + "}"
    if len(word) == 3:
        return "{" + _case_key(word, "mon") + "}"
    return word


def _month(word: str) -> int:
    w = word.lower()[:3]
    return next(i for i, m in enumerate(MONTHS, 1) if m.startswith(w))


def _make_period(kind: str, vals: dict[str, int], style: str) -> FiscalPeriod | None:
    try:
        return FiscalPeriod(kind=kind, style=style, **vals)  # type: ignore[arg-type]
    except ValueError:
        return None


def _period_span(start: int, raw: str, kind: str) -> Span | None:
    period = period_from_text(raw, kind)
    if period is None or period.render() != raw:
        return Span(start, start + len(raw), "name", raw)
    if kind == "period" and period.kind == "year" and re.fullmatch(rf"{_Y4}e?", raw):
        kind = "year"
    return Span(start, start + len(raw), kind, raw, period=period)


def _per_share(spans: list[Span], text: str) -> list[Span]:
    """Money with "per share" after it, or after "eps"/"per share" in its clause."""
    out = []
    for s in spans:
        if s.kind in ("money", "count") and s.scale == "none" and s.style is not None:
            after = PER_SHARE_AFTER.match(text, s.end)
            before = _PER_SHARE_BEFORE.search(text, max(0, s.start - 60), s.start)
            if before and _PRODUCT_UNIT.search(text, max(0, before.start() - 12), before.end()):
                before = None
            if after and after.group(0).lower().rstrip("s").endswith("unit") \
                    and _OPERATING_BEFORE.search(text, max(0, s.start - 60), s.start):
                after = None
            if s.kind == "count" and (s.style.decimals != 2 or s.style.suffix):
                before = after = None
            if after or before:
                s = replace(s, kind="per_share")
        out.append(s)
    return out


def _borrow_range_units(spans: list[Span], text: str) -> list[Span]:
    """"$685 to $715 million", "25 to 28 percent": the first end borrows unit and scale."""
    out = list(spans)
    for i in range(len(out) - 1):
        a, b = out[i], out[i + 1]
        if not (a.is_quantity and b.is_quantity and a.style and b.style):
            continue
        gap = text[a.end:b.start]
        if not _CONNECTOR.fullmatch(gap):
            continue
        if gap.strip().lower() == "and" and not re.search(r"between\s*$", text[:a.start], re.I):
            continue
        if a.kind == "per_share" and b.kind == "money" and b.scale == "none":
            out[i + 1] = b = replace(b, kind="per_share")
        elif b.kind == "per_share" and a.kind == "money" and a.scale == "none":
            out[i] = a = replace(a, kind="per_share")
        style = a.style
        kind = a.kind
        if a.kind == "count" and not style.suffix and b.kind != "count":
            kind = b.kind
        elif b.kind == "count" and not b.style.suffix and a.kind in ("money", "per_share") \
                and gap.strip() in ("-", "–", "to"):  # "$188-190 million", "$10.50 - 11.50"
            out[i + 1] = b = replace(b, kind=a.kind, elided=True)
        if a.scale == "none" and b.scale != "none" and kind in ("money", "count") \
                and abs(a.value or 0) < 1000 and not style.thousands:
            style = style.model_copy(update={"scale": b.scale})
        if kind != a.kind or style is not a.style:
            out[i] = replace(a, kind=kind, style=style, elided=True)
    return out


def numeric_tokens(text: str) -> list[tuple[int, int]]:
    """Whitespace-separated tokens holding a digit, as (start, end)."""
    return [(m.start(), m.end()) for m in re.finditer(r"\S+", text) if _DIGITS.search(m.group())]


def typed_coverage(text: str, spans: list[Span] | None = None) -> tuple[int, int]:
    """(typed, total) numeric tokens: a token is typed when every digit in it lies in a span."""
    spans = parse(text) if spans is None else spans
    covered = bytearray(len(text))
    for s in spans:
        covered[s.start:s.end] = b"\x01" * (s.end - s.start)
    typed = total = 0
    for a, b in numeric_tokens(text):
        total += 1
        typed += all(covered[i] for i in range(a, b) if text[i].isdigit())
    return typed, total


def untyped_numbers(text: str, spans: list[Span] | None = None) -> list[str]:
    """Numeric tokens with a digit no span covers (what the quality report shows)."""
    spans = parse(text) if spans is None else spans
    covered = bytearray(len(text))
    for s in spans:
        covered[s.start:s.end] = b"\x01" * (s.end - s.start)
    return [text[a:b] for a, b in numeric_tokens(text)
            if not all(covered[i] for i in range(a, b) if text[i].isdigit())]
