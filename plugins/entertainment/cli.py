"""``aigc character``: characters from a :class:`CharacterSpec` as engine-ready files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer


def render_spec(gen: Any, spec: Any) -> Any:
    """Samples for ``spec``: its attributes and seed, only its views, its palette."""
    views = spec.resolve_views(gen.views)
    samples = gen.generate(spec.n, condition=spec.attributes or None, seed=spec.seed)
    keep = [gen.views.index(v) for v in views]
    samples.data = spec.apply_palette(samples.data[:, keep])
    for meta in samples.metadata:
        meta["views"] = views
        meta["spec"] = spec.model_dump(mode="json")
    return samples


def character(
    bundle: Annotated[Path, typer.Argument(help="a sprite generator's bundle folder")],
    spec: Annotated[Path, typer.Option(help="CharacterSpec JSON: attributes, views, seed, "
                                            "palette, palette_size, n")],
    out: Annotated[Path, typer.Option(help="output folder")],
    fmt: Annotated[list[str] | None, typer.Option(
        "--format", help="sheet, gif, png; repeatable (default sheet and gif)")] = None,
) -> None:
    """Generate characters as a spec says: sprite sheets (+ JSON frame grid) and GIFs."""
    from aigc_plugins.entertainment.export import save_grid
    from aigc_plugins.entertainment.spec import CharacterSpec
    from aigc_sdk.bundle import BundleError, load_bundle
    from aigc_sdk.cli import console
    from aigc_sdk.cli.common import fail

    try:
        gen = load_bundle(bundle)
        char_spec = CharacterSpec.from_json_file(spec)
    except (BundleError, LookupError, FileNotFoundError, ValueError) as exc:
        fail(str(exc))
    if not hasattr(gen, "views"):
        fail(f"{bundle}: {gen.name} does not draw characters; train entertainment.sprite_gan")
    try:
        samples = render_spec(gen, char_spec)
    except (ValueError, KeyError) as exc:
        fail(f"{spec}: {exc}")
    for f in fmt or ["sheet", "gif"]:
        if f not in samples.formats:
            fail(f"--format {f!r}: choose from {samples.formats}")
        files = samples.export(f, out / f)
        console.print(f"{f}: {len(files)} files in {out / f}")
    console.print(f"preview: {save_grid(samples.data, out / 'preview.png', upscale=2)}")
