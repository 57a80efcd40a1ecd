"""Bundles: a trained generator as ``config.json`` + ``model.safetensors`` + ``card.md`` +
``manifest.json`` (sha256 of each file). Nothing on the load path unpickles anything.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from safetensors.torch import load_file, save_file

from aigc_sdk import __version__
from aigc_sdk.weights import load_module_tensors, module_tensors

if TYPE_CHECKING:
    from aigc_sdk.generator import Generator

FORMAT = "aigc-bundle/1"
FILES = ("config.json", "model.safetensors", "card.md")


class BundleError(ValueError):
    pass


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def render_card(gen: Generator) -> str:
    card = gen.card
    lines = [f"# {gen.name} bundle", "", "Synthetic-data generator made with aigc-sdk "
             f"{__version__}. Everything it generates is synthetic.", ""]
    if gen.intended_use:
        lines += ["## Intended use", "", gen.intended_use, ""]
    if gen.limitations:
        lines += ["## Limitations", "", gen.limitations, ""]
    data = card.get("data")
    if data:
        lines += ["## Training data", "", data.get("description", ""), ""]
        if data.get("quality_report"):
            lines += [data["quality_report"], ""]
    lines += ["## Data schema", "", "```json", gen.schema.model_dump_json(indent=2), "```", ""]
    lines += ["## Generator config", "", "```json", gen.config.model_dump_json(indent=2), "```", ""]
    if card.get("training"):
        lines += ["## Training settings", "", "| setting | value |", "|---|---|"]
        lines += [f"| {k} | {v} |" for k, v in card["training"].items()]
        lines.append("")
    snap = card.get("snapshot")
    if snap:
        lines += ["## Weights kept", "", f"The averaged weights of step {snap['chosen_step']} "
                  f"(held-out score {snap['chosen_score']:.4g}, lower is better), not those of "
                  f"the last step {snap['last_step']} ({snap['last_score']:.4g}). Scores by "
                  "step: " + ", ".join(f"{s}: {v:.4g}" for s, v in snap["scores"]), ""]
    filters = card.get("filters") or []
    lines += ["## Privacy filters", ""]
    lines += [f"- {json.dumps(f)}" for f in filters] or ["- none ran"]
    lines.append("")
    if card.get("metrics"):
        lines += ["## Evaluation", "", "| metric | value |", "|---|---|"]
        lines += [f"| {k} | {v} |" for k, v in card["metrics"].items()]
        lines.append("")
    return "\n".join(lines)


def save_bundle(gen: Generator, directory: str | Path) -> Path:
    """Write to a temporary folder, then swap it in: a bundle is never half-overwritten."""
    out = Path(directory)
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    tensors = module_tensors(gen.modules(), gen.saved_modules)
    save_file(tensors, str(tmp / "model.safetensors"), metadata={"format": FORMAT})
    config = {
        "format": FORMAT,
        "generator": gen.name,
        "config": gen.config.model_dump(mode="json"),
        "schema": gen.schema.model_dump(mode="json"),
        "sdk_version": __version__,
        "card": gen.card,
    }
    (tmp / "config.json").write_text(json.dumps(config, indent=2, default=str))
    (tmp / "card.md").write_text(render_card(gen))
    assets = tmp / "assets"
    assets.mkdir()
    extra = [f"assets/{name}" for name in gen.save_assets(assets)]
    if not extra:
        assets.rmdir()
    manifest = {"format": FORMAT,
                "files": {f: {"sha256": sha256(tmp / f), "bytes": (tmp / f).stat().st_size}
                          for f in (*FILES, *extra)}}
    (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2))
    if out.exists():
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        os.replace(out, old)
        os.replace(tmp, out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(tmp, out)
    gen.bundle_hash = manifest["files"]["model.safetensors"]["sha256"][:16]
    return out


def read_bundle_config(directory: str | Path, verify: bool = True) -> dict[str, Any]:
    d = Path(directory)
    manifest_path = d / "manifest.json"
    if not manifest_path.exists():
        raise BundleError(f"{d}: not a bundle (no manifest.json); train one with `aigc train`")
    manifest = json.loads(manifest_path.read_text())
    for name, entry in manifest["files"].items():
        path = d / name
        if not path.exists():
            raise BundleError(f"{path}: missing from the bundle (listed in manifest.json)")
        if verify and sha256(path) != entry["sha256"]:
            raise BundleError(
                f"{path}: sha256 does not match manifest.json; the file was changed or "
                "corrupted — re-copy the bundle"
            )
    config = json.loads((d / "config.json").read_text())
    if config.get("format") != FORMAT:
        raise BundleError(
            f"{d / 'config.json'}: format {config.get('format')!r}, expected {FORMAT}"
        )
    config["bundle_hash"] = manifest["files"]["model.safetensors"]["sha256"][:16]
    return config


def load_bundle(directory: str | Path, device: str = "cpu") -> Generator:
    """Rebuild the generator named in config.json through the registry and load its weights."""
    from aigc_sdk import registry
    from aigc_sdk.dataset import DataSchema

    d = Path(directory)
    config = read_bundle_config(d)
    cls = registry.generator(config["generator"])
    gen = cls(cls.Config.model_validate(config["config"]),
              DataSchema.model_validate(config["schema"]), name=config["generator"])
    gen.load_assets(d / "assets")  # verified above with every file the manifest lists
    tensors = load_file(str(d / "model.safetensors"), device="cpu")
    modules = gen.modules()
    try:
        load_module_tensors(modules, tensors, str(d / "model.safetensors"), gen.saved_modules)
    except RuntimeError as exc:
        raise BundleError(str(exc)) from exc
    for name in gen.saved_modules:
        modules[name].to(device).eval()
    gen.card = config.get("card", {})
    gen.bundle_hash = config["bundle_hash"]
    return gen
