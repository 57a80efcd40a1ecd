"""``aigc quickstart``: the demonstrations plugins register, runnable on a fresh machine."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from aigc_sdk.cli import console
from aigc_sdk.cli.common import fail


def quickstart(
    name: Annotated[str | None, typer.Argument(help="which quickstart; default: the first")] = None,
    out: Annotated[Path, typer.Option(help="output folder")] = Path("aigc-quickstart"),
    fast: Annotated[bool, typer.Option(help="a few steps only (smoke test)")] = False,
    list_: Annotated[bool, typer.Option("--list", help="list quickstarts")] = False,
) -> None:
    """Train, generate and evaluate end to end on data a pip package ships."""
    from aigc_sdk import registry

    comps = registry.components("quickstarts")
    if list_ or not comps:
        for c in comps:
            console.print(f"{c.name}: {c.description}")
        if not comps:
            fail('no quickstart is installed; try: pip install "aigc-sdk[quickstart]"')
        return
    chosen = comps[0] if name is None else registry.component("quickstarts", name)
    console.print(f"[bold]quickstart {chosen.name}[/]: {chosen.description}")
    chosen.load()(out, fast)
