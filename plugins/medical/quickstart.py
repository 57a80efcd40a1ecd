"""``aigc quickstart brain-mri``: a class-conditional GAN on real brain MRI, end to end.

Data: axial slices of the MNI152 2009 T1 template that ships inside the nilearn wheel
(read with nibabel; nothing is downloaded). The condition is the anatomical level of the
slice (inferior / middle / superior third of the brain). Writes the bundle, a sample grid
next to real slices, a loss curve, a DICOM series and ``report.html``.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import torch

from aigc_plugins.medical.data import NiftiSource, mni152_template_path
from aigc_plugins.medical.export import save_grid
from aigc_plugins.medical.gan import DCGAN2D, DCGANConfig
from aigc_plugins.medical.memorisation import MemorisationFilter
from aigc_plugins.medical.metrics import ImageFidelity, ImageSimilarity, Utility
from aigc_sdk.evaluation import HtmlReport, generate_like
from aigc_sdk.training import TrainConfig, Trainer

SIZE = 64


def loss_plot(history: list[dict], path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    steps = [r["step"] for r in history]
    fig, ax = plt.subplots(figsize=(6, 3.2), dpi=110)
    for key, label in (("d_loss", "discriminator (hinge)"), ("g_loss", "generator")):
        ax.plot(steps, [r[key] for r in history], label=label)
    ax.set_xlabel("training step")
    ax.set_ylabel("loss (mean over log interval)")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def by_class(x: torch.Tensor, cond: torch.Tensor, per_class: int) -> torch.Tensor:
    """``per_class`` images of each class, evenly spread over that class's samples."""
    rows = []
    for c in torch.unique(cond[:, 0]):
        members = x[cond[:, 0] == c]
        pick = torch.linspace(0, len(members) - 1, per_class).round().long()
        rows.append(members[pick])
    return torch.cat(rows)


