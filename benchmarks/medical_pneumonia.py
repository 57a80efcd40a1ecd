"""Is the conditional 2-D GAN useful? TSTR vs TRTR, augmentation from a 10% subset, FID and
per-class precision/recall/density/coverage, on MedMNIST (PneumoniaMNIST or BreastMNIST).

    python benchmarks/medical_pneumonia.py [--breast] [--json PATH] [--threads 2]
        [--diffaugment POLICY]   ("" = none)
        [--d-steps N]            (discriminator updates per generator update)
        [--lecam W]              (LeCam regulariser weight; 0 = off)
        [--mode-seeking W]       (mode-seeking weight against within-class collapse; 0 = off)
        [--gen-block-convs N]    (generator 3x3 convolutions per resolution)
        [--steps N] [--subset-steps N]  (stop each GAN there if its minutes last longer)
        [--select-every N]       (score the averaged weights every N steps; 0 = keep the last)
        [--select-subset]        (also choose the subset GAN's weights, on 10% of val)
        [--ema-warmup steps|debiased]  (how the weight average forgets its start; see EMA)
        [--restarts N] [--gan-seed S]  (N full-set GANs from seeds S.., the best on val kept)

TSTR is measured two ways, both beside TRTR (same classifier, same steps, same test split):
`tstr_fresh_auc`, the headline, trains on fresh synthetic images, as many as the classifier's
batches draw (a generator gives as many as asked: 71x the 546 BreastMNIST training images, 16x
the 2428 PneumoniaMNIST ones), so no synthetic image is seen more than a few times;
`tstr_auc` trains on exactly as many synthetic images as the real split has, each seen as
often as TRTR sees each real one. Both are held to the issue's ratio.

Unset, those take the data set's settings (SETTINGS): the generator's own (cutout, one D
step, no LeCam, one convolution per resolution) on PneumoniaMNIST; on BreastMNIST (546
training images, where DiffAugment stalls D) no DiffAugment and two D steps. Both train for
--minutes alone. This machine has run 1700 to 4260 BreastMNIST steps in the same 6 minutes,
and D memorises 546 images as steps grow, so --steps / --subset-steps fix them for comparisons
between sessions (see the notes in plugins/medical/gan.py).

The full-set GAN keeps the averaged weights whose draws are nearest the real validation split
(FID on the features of a classifier trained on its training images; BestSnapshot +
HeldoutFID) on BreastMNIST and other data sets, not on PneumoniaMNIST (see SETTINGS); the
test split is never seen before the final evaluation; scoring time is part of the GAN's
training minutes, except the feature classifier's fit, which the final FID shares. The subset
GAN keeps its last weights unless --select-subset: scored against the 10% stratified subset of
the validation split its scenario allows (8 BreastMNIST images), it kept step 300 of 1820 and
the augmentation gain fell from +0.028 to -0.032.

Data: $AIGC_SHARED_DATA/medical/{pneumoniamnist,breastmnist}.npz (default ../shared/data).
With --restarts N the full-set GAN is trained N times from seeds S, S+1, ... for --minutes / N
each, and the one whose kept weights score best on the validation split is evaluated (all of
them count in the GAN's training minutes). Why on BreastMNIST (3 restarts of 3.5 min): two
GAN seeds with identical settings kept weights at val FID 1.12 and 0.55, and test FID ratios
of 2.57x and 1.31x; the validation score tells them apart, the seed cannot be chosen before.
It does not make one run reproducible: training is bounded by minutes, so the steps each
restart gets vary with the machine's load. Two runs with the same seeds (breast_v11,
breast_v12) kept val FIDs 1.12/0.55/0.59 and 1.09/0.62/0.56, kept seed 1 and seed 2, and
scored test FID ratios 1.31x and 2.54x: on 78 validation images the best val FID is a weak
guide to the test one. Picking, among the restarts within 1.5x of the real val FID (0.27),
the one with the best train-on-synthetic AUC on val was tried in breast_v12 and dropped: no
restart came within 1.5x, so it fell back to the FID choice and only cost scoring time.
--mode-seeking 0.03 (the quickstart's fix for a generator that ignored its noise), one run
(breast_v13, the same 3 restarts, seed 2 kept at val FID 0.43, 1680 steps): fresh TSTR/TRTR
0.959, FID ratio 2.34x, augmentation gain -0.012, against 0.924, 2.54x and +0.037 in
breast_v12 without it. One run of a seed-decided benchmark: not a reason to change defaults.

Every figure is a mean over --seeds classifier seeds and sits next to its real reference.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import torch

from aigc_plugins.medical.classifier import (
    auc_accuracy,
    classifier_steps,
    features,
    mean_std,
    predict,
)
from aigc_plugins.medical.classifier import train_classifier as fit_classifier
from aigc_plugins.medical.data import MedMNISTSource
from aigc_plugins.medical.gan import DCGAN2D, DCGANConfig
from aigc_plugins.medical.metrics import fresh_draws
from aigc_plugins.medical.selection import HeldoutFID
from aigc_sdk.dataset import stratified_split
from aigc_sdk.evaluation import generate_like
from aigc_sdk.evaluation.featurestats import fid, prdc
from aigc_sdk.training import BestSnapshot
from benchtable import report, shared_data, train_for

ROOT = Path(__file__).resolve().parents[1]
# PneumoniaMNIST keeps its last weights: with selection (pneumo_v8) its validation FID was
# still falling at the last step (2880, which was kept), and the scoring had only cost steps.
# The subset GAN stops at a fixed step count (its minutes only cap it): its augmentation gain
# followed its steps, which followed the machine's load (BreastMNIST, 5 classifier seeds: +0.008
# at 1280 steps in breast_v14, +0.041 at 1800 in a side study with the same 4x mix). On an
# AVX2-only machine (fp32, no bf16 autocast) the 4-minute cap stops it first: 1140 and 1080
# steps, gains +0.020 and +0.013 (breast_v15, breast_v16; full-set GANs 780 and 840 steps).
SETTINGS = {"breastmnist": {"diffaugment": "", "d_steps": 2, "select_every": 300,
                            "restarts": 3, "minutes": 10.5, "subset_steps": 1800,
                            "subset_minutes": 4.0},
            "pneumoniamnist": {"select_every": 0}}
TARGETS = {
    "pneumoniamnist": {"tstr_trtr_ratio": 0.97, "aug_gain": 0.01},
    "breastmnist": {"tstr_trtr_ratio": 0.95, "aug_gain": 0.02},
}


def train_gan(ds, score: HeldoutFID | None, minutes: float, steps: int | None, seed: int,
              out: Path, batch: int, args: argparse.Namespace) -> tuple[DCGAN2D, int, float]:
    """The trained generator (settings from ``args``), its steps and its training seconds;
    given a ``score``, the averaged weights that score best every ``args.select_every``."""
    t = time.perf_counter()
    torch.manual_seed(seed)
    cfg = DCGANConfig(gen_block_convs=args.gen_block_convs)
    cfg.gan.diffaugment = args.diffaugment
    cfg.gan.d_steps = args.d_steps
    cfg.gan.lecam_weight = args.lecam
    cfg.gan.mode_seeking_weight = args.mode_seeking
    gen = DCGAN2D(cfg, ds.schema)
    callbacks = (BestSnapshot(score, args.select_every),) if score and args.select_every else ()
    done = train_for(gen, ds, minutes, batch, out, steps or 1_000_000, callbacks, seed=seed,
                     ema_decay=0.999, ema_warmup=args.ema_warmup)
    return gen, done, time.perf_counter() - t


def train_best_of(ds, score: HeldoutFID, out: Path, batch: int,
                  args: argparse.Namespace) -> tuple[DCGAN2D, int, float, dict[str, float]]:
    """``args.restarts`` GANs from consecutive seeds, each with its share of ``args.minutes``;
    the one whose kept weights score lowest on ``score`` (the validation split), its steps,
    the seconds all of them took, and each restart's score."""
    if args.restarts == 1:
        gen, done, seconds = train_gan(ds, score, args.minutes, args.steps, args.gan_seed, out,
                                       batch, args)
        return gen, done, seconds, {}
    best, total, figures = None, 0.0, {}
    for r in range(args.restarts):
        seed = args.gan_seed + r
        gen, done, seconds = train_gan(ds, score, args.minutes / args.restarts, args.steps,
                                       seed, out / f"seed{seed}", batch, args)
        total += seconds
        value = gen.card["snapshot"]["chosen_score"] if "snapshot" in gen.card else score(gen)
        figures[f"fid_val_seed{seed}"] = value
        if best is None or value < best[2]:
            best = (gen, done, value, seed)
    assert best is not None
    figures["gan_seed_kept"] = best[3]
    return best[0], best[1], total, figures


