"""Entry point of the finance plugin: registers components by import path (loaded lazily)."""

from __future__ import annotations

from aigc_sdk.hookspecs import hookimpl
from aigc_sdk.plugins import require_extra

require_extra("finance", "transformers", "tokenizers", "stdnum", "phonenumbers")

_PKG = "aigc_plugins.finance"


@hookimpl
def register_generators(register):  # noqa: ANN001, ANN201
    register("report_vae", f"{_PKG}.vae:ReportVAE",
             "conditional text VAE: report sentences from facts, numbers filled and checked")


@hookimpl
def register_datasets(register):  # noqa: ANN001, ANN201
    register("ectsum", f"{_PKG}.sources:ECTSumSource", "ECTSum earnings-call fact bullets")
    register("tatqa", f"{_PKG}.sources:TatQASource", "TAT-QA tables with their paragraphs")
    register("jsonl", f"{_PKG}.sources:JsonlReportSource", 'JSONL {"facts", "text"} per line')
    register("csv", f"{_PKG}.sources:CsvTextSource", "CSV with a text column; facts parsed")


@hookimpl
def register_privacy_filters(register):  # noqa: ANN001, ANN201
    register("faithfulness", f"{_PKG}.faithfulness:FaithfulnessFilter",
             "rejects report text whose numbers, metrics or directions do not trace to the facts")
    register("pii", f"{_PKG}.pii:finance_pii_filter",
             "PII in text (input/output): emails, phones, cards, IBANs, accounts, national IDs, "
             "names; redact / mask / keyed pseudonym")