def run(out_dir: Path, fast: bool = False) -> Path:
    t0 = time.perf_counter()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    template = mni152_template_path()
    train = NiftiSource(template, split="train", size=SIZE)
    test = NiftiSource(template, split="test", size=SIZE)
    quality = train.quality_report()
    print(f"data: {len(train)} training / {len(test)} test axial slices of {template.name}")
    if not quality.ok:
        raise RuntimeError(f"{template}: data-quality errors: {quality.errors}")

    torch.manual_seed(0)
    # Mode seeking: without it G ignored its noise within a level (all 8 samples of a row
    # the same image; within-level pixel std 0.03 against 0.09-0.19 real, FID 26.3 against
    # a real reference of 3.2, 550 steps). With weight 0.03 at 550 steps: std 0.15-0.18,
    # FID 4.2; 0.01 gave 0.09-0.16 and 7.0, 0.1 0.19-0.23 and 12.6, 1.0 noise (FID 97).
    gan = DCGANConfig().gan.model_copy(update={"mode_seeking_weight": 0.03})
    gen = DCGAN2D(DCGANConfig(gan=gan), train.schema)
    gen.card["data"] = {"description": f"{len(train)} axial slices ({SIZE}x{SIZE}) of the MNI152 "
                        "2009c T1 template (nilearn wheel), conditioned on anatomical level",
                        "quality_report": quality.to_markdown()}
    cfg = TrainConfig(steps=60 if fast else 4000, max_minutes=None if fast else 3.0,
                      batch_size=32, log_every=10 if fast else 50, checkpoint_every=0,
                      ema_decay=0.995, seed=0)
    trainer = Trainer(gen, train, cfg, out_dir / "run")
    t_fit = time.perf_counter()  # the report's training time leaves out reading the data
    history = trainer.fit()
    t_train = time.perf_counter() - t_fit

    real = {"x": train.x, "cond": train.cond}
    held = {"x": test.x, "cond": test.cond}
    syn = generate_like(gen, train.cond, seed=1)
    # 100 steps of 128 is ~116 epochs of the 110 training slices; 300 (the benchmarks' floor)
    # took 35 s a classifier on 2 cores and put the quickstart at 7.0 min. fast: a smoke
    # test of every step, not a measurement
    clf_steps = 20 if fast else 100
    ctx = {"test": held, "seed": 0, "schema": gen.schema, "classifier_min_steps": clf_steps}
    metrics: dict[str, float] = {}
    metrics.update(ImageFidelity().compute(real, syn, **ctx))
    metrics.update(ImageSimilarity(pairs=100).compute(real, syn, **ctx))
    utility = Utility(seeds=1 if fast else 2, epochs=1 if fast else 12, min_steps=clf_steps)
    metrics.update(utility.compute(real, syn, **ctx))
    gen.card["metrics"] = {k: round(v, 4) for k, v in metrics.items()}

    # Release: 8 per level, through the memorisation filter, as a DICOM series and PNGs.
    samples = gen.generate(8, {"level": "inferior"}, seed=10)
    for i, level in enumerate(("middle", "superior")):
        more = gen.generate(8, {"level": level}, seed=11 + i)
        samples = type(samples)(torch.cat([samples.data, more.data]),
                                samples.metadata + more.metadata, samples.exporters)
    mem = MemorisationFilter(train.x)
    result = mem.apply(samples)
    gen.card["filters"] = [result.summary(mem.name, len(samples), len(result.kept))]
    bundle = gen.save_pretrained(out_dir / "bundle")
    dicom = result.kept.export("dicom", out_dir / "dicom")
    result.kept.export("png", out_dir / "png")

    grid_syn = save_grid(by_class(syn["x"], syn["cond"], 8), out_dir / "samples_grid.png", nrow=8)
    grid_real = save_grid(by_class(train.x, train.cond, 8), out_dir / "real_grid.png", nrow=8)
    curve = loss_plot(history, out_dir / "loss_curve.png")
    (out_dir / "metrics.json").write_text(json.dumps(metrics, indent=2))
    minutes = (time.perf_counter() - t0) / 60

    rep = HtmlReport("aigc quickstart: conditional GAN on brain MRI (MNI152 T1)")
    rep.paragraph(
        f"{trainer.step} training steps in {t_train / 60:.1f} min ({trainer.precision} precision "
        f"on {trainer.device}); {minutes:.1f} min end to end. Rows: inferior, middle, superior "
        "third of the brain. All generated images are synthetic.")
    rep.heading("Samples")
    rep.image(grid_syn, "synthetic: 8 per level (EMA generator)", width=520)
    rep.image(grid_real, "real training slices: 8 per level", width=520)
    rep.heading("Training")
    rep.image(curve, "losses per log interval")
    rep.heading("Metrics (synthetic next to its real reference)")
    rep.table(_metric_rows(metrics))
    rep.paragraph(
        f"Test split: {len(test)} slices of the same single volume. Neighbouring slices are "
        "nearly identical, so the real-vs-real references are optimistic and the small "
        "numbers are indicative only; benchmarks/medical_pneumonia.py measures on real "
        "patient data.", cls="note")
    rep.heading("Privacy filter")
    rep.paragraph(f"{mem.name}: threshold RMS {mem.threshold:.4f}; kept {len(result.kept)} of "
                  f"{len(samples)} released samples, removed {len(result.removed)}.")
    rep.table([f.model_dump() for f in result.findings])
    rep.heading("Data quality")
    rep.raw(quality.to_html())
    rep.heading("Files")
    rep.table([{"file": str(p.relative_to(out_dir))} for p in
               (bundle / "model.safetensors", bundle / "card.md", grid_syn, curve,
                out_dir / "metrics.json", out_dir / "run" / "metrics.jsonl")] +
              [{"file": f"dicom/ ({len(dicom)} files)"}])
    report = rep.write(out_dir / "report.html")
    print(f"done in {minutes:.1f} min: {report}")
    return report


def _metric_rows(m: dict[str, float]) -> list[dict]:
    pairs = [
        ("FID on real-classifier features", "fid_synthetic_vs_test", "fid_train_vs_test"),
        ("KID", "kid_synthetic_vs_test", "kid_train_vs_test"),
        ("pairwise MS-SSIM (higher = less diverse)", "pairwise_msssim_synthetic",
         "pairwise_msssim_real"),
        ("SSIM to nearest training image", "nn_train_ssim_synthetic", "nn_train_ssim_test"),
        ("PSNR to nearest training image (dB)", "nn_train_psnr_synthetic", "nn_train_psnr_test"),
        ("classifier AUC on real test (TSTR vs TRTR)", "tstr_auc", "trtr_auc"),
        ("classifier accuracy (TSTR vs TRTR)", "tstr_accuracy", "trtr_accuracy"),
    ]
    rows = [{"metric": name, "synthetic": m.get(a, float("nan")), "real reference":
             m.get(b, float("nan"))} for name, a, b in pairs]
    for key in sorted(m):
        if key.startswith(("precision_synthetic", "recall_synthetic", "density_synthetic",
                           "coverage_synthetic")):
            rows.append({"metric": key.replace("_synthetic", ""), "synthetic": m[key],
                         "real reference": m.get(key.replace("synthetic", "train"),
                                                 float("nan"))})
    return rows
