"""``aigc data``: look at data before training on it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="Inspect data: quality reports before training.", no_args_is_help=True)


@app.command("inspect")
def inspect(
    path: Annotated[Path, typer.Argument(help="file or folder of data")],
    dataset: Annotated[str | None, typer.Option(help="dataset source name")] = None,
    split: str = "train",
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Print the data-quality report (counts, balance, duplicates, corrupt files, ranges)."""
    from aigc_sdk.cli.common import fail, print_quality
    from aigc_sdk.dataset import open_dataset

    try:
        ds = open_dataset(path, dataset, split=split)
    except (FileNotFoundError, ValueError) as exc:
        fail(str(exc))
    report = ds.quality_report()
    if as_json:
        typer.echo(report.model_dump_json(indent=2))
    else:
        print_quality(report)
    if not report.ok:
        raise typer.Exit(1)
