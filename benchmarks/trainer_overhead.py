"""SDK Trainer vs a plain hand-written PyTorch loop: same model, data, steps and algorithm.

    python benchmarks/trainer_overhead.py [--steps 150] [--rounds 6] [--threads 2] [--json PATH]

Runs alternate in one process in ABBA order (trainer, plain, plain, trainer...) so
machine noise and order effects hit both; the figure is the ratio of total times. Both
do the same work per step: a D step and a G step of the conditional DCGAN on
PneumoniaMNIST 28x28 (hinge loss, DiffAugment, Adam, EMA update), under the same
autocast precision. The Trainer's time includes its setup, logging, progress
bookkeeping and its final checkpoint.

The Trainer keeps freed CPU memory in the heap (``aigc_sdk.training.allocator``), a
process-wide setting, so after its first run the plain loop gets it too and the ratio is
the loop's own overhead. Two plain runs made before any Trainer exists show what the
setting is worth on its own (``plain_default_malloc_ms_per_step``, informative only).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import time
from pathlib import Path

import torch

from aigc_plugins.medical.data import MedMNISTSource
from aigc_plugins.medical.gan import DCGAN2D, DCGANConfig
from aigc_sdk.training import TrainConfig, Trainer
from aigc_sdk.training.augment import diff_augment, parse_policy
from aigc_sdk.training.device import pick_precision
from benchtable import shared_data


def build(schema) -> DCGAN2D:  # noqa: ANN001
    torch.manual_seed(0)
    return DCGAN2D(DCGANConfig(), schema)


def plain_loop(gen: DCGAN2D, x: torch.Tensor, cond: torch.Tensor, steps: int, batch: int,
               precision: str) -> None:
    """What a researcher would write by hand for the same algorithm."""
    cfg = gen.config.gan
    G, D, ema = gen.net_g, gen.net_d, gen.ema
    opt_g = torch.optim.Adam(G.parameters(), lr=cfg.lr_g, betas=cfg.betas)
    opt_d = torch.optim.Adam(D.parameters(), lr=cfg.lr_d, betas=cfg.betas)
    ops = parse_policy(cfg.diffaugment)
    amp = (lambda: torch.autocast("cpu", dtype=torch.bfloat16)) if precision == "bf16" else (
        contextlib.nullcontext)
    torch.manual_seed(0)
    perm, pos = torch.randperm(len(x)), 0
    for step in range(steps):
        if pos + batch > len(x):
            perm, pos = torch.randperm(len(x)), 0
        idx = perm[pos:pos + batch]
        pos += batch
        xb, cb = x[idx], cond[idx]
        with amp():
            with torch.no_grad():
                fake = G(torch.randn(batch, gen.config.latent_dim), cb)
            loss_d = (torch.relu(1 - D(diff_augment(xb, ops), cb)).mean()
                      + torch.relu(1 + D(diff_augment(fake, ops), cb)).mean())
        opt_d.zero_grad(set_to_none=True)
        loss_d.backward()
        opt_d.step()
        with amp():
            fake = G(torch.randn(batch, gen.config.latent_dim), cb)
            loss_g = -D(diff_augment(fake, ops), cb).mean()
        opt_g.zero_grad(set_to_none=True)
        loss_g.backward()
        opt_g.step()
        ema.update(G, 0.999, step)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=150)
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--precision", default="auto")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    data = shared_data()
    ds = MedMNISTSource(data / "medical" / "pneumoniamnist.npz", "train")
    precision = pick_precision(args.precision, "cpu")
    cfg = TrainConfig(steps=args.steps, batch_size=args.batch, precision=precision,
                      log_every=50, checkpoint_every=0, progress=False, tensorboard=False)
    t = time.perf_counter()
    for _ in range(2):
        plain_loop(build(ds.schema), ds.x, ds.cond, args.steps, args.batch, precision)
    t_default = (time.perf_counter() - t) / 2
    # warm-up both paths once (allocator, oneDNN kernels) before timing
    Trainer(build(ds.schema), ds, cfg.model_copy(update={"steps": 10}), "/tmp/aigc_overhead").fit()
    plain_loop(build(ds.schema), ds.x, ds.cond, 10, args.batch, precision)
    t_sdk, t_plain = [], []

    def run_sdk(r: int) -> None:
        gen = build(ds.schema)
        t = time.perf_counter()
        Trainer(gen, ds, cfg, f"/tmp/aigc_overhead/{r}").fit()
        t_sdk.append(time.perf_counter() - t)

    def run_plain(r: int) -> None:
        gen = build(ds.schema)
        t = time.perf_counter()
        plain_loop(gen, ds.x, ds.cond, args.steps, args.batch, precision)
        t_plain.append(time.perf_counter() - t)

    for r in range(args.rounds):  # ABBA order: neither side always runs first
        first, second = (run_sdk, run_plain) if r % 2 == 0 else (run_plain, run_sdk)
        first(r)
        second(r)
    ratio = sum(t_sdk) / sum(t_plain)
    per_round = sorted(a / b for a, b in zip(t_sdk, t_plain))
    median = (per_round[(len(per_round) - 1) // 2] + per_round[len(per_round) // 2]) / 2
    res = {"threads": args.threads, "steps_per_round": args.steps, "rounds": args.rounds,
           "sdk_ms_per_step": 1000 * sum(t_sdk) / (args.steps * args.rounds),
           "plain_ms_per_step": 1000 * sum(t_plain) / (args.steps * args.rounds),
           "plain_default_malloc_ms_per_step": 1000 * t_default / args.steps,
           "time_ratio_sdk_over_plain": ratio, "median_round_ratio": median,
           "target_max_time_ratio_sdk_over_plain": 1.05}
    print(f"trainer overhead ({precision}, {args.threads} threads, {args.rounds} alternating "
          f"rounds of {args.steps} steps)")
    print(f"{'figure':34s} {'value':>10s}")
    for k, v in res.items():
        print(f"{k:34s} {v:10.4f}")
    print("PASS" if ratio <= 1.05 else "MISS", f"ratio {ratio:.3f} (target <= 1.05)")
    print("per round sdk/plain:", [f"{a / b:.3f}" for a, b in zip(t_sdk, t_plain)])
    if args.json:
        args.json.write_text(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()
