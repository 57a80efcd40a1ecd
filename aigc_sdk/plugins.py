"""One plugin manager for the process: loads ``aigc_sdk`` entry points, never crashes on them.

Environment variables:
- ``AIGC_PLUGINS``: comma-separated allow-list of plugin names (empty string = load none).
- ``AIGC_BLOCK_PLUGINS``: comma-separated plugins to skip.

A plugin that fails to import (a missing extra, a bug) is recorded as unavailable with
its error and the ``pip install`` line that fixes it; the CLI and API keep working.
"""

from __future__ import annotations

import importlib.metadata as md
import os
import traceback
from dataclasses import dataclass, field
from typing import Any

import pluggy

from aigc_sdk import hookspecs

ENTRY_POINT_GROUP = "aigc_sdk"


@dataclass
class PluginInfo:
    name: str
    module: str
    distribution: str | None
    version: str | None
    status: str  # "available" | "unavailable" | "blocked"
    error: str | None = None
    install_hint: str | None = None
    hooks: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "module": self.module,
            "distribution": self.distribution,
            "version": self.version,
            "status": self.status,
            "error": self.error,
            "install_hint": self.install_hint,
            "hooks": self.hooks,
        }


def _env_list(var: str) -> set[str] | None:
    raw = os.environ.get(var)
    if raw is None:
        return None
    return {part.strip() for part in raw.split(",") if part.strip()}


class MissingExtraError(ImportError):
    """Raised by a plugin module whose optional dependencies are not installed."""

    def __init__(self, extra: str, missing: list[str]) -> None:
        super().__init__(f"missing {', '.join(missing)} (the {extra!r} extra)")
        self.extra = extra
        self.missing = missing


def require_extra(extra: str, *modules: str) -> None:
    """Call at the top of a plugin module: fails fast, without importing anything heavy."""
    import importlib.util

    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    if missing:
        raise MissingExtraError(extra, missing)


def _install_hint(ep: md.EntryPoint, dist_name: str | None, exc: BaseException) -> str | None:
    if isinstance(exc, MissingExtraError) and dist_name:
        return f'pip install "{dist_name}[{exc.extra}]"'
    if isinstance(exc, ModuleNotFoundError) and exc.name:
        return f"pip install {exc.name.split('.')[0]}"
    return None


class PluginManager:
    """Wraps ``pluggy.PluginManager`` and remembers what loaded and what did not."""

    def __init__(self) -> None:
        self.pm = pluggy.PluginManager(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self.infos: dict[str, PluginInfo] = {}
        self._loaded = False

    def load_entry_points(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        allow = _env_list("AIGC_PLUGINS")
        block = _env_list("AIGC_BLOCK_PLUGINS") or set()
        for ep in md.entry_points(group=ENTRY_POINT_GROUP):
            if ep.name in self.infos:
                continue
            dist = getattr(ep, "dist", None)
            dist_name = dist.metadata["Name"] if dist is not None else None
            version = dist.version if dist is not None else None
            info = PluginInfo(ep.name, ep.value, dist_name, version, "available")
            self.infos[ep.name] = info
            if ep.name in block or (allow is not None and ep.name not in allow):
                info.status = "blocked"
                continue
            try:
                plugin = ep.load()
                self.pm.register(plugin, name=ep.name)
            except Exception as exc:  # a broken plugin must never break the host
                info.status = "unavailable"
                info.error = f"{type(exc).__name__}: {exc}"
                info.install_hint = _install_hint(ep, dist_name, exc)
                info.traceback = traceback.format_exc()  # type: ignore[attr-defined]
                continue
            info.hooks = sorted(
                h.name for h in self.pm.get_hookcallers(plugin) or [] if h.name != "__init__"
            )

    def register_object(self, plugin: Any, name: str) -> None:
        """Register an in-process plugin object (tests, notebooks, embedding apps)."""
        self.pm.register(plugin, name=name)
        self.infos[name] = PluginInfo(
            name, getattr(plugin, "__name__", repr(plugin)), None, None, "available",
            hooks=sorted(h.name for h in self.pm.get_hookcallers(plugin) or []),
        )

    def hook_results(self, hook_name: str, make_arg: Any) -> None:
        """Call ``hook_name`` on each plugin separately so components know their plugin."""
        for name, plugin in list(self.pm.list_name_plugin()):
            impl = getattr(plugin, hook_name, None)
            if impl is None or self.pm.is_blocked(name):
                continue
            impl(make_arg(name))


_MANAGER: PluginManager | None = None


def get_plugin_manager() -> PluginManager:
    global _MANAGER
    if _MANAGER is None:
        _MANAGER = PluginManager()
        _MANAGER.load_entry_points()
    return _MANAGER


def reset_plugin_manager() -> None:
    """Forget loaded plugins (tests; after installing a plugin in-process)."""
    global _MANAGER
    _MANAGER = None
    from aigc_sdk import registry

    registry.reset()
