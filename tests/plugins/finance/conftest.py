"""Fixtures of the finance plugin's tests: the real ECTSum and TAT-QA files, read once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def finance_data(shared_data: Path) -> Path:
    path = shared_data / "finance"
    if not (path / "ectsum_train.jsonl").is_file():
        pytest.skip(f"ECTSum not found in {path}")
    return path


@pytest.fixture(scope="session")
def ectsum_train(finance_data: Path) -> list[dict]:
    """The ECTSum train calls, each ``{ticker, quarter, year, bullets}``."""
    with open(finance_data / "ectsum_train.jsonl", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


@pytest.fixture(scope="session")
def train_bullets(ectsum_train: list[dict]) -> list[str]:
    """The first 1000 train bullets: enough for stable rates, fast on two cores."""
    return [b for r in ectsum_train for b in r["bullets"]][:1000]
