"""Evaluation: run a generator's metrics against real data and write an HTML report."""

from aigc_sdk.evaluation.report import HtmlReport
from aigc_sdk.evaluation.run import evaluate, generate_like

__all__ = ["HtmlReport", "evaluate", "generate_like"]
