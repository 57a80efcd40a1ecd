"""Does attribute conditioning work? Nouns characters generated for given body, accessory,
head and glasses, read back by an attribute classifier trained on real composites.

    python benchmarks/characters_nouns.py [--json PATH] [--threads 2] [--minutes 10]
        [--set FIELD=JSON]   (a SpriteGANConfig field, e.g. attribute_maps_full=true)

Trains ``entertainment.sprite_gan`` (one view, four attribute conditions) on random
composites of the Nouns parts, then generates characters for attribute combinations
never seen in training (the source's test split) and reports, per attribute, how often
the classifier reads the requested value, next to the same classifier on the real
composites of those combinations. Attributes whose part is drawn over completely (17
accessories cover the whole body) cannot be read from pixels and are not counted. Editing
(new glasses, same seed) is measured the same way, with how often the other attributes
survive the edit.
Data: $AIGC_SHARED_DATA/characters/nouns_image-data.json (default ../shared/data).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch

from aigc_plugins.entertainment.export import save_grid
from aigc_plugins.entertainment.features import predict_attributes, train_attribute_classifier
from aigc_plugins.entertainment.nouns import LAYERS, NounsSource, visible
from aigc_plugins.entertainment.sprite_gan import SpriteGAN, SpriteGANConfig
from benchtable import report, shared_data, train_for

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {f"attr_accuracy_{layer}": (">=", 0.90) for layer in LAYERS}


def accuracy(pred: torch.Tensor, want: torch.Tensor, seen: np.ndarray) -> list[float]:
    hit = (pred == want).numpy() & seen
    return [float(hit[:, k].sum() / max(1, seen[:, k].sum())) for k in range(want.shape[1])]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", type=Path)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--minutes", type=float, default=10.0, help="sprite_gan training time")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--n", type=int, default=2000, help="generated characters to measure")
    ap.add_argument("--out", type=Path, default=ROOT / "runs" / "characters_nouns")
    ap.add_argument("--bundle", type=Path, help="evaluate this trained bundle, skip training")
    ap.add_argument("--classifier-steps", type=int, default=2000)
    ap.add_argument("--set", action="append", default=[], metavar="FIELD=JSON",
                    help="override a SpriteGANConfig field, e.g. --set attribute_maps_full=true")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    t0 = time.time()
    path = shared_data() / "characters" / "nouns_image-data.json"
    train = NounsSource(path, n=20000, split="train")
    test = NounsSource(path, n=args.n, split="test")
    parts, sizes = train.parts, [len(c.values) for c in train.schema.conditions]

    if args.bundle:
        gen, steps = SpriteGAN.from_pretrained(args.bundle), float("nan")
    else:
        torch.manual_seed(0)
        overrides = {k: json.loads(v) for k, v in (kv.split("=", 1) for kv in args.set)}
        gen = SpriteGAN(SpriteGANConfig(**overrides), train.schema)
        steps = float(train_for(gen, train, args.minutes, args.batch, args.out / "train"))
        gen.save_pretrained(args.out / "bundle")
    t_train = time.time() - t0

    t1 = time.time()
    clf = train_attribute_classifier(train.x[:, 0], train.cond, sizes,
                                     steps=args.classifier_steps)
    t_clf = time.time() - t1

    # generate for the test combinations: codes never seen together in training
    want = test.cond
    z = torch.randn(len(want), gen.noise_dim, generator=torch.Generator().manual_seed(0))
    fake = gen.draw(z, want)[:, 0]
    seen = visible(parts, want)
    acc_fake = accuracy(predict_attributes(clf, fake), want, seen)
    acc_real = accuracy(predict_attributes(clf, test.x[:, 0]), want, seen)

    # editing: same latent, other glasses
    g_idx = LAYERS.index("glasses")
    edited = want.clone()
    shift = torch.randint(1, sizes[g_idx], (len(want),), generator=torch.Generator().manual_seed(2))
    edited[:, g_idx] = (edited[:, g_idx] + shift) % sizes[g_idx]
    fake_edit = gen.draw(z, edited)[:, 0]
    acc_edit = accuracy(predict_attributes(clf, fake_edit), edited, visible(parts, edited))

    res: dict[str, float] = {}
    for k, layer in enumerate(LAYERS):
        res[f"attr_accuracy_{layer}"] = acc_fake[k]
        res[f"attr_accuracy_{layer}_real"] = acc_real[k]
        res[f"attr_classes_{layer}"] = float(sizes[k])
    res["edit_glasses_accuracy"] = acc_edit[g_idx]
    res["edit_others_kept"] = float(np.mean([acc_edit[k] for k in range(len(LAYERS))
                                             if k != g_idx]))
    res["l1_to_exact_render"] = float((fake - test.x[:, 0]).abs().mean())
    res["train_steps"] = steps
    res["train_minutes"] = t_train / 60
    res["classifier_minutes"] = t_clf / 60
    res["threads"] = float(args.threads)
    res["total_minutes"] = (time.time() - t0) / 60

    args.out.mkdir(parents=True, exist_ok=True)
    pairs = torch.stack([test.x[:16, 0], fake[:16], fake_edit[:16]], dim=1)
    save_grid(pairs, args.out / "real_generated_edited.png", upscale=4)
    ends = train.schema.decode(want[:2])
    walk = gen.interpolate(5, 6, steps=8, condition=ends[0], condition_b=ends[1])
    save_grid(walk.data.transpose(0, 1), args.out / "interpolation.png", upscale=4)
    report(f"Nouns attribute control: {len(want)} unseen combinations "
           f"({args.threads} threads)", res, TARGETS, args.json)


if __name__ == "__main__":
    main()
