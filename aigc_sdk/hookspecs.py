"""The hooks a plugin implements. Each is documented in docs/plugins.md (a test checks it).

A plugin is a module (or object) with functions marked ``@hookimpl``, found through the
``aigc_sdk`` entry-point group. Registration hooks receive a ``register`` callable so a
plugin never imports the registry itself; components are registered by *import path*
(``"pkg.module:Class"``) or by object, so heavy libraries load only when used.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pluggy

PROJECT = "aigc_sdk"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)

Register = Callable[..., None]


@hookspec
def register_generators(register: Register) -> None:
    """Register generator classes: ``register("dcgan2d", "pkg.mod:Class")``.

    The registry prefixes the plugin name, so users ask for ``"<plugin>.dcgan2d"``.
    """


@hookspec
def register_datasets(register: Register) -> None:
    """Register dataset sources that read user data from a path into a torch Dataset.

    A source class must implement ``accepts(path)`` so ``aigc train --data PATH`` can pick it.
    """


@hookspec
def register_privacy_filters(register: Register) -> None:
    """Register privacy filters that run at the ``input`` or ``output`` stage."""


@hookspec
def register_metrics(register: Register) -> None:
    """Register metrics: ``compute(real, synthetic, **context) -> dict[str, float]``."""


@hookspec
def register_quickstarts(register: Register) -> None:
    """Register a ready-to-run demonstration: ``register("demo", "pkg.mod:function")``.

    The function takes ``(out_dir: Path, fast: bool)`` and must run offline on a fresh
    machine with only the plugin's extras installed; ``aigc quickstart NAME`` runs it.
    """


@hookspec
def register_commands(cli: Any) -> None:
    """Add sub-commands to the ``aigc`` typer application (``cli`` is a ``typer.Typer``).

    Keep command modules import-light: import torch and friends inside the command body.
    """


HOOK_NAMES = (
    "register_generators",
    "register_datasets",
    "register_privacy_filters",
    "register_metrics",
    "register_quickstarts",
    "register_commands",
)

KIND_BY_HOOK = {
    "register_generators": "generators",
    "register_datasets": "datasets",
    "register_privacy_filters": "privacy_filters",
    "register_metrics": "metrics",
    "register_quickstarts": "quickstarts",
}
