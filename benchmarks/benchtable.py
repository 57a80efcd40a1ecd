"""The one table every benchmark prints, and the same figures as flat JSON with targets."""

from __future__ import annotations

import json
import operator
import os
from pathlib import Path


def shared_data() -> Path:
    """Real data for benchmarks: $AIGC_SHARED_DATA, else ../shared/data beside the repo."""
    root = Path(__file__).resolve().parents[1]
    return Path(os.environ.get("AIGC_SHARED_DATA", root.parent / "shared" / "data"))


# A target is (op, value): ">=" and ">" are minimums, "<=" a maximum.
OPS = {">=": operator.ge, ">": operator.gt, "<=": operator.le}


def report(title: str, res: dict[str, float], targets: dict[str, tuple[str, float]],
           json_path: Path | None) -> None:
    print(f"\n{title}")
    print(f"{'figure':44s} {'value':>10s}  target")
    for key, value in res.items():
        verdict = ""
        if key in targets:
            op, val = targets[key]
            verdict = f"{op} {val}  {'PASS' if OPS[op](value, val) else 'MISS'}"
        print(f"{key:44s} {value:10.4f}  {verdict}")
    if json_path:
        flat = dict(res)
        for key, (op, val) in targets.items():
            flat[f"target_{'max' if op == '<=' else 'min'}_{key}"] = val
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(flat, indent=2))
        print(f"wrote {json_path}")
