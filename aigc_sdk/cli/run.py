"""``aigc train``, ``aigc generate``, ``aigc evaluate``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from aigc_sdk.cli import console
from aigc_sdk.cli.common import fail, parse_conditions, print_quality


def train(
    generator: Annotated[str, typer.Argument(help="<plugin>.<name>, see `aigc plugins`")],
    data: Annotated[Path, typer.Option(help="training data: file or folder")],
    out: Annotated[Path, typer.Option(help="run folder: checkpoints, logs, bundle/")],
    config: Annotated[Path | None, typer.Option(help="YAML/JSON with generator/train/data")] = None,
    dataset: Annotated[str | None, typer.Option(help="dataset source name")] = None,
    split: Annotated[str | None, typer.Option(
        help="which split of DATA to train on (default: the source's own)")] = None,
    resume: Annotated[bool, typer.Option(help="continue from the last checkpoint")] = False,
    steps: Annotated[int | None, typer.Option(help="override train.steps")] = None,
    device: Annotated[str | None, typer.Option(help="auto, cpu, cuda, mps")] = None,
    precision: Annotated[str | None, typer.Option(help="auto, no, bf16, fp16")] = None,
    seed: Annotated[int | None, typer.Option(help="override train.seed")] = None,
    select_on: Annotated[str | None, typer.Option(
        help="a held-out split of DATA (e.g. val): keep the averaged weights that score best "
             "on it instead of the last ones (generators with a snapshot score)")] = None,
    select_every: Annotated[int, typer.Option(help="steps between scored snapshots")] = 300,
) -> None:
    """Check the data, train a generator, and save a bundle to OUT/bundle."""
    from aigc_sdk import registry
    from aigc_sdk.config import read_recipe, validate
    from aigc_sdk.dataset import open_dataset
    from aigc_sdk.training import BestSnapshot, TrainConfig, Trainer

    try:
        cls = registry.generator(generator)
        recipe = read_recipe(config) if config else {}
        where = str(config) if config else "config"
        train_opts = dict(recipe.get("train") or {})
        for key, value in {"steps": steps, "device": device, "precision": precision,
                           "seed": seed}.items():
            if value is not None:
                train_opts[key] = value
        train_cfg = validate(TrainConfig, train_opts, f"{where}:train")
        gen_cfg = validate(cls.Config, recipe.get("generator") or {}, f"{where}:generator")
        ds = open_dataset(data, dataset, split=split, **(recipe.get("data") or {}))
    except (LookupError, ValueError, FileNotFoundError, TypeError) as exc:
        fail(str(exc))
    report = ds.quality_report()
    print_quality(report)
    if not report.ok:
        fail(f"{data}: the data-quality report has errors (above); fix the data first")
    import torch

    torch.manual_seed(train_cfg.seed)  # initial weights are part of a reproducible run
    gen = cls(gen_cfg, ds.schema, name=generator)
    gen.card["data"] = {"description": f"{len(ds)} samples from {data}",
                        "quality_report": report.to_markdown()}
    gen.card["data_options"] = recipe.get("data") or {}
    callbacks = []
    if select_on:
        try:
            heldout = open_dataset(data, dataset, split=select_on, **(recipe.get("data") or {}))
        except (LookupError, ValueError, FileNotFoundError, TypeError) as exc:
            fail(f"--select-on {select_on}: {exc}")
        score = gen.snapshot_score(ds, heldout)
        if score is None:
            fail(f"--select-on: {generator} has no snapshot score; train without --select-on")
        callbacks.append(BestSnapshot(score, select_every))
    trainer = Trainer(gen, ds, train_cfg, out, callbacks=callbacks)
    try:
        trainer.fit(resume=resume)
    except FileNotFoundError as exc:
        fail(str(exc))
    if not trainer.is_main:  # under torchrun / accelerate launch one process writes
        trainer.close()
        return
    bundle = gen.save_pretrained(out / "bundle")
    trainer.close()
    last = trainer.metrics.history[-1] if trainer.metrics.history else {}
    console.print(f"[green]trained[/] {generator}: {trainer.step} steps, last log {last}")
    if "snapshot" in gen.card:
        snap = gen.card["snapshot"]
        console.print(f"kept the averaged weights of step {snap['chosen_step']} (held-out score "
                      f"{snap['chosen_score']:.4g}; last step {snap['last_step']}: "
                      f"{snap['last_score']:.4g})")
    console.print(f"bundle: {bundle}   metrics log: {trainer.metrics.path}")


def generate(
    bundle: Annotated[Path, typer.Argument(help="bundle folder from `aigc train`")],
    out: Annotated[Path, typer.Option(help="output folder")],
    n: Annotated[int, typer.Option("-n", help="number of samples")] = 16,
    condition: Annotated[list[str] | None, typer.Option(help="KEY=VALUE, repeatable")] = None,
    seed: Annotated[int, typer.Option(help="same seed, same samples")] = 0,
    fmt: Annotated[list[str] | None, typer.Option("--format", help="repeatable")] = None,
    facts: Annotated[Path | None, typer.Option(
        help="JSON file used as the condition (facts for a text generator)")] = None,
    device: str = "cpu",
) -> None:
    """Generate N samples and export them in the generator's formats."""
    from aigc_sdk.bundle import BundleError, load_bundle

    try:
        gen = load_bundle(bundle, device=device)
    except (BundleError, LookupError, FileNotFoundError) as exc:
        fail(str(exc))
    cond: dict | None = parse_conditions(condition or [])
    if facts is not None:
        try:
            cond = {**json.loads(facts.read_text()), **(cond or {})}
        except (OSError, json.JSONDecodeError) as exc:
            fail(f"--facts {facts}: {exc}")
    try:
        samples = gen.generate(n, condition=cond or None, seed=seed)
    except (ValueError, KeyError) as exc:
        fail(str(exc))
    formats = fmt or samples.formats[:1]
    for f in formats:
        if f not in samples.formats:
            fail(f"--format {f!r}: {gen.name} exports {samples.formats}")
    for f in formats:
        files = samples.export(f, out / f)
        console.print(f"{f}: {len(files)} files in {out / f}")


