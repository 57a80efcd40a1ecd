"""Generate a synthetic set shaped like the real one and run registered metrics on it."""

from __future__ import annotations

from typing import Any

import torch

from aigc_sdk import registry
from aigc_sdk.generator import Generator


def generate_like(
    gen: Generator, codes: torch.Tensor, seed: int = 0, batch: int = 256
) -> dict[str, torch.Tensor]:
    """One synthetic sample per row of ``codes`` (same conditions, same class balance)."""
    xs, cs = [], []
    for k, row in enumerate(torch.unique(codes, dim=0)):
        n = int((codes == row).all(dim=1).sum())
        cond = {spec.name: int(v) for spec, v in zip(gen.schema.conditions, row.tolist())}
        for start in range(0, n, batch):
            m = min(batch, n - start)
            s = gen.generate(m, condition=cond, seed=seed * 1_000_003 + k * 10_007 + start)
            xs.append(torch.as_tensor(s.data))
            cs.append(row.expand(m, -1))
    return {"x": torch.cat(xs), "cond": torch.cat(cs)}


def evaluate(
    gen: Generator,
    real: dict[str, torch.Tensor],
    test: dict[str, torch.Tensor],
    metric_names: list[str],
    seed: int = 0,
    synthetic: dict[str, torch.Tensor] | None = None,
    **extra_context: Any,
) -> dict[str, float]:
    """Each metric gets ``(real_train, synthetic, test=..., seed=..., schema=...)`` plus
    ``extra_context`` (e.g. ``feature_extractor=PATH``) and the ``generator`` itself (for
    metrics that draw more than ``synthetic`` holds), and returns floats. Metrics share
    the ``cache`` dict of the context, so an expensive feature extractor is built once."""
    synthetic = synthetic or generate_like(gen, real["cond"], seed=seed)
    results: dict[str, float] = {}
    context: dict[str, Any] = {"test": test, "seed": seed, "schema": gen.schema, "cache": {},
                               "generator": gen, **extra_context}
    for name in metric_names:
        metric = registry.metric(name)()
        metric.check_context(context)
        results.update(metric.compute(real, synthetic, **context))
    return results