def snapshot_figures(gen: DCGAN2D, tag: str) -> dict[str, float]:
    """Which weights were kept and their held-out FID next to the last step's."""
    snap = gen.card.get("snapshot")
    if not snap:
        return {}
    return {f"kept_step_{tag}": snap["chosen_step"], f"fid_val_kept_{tag}": snap["chosen_score"],
            f"fid_val_last_{tag}": snap["last_score"]}


def auc_over_seeds(x, y, test, k: int, seeds: int,
                   steps: int | None = None) -> tuple[float, float, float]:
    aucs, accs = [], []
    for s in range(seeds):
        model = fit_classifier(x, y, k, seed=100 + s, steps=steps)
        auc, acc = auc_accuracy(predict(model, test["x"]), test["cond"][:, 0])
        aucs.append(auc)
        accs.append(acc)
    m, sd = mean_std(aucs)
    return m, sd, float(np.mean(accs))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--breast", action="store_true", help="BreastMNIST instead of Pneumonia")
    ap.add_argument("--data", type=Path, help="a MedMNIST-style .npz (overrides --breast)")
    ap.add_argument("--minutes", type=float,
                    help="GAN on the full train split, all restarts (default 6; BreastMNIST 10.5)")
    ap.add_argument("--restarts", type=int, help="full-set GANs, the best on val kept")
    ap.add_argument("--gan-seed", type=int, default=0, help="seed of the first full-set GAN")
    ap.add_argument("--subset-minutes", type=float,
                    help="GAN on the 10%% subset, at most (default 3; BreastMNIST 4.0)")
    ap.add_argument("--aug-ratio", type=float, default=4.0, help="synthetic per real (subset)")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", type=Path, default=ROOT / "runs" / "bench_medical")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--diffaugment", help="DiffAugment policy ('' = none)")
    ap.add_argument("--d-steps", type=int,
                    help="discriminator updates per generator update")
    ap.add_argument("--lecam", type=float, help="LeCam regulariser weight")
    ap.add_argument("--mode-seeking", type=float,
                    help="mode-seeking weight (the quickstart's 0.03 undid its collapse)")
    ap.add_argument("--gen-block-convs", type=int,
                    help="generator 3x3 convolutions per resolution")
    ap.add_argument("--steps", type=int, help="full-set GAN: stop at these steps")
    ap.add_argument("--subset-steps", type=int, help="subset GAN: stop at these steps")
    ap.add_argument("--select-every", type=int,
                    help="score the averaged weights on the val split every N steps and keep "
                         "the best (0 = keep the last; default per data set)")
    ap.add_argument("--ema-warmup", choices=["steps", "debiased"],
                    help="the weight average's warm-up (default per data set)")
    ap.add_argument("--select-subset", action="store_true",
                    help="also keep the subset GAN's best weights, scored on 10%% of val")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    name = "breastmnist" if args.breast else "pneumoniamnist"
    path = args.data or shared_data() / "medical" / f"{name}.npz"
    name = path.stem.lower()
    own = DCGANConfig()
    for key, value in {"diffaugment": own.gan.diffaugment, "d_steps": own.gan.d_steps,
                       "lecam": own.gan.lecam_weight, "gen_block_convs": own.gen_block_convs,
                       "mode_seeking": own.gan.mode_seeking_weight,
                       "steps": None, "subset_steps": None, "subset_minutes": 3.0,
                       "select_every": 300,
                       "ema_warmup": "steps", "restarts": 1, "minutes": 6.0,
                       **SETTINGS.get(name, {})}.items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    t0 = time.perf_counter()
    train, test = MedMNISTSource(path, "train"), MedMNISTSource(path, "test")
    val = MedMNISTSource(path, "val")
    k = len(train.schema.conditions[0].values)
    real = {"x": train.x, "cond": train.cond}
    tst = {"x": test.x, "cond": test.cond}
    batch = 64 if len(train) >= 1000 else 32

    # 1. full train split: TSTR vs TRTR, FID, per-class PRDC. One real-trained classifier
    # gives the features of the final FID/PRDC and of the validation score that keeps weights.
    fmodel = fit_classifier(real["x"], real["cond"][:, 0], k, seed=0)
    gen, steps_full, gan_seconds, restarts = train_best_of(
        train, HeldoutFID(train, val, extractor=fmodel), args.out / f"{name}_full", batch, args)
    gen.save_pretrained(args.out / f"{name}_full" / "bundle")
    syn = generate_like(gen, train.cond, seed=1)
    trtr = auc_over_seeds(real["x"], real["cond"][:, 0], tst, k, args.seeds)
    tstr = auc_over_seeds(syn["x"], syn["cond"][:, 0], tst, k, args.seeds)
    # the headline: TRTR's classifier steps, every batch of fresh synthetic images
    steps = classifier_steps(len(train))
    fresh = fresh_draws(gen, real, steps * 128, seed=3)
    tstr_fresh = auc_over_seeds(fresh["x"], fresh["cond"][:, 0], tst, k, args.seeds, steps)
    f_train, f_test, f_syn = (features(fmodel, s["x"]) for s in (real, tst, syn))
    res: dict[str, float] = {
        "gan_steps_full": steps_full, **snapshot_figures(gen, "full"),
        **restarts,
        "trtr_auc": trtr[0], "trtr_auc_std": trtr[1], "trtr_accuracy": trtr[2],
        "tstr_auc": tstr[0], "tstr_auc_std": tstr[1], "tstr_accuracy": tstr[2],
        "tstr_trtr_ratio": tstr[0] / trtr[0], "classifier_steps": steps,
        "tstr_fresh_images": len(fresh["x"]),
        "tstr_fresh_auc": tstr_fresh[0], "tstr_fresh_auc_std": tstr_fresh[1],
        "tstr_fresh_accuracy": tstr_fresh[2], "tstr_fresh_trtr_ratio": tstr_fresh[0] / trtr[0],
        "fid_synthetic_vs_test": fid(f_syn, f_test),
        "fid_train_vs_test": fid(f_train, f_test),
    }
    res["fid_ratio"] = res["fid_synthetic_vs_test"] / res["fid_train_vs_test"]
    names = train.schema.conditions[0].values
    for c, cname in enumerate(names):
        ref = f_test[tst["cond"][:, 0] == c]
        for tag, feats, cond in (("synthetic", f_syn, syn["cond"]), ("train", f_train,
                                                                     real["cond"])):
            for key, v in prdc(ref, feats[cond[:, 0] == c]).items():
                res[f"{key}_{tag}_{cname}"] = v

    # 2. augmentation, honestly: the GAN sees only the 10% subset
    idx = stratified_split(train.cond[:, 0].numpy(), {"sub": 0.1, "rest": 0.9}, seed=0)["sub"]
    sub = train.subset(idx)
    val_sub = val.subset(stratified_split(val.cond[:, 0].numpy(), {"sub": 0.1, "rest": 0.9},
                                          seed=0)["sub"])
    gen_sub, steps_sub, sub_seconds = train_gan(
        sub, HeldoutFID(sub, val_sub) if args.select_subset else None, args.subset_minutes,
        args.subset_steps, 0, args.out / f"{name}_sub", min(batch, 32), args)
    gen_sub.save_pretrained(args.out / f"{name}_sub" / "bundle")
    n_syn = int(len(sub) * args.aug_ratio)
    codes = sub.cond[torch.randint(0, len(sub), (n_syn,), generator=torch.Generator()
                                   .manual_seed(0))]
    aug = generate_like(gen_sub, codes, seed=2)
    alone = auc_over_seeds(sub.x, sub.cond[:, 0], tst, k, args.seeds)
    both = auc_over_seeds(torch.cat([sub.x, aug["x"]]), torch.cat([sub.cond, aug["cond"]])[:, 0],
                          tst, k, args.seeds)
    res.update({
        "gan_steps_subset": steps_sub, **snapshot_figures(gen_sub, "subset"),
        **({"val_subset_size": len(val_sub)} if args.select_subset else {}),
        "subset_size": len(sub), "synthetic_added": n_syn,
        "subset_auc": alone[0], "subset_auc_std": alone[1],
        "subset_plus_synthetic_auc": both[0], "subset_plus_synthetic_auc_std": both[1],
        "aug_gain": both[0] - alone[0],
        "threads": args.threads, "gan_training_minutes": (gan_seconds + sub_seconds) / 60,
        "minutes_total": (time.perf_counter() - t0) / 60,
    })
    tgt = TARGETS.get(name, TARGETS["pneumoniamnist"])
    targets = {"tstr_trtr_ratio": (">=", tgt["tstr_trtr_ratio"]),
               "tstr_fresh_trtr_ratio": (">=", tgt["tstr_trtr_ratio"]),
               "aug_gain": (">=", tgt["aug_gain"]),
               # the issue bounds the GAN training (both GANs); evaluation (16 classifier
               # fits) comes on top and is reported as well
               "fid_ratio": ("<=", 1.5), "gan_training_minutes": ("<=", 15.0)}
    report(f"{name}: conditional DCGAN, DiffAugment {args.diffaugment!r}, {args.d_steps} D "
           f"steps per G step, LeCam {args.lecam}, mode seeking {args.mode_seeking}, "
           f"{args.gen_block_convs} G convolutions per "
           f"resolution, EMA warm-up {args.ema_warmup}, best of {args.restarts} full-set GAN(s) "
           f"on val, weights kept by val FID every "
           f"{args.select_every} steps (0 = last), "
           f"{res['threads']} threads, "
           f"{res['minutes_total']:.1f} min in all", res, targets, args.json)



if __name__ == "__main__":
    main()
