"""Data-quality reports: bad data gets a clear report before any training starts."""

from __future__ import annotations

import html
from typing import Any, Literal

from pydantic import BaseModel, Field

Status = Literal["ok", "warn", "error"]


class Check(BaseModel):
    name: str
    status: Status
    detail: str


class QualityReport(BaseModel):
    source: str
    kind: str
    summary: dict[str, Any] = Field(default_factory=dict)
    checks: list[Check] = Field(default_factory=list)
    tables: dict[str, list[dict[str, Any]]] = Field(default_factory=dict)

    def add(self, name: str, status: Status, detail: str) -> None:
        self.checks.append(Check(name=name, status=status, detail=detail))

    @property
    def errors(self) -> list[Check]:
        return [c for c in self.checks if c.status == "error"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_markdown(self) -> str:
        lines = [f"**Source:** `{self.source}` ({self.kind})", ""]
        lines += ["| figure | value |", "|---|---|"]
        lines += [f"| {k} | {v} |" for k, v in self.summary.items()]
        lines += ["", "| check | status | detail |", "|---|---|---|"]
        lines += [f"| {c.name} | {c.status} | {c.detail} |" for c in self.checks]
        for title, rows in self.tables.items():
            if not rows:
                continue
            cols = list(rows[0])
            lines += ["", f"*{title}*", "", "| " + " | ".join(cols) + " |"]
            lines += ["|" + "---|" * len(cols)]
            lines += ["| " + " | ".join(str(r.get(c, "")) for c in cols) + " |" for r in rows]
        return "\n".join(lines)

    def to_html(self) -> str:
        esc = html.escape
        parts = [f"<p><b>Source:</b> <code>{esc(self.source)}</code> ({esc(self.kind)})</p>"]
        parts.append("<table><tr><th>figure</th><th>value</th></tr>")
        parts += [f"<tr><td>{esc(str(k))}</td><td>{esc(str(v))}</td></tr>"
                  for k, v in self.summary.items()]
        parts.append("</table><table><tr><th>check</th><th>status</th><th>detail</th></tr>")
        parts += [
            f"<tr class='{c.status}'><td>{esc(c.name)}</td><td>{c.status}</td>"
            f"<td>{esc(c.detail)}</td></tr>"
            for c in self.checks
        ]
        parts.append("</table>")
        for title, rows in self.tables.items():
            if not rows:
                continue
            cols = list(rows[0])
            parts.append(f"<p><i>{esc(title)}</i></p><table><tr>")
            parts += [f"<th>{esc(c)}</th>" for c in cols]
            parts.append("</tr>")
            for r in rows:
                parts.append(
                    "<tr>" + "".join(f"<td>{esc(str(r.get(c, '')))}</td>" for c in cols) + "</tr>"
                )
            parts.append("</table>")
        return "\n".join(parts)
