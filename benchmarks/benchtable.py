"""The one table every benchmark prints, and the same figures as flat JSON with targets."""

from __future__ import annotations

import json
import operator
import os
from pathlib import Path
from typing import Any


def shared_data() -> Path:
    """Real data for benchmarks: $AIGC_SHARED_DATA, else ../shared/data beside the repo."""
    root = Path(__file__).resolve().parents[1]
    return Path(os.environ.get("AIGC_SHARED_DATA", root.parent / "shared" / "data"))


def train_for(gen: Any, data: Any, minutes: float, batch: int, out: Path,
              steps: int = 1_000_000, callbacks: tuple = (), **cfg: Any) -> int:
    """Train ``gen`` on ``data`` for a wall-clock budget (benchmarks compare equal time,
    not equal steps), or ``steps`` if they come first; returns the steps done. ``cfg``
    overrides TrainConfig fields."""
    from aigc_sdk.training import TrainConfig, Trainer

    config = TrainConfig(steps=steps, max_minutes=minutes, batch_size=batch,
                         log_every=20, checkpoint_every=0, progress=False, tensorboard=False,
                         **cfg)
    trainer = Trainer(gen, data, config, out, callbacks=callbacks)
    trainer.fit()
    return trainer.step


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
