"""aigc-sdk: generative AI for vertical industries, extended through plugins.

The package root stays import-light (no torch) so that the CLI answers fast; the
public names below are resolved on first use.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_PUBLIC = {
    "Generator": "aigc_sdk.generator",
    "GeneratorConfig": "aigc_sdk.generator",
    "Samples": "aigc_sdk.samples",
    "DataSchema": "aigc_sdk.dataset",
    "ConditionSpec": "aigc_sdk.dataset",
    "Dataset": "aigc_sdk.dataset",
    "QualityReport": "aigc_sdk.quality",
    "PrivacyFilter": "aigc_sdk.privacy",
    "FilterResult": "aigc_sdk.privacy",
    "Finding": "aigc_sdk.privacy",
    "TextPIIFilter": "aigc_sdk.textpii",
    "TextPIIConfig": "aigc_sdk.textpii",
    "Recognizer": "aigc_sdk.textpii",
    "RegexRecognizer": "aigc_sdk.textpii",
    "NerRecognizer": "aigc_sdk.textpii",
    "Metric": "aigc_sdk.metrics",
    "Trainer": "aigc_sdk.training",
    "TrainConfig": "aigc_sdk.training",
    "load_bundle": "aigc_sdk.bundle",
    "hookimpl": "aigc_sdk.hookspecs",
    "registry": "aigc_sdk.registry",
}

__all__ = ["__version__", *_PUBLIC]


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'aigc_sdk' has no attribute {name!r}")
    mod = importlib.import_module(module)
    return mod if name == "registry" else getattr(mod, name)
