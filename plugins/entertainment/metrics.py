"""Registered character metrics for ``aigc evaluate``, each next to its real reference.

``entertainment.characters`` (characters drawn in several views): view accuracy,
identity margin and retrieval, FID on the view and identity features, nearest-training
distance. ``entertainment.attributes`` (attribute-conditioned sprites): how often a
classifier trained on the real training sprites reads back each requested attribute.
The domain networks are trained on the real training split at evaluation time
(``feature_steps`` in the context sets their training steps).
"""

from __future__ import annotations

from typing import Any, ClassVar

import torch

from aigc_plugins.entertainment.charmetrics import (
    feature_fid,
    identity_scores,
    nearest_distance,
    view_accuracy,
)
from aigc_plugins.entertainment.features import (
    predict_attributes,
    train_attribute_classifier,
    train_identity_embedder,
    train_view_classifier,
)
from aigc_sdk.metrics import Metric

Split = dict[str, torch.Tensor]


class CharacterQuality(Metric):
    name: ClassVar[str] = "entertainment.characters"
    requires = ("test", "schema")

    def compute(self, real: Split, synthetic: Split, **context: Any) -> dict[str, float]:
        self.check_context(context)
        test, schema = context["test"], context["schema"]
        views = list(schema.attributes.get("views") or range(real["x"].shape[1]))
        if len(views) < 2:
            raise ValueError("entertainment.characters needs characters in >= 2 views; "
                             "for one-view sprites use entertainment.attributes")
        seed = int(context.get("seed", 0))
        steps = context.get("feature_steps")  # None: the trainers' defaults
        kw = {"steps": int(steps)} if steps else {}
        view_model = train_view_classifier(real["x"], [str(v) for v in views], seed=seed, **kw)
        id_model = train_identity_embedder(real["x"], seed=seed, **kw)
        fake, held = synthetic["x"], test["x"]
        n = min(len(fake), len(held))
        g = torch.Generator().manual_seed(seed)
        ref = real["x"][torch.randperm(len(real["x"]), generator=g)[:n]]
        out = {"view_accuracy": view_accuracy(view_model, fake),
               "view_accuracy_real": view_accuracy(view_model, held)}
        ids_f, ids_r = identity_scores(id_model, fake), identity_scores(id_model, held)
        for key in ("identity_margin", "retrieval"):
            out[key], out[f"{key}_real"] = ids_f[key], ids_r[key]
        f_fake = feature_fid(view_model, id_model, fake[:n], held[:n])
        f_ref = feature_fid(view_model, id_model, ref, held[:n])
        for key in f_fake:
            out[key], out[f"{key}_real"] = f_fake[key], f_ref[key]
        out["nn_train_distance"] = float(nearest_distance(fake, real["x"]).median())
        out["nn_train_distance_real"] = float(nearest_distance(held, real["x"]).median())
        return out


class AttributeAccuracy(Metric):
    name: ClassVar[str] = "entertainment.attributes"
    requires = ("test", "schema")

    def compute(self, real: Split, synthetic: Split, **context: Any) -> dict[str, float]:
        self.check_context(context)
        test, schema = context["test"], context["schema"]
        if not schema.conditions:
            raise ValueError("entertainment.attributes needs attribute-conditioned data")
        sizes = [len(c.values) for c in schema.conditions]
        steps = context.get("feature_steps")
        clf = train_attribute_classifier(real["x"][:, 0], real["cond"], sizes,
                                         seed=int(context.get("seed", 0)),
                                         **({"steps": int(steps)} if steps else {}))
        out = {}
        for split, name in ((synthetic, ""), (test, "_real")):
            pred = predict_attributes(clf, split["x"][:, 0])
            for k, spec in enumerate(schema.conditions):
                out[f"attr_accuracy_{spec.name}{name}"] = float(
                    (pred[:, k] == split["cond"][:, k]).float().mean())
        return out
