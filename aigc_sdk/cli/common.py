"""Helpers shared by CLI commands."""

from __future__ import annotations

from typing import NoReturn

import typer
from rich.markup import escape
from rich.table import Table

from aigc_sdk.cli import console, err
from aigc_sdk.quality import QualityReport


def fail(message: str, code: int = 2) -> NoReturn:
    err.print(f"[red]error:[/] {escape(message)}")
    raise typer.Exit(code)


def print_quality(report: QualityReport) -> None:
    t = Table(title=f"data quality: {report.source} ({report.kind})")
    t.add_column("figure")
    t.add_column("value")
    for k, v in report.summary.items():
        t.add_row(escape(str(k)), escape(str(v)))
    console.print(t)
    c = Table(title="checks")
    for col in ("check", "status", "detail"):
        c.add_column(col)
    for chk in report.checks:
        style = {"ok": "green", "warn": "yellow", "error": "red"}[chk.status]
        c.add_row(escape(chk.name), f"[{style}]{chk.status}[/]", escape(chk.detail))
    console.print(c)
    for title, rows in report.tables.items():
        if not rows:
            continue
        tt = Table(title=title)
        for col in rows[0]:
            tt.add_column(str(col))
        for r in rows[:20]:
            tt.add_row(*(escape(str(r.get(col, ""))) for col in rows[0]))
        console.print(tt)


def parse_conditions(items: list[str]) -> dict[str, str]:
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            fail(f"--condition {item!r}: expected KEY=VALUE, e.g. --condition label=positive")
        out[key.strip()] = value.strip()
    return out
