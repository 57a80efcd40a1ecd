"""Finance PII recognizers for the core text PII filter (:mod:`aigc_sdk.textpii`).

Checksums and range rules come from python-stdnum (IBAN mod 97, Luhn, ABA, SSN, national
IDs) and phone numbers from the phonenumbers library, so a digit run is flagged for what
it is, not for its length. Person names come from context (titles, roles, "said",
signatures, salutations) and, given a local model folder, from a NER model.

Presidio's recognizers plug in through :class:`PresidioRecognizer` (e.g. for its
passport or driving-licence patterns). They are not in the default set: importing
presidio_analyzer pulls spaCy, torch and transformers (4-6 s on a small machine), its
card pattern misses Mastercard's 2-series, and its phone regions (DE, IL, IN, BR, ...)
read SSNs and bare digit runs as national phone numbers.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import phonenumbers
from stdnum import iban, luhn
from stdnum.br import cpf
from stdnum.ca import sin
from stdnum.es import dni, nie
from stdnum.in_ import aadhaar
from stdnum.it import codicefiscale
from stdnum.us import itin, rtn, ssn

from aigc_sdk.textpii import (
    ContextWords,
    EmailRecognizer,
    NerRecognizer,
    Recognizer,
    RegexRecognizer,
    Span,
    TextPIIConfig,
    TextPIIFilter,
)

EMAIL, PHONE, CARD, IBAN, ACCOUNT, ROUTING, NATIONAL_ID, PERSON = (
    "EMAIL", "PHONE", "CARD", "IBAN", "ACCOUNT", "ROUTING", "NATIONAL_ID", "PERSON")


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value)


def card_ok(digits: str) -> bool:
    """Luhn plus an issuer's prefix and length, so a random Luhn-valid run is not a card."""
    n = len(digits)
    if not 12 <= n <= 19 or not luhn.is_valid(digits):
        return False
    p2, p3, p4 = (int(digits[:k]) for k in (2, 3, 4))
    if digits[0] == "4":  # Visa
        return n in (13, 16, 19)
    if 51 <= p2 <= 55 or 2221 <= p4 <= 2720:  # Mastercard
        return n == 16
    if p2 in (34, 37):  # American Express
        return n == 15
    if p4 == 6011 or 644 <= p3 <= 649 or p2 == 65 or 3528 <= p4 <= 3589 or p2 == 62:
        return 16 <= n <= 19  # Discover, JCB, UnionPay
    if 300 <= p3 <= 305 or p2 in (36, 38, 39) or p4 == 3095:  # Diners Club
        return 14 <= n <= 19
    return p2 in (50, 56, 57, 58) or 60 <= p2 <= 69  # Maestro


class CardRecognizer(Recognizer):
    """Payment cards in runs of digit groups ("4111 1111 1111 1111", "3782-822463-10005"):
    the longest sub-run of whole groups that passes :func:`card_ok` wins."""

    entity = CARD
    _RUN = re.compile(r"(?<![\w.,])\d+(?:[ -]\d+)*(?![\w])")
    _GLUED = re.compile(r"\w*\d\w*[ -]$")  # "BE20 6420 ...": the run continues a code

    def __init__(self, score: float = 0.85) -> None:
        self.score = score
        self.context = ContextWords(["card", "credit", "debit", "visa", "mastercard", "amex",
                                     "discover", "pan", "cc", "jcb", "maestro"])

    def find(self, text: str) -> list[Span]:
        spans = []
        for run in self._RUN.finditer(text):
            if self._GLUED.search(text, max(0, run.start() - 40), run.start()):
                continue
            groups = [(run.start() + m.start(), run.start() + m.end())
                      for m in re.finditer(r"\d+", run.group())]
            i = 0
            while i < len(groups):
                best, n = None, 0
                for j in range(i, len(groups)):  # at most 19 digits: linear in the run
                    size = groups[j][1] - groups[j][0]
                    n += size
                    if n > 19 or size < 3:  # cards print in groups of 3 to 6 digits
                        break
                    if n >= 12 and card_ok(_digits(text[groups[i][0]:groups[j][1]])):
                        best = j
                if best is None:
                    i += 1
                    continue
                lo, hi = groups[i][0], groups[best][1]
                score = min(1.0, self.score + 0.1 * self.context.near(text, lo, hi))
                spans.append(Span(lo, hi, CARD, score, text[lo:hi], "card"))
                i = best + 1
        return spans


