"""Finance PII filter on a built set of planted PII: recall, precision, no leaks, modes."""

from __future__ import annotations

import importlib.util
import re
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

pytest.importorskip("stdnum")
pytest.importorskip("phonenumbers")

from aigc_plugins.finance.pii import (  # noqa: E402
    PresidioRecognizer,
    card_ok,
    finance_pii_filter,
)
from aigc_sdk.textpii import EmailRecognizer, TextPIIFilter  # noqa: E402

ENTITIES = {"EMAIL", "PHONE", "CARD", "IBAN", "ACCOUNT", "ROUTING", "NATIONAL_ID", "PERSON"}


def _load_cases() -> ModuleType:
    """The builder sits next to this file; tests run with --import-mode=importlib."""
    spec = importlib.util.spec_from_file_location("finance_pii_cases",
                                                  Path(__file__).with_name("pii_cases.py"))
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


cases = _load_cases()


@pytest.fixture(scope="module")
def dataset() -> tuple[list, list]:
    return cases.build_cases()


@pytest.fixture(scope="module")
def redactor() -> TextPIIFilter:
    return finance_pii_filter()


def evaluate(scan: Callable[[str], list], all_cases: list, slack: int = 4
             ) -> tuple[dict[str, dict[str, float]], list[str]]:
    """Entity-level recall and precision. A planted value is found when a span of its
    entity covers it; a span is correct when it overlaps a planted value of its entity and
    runs past it by at most ``slack`` characters on either side (a title, a bracket)."""
    n: Counter[tuple[str, str]] = Counter()
    errors: list[str] = []
    for case in all_cases:
        spans = scan(case.text)
        for p in case.planted:
            hit = any(s.entity == p.entity and s.start <= p.start and s.end >= p.end
                      for s in spans)
            n[p.entity, "planted"] += 1
            n[p.entity, "found"] += hit
            if not hit:
                errors.append(f"MISS {p.entity} {p.value!r} in {case.text!r}")
        for s in spans:
            ok = any(s.entity == p.entity and s.start < p.end and p.start < s.end
                     and p.start - s.start <= slack and s.end - p.end <= slack
                     for p in case.planted)
            n[s.entity, "detected"] += 1
            n[s.entity, "correct"] += ok
            if not ok:
                errors.append(f"FALSE {s.entity} {case.text[s.start:s.end]!r} in {case.text!r}")
    for (_, key), value in list(n.items()):
        n["ALL", key] += value
    scores = {e: {"planted": n[e, "planted"], "detected": n[e, "detected"],
                  "recall": n[e, "found"] / max(1, n[e, "planted"]),
                  "precision": n[e, "correct"] / max(1, n[e, "detected"])}
              for e in sorted({e for e, _ in n})}
    return scores, errors


def _compact(text: str) -> str:
    return re.sub(r"[\W_]", "", text).casefold()


def test_case_set_is_large_and_varied(dataset: tuple[list, list]) -> None:
    positives, negatives = dataset
    planted = [p for c in positives for p in c.planted]
    assert len(positives) >= 500 and len(negatives) >= 150
    assert {p.entity for p in planted} == ENTITIES
    assert len({c.template for c in positives}) >= 90
    assert len({p.value for p in planted}) >= 0.8 * len(planted)  # values are not reused


def test_recall_and_precision(dataset: tuple[list, list], redactor: TextPIIFilter) -> None:
    positives, negatives = dataset
    scores, errors = evaluate(redactor.scan, positives + negatives)
    report = "\n".join(f"{e:12s} planted {s['planted']:4d} recall {s['recall']:.3f}  "
                       f"detected {s['detected']:4d} precision {s['precision']:.3f}"
                       for e, s in scores.items())
    print(f"\n{len(positives)} positive and {len(negatives)} negative cases\n{report}")
    detail = report + "\n" + "\n".join(errors[:30])
    assert scores["ALL"]["recall"] >= 0.99, detail
    assert scores["ALL"]["precision"] >= 0.95, detail
    for entity in ENTITIES:  # no kind may hide behind the others
        assert scores[entity]["recall"] >= 0.95, detail
        assert scores[entity]["precision"] >= 0.9, detail


@pytest.mark.parametrize("mode", ["redact", "mask", "pseudonym"])
def test_no_planted_value_survives(dataset: tuple[list, list], mode: str) -> None:
    positives, _ = dataset
    f = finance_pii_filter(mode=mode, key="test-key")
    result = f.apply([c.text for c in positives], stage="input")
    assert len(result.kept) == len(positives) and not result.removed
    leaks = [(p.value, out) for case, out in zip(positives, result.kept) for p in case.planted
             if p.value in out or (len(_compact(p.value)) >= 6
                                   and _compact(p.value) in _compact(out))]
    assert not leaks, leaks[:10]
    values = {p.value for c in positives for p in c.planted}
    dumped = " ".join(x.model_dump_json() for x in result.findings)
    assert not [v for v in values if len(v) >= 6 and v in dumped]  # offsets, never values