def evaluate(
    bundle: Annotated[Path, typer.Argument(help="bundle folder")],
    data: Annotated[Path, typer.Option(help="real data with train and test splits")],
    out: Annotated[Path | None, typer.Option(help="where metrics.json goes")] = None,
    dataset: Annotated[str | None, typer.Option(help="dataset source name")] = None,
    test_split: str = "test",
    seed: int = 0,
    feature_extractor: Annotated[Path | None, typer.Option(
        help="local feature-extractor folder for FID-style metrics (default: train one)")] = None,
) -> None:
    """Compare synthetic with real data using the generator's registered metrics."""
    from aigc_sdk.bundle import BundleError, load_bundle
    from aigc_sdk.dataset import open_dataset
    from aigc_sdk.evaluation import evaluate as run_eval

    try:
        gen = load_bundle(bundle)
        opts = gen.card.get("data_options", {})
        train = open_dataset(data, dataset, split="train", **opts)
        test = open_dataset(data, dataset, split=test_split, **opts)
    except (BundleError, LookupError, FileNotFoundError, ValueError) as exc:
        fail(str(exc))
    if list(train.schema.sample_shape) != list(gen.schema.sample_shape):
        fail(f"{data}: samples are {train.schema.sample_shape}, the bundle generates "
             f"{gen.schema.sample_shape}")
    import torch

    results = run_eval(gen, train.get_batch(torch.arange(len(train))),
                       test.get_batch(torch.arange(len(test))), list(gen.default_metrics), seed,
                       feature_extractor=feature_extractor)
    from rich.table import Table

    t = Table(title=f"evaluation of {bundle}")
    t.add_column("metric")
    t.add_column("value")
    for k, v in results.items():
        t.add_row(k, f"{v:.4f}")
    console.print(t)
    target = out or bundle.parent / "evaluation"
    target.mkdir(parents=True, exist_ok=True)
    (target / "metrics.json").write_text(json.dumps(results, indent=2))
    console.print(f"metrics: {target / 'metrics.json'}")

