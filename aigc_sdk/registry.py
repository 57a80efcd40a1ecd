"""Name -> component lookups, filled by the plugins' ``register_*`` hooks.

Components are named ``<plugin>.<name>`` (``myplugin.mygan``). A target may be an
object or an import path ``"package.module:attribute"``, imported only when first used.
"""

from __future__ import annotations

import difflib
import importlib
from dataclasses import dataclass
from typing import Any

from aigc_sdk.hookspecs import KIND_BY_HOOK


class UnknownComponentError(LookupError):
    pass


@dataclass
class Component:
    kind: str
    name: str
    plugin: str
    target: Any
    description: str = ""

    def load(self) -> Any:
        if isinstance(self.target, str):
            module, _, attr = self.target.partition(":")
            obj = importlib.import_module(module)
            for part in attr.split(".") if attr else []:
                obj = getattr(obj, part)
            self.target = obj
        return self.target


_TABLES: dict[str, dict[str, Component]] | None = None


def reset() -> None:
    global _TABLES
    _TABLES = None


def _tables() -> dict[str, dict[str, Component]]:
    global _TABLES
    if _TABLES is None:
        from aigc_sdk.plugins import get_plugin_manager

        pm = get_plugin_manager()
        tables: dict[str, dict[str, Component]] = {kind: {} for kind in KIND_BY_HOOK.values()}
        for hook, kind in KIND_BY_HOOK.items():

            def make_register(plugin: str, kind: str = kind) -> Any:
                def register(name: str, target: Any, description: str = "") -> None:
                    full = name if "." in name else f"{plugin}.{name}"
                    if full in tables[kind]:
                        raise ValueError(
                            f"plugin {plugin!r} registers {kind[:-1]} {full!r}, "
                            f"already registered by {tables[kind][full].plugin!r}"
                        )
                    tables[kind][full] = Component(kind, full, plugin, target, description)

                return register

            pm.hook_results(hook, make_register)
        _TABLES = tables
    return _TABLES


def names(kind: str) -> list[str]:
    return sorted(_tables()[kind])


def components(kind: str) -> list[Component]:
    return [c for _, c in sorted(_tables()[kind].items())]


def component(kind: str, name: str) -> Component:
    table = _tables()[kind]
    if name in table:
        return table[name]
    known = sorted(table)
    close = difflib.get_close_matches(name, known, n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    from aigc_sdk.plugins import get_plugin_manager

    down = [
        f"{i.name} ({i.install_hint or i.error})"
        for i in get_plugin_manager().infos.values()
        if i.status == "unavailable"
    ]
    more = f" Unavailable plugins: {', '.join(down)}." if down else ""
    raise UnknownComponentError(
        f"no {kind[:-1].replace('_', ' ')} named {name!r}.{hint} "
        f"Known: {', '.join(known) or 'none'}.{more} See `aigc plugins`."
    )


def get(kind: str, name: str) -> Any:
    return component(kind, name).load()


def generator(name: str) -> Any:
    return get("generators", name)


def dataset(name: str) -> Any:
    return get("datasets", name)


def privacy_filter(name: str) -> Any:
    return get("privacy_filters", name)


def metric(name: str) -> Any:
    return get("metrics", name)