class IbanRecognizer(Recognizer):
    """IBANs, compact or in groups; the candidate is trimmed from the right until stdnum
    accepts it (country length and mod-97 check digits), so trailing words don't matter."""

    entity = IBAN
    _CAND = re.compile(r"(?<![\w])[A-Z]{2}\d{2}(?:[ -]?[A-Z0-9]){10,32}")

    def __init__(self, score: float = 0.95) -> None:
        self.score = score

    def find(self, text: str) -> list[Span]:
        spans = []
        for m in self._CAND.finditer(text):
            for end in range(m.end(), m.start() + 14, -1):
                if text[end - 1].isalnum() and iban.is_valid(text[m.start():end]) and (
                        end == len(text) or not text[end].isalnum()):
                    spans.append(Span(m.start(), end, IBAN, self.score,
                                      text[m.start():end], "iban"))
                    break
        return spans


class PhoneRecognizer(Recognizer):
    """Valid numbers for ``regions`` (numbers with a leading + for any region) through the
    phonenumbers library. A bare digit run needs a cue ("tel", "call") to pass the default
    threshold: a ten-digit invoice number is also a valid US number."""

    entity = PHONE
    CONTEXT = ("phone", "tel", "telephone", "mobile", "cell", "call", "fax", "contact",
               "reach", "ring", "dial", "whatsapp", "direct", "ph", "mob", "text")

    def __init__(self, regions: Sequence[str] = ("US", "GB"), score: float = 0.7,
                 bare_score: float = 0.3, context_boost: float = 0.4) -> None:
        self.regions, self.score, self.bare_score = tuple(regions), score, bare_score
        self.context, self.context_boost = ContextWords(self.CONTEXT), context_boost

    def find(self, text: str) -> list[Span]:
        spans: dict[tuple[int, int], Span] = {}
        leniency = phonenumbers.Leniency.STRICT_GROUPING  # "2023-004417" is no phone
        for region in self.regions:
            for m in phonenumbers.PhoneNumberMatcher(text, region, leniency=leniency):
                formatted = re.search(r"[+()\s.\-]", m.raw_string) is not None
                score = self.score if formatted else self.bare_score
                if self.context.near(text, m.start, m.end):
                    score = min(1.0, score + self.context_boost)
                spans[m.start, m.end] = Span(m.start, m.end, PHONE, score, m.raw_string, "phone")
        return list(spans.values())


def _ssn_ok(value: str) -> bool:
    d = _digits(value)
    return ssn.is_valid(d) or itin.is_valid(d)


def _nino_ok(value: str) -> bool:
    """UK NINO prefix rules: D, F, I, Q, U, V never used; O not second; some pairs barred."""
    p = value[:2].upper()
    return (p[0] not in "DFIQUV" and p[1] not in "DFIOQUV"
            and p not in {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})


def national_id_recognizers() -> list[Recognizer]:
    """US SSN/ITIN, UK NINO, and checksummed IDs of a few countries. Formats that are just
    nine or twelve digits (bare SSN, Canadian SIN, Aadhaar) need a cue word nearby."""
    nid = NATIONAL_ID

    def rx(pattern: str, score: float, validator: Any, context: Iterable[str] = (),
           require: bool = False, name: str = "") -> RegexRecognizer:
        return RegexRecognizer(nid, pattern, score, validator=validator, context=context,
                               require_context=require, context_boost=0.45, name=name)

    ssn_cues = ("ssn", "social security", "social security number", "ss#", "itin",
                "taxpayer", "tin", "tax id")
    return [
        rx(r"(?<![\w-])\d{3}([- ])\d{2}\1\d{4}(?![\w-])", 0.6, _ssn_ok, ssn_cues, name="ssn"),
        rx(r"(?<![\w-])\d{9}(?![\w-])", 0.3, _ssn_ok, ssn_cues, True, "ssn-bare"),
        rx(r"(?<!\w)[A-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D](?!\w)", 0.6, _nino_ok,
           ("national insurance", "ni number", "nino", "ni no"), name="uk-nino"),
        rx(r"(?<!\w)\d{8}-?[A-Z](?!\w)", 0.8, dni.is_valid, ("dni", "nif"), name="es-dni"),
        rx(r"(?<!\w)[XYZ]-?\d{7}-?[A-Z](?!\w)", 0.8, nie.is_valid, ("nie",), name="es-nie"),
        rx(r"(?<!\w)[A-Z]{6}\d{2}[A-EHLMPR-T]\d{2}[A-Z]\d{3}[A-Z](?!\w)", 0.95,
           codicefiscale.is_valid, name="it-cf"),
        rx(r"(?<![\w.])\d{3}\.\d{3}\.\d{3}-\d{2}(?![\w])", 0.9, cpf.is_valid, name="br-cpf"),
        rx(r"(?<![\w.-])\d{11}(?![\w-])", 0.3, cpf.is_valid, ("cpf",), True, "br-cpf-bare"),
        rx(r"(?<![\w-])\d{3}[- ]?\d{3}[- ]?\d{3}(?![\w-])", 0.4, sin.is_valid,
           ("sin", "social insurance"), True, "ca-sin"),
        rx(r"(?<![\w-])[2-9]\d{3}[ -]?\d{4}[ -]?\d{4}(?![\w-])", 0.4, aadhaar.is_valid,
           ("aadhaar", "aadhar", "uidai"), True, "in-aadhaar"),
    ]


