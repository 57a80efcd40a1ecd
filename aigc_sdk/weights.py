"""Module weights as one flat safetensors dict (``"<module>.<key>"``), shared by bundles
and checkpoints.

Tied weights (a language model's input embedding and output head are one tensor) appear
under two keys of a state dict; safetensors refuses to write shared memory, so each
storage is written once and the other keys are re-tied on load: loading the first key
fills the shared tensor, and a missing key is accepted only when its tensor is tied to
one that was loaded.
"""

from __future__ import annotations

from collections.abc import Iterable

import torch


def module_tensors(modules: dict[str, torch.nn.Module], names: Iterable[str] | None = None
                   ) -> dict[str, torch.Tensor]:
    out: dict[str, torch.Tensor] = {}
    for name in names if names is not None else modules:
        seen: set[tuple[int, int]] = set()
        for key, value in modules[name].state_dict(keep_vars=False).items():
            ident = (value.untyped_storage().data_ptr(), value.storage_offset())
            if value.numel() and ident in seen:
                continue  # tied to a tensor already written
            seen.add(ident)
            out[f"{name}.{key}"] = value.detach().cpu().contiguous()
    return out


def load_module_tensors(modules: dict[str, torch.nn.Module], tensors: dict[str, torch.Tensor],
                        where: str, names: Iterable[str] | None = None) -> None:
    """Load each module's weights; errors name the file and the module."""
    for name in names if names is not None else modules:
        module, prefix = modules[name], f"{name}."
        sd = {k[len(prefix):]: v for k, v in tensors.items() if k.startswith(prefix)}
        try:
            missing, unexpected = module.load_state_dict(sd, strict=False)
        except RuntimeError as exc:
            raise RuntimeError(f"{where}: weights for {name!r} do not fit this model "
                               f"(was the config changed?): {exc}") from exc
        current = module.state_dict()
        loaded = {current[k].untyped_storage().data_ptr() for k in sd if k in current}
        untied = [k for k in missing if current[k].untyped_storage().data_ptr() not in loaded]
        if untied or unexpected:
            raise RuntimeError(f"{where}: weights for {name!r} do not fit this model: "
                               f"missing {untied[:5]}, unexpected {unexpected[:5]}")
