"""Financial vocabulary as data: metric synonyms, qualifiers, direction and cue words.

Everything here is a plain dict or tuple so it can be read, extended and tested
without touching the parser. Matching is case-insensitive and prefers the longest
phrase ("net income per share" before "net income"), so one surface maps to one
canonical metric. Each canonical metric has a *kind* that says how its numbers read:

- ``amount``: money ("revenue $481.1 million"); a percent next to it is a change
- ``per_share``: money per share ("eps $1.24")
- ``ratio``: itself a percentage ("gross margin 35.2%"); basis points are its change
- ``growth``: a rate of change ("same store sales rose 24.7 percent")
- ``count``: units ("homes delivered 2,137")
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache


def _norm(phrase: str) -> str:
    """One spelling per phrase: lower case, hyphens and runs of spaces as one space."""
    return re.sub(r"[\s-]+", " ", phrase.lower().strip())


#: canonical name -> (kind, surface forms). The canonical name is itself a surface.
METRICS: dict[str, tuple[str, tuple[str, ...]]] = {
    "revenue": ("amount", (
        "revenue", "revenues", "total revenue", "total revenues", "net revenue", "net revenues",
        "sales", "net sales", "total sales", "total net sales", "net sales and revenue",
        "top line", "turnover", "rev", "fee revenue", "fee revenues", "sales and revenue",
        "organic growth")),  # "organic" alone is a sales measure: "organic growth of 6%"
    "same store sales": ("growth", (
        "same store sales", "same-store sales", "comparable store sales",
        "comparable-store sales", "comparable sales", "comp sales", "comps",
        "like-for-like sales", "same restaurant sales", "same-restaurant sales",
        "comparable restaurant sales", "system-wide sales", "systemwide sales")),
    "eps": ("per_share", (
        "earnings per share", "eps", "earnings per diluted share", "earnings per common share",
        "earnings per diluted common share", "earnings per basic share", "net income per share",
        "net income per diluted share", "income per share", "income per diluted share",
        "earnings per share (eps)", "eps (diluted)", "per share earnings")),
    "loss per share": ("per_share", (
        "loss per share", "net loss per share", "loss per diluted share",
        "net loss per diluted share", "loss per common share")),
    "net income": ("amount", (
        "net income", "net earnings", "earnings", "profit", "net profit", "net loss",
        "net income attributable to common shareholders", "income from continuing operations",
        "earnings from continuing operations", "net income from continuing operations")),
    "operating income": ("amount", (
        "operating income", "income from operations", "operating profit", "operating earnings",
        "operating loss", "loss from operations", "segment operating income", "segment profit",
        "operating results")),
    "pre-tax income": ("amount", (
        "pre-tax income", "pretax income", "income before taxes", "pre-tax earnings",
        "income before income taxes", "pre-tax loss", "pretax loss", "loss before income taxes",
        "loss before taxes")),
    "gross profit": ("amount", ("gross profit",)),
    "ebitda": ("amount", ("ebitda", "ebitdare", "ebitdar", "ebit", "ebitda loss", "ebit loss")),
    "free cash flow": ("amount", (
        "free cash flow", "fcf", "free cash flow usage", "adjusted free cash flow")),
    "operating cash flow": ("amount", (
        "operating cash flow", "cash flow from operations", "cash from operations",
        "cash provided by operating activities", "net cash provided by operating activities",
        "cash flow from operating activities", "operating cash flows",
        "cash flows from operations", "cash flows from operating activities")),
    "capex": ("amount", (
        "capital expenditures", "capital expenditure", "capex", "capital spending",
        "capital investments", "capital budget", "capital plan", "capital program")),
    "share repurchases": ("amount", (
        "share repurchases", "share repurchase", "share repurchase program", "buyback",
        "buybacks", "share buyback", "share buybacks", "stock repurchases",
        "stock repurchase program", "share repurchase authorization")),
    "dividend": ("per_share", (
        "dividend", "dividends", "quarterly dividend", "quarterly cash dividend",
        "cash dividend", "dividend per share", "annual dividend")),
    "ffo": ("per_share", (
        "ffo", "funds from operations", "ffo per share", "ffo per diluted share",
        "ffo per diluted share and unit", "funds from operations per share")),
    "affo": ("per_share", ("affo", "adjusted funds from operations", "affo per share")),
    "noi": ("amount", ("noi", "net operating income", "same property noi", "same store noi",
                       "same property net operating income", "same store net operating income")),
    "net interest income": ("amount", ("net interest income", "nii")),
    "book value per share": ("per_share", (
        "book value per share", "book value", "tangible book value", "tangible equity",
        "tangible book value per share", "book value per common share")),
    "backlog": ("amount", ("backlog", "backlog value", "order backlog")),
    "bookings": ("amount", ("bookings", "net bookings", "gross bookings")),
    "orders": ("amount", ("orders", "new orders", "net orders", "order intake", "order value",
                          "net order value", "new contracts", "sales orders")),
    "premiums": ("amount", ("net written premiums", "net premiums written", "premiums",
                            "gross written premiums", "gross written premium",
                            "net premiums earned", "premiums written", "written premiums")),
    # a benefit is a negative provision (reserves released): see NEGATING
    "credit loss provision": ("amount", (
        "provision for credit losses", "credit loss provision", "provision for loan losses",
        "benefit for credit losses", "benefit from credit losses", "credit loss benefit",
        "benefit for loan losses")),
    # the reserve held, not the quarter's provision into it
    "credit loss allowance": ("amount", (
        "allowance for credit losses", "allowance for loan losses", "credit loss allowance",
        "allowance for loan and lease losses", "reserve for credit losses",
        "credit loss reserve", "credit loss reserves")),
    "charge-offs": ("amount", ("net charge-offs", "net loan charge-offs", "charge-offs")),
    "catastrophe losses": ("amount", ("catastrophe losses", "cat losses")),
    "underwriting income": ("amount", ("underwriting income", "underwriting profit")),
    "inventory": ("amount", ("inventory", "inventories")),
    "flows": ("amount", ("net inflows", "inflows", "net flows", "net long-term inflows",
                         "outflows", "net outflows")),
    "volume": ("count", ("volume", "volumes", "unit case volume", "transaction volume")),
    "billings": ("amount", ("billings",)),
    "arr": ("amount", ("arr", "annual recurring revenue", "annualized recurring revenue")),
    "rpo": ("amount", ("remaining performance obligations", "rpo", "crpo")),
    "gmv": ("amount", ("gmv", "gross merchandise volume", "gross merchandise value")),
    "payment volume": ("amount", ("total payment volume", "tpv", "payment volume")),
    "aum": ("amount", ("assets under management", "aum")),
    # client assets a firm administers but does not manage: not its aum
    "aua": ("amount", ("assets under administration", "aua",
                       "assets under administration/management")),
    "deposits": ("amount", ("deposits", "total deposits")),
    "loans": ("amount", ("loans", "total loans", "net loans")),
    "liquidity": ("amount", ("liquidity", "total liquidity", "available liquidity")),
    "cash": ("amount", ("cash", "cash and cash equivalents", "cash and equivalents",
                        "cash position", "cash balance")),
    "debt": ("amount", ("debt", "total debt", "net debt", "long-term debt")),
    "expenses": ("amount", ("expenses", "operating expenses", "opex", "costs", "total costs",
                            "sg&a", "sg&a expenses", "total expenses", "operating costs")),
    "charges": ("amount", ("charge", "charges", "impairment", "impairment charge",
                           "restructuring charges", "after-tax charge")),
    "gross margin": ("ratio", ("gross margin", "gross profit margin", "gross margins")),
    "operating margin": ("ratio", ("operating margin", "operating profit margin",
                                   "adjusted operating margin", "segment margin")),
    "ebitda margin": ("ratio", ("ebitda margin", "adjusted ebitda margin")),
    "net margin": ("ratio", ("net margin", "net profit margin", "pre-tax margin",
                             "pre-tax title margin")),
    "margin": ("ratio", ("margin", "margins")),
    "net interest margin": ("ratio", ("net interest margin", "nim")),
    "tax rate": ("ratio", ("tax rate", "effective tax rate")),
    "operating ratio": ("ratio", ("operating ratio", "adjusted operating ratio")),
    "loss ratio": ("ratio", ("medical care ratio", "medical loss ratio", "combined ratio",
                             "loss ratio", "benefit ratio")),
    "charge-off ratio": ("ratio", ("net charge-off ratio", "charge-off ratio")),
    "capital ratio": ("ratio", ("cet1 capital ratio", "cet1 ratio", "tier 1 capital ratio",
                                "capital ratio", "leverage ratio")),
    "occupancy": ("ratio", ("occupancy", "occupancy rate", "load factor", "utilization")),
    "subscribers": ("count", ("subscribers", "subscriptions", "paid subscribers", "members",
                              "paid memberships", "customers", "accounts", "users")),
    "deliveries": ("count", ("homes delivered", "homes closed", "deliveries", "shipments",
                             "units shipped", "home closings", "closings")),
    "production": ("count", ("production", "output")),
}

#: words before a metric that refine it; "adjusted" ones turn eps into "adjusted eps"
QUALIFIERS: tuple[str, ...] = (
    "adjusted", "non-gaap", "gaap", "core", "diluted", "basic", "reported", "organic",
    "pro forma", "pro-forma", "normalized", "underlying", "ongoing", "comparable",
    "consolidated", "constant currency", "currency-neutral", "recurring", "cash",
    "operating", "continuing", "total", "annual", "nareit", "adj", "non gaap")
ADJUSTED = frozenset({"adjusted", "adj", "non-gaap", "non gaap", "non", "core", "pro forma",
                      "pro-forma", "normalized", "underlying", "ongoing"})
#: canonical metrics that have a distinct "adjusted ..." canonical form
ADJUSTABLE = frozenset({"eps", "ebitda", "net income", "operating income", "free cash flow"})
#: surfaces whose number is written as a magnitude but means a negative value
NEGATING = frozenset({"net loss", "operating loss", "loss per share", "net loss per share",
                      "loss per diluted share", "net loss per diluted share",
                      "loss per common share", "benefit for credit losses",
                      "benefit from credit losses", "credit loss benefit",
                      "benefit for loan losses",
                      # "resort reported ebitda loss $108.4 million" was read as a profit, so
                      # "resort reported ebitda of $108.4 million" passed (v25 hand audit)
                      "ebitda loss", "ebit loss", "pre-tax loss", "pretax loss",
                      "loss before income taxes", "loss before taxes", "loss from operations"})
_NEGATING = frozenset(_norm(s) for s in NEGATING)
#: canonical metric of a per-share number attached to an amount metric
PER_SHARE_OF = {"net income": "eps", "operating income": "eps", "revenue": "revenue per share",
                "free cash flow": "free cash flow per share", "charges": "charges per share"}

#: direction words; ``DIRECTION_NOUNS`` may follow the number ("a 165% increase")
DIRECTIONS: dict[str, tuple[str, ...]] = {
    "up": ("rose", "rise", "rises", "risen", "rising", "up", "increased", "increase",
           "increases", "increasing", "grew", "grow", "grows", "growing", "growth", "gain",
           "gained", "gains", "higher", "improved", "improve", "improvement", "climbed",
           "jumped", "surged", "expanded", "expand", "expansion", "raised", "raises",
           "boosted", "advanced", "soared", "above", "accretion", "increment"),
    "down": ("fell", "fall", "falls", "fallen", "falling", "down", "declined", "decline",
             "declines", "declining", "decreased", "decrease", "decreases", "decreasing",
             "dropped", "drop", "drops", "lower", "lowered", "lowers", "slipped", "shrank",
             "contracted", "contraction", "reduced", "reduction", "plunged", "slumped",
             "tumbled", "below", "compression", "deterioration", "worsened"),
    "flat": ("flat", "unchanged", "stable", "steady"),
}
DIRECTION_NOUNS = frozenset({
    "increase", "decrease", "growth", "decline", "gain", "expansion", "contraction",
    "improvement", "reduction", "drop", "higher", "lower", "rise", "compression",
    "deterioration", "above", "below"})

PRIOR_CUES: tuple[str, ...] = (
    "versus", "vs", "vs.", "compared to", "compared with", "compares to", "compared",
    "against", "last year", "prior year", "a year ago", "year-ago", "year earlier",
    "previous", "previously", "up from", "down from")
#: "from" marks a prior value only right before it ("from $7 million", "from previous range of")
FROM_PRIOR = re.compile(r"(?<![\w-])from\s+(?:(?:the|a|an|previous|previously|prior|last|"
                        r"year-ago|its|reported|guidance|range|of|year's|quarter's|approximately|"
                        r"about)\s+){0,4}$", re.IGNORECASE)
#: the same with a noun between ("increased 11% from a benefit of $2,154"): the number
#: after "from" is where the change started, whatever it is called
FROM_NAMED_PRIOR = re.compile(r"(?<![\w-])from\s+(?:an?\s+|the\s+)?(?:(?!to\b|at\b)[a-z'-]+\s+)"
                              r"{1,3}of\s+(?:approximately\s+|about\s+)?$", re.IGNORECASE)
ESTIMATE_CUES: tuple[str, ...] = (
    "ibes", "i/b/e/s", "consensus", "analyst", "analysts", "analysts'", "street",
    "expectations", "factset")
GUIDANCE_CUES: tuple[str, ...] = (
    "sees", "see", "expects", "expect", "expected", "expecting", "guidance", "outlook",
    "forecast", "forecasts", "forecasted", "forecasting", "project", "projects", "projected",
    "projecting", "projection",
    "anticipates", "anticipate", "anticipated", "targets", "reaffirms", "reaffirmed",
    "reaffirming", "affirms", "affirmed", "narrows", "narrowed", "initiates", "view",
    "estimated", "estimates that", "estimates its", "plans", "plan", "reiterates", "maintains",
    "updates", "planned to", "targeting",  # "capex is now planned to be approximately $4.2b"
    "expectation",  # "upgrades expectation for fy 2021 ... organic growth of 9%-10%"
    # a figure "to be" some number is one still to come ("adjusted ebita margin to be 16.0%"
    # was released for a result, v33 audit): training has it only in outlooks
    "to be",
    # a figure something "will be" or "will incur" is an outlook ("expectations are that 2021
    # sales will be approximately $3.45 billion"): 40 of 6907 ECTSum train bullets put a
    # number after "will" with no other cue, all of them forward-looking
    "will", "expectations",
    # "positioned to deliver fy 2021 organic growth of 5.0% to 6.0%" (ECTSum val, never
    # released in v35: read as a result no report may state); all 8 train bullets with
    # "positioned to" look ahead
    "positioned to")


@dataclass(frozen=True)
class MetricMention:
    """A metric phrase found in text: where, what it canonically is, what was written."""

    start: int
    end: int
    name: str
    surface: str
    qualifier: str | None
    kind: str
    negative: bool
    segment: str | None = None  # "north america" of "north america revenue" (phrases.py)


@dataclass(frozen=True)
class DirectionMention:
    start: int
    end: int
    direction: str
    word: str


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w).replace(r"\ ", r"[\s-]+") for w in
                    sorted(set(words), key=len, reverse=True))


@lru_cache(maxsize=1)
def _surface_index() -> tuple[dict[str, str], re.Pattern[str]]:
    index = {}
    for name, (_, surfaces) in METRICS.items():
        for s in (name, *surfaces):
            index.setdefault(_norm(s), name)
    qual = _alternation(list(QUALIFIERS))
    pattern = re.compile(
        rf"(?<![\w&-])(?P<qual>(?:(?:{qual})[\s,]+){{0,3}})(?P<surf>{_alternation(list(index))})"
        r"(?![\w&]|-\w)", re.IGNORECASE)
    return index, pattern


def per_share_name(name: str) -> str:
    """The per-share metric of an amount metric ("net income" -> "eps")."""
    adjusted = name.startswith("adjusted ")
    base = name.removeprefix("adjusted ")
    mapped = PER_SHARE_OF.get(base, f"{base} per share")
    return f"adjusted {mapped}" if adjusted else mapped


def canonical(surface: str, qualifier: str | None = None) -> str:
    """Canonical metric of a surface form ("net sales" -> "revenue", "non-gaap eps"
    -> "adjusted eps"); unknown phrases come back lower-cased as they are."""
    index, _ = _surface_index()
    key = _norm(surface)
    name = index.get(key, key)
    if name == "loss per share":
        name = "eps"
    quals = set(re.split(r"[\s,]+", (qualifier or "").lower())) | {qualifier or ""}
    if name in ADJUSTABLE and quals & ADJUSTED:
        name = f"adjusted {name}"
    return name


def metric_kind(name: str) -> str:
    base = name.removeprefix("adjusted ")
    if base in METRICS:
        return METRICS[base][0]
    return "per_share" if base.endswith("per share") else "amount"


def find_metrics(text: str) -> list[MetricMention]:
    """Every metric phrase in ``text``, left to right, longest match first."""
    index, pattern = _surface_index()
    out = []
    for m in pattern.finditer(text):
        key = _norm(m.group("surf"))
        qual = re.sub(r"[\s,]+$", "", m.group("qual")) or None
        first = key.split()[0]
        if qual is None and first in QUALIFIERS and key not in METRICS:
            qual = first  # "organic growth" is organic by its own words
        name = canonical(key, qual)
        start = m.start("qual") if qual else m.start("surf")
        out.append(MetricMention(start, m.end(), name, text[start:m.end()], qual,
                                 metric_kind(name), key in _NEGATING))
    return out


@lru_cache(maxsize=1)
def _direction_pattern() -> re.Pattern[str]:
    words = [w for ws in DIRECTIONS.values() for w in ws]
    return re.compile(rf"(?<![\w-])({_alternation(words)})(?![\w-])", re.IGNORECASE)


_DIRECTION_OF = {w: d for d, ws in DIRECTIONS.items() for w in ws}


def find_directions(text: str) -> list[DirectionMention]:
    """Direction words ("rose", "down", "flat"...) with the direction each one states."""
    out = []
    for m in _direction_pattern().finditer(text):
        word = m.group(1).lower()
        if word == "up" and re.match(r"\s+to\b", text[m.end():]) and not re.search(
                r"(?:ratio|margin|rate)\s*$", text[:m.start()], re.IGNORECASE):
            continue  # "up to $900 million" is a limit, "ratio up to 9.9%" a rise
        out.append(DirectionMention(m.start(), m.end(), _DIRECTION_OF[word], word))
    return out


def cue_regex(words: tuple[str, ...]) -> re.Pattern[str]:
    """A regex finding any of ``words`` as whole words (used for prior/estimate/guidance)."""
    return re.compile(rf"(?<![\w-])(?:{_alternation(list(words))})(?![\w-])", re.IGNORECASE)


PRIOR_RE = cue_regex(PRIOR_CUES)
ESTIMATE_RE = cue_regex(ESTIMATE_CUES)
GUIDANCE_RE = cue_regex(GUIDANCE_CUES)

#: words that join a metric phrase to its number ("revenue of approximately $5 million")
LINK_GAP = re.compile(
    r"[\s:,]*(?:(?:of|was|were|is|are|at|totaled|totalled|reached|came in at|approximately|"
    r"about|roughly|nearly|of about|of approximately|to be|in the range of|in range of|"
    r"range of|be|totaling)[\s:,]*)*", re.I)
#: what may sit between a number and a metric phrase after it ("$9 billion in buybacks")
RIGHT_GAP = re.compile(
    r"\s+(?:(?:in|of|for)\s+(?:[a-z&-]+\s+)?|(?:increase|decrease|growth|decline|"
    r"improvement|reduction)\s+in\s+(?:[a-z&-]+\s+){0,2})?", re.I)
#: a gap ending so introduces a level, not a change ("raised to $3.75")
ENDS_TO = re.compile(r"\b(?:to|of|between|range|at|from|be)\s*$", re.I)
#: a direction noun right after a number ("a 165% increase")
DIRECTION_AFTER = re.compile(
    r"\s*(" + "|".join(sorted(DIRECTION_NOUNS, key=len, reverse=True)) + r")(?![\w-])", re.I)


#: words that make a number a bound ("at least $1.5 billion" is a floor, "up to $200
#: million" a cap); rare misreads ("under $4 billion credit facility") are accepted
#: "flat to up 2%" is a change of 0 to 2%: at most 2% up, as "flat to down 1%" is at least
#: 1% down (the bound's words carry its direction)
MIN_WORDS = (r"at\s+least|more\s+than|greater\s+than|over|above|in\s+excess\s+of|exceeding|"
             r"exceeds?|flat\s+to\s+down")
MAX_WORDS = (r"up\s+to|less\s+than|under|below|at\s+most|no\s+more\s+than|not\s+to\s+exceed|"
             r"flat\s+to(?:\s+up)?")
_BOUND_WORDS = re.compile(rf"(?:(?P<min>{MIN_WORDS})|(?P<max>{MAX_WORDS}))", re.IGNORECASE)


def bound_kind(words: str) -> str:
    """'min' or 'max' for bound words ("at least", "up to"); ValueError for other words."""
    m = _BOUND_WORDS.fullmatch(words.strip())
    if m is None:
        raise ValueError(f"{words!r} is not a bound; use e.g. 'at least', 'more than', "
                         "'over', 'up to', 'less than', 'at most'")
    return "min" if m.group("min") else "max"