_NUM = r"(\d(?:\d|[- ](?=\d)){5,22})(?![\w-])"
_NO = r"(?:[ \t]*(?i:number|num|no|nr)\.?)?[ \t]*[:#]{0,2}[ \t]*(?:(?i:is)[ \t]+)?"


def account_recognizers() -> list[Recognizer]:
    """Account and routing numbers only next to their own words ("acct no.", "routing"):
    bare, they are indistinguishable from order numbers and amounts."""
    acct = (r"(?<!\w)(?i:(?:bank|checking|chequing|savings|deposit|brokerage|current)[ \t]+)?"
            r"(?i:account|acct|acc|a/c)(?!\w)\.?" + _NO + _NUM)
    aba = (r"(?<!\w)(?i:routing|aba|rtn|transit)(?!\w)" + _NO
           + r"(\d{9}|\d{4}-\d{4}-\d)(?![\w-])")
    sort_code = r"(?<!\w)(?i:sort[ \t]+code)[ \t]*[:#]?[ \t]*(\d{2}-\d{2}-\d{2}|\d{6})(?![\w-])"
    return [
        RegexRecognizer(ACCOUNT, acct, 0.9, group=1, name="account",
                        validator=lambda v: 6 <= len(_digits(v)) <= 17),
        RegexRecognizer(ROUTING, aba, 0.85, group=1, name="aba",
                        validator=lambda v: rtn.is_valid(_digits(v))),
        RegexRecognizer(ROUTING, sort_code, 0.8, group=1, name="sort-code"),
    ]


_LETTERS = [chr(c) for c in (*range(0x41, 0x5B), *range(0x61, 0x7B), *range(0xC0, 0x250),
                             *range(0x1E00, 0x1F00))]
_UP = "".join(c for c in _LETTERS if c.isupper())
_LO = "".join(c for c in _LETTERS if c.islower())
_TOKEN = rf"(?:[OD]['’])?[{_UP}][{_LO}]+(?:[{_UP}][{_LO}]+)?(?:-[{_UP}][{_LO}]+)*(?!\w)"
_PARTICLE = r"(?:van|von|der|den|de|del|della|di|da|du|dos|la|le|bin|ibn|ter|ten)"
_NAME = (rf"(?<![\w'’.-])(?:[{_UP}]\.[ ]+)?{_TOKEN}"
         rf"(?:[ ]+(?:[{_UP}]\.|(?:{_PARTICLE}[ ]+)*{_TOKEN})){{0,3}}")