def test_mask_keeps_format() -> None:
    f = finance_pii_filter(mode="mask")
    text = ("Card 5555-5555-5555-4444, IBAN DE89 3704 0044 0532 0130 00, "
            "SSN 536-22-8142, call +44 20 7946 0958, mail jo.ng@acme.com")
    assert f.rewrite(text) == (
        "Card ****-****-****-4444, IBAN **** **** **** **** **30 00, "
        "SSN ***-**-****, call +** ** **** ****, mail **.**@****.***")


def test_pseudonym_is_deterministic_keyed_and_looks_real() -> None:
    text = ("Dr. Jane Okafor (jane.okafor@northwind.de, card 4111 1111 1111 1111, "
            "IBAN GB82 WEST 1234 5698 7654 32)")
    one, again = finance_pii_filter(mode="pseudonym", key="k1"), finance_pii_filter(
        mode="pseudonym", key="k1")
    out = one.rewrite(text)
    assert out == again.rewrite(text)
    assert out != finance_pii_filter(mode="pseudonym", key="k2").rewrite(text)
    m = re.fullmatch(r"Dr\. (\w+ \w+) \(([\w.]+@[a-z]+\.de), card (\d{4} \d{4} \d{4} \d{4}), "
                     r"IBAN ([A-Z]{2}\d\d [A-Z]{4} \d{4} \d{4} \d{4} \d\d)\)", out)
    assert m, out
    assert EmailRecognizer().find(m.group(2))  # still an email address
    assert not card_ok(m.group(3).replace(" ", ""))  # not a real card by accident
    # the same card, written differently elsewhere, gets the same pseudonym digits
    other = one.apply(["card 4111-1111-1111-1111 was used again"]).kept[0]
    assert m.group(3).replace(" ", "") in other.replace("-", "")


def test_near_misses(redactor: TextPIIFilter) -> None:
    rw = redactor.rewrite
    assert rw("IBAN GB82 WEST 1234 5698 7654 32 AT noon") == "IBAN [IBAN] AT noon"
    # a bad IBAN whose tail is a Luhn-valid Maestro number is no card either
    assert rw("IBAN BE20 6420 6462 7663 bounced") == "IBAN BE20 6420 6462 7663 bounced"
    assert rw("Invoice INV-2023-004417 and ref 4155552671") == (
        "Invoice INV-2023-004417 and ref 4155552671")  # no cue, no phone grouping
    assert rw("SSN 666-12-3456 or 123-00-4567") == "SSN 666-12-3456 or 123-00-4567"
    assert rw("former Fed Chair Ben Bernanke said") == "former Fed Chair [PERSON] said"
    assert rw("The Federal Reserve said rates stay") == "The Federal Reserve said rates stay"
    assert rw("Dear Shareholders, Dear Ms. Okafor,") == "Dear Shareholders, Dear Ms. [PERSON],"
    assert rw("Analyst Day Presentation Deck Shows Strong Growth Ahead") == (
        "Analyst Day Presentation Deck Shows Strong Growth Ahead")


def test_real_earnings_call_bullets_stay_clean(train_bullets: list[str],
                                               redactor: TextPIIFilter) -> None:
    """ECTSum bullets (real, public, no personal data): almost nothing may be flagged."""
    flagged = [(s.entity, s.value) for b in train_bullets for s in redactor.scan(b)]
    assert len(flagged) <= 0.005 * len(train_bullets), flagged[:20]


def test_card_issuer_rules() -> None:
    assert card_ok("4111111111111111") and card_ok("378282246310005")
    assert card_ok("2223003122003222")  # Mastercard 2-series
    assert not card_ok("4111111111111112")  # Luhn
    assert not card_ok("9111111111111113")  # no issuer starts with 9
    assert not card_ok("411111111111116")  # Visa has no 15-digit numbers


def test_ner_model_path_fails_fast(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="ner-model"):
        finance_pii_filter(ner_model_path=tmp_path / "ner-model")


@pytest.mark.slow
def test_presidio_recognizer_offline() -> None:
    """Presidio's own recognizers, mapped to this filter's entities (imports spaCy: slow)."""
    pytest.importorskip("presidio_analyzer")
    rec = PresidioRecognizer({"IBAN_CODE": "IBAN", "CREDIT_CARD": "CARD"})
    f = TextPIIFilter([rec])
    out = f.rewrite("IBAN DE89 3704 0044 0532 0130 00, card 4111 1111 1111 1111.")
    assert out == "IBAN [IBAN], card [CARD]."
