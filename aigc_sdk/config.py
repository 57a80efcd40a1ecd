"""Run recipes: YAML or JSON files that set a generator's and the trainer's configs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError


def read_recipe(path: str | Path) -> dict[str, Any]:
    """A mapping with optional ``generator:``, ``train:`` and ``data:`` sections."""
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"{p}: config file not found")
    text = p.read_text()
    data = json.loads(text) if p.suffix == ".json" else yaml.safe_load(text)
    data = data or {}
    if not isinstance(data, dict):
        raise ValueError(f"{p}: expected a mapping with 'generator:' and 'train:' sections")
    unknown = set(data) - {"generator", "train", "data"}
    if unknown:
        raise ValueError(
            f"{p}: unknown section(s) {sorted(unknown)}; use 'generator', 'train' and 'data'"
        )
    return data


def validate(model: type[BaseModel], data: dict[str, Any], where: str) -> BaseModel:
    """Validate with an error that names the file/section and each bad field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        fields = "; ".join(
            f"{where}.{'.'.join(str(x) for x in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise ValueError(f"invalid config: {fields}") from None
