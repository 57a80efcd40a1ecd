"""Atomic, resumable checkpoints: weights in safetensors, optimiser state loaded weights-only.

Layout: ``DIR/step-000100/{modules.safetensors, optim.pt, state.json}`` and a ``latest``
pointer file. A checkpoint is written under a temporary name and renamed into place, and
``latest`` is replaced atomically, so a crash mid-write never corrupts the last good one.
"""

from __future__ import annotations

import json
import os
import random
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors.torch import load_file, save_file

from aigc_sdk.weights import load_module_tensors, module_tensors


def _np_state() -> list:
    name, keys, pos, has_gauss, gauss = np.random.get_state()
    return [name, keys.tolist(), int(pos), int(has_gauss), float(gauss)]


def _set_np_state(state: list) -> None:
    name, keys, pos, has_gauss, gauss = state
    np.random.set_state((name, np.array(keys, dtype=np.uint32), pos, has_gauss, gauss))


def rng_state() -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    tensors = {"rng.torch": torch.get_rng_state()}
    if torch.cuda.is_available():
        for i, s in enumerate(torch.cuda.get_rng_state_all()):
            tensors[f"rng.cuda.{i}"] = s
    py = random.getstate()
    return tensors, {"python": [py[0], list(py[1]), py[2]], "numpy": _np_state()}


def set_rng_state(tensors: dict[str, torch.Tensor], state: dict[str, Any]) -> None:
    torch.set_rng_state(tensors["rng.torch"])
    cuda = [tensors[k] for k in sorted(tensors) if k.startswith("rng.cuda.")]
    if cuda and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(cuda)
    v, internal, gauss = state["python"]
    random.setstate((v, tuple(internal), gauss))
    _set_np_state(state["numpy"])


def save_checkpoint(
    directory: Path,
    step: int,
    modules: dict[str, torch.nn.Module],
    optimizers: dict[str, Any],
    state: dict[str, Any],
    keep: int = 2,
) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    final = directory / f"step-{step:07d}"
    tmp = directory / f".tmp-step-{step:07d}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    tensors, rng = rng_state()
    tensors.update(module_tensors(modules))
    save_file(tensors, str(tmp / "modules.safetensors"))
    torch.save({k: o.state_dict() for k, o in optimizers.items()}, tmp / "optim.pt")
    (tmp / "state.json").write_text(json.dumps({**state, "step": step, "rng": rng}))
    if final.exists():
        shutil.rmtree(final)
    os.replace(tmp, final)
    pointer = directory / ".latest.tmp"
    pointer.write_text(final.name)
    os.replace(pointer, directory / "latest")
    old = sorted(p for p in directory.glob("step-*") if p.is_dir())
    for p in old[:-keep] if keep > 0 else []:
        shutil.rmtree(p, ignore_errors=True)
    return final


def latest_checkpoint(directory: Path) -> Path | None:
    pointer = directory / "latest"
    if not pointer.exists():
        return None
    path = directory / pointer.read_text().strip()
    return path if path.is_dir() else None


def load_checkpoint(
    path: Path, modules: dict[str, torch.nn.Module], optimizers: dict[str, Any]
) -> dict[str, Any]:
    """Restore modules, optimisers and RNG; returns the saved trainer state."""
    tensors = load_file(str(path / "modules.safetensors"), device="cpu")
    load_module_tensors(modules, tensors, str(path / "modules.safetensors"))
    optim = torch.load(path / "optim.pt", map_location="cpu", weights_only=True)
    for name, opt in optimizers.items():
        opt.load_state_dict(optim[name])
    state = json.loads((path / "state.json").read_text())
    set_rng_state({k: v for k, v in tensors.items() if k.startswith("rng.")}, state.pop("rng"))
    return state
