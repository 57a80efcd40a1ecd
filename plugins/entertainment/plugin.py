"""Entry point of the entertainment plugin: registers components by import path (loaded lazily)."""

from __future__ import annotations

from aigc_sdk.hookspecs import hookimpl
from aigc_sdk.plugins import require_extra

require_extra("entertainment", "monai")

_PKG = "aigc_plugins.entertainment"


@hookimpl
def register_generators(register):  # noqa: ANN001, ANN201
    register("sprite_gan", f"{_PKG}.sprite_gan:SpriteGAN",
             "one character in every facing direction: a view GAN, then a paired view translator")


@hookimpl
def register_datasets(register):  # noqa: ANN001, ANN201
    register("lpc", f"{_PKG}.data:LPCSource", "LPC characters .npz: N x 4 directions, RGBA")
    register("nouns", f"{_PKG}.nouns:NounsSource", "Nouns parts JSON composed into characters")
    register("sprite_folder", f"{_PKG}.folder:SpriteFolderSource",
             "folder of RGBA PNG sprites (or sheets) with an attributes CSV")


@hookimpl
def register_metrics(register):  # noqa: ANN001, ANN201
    register("characters", f"{_PKG}.metrics:CharacterQuality",
             "view accuracy, identity margin/retrieval, FID, nearest-training distance")
    register("attributes", f"{_PKG}.metrics:AttributeAccuracy",
             "per-attribute accuracy of a real-trained attribute classifier")


@hookimpl
def register_commands(cli):  # noqa: ANN001, ANN201
    from aigc_plugins.entertainment.cli import character

    cli.command("character")(character)
