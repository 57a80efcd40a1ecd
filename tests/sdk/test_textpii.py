"""The core text PII engine: recognizers, span merging, the three modes, findings, NER."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from aigc_sdk.textpii import (
    ContextWords,
    EmailRecognizer,
    NerRecognizer,
    RegexRecognizer,
    Span,
    TextPIIConfig,
    TextPIIFilter,
    mask,
    merge_spans,
    pseudonym,
)

TICKET = RegexRecognizer("TICKET", r"\bT-\d{4}\b", 0.4, context=["ticket"],
                         validator=lambda v: int(v[2:]) % 2 == 0)


def test_regex_recognizer_validator_and_context() -> None:
    spans = TICKET.find("ticket T-1234, T-1235 and, forty characters later or more, T-2000")
    assert [(s.value, s.score) for s in spans] == [("T-1234", 0.75), ("T-2000", 0.4)]
    strict = RegexRecognizer("TICKET", r"T-\d{4}", 0.4, context=["ticket"],
                             require_context=True)
    assert [s.value for s in strict.find("T-1111 is the old code; see ticket T-2222")] == ["T-2222"]
    grouped = RegexRecognizer("REF", r"ref(?:erence)?:\s*(\d+)", group=1)
    assert [s.value for s in grouped.find("reference: 991")] == ["991"]


def test_context_words_are_whole_words() -> None:
    cues = ContextWords(["sin", "a/c"], window=10)
    assert cues.near("SIN 046 454 286", 4, 15)
    assert not cues.near("since 046 454 286", 6, 17)
    assert cues.near("a/c: 1234", 5, 9)


def test_email_recognizer() -> None:
    text = "Mail Jane.Doe+inv@mail.acme-bank.co.uk, not jane@localhost or @handle."
    assert [s.value for s in EmailRecognizer().find(text)] == ["Jane.Doe+inv@mail.acme-bank.co.uk"]


def test_merge_keeps_best_over_the_union() -> None:
    text = "x" * 40
    spans = [Span(0, 10, "A", 0.6, ""), Span(5, 20, "B", 0.9, ""), Span(20, 25, "C", 0.5, ""),
             Span(30, 35, "A", 0.7, ""), Span(30, 35, "B", 0.7, "")]
    merged = merge_spans(spans, text)
    assert [(s.start, s.end, s.entity) for s in merged] == [(0, 20, "B"), (20, 25, "C"),
                                                           (30, 35, "A")]


def _filter(**options: object) -> TextPIIFilter:
    return TextPIIFilter([EmailRecognizer(), TICKET], **options)


def test_redact_findings_and_stages() -> None:
    f = _filter()
    records = ["write to a.b@example.org about ticket T-2468", "nothing here"]
    for stage in ("input", "output"):
        result = f.apply(records, stage=stage)
        assert result.kept == ["write to [EMAIL] about ticket [TICKET]", "nothing here"]
        assert [(x.index, x.kind, x.detail) for x in result.findings] == [
            (0, "EMAIL", "chars 9-24: redact"), (0, "TICKET", "chars 38-44: redact")]
        assert not any("a.b@" in x.model_dump_json() for x in result.findings)
    with pytest.raises(ValueError, match="runs at"):
        f.apply(records, stage="training")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="record 0"):
        f.apply([b"bytes"])  # type: ignore[list-item]


def test_threshold_entities_tag_and_drop() -> None:
    text = "a.b@example.org ticket T-2468"
    assert _filter(threshold=0.5).rewrite("T-2468 a.b@example.org") == "T-2468 [EMAIL]"
    assert _filter(threshold=0.3).rewrite("T-2468") == "[TICKET]"  # 0.4 without a cue
    assert _filter(entities=["TICKET"]).rewrite(text) == "a.b@example.org ticket [TICKET]"
    assert _filter(tag="<{entity}>").rewrite(text) == "<EMAIL> ticket <TICKET>"
    with pytest.raises(ValueError, match="unknown PII entities"):
        _filter(entities=["IBAN"])
    dropped = _filter(drop_records=True).apply([text, "clean"])
    assert dropped.kept == ["clean"] and dropped.removed == [text]
    with pytest.raises(TypeError):
        TextPIIFilter([TICKET], TextPIIConfig(), mode="mask")


def test_mask_keeps_format() -> None:
    assert mask("4111 1111 1111 1234", 4) == "**** **** **** 1234"
    assert mask("12-34", 4) == "**-*4"  # never more than a quarter stays readable
    assert mask("jane.doe@acme.com", 0, "#") == "####.###@####.###"
    assert _filter(mode="mask").rewrite("ticket T-2468") == "ticket *-****"


def test_pseudonym_is_keyed_deterministic_and_format_preserving() -> None:
    a, b = pseudonym("4111 1111 1111 1234", "CARD", b"k1"), pseudonym("4111-1111-1111-1234",
                                                                        "CARD", b"k1")
    assert re.fullmatch(r"\d{4} \d{4} \d{4} \d{4}", a)
    assert a.replace(" ", "") == b.replace("-", "")  # same value, other separators
    assert a != pseudonym("4111 1111 1111 1234", "CARD", b"k2")
    email = pseudonym("Jane.Doe@acme.co.uk", "EMAIL", b"k1")
    assert re.fullmatch(r"[A-Z][a-z]{3}\.[A-Z][a-z]{2}@[a-z]{4}\.[a-z]{2}\.uk", email)
    assert email.lower() == pseudonym("jane.doe@ACME.co.uk", "EMAIL", b"k1").lower()
    name = pseudonym("Anna van der Berg", "PERSON", b"k1")
    assert re.fullmatch(r"[A-Z][a-z]+ van der [A-Z][a-z]+", name)
    assert name == pseudonym("Anna  van der Berg", "PERSON", b"k1")
    assert pseudonym("Anna van der Berg", "PERSON", b"k2") != name


def test_pseudonym_key_from_config_or_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AIGC_PII_KEY", raising=False)
    with pytest.raises(ValueError, match="AIGC_PII_KEY"):
        _filter(mode="pseudonym")
    monkeypatch.setenv("AIGC_PII_KEY", "from-env")
    from_env = _filter(mode="pseudonym").rewrite("ticket T-2468")
    assert from_env == _filter(mode="pseudonym", key="from-env").rewrite("ticket T-2468")
    assert from_env != _filter(mode="pseudonym", key="other").rewrite("ticket T-2468")
    assert re.fullmatch(r"ticket [A-Z]-\d{4}", from_env)
    assert "from-env" not in repr(TextPIIConfig(key="from-env"))


def test_ner_recognizer_fails_fast_without_a_model(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-model"
    with pytest.raises(FileNotFoundError, match=re.escape(str(missing))):
        NerRecognizer(missing)


def test_ner_recognizer_maps_pipeline_output() -> None:
    text = "Met Jane Doe in Paris."
    out = [{"entity_group": "PER", "score": 0.98, "start": 3, "end": 12},
           {"entity_group": "LOC", "score": 0.99, "start": 16, "end": 21},
           {"entity": "B-PER", "score": 0.2, "start": 16, "end": 21}]
    ner = NerRecognizer(pipe=lambda _: out, min_score=0.5)
    assert [(s.value, s.entity) for s in ner.find(text)] == [("Jane Doe", "PERSON")]
    assert TextPIIFilter([ner]).rewrite(text) == "Met [PERSON] in Paris."


@pytest.mark.slow
def test_ner_recognizer_loads_a_local_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                            ) -> None:
    """A tiny random BERT saved to disk runs through the real offline loading path."""
    transformers = pytest.importorskip("transformers")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    words = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "met", "jane", "doe", "in", "paris"]
    (tmp_path / "vocab.txt").write_text("\n".join(words) + "\n")
    tok = transformers.BertTokenizerFast(vocab_file=str(tmp_path / "vocab.txt"))
    config = transformers.BertConfig(vocab_size=len(words), hidden_size=16, num_hidden_layers=1,
                                     num_attention_heads=2, intermediate_size=16,
                                     id2label={0: "O", 1: "B-PER", 2: "I-PER"},
                                     label2id={"O": 0, "B-PER": 1, "I-PER": 2})
    transformers.BertForTokenClassification(config).save_pretrained(tmp_path)
    tok.save_pretrained(tmp_path)
    text = "met jane doe in paris"
    spans = NerRecognizer(tmp_path).find(text)
    assert all(s.entity == "PERSON" and text[s.start:s.end] == s.value for s in spans)


def test_core_imports_no_domain_library() -> None:
    code = ("import sys, aigc_sdk.textpii; "
            "print([m for m in ('presidio_analyzer', 'stdnum', 'phonenumbers', 'transformers', "
            "'torch') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
