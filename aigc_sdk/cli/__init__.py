"""The ``aigc`` command line. Import-light: torch and plugins' libraries load per command."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from aigc_sdk import __version__

console = Console()
err = Console(stderr=True)


def _version(value: bool | None) -> None:
    if value:
        console.print(f"aigc-sdk {__version__}")
        raise typer.Exit()


def build_app() -> typer.Typer:
    from aigc_sdk.cli import data, quickstart, run
    from aigc_sdk.plugins import get_plugin_manager

    app = typer.Typer(
        help="Generative AI for vertical industries: train, generate, evaluate.",
        no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
    )

    @app.callback()
    def root(
        version: Annotated[bool | None, typer.Option(
            "--version", callback=_version, is_eager=True, help="print the version and exit",
        )] = None,
    ) -> None:
        """aigc-sdk command line."""

    app.command("plugins")(plugins_cmd)
    app.add_typer(data.app, name="data")
    app.command("train")(run.train)
    app.command("generate")(run.generate)
    app.command("evaluate")(run.evaluate)
    app.command("quickstart")(quickstart.quickstart)
    get_plugin_manager().pm.hook.register_commands(cli=app)
    return app


def plugins_cmd(
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
) -> None:
    """List plugins: status, version, hooks, components, and the fix for unavailable ones."""
    from aigc_sdk import registry
    from aigc_sdk.plugins import get_plugin_manager

    pm = get_plugin_manager()
    comps: dict[str, list[str]] = {}
    for kind in ("generators", "datasets", "privacy_filters", "metrics", "quickstarts"):
        for c in registry.components(kind):
            comps.setdefault(c.plugin, []).append(f"{kind[:-1]}:{c.name}")
    rows = [{**i.as_dict(), "components": comps.get(i.name, [])} for i in pm.infos.values()]
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table(title="aigc plugins")
    for col in ("name", "version", "status", "components / fix"):
        table.add_column(col)
    for r in rows:
        style = {"available": "green", "unavailable": "red", "blocked": "yellow"}[r["status"]]
        detail = "\n".join(r["components"]) if r["status"] == "available" else (
            f"{r['install_hint'] or ''}\n{r['error'] or ''}".strip()
        )
        table.add_row(r["name"], r["version"] or "", f"[{style}]{r['status']}[/]", escape(detail))
    console.print(table)


def main() -> None:
    app = build_app()
    app()