_CAPS = rf"(?:[OD]['’])?[{_UP}]{{2,}}(?:-[{_UP}]+)*"
_CAPS_NAME = rf"(?<![\w'’.-]){_CAPS}(?:[ ]+(?:[{_UP}]\.|{_CAPS})){{1,3}}(?![\w'’-])"
_ROLES = (r"ceo|cfo|coo|cto|cio|cro|chief(?:[ ]+(?:executive|financial|operating|investment|"
          r"risk|technology|information|compliance|commercial|marketing|legal|accounting|"
          r"economist|strategist|officer)){0,2}|chair(?:man|woman|person)?|"
          r"(?:vice[ ]+)?president|vp|(?:managing[ ]+)?director|head[ ]+of[ ]+\w+|treasurer|"
          r"controller|analyst|economist|strategist|trader|(?:portfolio|fund|relationship|"
          r"account|branch)[ ]+manager|partner|founder|co-founder|secretary|counsel|"
          r"spokes(?:man|woman|person)|adviser|advisor|banker|broker|accountant|auditor|"
          r"officer|executive|customer|client|beneficiary|account[ ]+holder|cardholder|"
          r"employee|borrower|guarantor|applicant|investor|shareholder|payee")
_LABELS = (r"name|full[ ]+name|customer(?:[ ]+name)?|client|beneficiary|account[ ]+(?:holder|"
           r"name)|payee|payer|attn|attention|from|to|cc|contact|signed|signatory|"
           r"(?:prepared|approved|reviewed)[ ]+by|holder|cardholder|borrower|applicant")
_VERBS = (r"said|says|told|tells|noted|notes|added|adds|wrote|writes|explained|stated|"
          r"confirmed|commented|argued|warned|asked|replied|recalled|insisted|signed|"
          r"approved|authori[sz]ed|countersigned")
_BY = (r"according[ ]+to|(?:prepared|signed|approved|authori[sz]ed|reviewed|submitted|"
       r"written|sent|initiated|requested|countersigned|witnessed)[ ]+by|payable[ ]+to|"
       r"on[ ]+behalf[ ]+of|in[ ]+the[ ]+name[ ]+of|attention[ ]+of|for[ ]+the[ ]+benefit[ ]+of|"
       r"contact|spoke[ ]+(?:with|to)|meeting[ ]+with|call[ ]+with")
_SIGN = (r"(?:best|kind|warm|warmest)[ ]+regards|regards|sincerely|yours[ ]+(?:sincerely|"
         r"faithfully|truly)|thanks|thank[ ]+you|many[ ]+thanks|best|cheers|respectfully")
_NM = f"(?P<name>{_NAME})"
# (pattern, score, minimum name words, the name's side of its cue, weak in headlines):
# a cue before the name takes the first run of name words, a cue after it the last run.
_PERSON_PATTERNS = [
    (rf"(?<!\w)(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Dame|Rev|Hon)\.?[ ]+{_NM}", 0.85, 1, 0, False),
    (rf"(?<!\w)(?i:{_ROLES})[ ]*,?[ ]+{_NM}", 0.75, 2, 0, False),
    (rf"(?<!\w)(?i:{_LABELS})[ \t]*:[ \t]*{_NM}", 0.8, 2, 0, False),
    (rf"(?<!\w)(?i:{_LABELS})[ \t]*:[ \t]*(?P<name>{_CAPS_NAME})", 0.75, 2, 0, False),
    (rf"(?<!\w)(?i:{_BY})[ ]+{_NM}", 0.75, 2, 0, True),
    (rf"{_NM}(?:,[ ]+(?:(?i:a|an|the|our|its|their)[ ]+)?(?:[\w'’-]+[ ]+){{0,3}}"
     rf"(?i:{_ROLES})(?!\w)|[ ]*\((?i:{_ROLES})\))", 0.75, 2, -1, True),
    (rf"{_NM}[ ]+(?:{_VERBS})(?!\w)", 0.7, 2, -1, True),
    (rf"(?<!\w)(?:{_VERBS}|(?i:signed|approved)),?[ ]+{_NM}", 0.7, 2, 0, True),
    (rf"(?m)^[ \t]*(?i:{_SIGN})[ \t]*[,!.]?(?:[ \t]*\r?\n){{1,2}}[ \t]*{_NM}", 0.8, 1, 0, False),
    (rf"(?m)^[ \t]*(?:--|—|–)[ \t]*{_NM}[ \t]*$", 0.75, 1, 0, False),
    (rf"(?<!\w)(?i:dear|hi|hello)[ ]+{_NM}(?=[ ]*[,:!\n])", 0.75, 1, 0, False),
    (rf"{_NM}[ ]*[,;(<]?[ ]*[^\s<>@,;()]+@[\w-]+\.", 0.75, 2, -1, False),  # name, email
    (rf"{_NM}['’]s[ ]+(?i:account|card|loan|mortgage|portfolio|salary|ssn)", 0.7, 2, -1, True),
]
_STOP = frozenset("""The A An And Or But Nor In On At Of For To From By With As Is Was Were
This That These Those Our Its Their His Her We I He She They It You Your My Yesterday Today
Tomorrow Monday Tuesday Wednesday Thursday Friday Saturday Sunday Dear Hi Hello Regards Thanks
Sincerely Best Cheers Please Team All Everyone Sir Madam Colleagues Shareholders Shareholder
Stockholders Customer Customers Client Clients Investors Investor Valued Member Members Friends
Analysts Analyst Economists Officer Executive Chief Director President Chairman
Manager Management Mr Mrs Ms Dr Also However Meanwhile Separately Overall Note Re Fwd Chair
Chairwoman Governor Minister Secretary Economist Strategist Founder Head CEO CFO COO CTO New
Says Said Has Have Had Should Would Could Will Can Must Does Did Not Tells Told Sees Expects
Warns Thinks Believes Wants Named Appointed Former Live Watch Breaking Update Via
""".split())
_ORG = frozenset("""Bank Banks Bancorp Group Inc Corp Corporation Company Co Ltd LLC LLP Plc
PLC AG SA NV GmbH Holdings Holding Capital Securities Investments Investment Fund Funds Trust
Reserve Federal Treasury Ministry Department Committee Board Council Commission Agency
Authority Exchange Markets Market Research Ratings Financial Finance Insurance Association
Institute University Street Journal Times News Reuters Bloomberg Partners Advisors Asset
Assets Wealth Credit Global International National Services Systems Technologies Energy
Motors Pharmaceuticals Airlines Office Desk Support Operations Relations Accounts Payable
Receivable Audit Risk Compliance Legal Service Services Center Centre Day Call Report Letter
Presentation Conference Portal Agreement Account Number Policy Plan Program Index Industries
Enterprises Solutions Ventures Labs Logistics Brands Resources Properties Realty Consulting
Fed ECB IMF United States Kingdom Nations Emirates Union Marketing Sales Consumer Product
Products Data Analytics Strategy Technology Engineering Communications Development
""".split())
_MONTHS = frozenset("""January February March April May June July August September October
November December""".split())


