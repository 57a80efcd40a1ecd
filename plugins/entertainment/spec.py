"""What a user asks for when generating characters, from the API, the CLI or a JSON file.

One validated model, so the API and the CLI reject the same mistakes with the same message
before any network runs.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import torch
from pydantic import BaseModel, ConfigDict, Field, field_validator

from aigc_plugins.entertainment.palette import (
    MAX_COLOURS,
    PALETTE_SUFFIXES,
    load_palette,
    quantise,
    quantise_character,
    threshold_alpha,
)
from aigc_sdk.config import validate


class CharacterSpec(BaseModel):
    """Characters to generate and how to post-process them."""

    model_config = ConfigDict(extra="forbid")

    attributes: dict[str, str] = Field(
        default_factory=dict, description="condition name -> value, e.g. {'hair': 'blonde'}")
    views: list[str] | None = Field(
        default=None, description="facing directions to output, in order; None: all of them")
    seed: int | None = Field(default=None, ge=0, description="None: a fresh random draw")
    palette: Literal["auto"] | Path | None = Field(
        default=None,
        description="None: the generator's own output; 'auto': a shared palette of "
                    "palette_size colours per character; a .gpl/.hex/.png path: that palette")
    palette_size: int = Field(default=24, ge=2, le=MAX_COLOURS)
    n: int = Field(default=1, ge=1, le=10_000, description="how many characters")

    @field_validator("attributes")
    @classmethod
    def _attributes(cls, v: dict[str, str]) -> dict[str, str]:
        blank = [k for k, val in v.items() if not k.strip() or not val.strip()]
        if blank:
            raise ValueError(f"empty attribute name or value for {blank}; "
                             "drop the attribute to let the generator choose it")
        return v

    @field_validator("views")
    @classmethod
    def _views(cls, v: list[str] | None) -> list[str] | None:
        if v is None:
            return v
        if not v:
            raise ValueError("empty list; give at least one view, or null for all views")
        if any(not name.strip() for name in v):
            raise ValueError("a view name is empty")
        dupes = sorted({name for name in v if v.count(name) > 1})
        if dupes:
            raise ValueError(f"view(s) {dupes} listed twice; list each view once")
        return v

    @field_validator("palette", mode="before")
    @classmethod
    def _palette(cls, v: Any) -> Any:
        if v is None or v == "auto":
            return v
        if not isinstance(v, (str, Path)):
            raise ValueError("use null, 'auto' or a path to a .gpl/.hex/.png palette file")
        path = Path(v)
        if path.suffix.lower() not in PALETTE_SUFFIXES:
            raise ValueError(f"{str(v)!r} is neither 'auto' nor a palette file; "
                             f"use a path ending in {', '.join(PALETTE_SUFFIXES)}")
        if not path.is_file():
            raise ValueError(f"palette file {str(path)!r} not found")
        return path

    @classmethod
    def from_json_file(cls, path: str | Path) -> CharacterSpec:
        """Read a spec; a relative palette path is taken relative to the JSON file."""
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"{path}: character spec not found")
        try:
            data = json.loads(path.read_text())
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{exc.lineno}:{exc.colno}: not valid JSON ({exc.msg})") \
                from None
        if not isinstance(data, dict):
            raise ValueError(f"{path}: expected a JSON object with fields "
                             f"{sorted(cls.model_fields)}")
        pal = data.get("palette")
        if isinstance(pal, str) and pal != "auto" and not Path(pal).is_absolute():
            data["palette"] = str(path.parent / pal)
        return validate(cls, data, str(path))  # type: ignore[return-value]

    def resolve_views(self, available: Sequence[str]) -> list[str]:
        """The views to output, checked against what the generator draws."""
        if self.views is None:
            return list(available)
        unknown = [v for v in self.views if v not in available]
        if unknown:
            raise ValueError(f"views: {unknown} not drawn by this generator; "
                             f"choose from {list(available)}")
        return list(self.views)

    def apply_palette(self, characters: torch.Tensor) -> torch.Tensor:
        """Post-process (N, V, [F,] 4, H, W) as ``palette`` says, one character at a time so
        each gets its own shared palette."""
        if self.palette is None:
            return characters
        if self.palette == "auto":
            return torch.stack([quantise_character(c, self.palette_size) for c in characters])
        return quantise(threshold_alpha(characters), load_palette(self.palette))
