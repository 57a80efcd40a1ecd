"""Finance dataset sources on the real files, clear errors, and the quality report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aigc_plugins.finance.sources import (
    CsvTextSource,
    ECTSumSource,
    JsonlReportSource,
    TatQASource,
    split_of,
)
from aigc_plugins.finance.templates import realise

CALL = {"ticker": "AAN", "quarter": 1, "year": 2021,
        "bullets": ["q1 revenue rose 11.1 percent to $481.1 million."]}


def checks(source) -> dict[str, str]:
    return {c.name: c.status for c in source.quality_report().checks}


def round_trips(record) -> bool:
    return " ".join(realise(t, record.facts) for t in record.templates) == record.text


def test_ectsum_loads_real_calls_with_splits_by_company(finance_data: Path) -> None:
    path = finance_data / "ectsum_val.jsonl"
    assert ECTSumSource.accepts(path) and not JsonlReportSource.accepts(path)
    src = ECTSumSource(path)
    assert len(src) == 249 and all(round_trips(r) for r in src.records)
    rec = src[0]
    assert rec.source.endswith("ectsum_val.jsonl:1") and rec.meta["ticker"]
    assert src.get_batch([0, 1]) == [src[0], src[1]]
    assert src.schema.attributes["max_metrics"] >= 1 and "revenue" in \
        src.schema.attributes["metric_names"]
    parts = {s: ECTSumSource(path, split=s) for s in ("train", "val", "test")}
    assert sum(len(p) for p in parts.values()) == len(src)
    tickers = [{r.meta["ticker"] for r in p.records} for p in parts.values()]
    assert not (tickers[0] & tickers[1]) and not (tickers[0] & tickers[2])
    assert split_of("AAN") == split_of("AAN")
    assert checks(src)["round trip"] == "ok"


def test_broken_jsonl_lines_name_file_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "calls.jsonl"
    path.write_text(json.dumps(CALL) + "\n\n" + '{"ticker": "X", "bullets": ["a"\n')
    with pytest.raises(ValueError, match=r"calls\.jsonl:3: not valid JSON"):
        ECTSumSource(path)
    path.write_text(json.dumps(CALL) + "\n" + json.dumps({"ticker": "X", "bullets": "q1"}) + "\n")
    with pytest.raises(ValueError, match=r"calls\.jsonl:2: field 'bullets'"):
        ECTSumSource(path)
    src = ECTSumSource(path, on_error="skip")
    assert len(src) == 1
    rep = src.quality_report()
    assert {c.name: c.status for c in rep.checks}["unreadable lines"] == "warn"
    assert "calls.jsonl:2" in rep.tables["unreadable lines"][0]["where"]
    with pytest.raises(ValueError, match="no split"):
        ECTSumSource(path, split="dev")


def test_jsonl_reports_bind_text_to_given_facts(tmp_path: Path) -> None:
    facts = {"ticker": "ACME", "metrics": [
        {"name": "revenue", "unit": "currency", "scale": "million", "value": 1234.5,
         "prior_value": 1100.0},
        {"name": "eps", "unit": "per_share", "value": 0.5}]}
    path = tmp_path / "reports.jsonl"
    path.write_text(json.dumps({"facts": facts, "text": "revenue was $1.2 billion versus "
                                "$1,100 million."}) + "\n")
    assert JsonlReportSource.accepts(path) and not ECTSumSource.accepts(path)
    rec = JsonlReportSource(path)[0]
    assert rec.templates == ["<m0.name> was <m0.value> versus <m0.prior>."]
    assert round_trips(rec) and [m.name for m in rec.facts.metrics] == ["revenue", "eps"]
    facts["metrics"][0]["value"] = "lots"
    path.write_text(json.dumps({"facts": facts, "text": "revenue $1.2 billion"}) + "\n")
    with pytest.raises(ValueError, match=r"reports\.jsonl:1: field 'facts\.metrics\.0\.value'"):
        JsonlReportSource(path)


def test_quality_report_flags_unparsable_numbers_and_duplicates(tmp_path: Path) -> None:
    path = tmp_path / "news.csv"
    path.write_text("text,label\n"
                    '"Q1 revenue rose 5% to $1.2 billion",1\n'
                    '"Sold 1.5m units in Q1",0\n'
                    '"Q1 revenue rose 5% to $1.2 billion",1\n')
    assert CsvTextSource.accepts(path)
    src = CsvTextSource(path)
    assert len(src) == 3 and src[0].meta == {"label": "1"}
    assert src[0].templates == ["<p0> <m0.name> rose <m0.change> to <m0.value>"]
    rep = src.quality_report()
    status = {c.name: c.status for c in rep.checks}
    assert status["unparsed numbers"] == "warn" and status["duplicates"] == "warn"
    assert rep.tables["unparsed numbers"][0]["numbers"] == "1.5m"
    assert rep.tables["duplicate reports"][0]["count"] == 2
    with pytest.raises(ValueError, match="no column 'body'"):
        CsvTextSource(path, text_column="body")


def test_tatqa_keeps_sentences_whose_numbers_bind_to_the_table(finance_data: Path) -> None:
    path = finance_data / "tatqa_dev.json"
    if not path.is_file():
        pytest.skip("TAT-QA dev not found")
    assert TatQASource.accepts(path)
    src = TatQASource(path)
    assert len(src) >= 30 and all(round_trips(r) for r in src.records)
    assert all("<m" in t for r in src.records for t in r.templates)
    rep = src.quality_report()
    assert rep.summary["lines read (all splits)"] == 278
    assert {c.name: c.status for c in rep.checks}["dropped sentences"] == "ok"