def _name_span(text: str, start: int, end: int, min_words: int, side: int
               ) -> tuple[int, int] | None:
    """The name inside a candidate. Stop words ("The", "Chair", "Says") and a month before
    a day number split it into runs; the run next to the cue (``side`` 0: first, -1: last)
    is the name unless it has an organisation word ("Fed Chair Ben Bernanke said")."""
    runs: list[list[tuple[int, int]]] = [[]]
    for m in re.finditer(r"\S+", text[start:end]):
        s, e = m.start() + start, m.end() + start
        w = text[s:e].title() if text[s:e].isupper() else text[s:e]
        if w in _STOP or (w in _MONTHS and re.match(r"[ ]+\d", text[e:e + 3])):
            runs.append([])
        else:
            runs[-1].append((s, e))
    run = runs[side]
    if any(text[s:e].title() in _ORG or text[s:e] in _ORG for s, e in run):
        return None
    while run and (text[run[-1][0]:run[-1][1]].islower() or text[run[-1][1] - 1] == "."):
        run.pop()  # a trailing particle or initial is not the end of a name
    if sum(not text[s:e].islower() for s, e in run) < min_words:
        return None
    return run[0][0], run[-1][1]


def _headline(text: str, start: int, end: int) -> bool:
    """Title Case lines capitalise every word, so there capitals say nothing about names
    (the name itself and all-caps tickers are not counted)."""
    lo, hi = text.rfind("\n", 0, start) + 1, text.find("\n", end)
    line = text[lo:start] + " " + text[end:hi if hi >= 0 else len(text)]
    words = [w for w in re.findall(r"[^\W\d_]{3,}", line) if not w.isupper()]
    return len(words) >= 4 and sum(w[0].isupper() for w in words) >= 0.75 * len(words)


