"""The real ``aigc`` command line in a subprocess on a tiny MedMNIST-style .npz:
data inspect -> train -> generate (DICOM, PNG) -> evaluate, and its errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

pydicom = pytest.importorskip("pydicom")
pytest.importorskip("monai")

CONFIG = """\
generator: {base_channels: 8, max_channels: 16}
train: {batch_size: 16, log_every: 5, progress: false, tensorboard: false}
"""
# `aigc evaluate` trains a feature classifier and three utility classifiers (3 seeds each)
# of >= 300 steps at batch 128: minutes on one core. The evaluate test runs the same CLI
# with batches of 16 and one utility seed; everything else is unchanged.
FAST_CLASSIFIERS = (
    "import functools, aigc_plugins.medical.classifier as c, aigc_plugins.medical.metrics as m;"
    "m.train_classifier = functools.partial(c.train_classifier, batch_size=16);"
    "m.Utility.__init__ = functools.partialmethod(m.Utility.__init__, seeds=1,"
    " batch_size=16);"
    "from aigc_sdk.cli import main; main()"
)


def aigc(*args: str | Path, cwd: Path, prelude: str | None = None,
         timeout: float = 180) -> subprocess.CompletedProcess[str]:
    head = ["-c", prelude] if prelude else ["-m", "aigc_sdk.cli"]
    # one thread: the networks are tiny, and threads spin against each other on a busy CI box
    env = {**os.environ, "OMP_NUM_THREADS": "1", "COLUMNS": "200", "NO_COLOR": "1"}
    return subprocess.run([sys.executable, *head, *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)


def _images(blobs, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """uint8 (N, 28, 28) blobs, faint for label 0, bright for label 1, each with its own
    noise (two blobs in one place would otherwise be duplicates)."""
    x, y = blobs(n, seed=seed)
    x = x + 0.05 * torch.randn(x.shape, generator=torch.Generator().manual_seed(seed))
    x = x.clamp(-1, 1)
    return ((x[:, 0].numpy() + 1) * 127.5).round().astype(np.uint8), y.numpy()[:, None]


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory, blobs) -> Path:
    d = tmp_path_factory.mktemp("cli")
    arrays = {}
    for split, n, seed in (("train", 64, 0), ("val", 16, 1), ("test", 24, 2)):
        arrays[f"{split}_images"], arrays[f"{split}_labels"] = _images(blobs, n, seed)
    arrays["train_images"][5] = arrays["train_images"][2]  # planted duplicate (both label 0)
    np.savez(d / "tiny.npz", **arrays)
    (d / "config.yaml").write_text(CONFIG)
    return d


@pytest.fixture(scope="module")
def trained(work: Path) -> subprocess.CompletedProcess[str]:
    return aigc("train", "medical.dcgan2d", "--data", "tiny.npz", "--out", "run", "--steps", "20",
                "--config", "config.yaml", cwd=work)


@pytest.mark.slow
def test_data_inspect_lists_the_planted_duplicate(work: Path) -> None:
    r = aigc("data", "inspect", "tiny.npz", "--json", cwd=work)
    assert r.returncode == 0, r.stderr  # duplicates are a warning, not an error
    report = json.loads(r.stdout)
    checks = {c["name"]: c for c in report["checks"]}
    assert checks["duplicates"]["status"] == "warn"
    assert "train[2] = train[5]" in checks["duplicates"]["detail"]
    assert report["tables"]["duplicate groups"] == [
        {"group": 0, "count": 2, "images": "train[2], train[5]"}]
    assert report["summary"]["samples"] == 64 and report["summary"]["classes"] == "0, 1"
    table = aigc("data", "inspect", "tiny.npz", cwd=work)
    assert table.returncode == 0 and "train[2] = train[5]" in table.stdout


@pytest.mark.slow
def test_train_writes_a_bundle(work: Path, trained: subprocess.CompletedProcess[str]) -> None:
    assert trained.returncode == 0, trained.stdout + trained.stderr
    assert "trained medical.dcgan2d: 20 steps" in trained.stdout
    assert "duplicates" in trained.stdout  # the quality report is shown before training
    bundle = work / "run" / "bundle"
    assert {p.name for p in bundle.iterdir()} == {
        "card.md", "config.json", "manifest.json", "model.safetensors"}
    config = json.loads((bundle / "config.json").read_text())
    assert config["generator"] == "medical.dcgan2d"
    assert config["config"]["base_channels"] == 8 and config["config"]["max_channels"] == 16
    assert config["card"]["training"]["steps_done"] == 20
    assert config["card"]["training"]["batch_size"] == 16
    logged = [json.loads(line)["step"] for line in (work / "run" / "metrics.jsonl").open()]
    assert logged == [5, 10, 15, 20]


@pytest.mark.slow
def test_generate_dicom_and_png(work: Path, trained: subprocess.CompletedProcess[str]) -> None:
    assert trained.returncode == 0, trained.stderr
    r = aigc("generate", "run/bundle", "-n", "6", "--condition", "label=1", "--format", "dicom",
             "--format", "png", "--out", "gen", cwd=work)
    assert r.returncode == 0, r.stdout + r.stderr
    dicoms = sorted((work / "gen" / "dicom").glob("*.dcm"))
    pngs = sorted((work / "gen" / "png").glob("*.png"))
    assert len(dicoms) == 6 and len(pngs) == 6
    for f in dicoms:
        ds = pydicom.dcmread(f)
        assert ds.pixel_array.shape == (28, 28) and ds.SeriesDescription.startswith("SYNTHETIC")
        assert json.loads(ds[0x0011, 0x1014].value) == {"label": "1"}
    rows = [json.loads(line) for line in (work / "gen" / "png" / "samples.jsonl").open()]
    assert [r["condition"] for r in rows] == [{"label": "1"}] * 6
    assert {r["seed"] for r in rows} == {0} and all(r["bundle_hash"] for r in rows)


@pytest.mark.slow
def test_generate_unknown_condition_value_fails_clearly(
        work: Path, trained: subprocess.CompletedProcess[str]) -> None:
    assert trained.returncode == 0, trained.stderr
    r = aigc("generate", "run/bundle", "-n", "2", "--condition", "label=tumour", "--out", "bad",
             cwd=work)
    assert r.returncode != 0
    assert "'tumour' is not one of ['0', '1']" in r.stderr, r.stderr
    assert "Traceback" not in r.stderr and not (work / "bad").exists()


@pytest.mark.slow
def test_config_with_an_unknown_key_names_the_field(work: Path) -> None:
    (work / "typo.yaml").write_text("train: {stepz: 3}\n")
    r = aigc("train", "medical.dcgan2d", "--data", "tiny.npz", "--out", "typo", "--config",
             "typo.yaml", cwd=work)
    assert r.returncode != 0
    assert "typo.yaml:train.stepz" in r.stderr and "Extra inputs" in r.stderr, r.stderr
    assert "Traceback" not in r.stderr and not (work / "typo" / "bundle").exists()


@pytest.mark.slow
def test_evaluate_prints_and_writes_metrics(
        work: Path, trained: subprocess.CompletedProcess[str]) -> None:
    assert trained.returncode == 0, trained.stderr
    r = aigc("evaluate", "run/bundle", "--data", "tiny.npz", cwd=work, prelude=FAST_CLASSIFIERS)
    assert r.returncode == 0, r.stdout + r.stderr
    metrics = json.loads((work / "run" / "evaluation" / "metrics.json").read_text())
    expected = {"fid_synthetic_vs_test", "fid_train_vs_test", "kid_synthetic_vs_test",
                "pairwise_msssim_synthetic", "nn_train_ssim_synthetic", "tstr_auc", "trtr_auc",
                "tstr_trtr_auc_ratio", "tstr_fresh_trtr_auc_ratio", "precision_synthetic[1]",
                "coverage_train[0]"}
    assert expected <= set(metrics), sorted(metrics)
    assert all(isinstance(v, float) for v in metrics.values())
    for key in ("fid_synthetic_vs_test", "trtr_auc", "tstr_auc"):
        assert key in r.stdout


@pytest.mark.slow
def test_train_keeps_the_snapshot_that_scores_best_on_val(work: Path) -> None:
    fast = ("import functools, aigc_plugins.medical.classifier as c, "
            "aigc_plugins.medical.selection as s;"
            "s.train_classifier = functools.partial(c.train_classifier, batch_size=16);"
            "from aigc_sdk.cli import main; main()")
    r = aigc("train", "medical.dcgan2d", "--data", "tiny.npz", "--out", "chosen", "--steps", "20",
             "--config", "config.yaml", "--select-on", "val", "--select-every", "10", cwd=work,
             prelude=fast)
    assert r.returncode == 0, r.stdout + r.stderr
    card = json.loads((work / "chosen" / "bundle" / "config.json").read_text())["card"]
    snap = card["snapshot"]
    assert [s for s, _ in snap["scores"]] == [10, 20, 20]
    assert snap["chosen_score"] == pytest.approx(min(v for _, v in snap["scores"]), rel=1e-5)
    assert f"kept the averaged weights of step {snap['chosen_step']}" in r.stdout
    assert "## Weights kept" in (work / "chosen" / "bundle" / "card.md").read_text()

    bad = aigc("train", "medical.dcgan2d", "--data", "tiny.npz", "--out", "nosplit", "--steps",
               "5", "--config", "config.yaml", "--select-on", "holdout", cwd=work)
    assert bad.returncode != 0 and "--select-on holdout" in bad.stderr, bad.stderr
    assert "Traceback" not in bad.stderr
