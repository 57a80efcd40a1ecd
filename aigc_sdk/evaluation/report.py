"""A self-contained HTML report: tables, figures embedded as base64, no external assets."""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path
from typing import Any

_STYLE = """
body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;color:#222}
table{border-collapse:collapse;margin:.6em 0}td,th{border:1px solid #ccc;padding:3px 8px;
text-align:left;font-size:14px}th{background:#f2f2f2}tr.warn td{background:#fff6d6}
tr.error td{background:#fde0e0}tr.fail td{background:#fde0e0}tr.pass td{background:#e6f6e6}
figure{display:inline-block;margin:.5em 1em .5em 0;vertical-align:top}
figcaption{font-size:13px;color:#555;max-width:520px}img{image-rendering:pixelated}
.note{color:#555;font-size:14px}
"""


class HtmlReport:
    def __init__(self, title: str) -> None:
        self.title = title
        self.parts: list[str] = []

    def heading(self, text: str, level: int = 2) -> None:
        self.parts.append(f"<h{level}>{html.escape(text)}</h{level}>")

    def paragraph(self, text: str, cls: str = "") -> None:
        klass = f" class='{cls}'" if cls else ""
        self.parts.append(f"<p{klass}>{html.escape(text)}</p>")

    def raw(self, fragment: str) -> None:
        self.parts.append(fragment)

    def table(self, rows: list[dict[str, Any]], row_class: str | None = None) -> None:
        """``row_class`` names a column whose value becomes the row's CSS class."""
        if not rows:
            return
        cols = [c for c in rows[0] if c != row_class]
        out = ["<table><tr>" + "".join(f"<th>{html.escape(str(c))}</th>" for c in cols) + "</tr>"]
        for r in rows:
            klass = f" class='{html.escape(str(r.get(row_class)))}'" if row_class else ""
            cells = "".join(f"<td>{html.escape(_fmt(r.get(c, '')))}</td>" for c in cols)
            out.append(f"<tr{klass}>{cells}</tr>")
        out.append("</table>")
        self.parts.append("".join(out))

    def image(self, image: Any, caption: str = "", width: int | None = None) -> None:
        """``image``: a PNG path, PNG bytes or a PIL image."""
        if isinstance(image, (str, Path)):
            data = Path(image).read_bytes()
        elif isinstance(image, bytes):
            data = image
        else:
            buf = io.BytesIO()
            image.save(buf, format="PNG")
            data = buf.getvalue()
        src = "data:image/png;base64," + base64.b64encode(data).decode()
        w = f" width='{width}'" if width else ""
        self.parts.append(
            f"<figure><img src='{src}'{w} alt='{html.escape(caption)}'>"
            f"<figcaption>{html.escape(caption)}</figcaption></figure>"
        )

    def write(self, path: str | Path) -> Path:
        p = Path(path)
        p.parent.mkdir(parents=True, exist_ok=True)
        body = "\n".join(self.parts)
        p.write_text(
            f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(self.title)}"
            f"</title><style>{_STYLE}</style></head><body><h1>{html.escape(self.title)}</h1>"
            f"{body}</body></html>"
        )
        return p


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)