class PersonRecognizer(Recognizer):
    """Person names from their context: a title, a role, a label ("Beneficiary:"), a
    speech verb, a salutation or a signature. Bare names need a NER model."""

    entity = PERSON

    def __init__(self) -> None:
        self.patterns = [(re.compile(p), *rest) for p, *rest in _PERSON_PATTERNS]

    def find(self, text: str) -> list[Span]:
        spans = []
        for pattern, score, min_words, side, weak in self.patterns:
            for m in pattern.finditer(text):
                found = _name_span(text, *m.span("name"), min_words, side)
                if found and not (weak and _headline(text, *found)):
                    spans.append(Span(*found, PERSON, score, text[found[0]:found[1]],
                                      "person"))
        return spans


PRESIDIO_ENTITIES = {"EMAIL_ADDRESS": EMAIL, "PHONE_NUMBER": PHONE, "CREDIT_CARD": CARD,
                     "IBAN_CODE": IBAN, "US_SSN": NATIONAL_ID, "US_ITIN": NATIONAL_ID,
                     "UK_NINO": NATIONAL_ID, "US_PASSPORT": NATIONAL_ID,
                     "UK_PASSPORT": NATIONAL_ID, "US_DRIVER_LICENSE": NATIONAL_ID,
                     "UK_NHS": NATIONAL_ID, "ABA_ROUTING_NUMBER": ROUTING,
                     "US_BANK_NUMBER": ACCOUNT}


@functools.cache
def presidio_engine() -> Any:
    """One Presidio AnalyzerEngine per process, without a spaCy model (NoOpNlpEngine) and
    without tldextract's suffix-list download."""
    os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NoOpNlpEngine

    nlp = NoOpNlpEngine(models=[{"lang_code": "en", "model_name": "no_op"}])
    return AnalyzerEngine(nlp_engine=nlp, supported_languages=["en"])


class PresidioRecognizer(Recognizer):
    """Presidio's predefined recognizers, mapped to this filter's entity names. Presidio
    scores many matches low (0.05-0.5) without a lemmatizer; ``context`` words are passed
    to ``analyze`` where they still raise scores."""

    def __init__(self, entities: Mapping[str, str] | None = None,
                 context: Sequence[str] | None = None) -> None:
        self.mapping = dict(entities or PRESIDIO_ENTITIES)
        self.entity = next(iter(self.mapping.values()))
        self.context = list(context) if context else None

    @property
    def entities(self) -> tuple[str, ...]:
        return tuple(sorted(set(self.mapping.values())))

    def find(self, text: str) -> list[Span]:
        results = presidio_engine().analyze(text, language="en", entities=list(self.mapping),
                                            context=self.context)
        return [Span(r.start, r.end, self.mapping[r.entity_type], float(r.score),
                     text[r.start:r.end], f"presidio:{r.entity_type}") for r in results]


def finance_recognizers(*, phone_regions: Sequence[str] = ("US", "GB"),
                        ner_model_path: str | Path | None = None,
                        presidio_entities: Mapping[str, str] | None = None) -> list[Recognizer]:
    """The finance set; a NER model folder adds bare person names, a Presidio mapping
    adds Presidio's recognizers for those entities."""
    recognizers: list[Recognizer] = [
        EmailRecognizer(), PhoneRecognizer(phone_regions), CardRecognizer(), IbanRecognizer(),
        *account_recognizers(), *national_id_recognizers(), PersonRecognizer()]
    if ner_model_path is not None:
        recognizers.append(NerRecognizer(ner_model_path))
    if presidio_entities:
        recognizers.append(PresidioRecognizer(presidio_entities))
    return recognizers


def finance_pii_filter(mode: Literal["redact", "mask", "pseudonym"] = "redact",
                       key: str | None = None,
                       ner_model_path: str | Path | None = None, *,
                       phone_regions: Sequence[str] = ("US", "GB"),
                       presidio_entities: Mapping[str, str] | None = None,
                       **config: Any) -> TextPIIFilter:
    """The text PII filter with the finance recognizers; ``config`` takes the other
    :class:`~aigc_sdk.textpii.TextPIIConfig` fields (threshold, entities, ...)."""
    config.setdefault("mask_keep_last", {CARD: 4, IBAN: 4, ACCOUNT: 4})  # as on statements
    cfg = TextPIIConfig(mode=mode, key=key, **config)
    recognizers = finance_recognizers(phone_regions=phone_regions,
                                      ner_model_path=ner_model_path,
                                      presidio_entities=presidio_entities)
    return TextPIIFilter(recognizers, cfg)
