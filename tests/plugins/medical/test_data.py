"""Medical dataset sources and their data-quality reports, on small planted data."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from aigc_sdk.quality import Check, QualityReport

pytest.importorskip("monai.transforms")  # also pays MONAI's slow import at collection
nib = pytest.importorskip("nibabel")
pydicom = pytest.importorskip("pydicom")

from aigc_plugins.medical import data as mdata  # noqa: E402
from aigc_plugins.medical.data import (  # noqa: E402
    ImageFolderSource,
    MedMNISTSource,
    NiftiSource,
    mni152_template_path,
)


def checks(report: QualityReport) -> dict[str, Check]:
    return {c.name: c for c in report.checks}


# --- class folders of PNG / DICOM -------------------------------------------------------


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """12 benign + 8 malignant random PNGs, one benign copied twice, one garbage .png."""
    rng = np.random.default_rng(0)
    root = tmp_path / "images"
    for cls, n in (("benign", 12), ("malignant", 8)):
        (root / cls).mkdir(parents=True)
        for i in range(n):
            img = rng.integers(0, 256, (20, 24), dtype=np.uint8)
            Image.fromarray(img).save(root / cls / f"img{i:02d}.png")
    shutil.copy(root / "benign" / "img03.png", root / "benign" / "img03_copy.png")
    (root / "malignant" / "broken.png").write_bytes(b"\x89PNG not really" * 20)
    return root


def test_folder_report_flags_planted_duplicate_and_corrupt_file(folder: Path) -> None:
    assert ImageFolderSource.accepts(folder)
    ds = ImageFolderSource(folder, split="all")
    assert len(ds) == 13 + 8  # the garbage file is skipped, loading goes on
    assert ds.x.shape == (21, 1, 20, 24) and ds.x.dtype == torch.float32
    assert ds.x.min() >= -1 and ds.x.max() <= 1
    assert ds.schema.conditions[0].name == "label"
    assert ds.schema.conditions[0].values == ["benign", "malignant"]
    assert torch.bincount(ds.cond[:, 0]).tolist() == [13, 8]

    rep = checks(ds.quality_report())
    assert rep["duplicates"].status == "warn"
    assert "benign/img03.png" in rep["duplicates"].detail
    assert "benign/img03_copy.png" in rep["duplicates"].detail
    assert rep["unreadable files"].status == "warn"
    assert "malignant/broken.png" in rep["unreadable files"].detail
    report = ds.quality_report()
    assert report.ok  # warnings only
    assert report.tables["unreadable files"][0]["file"] == "malignant/broken.png"
    assert [r["count"] for r in report.tables["label counts (all)"]] == [13, 8]


def test_folder_splits_are_disjoint_stratified_and_deterministic(folder: Path) -> None:
    parts = {s: ImageFolderSource(folder, split=s, size=16) for s in ("train", "val", "test")}
    files = {s: set(d.files) for s, d in parts.items()}
    assert sum(len(f) for f in files.values()) == 21
    assert not (files["train"] & files["test"]) and not (files["train"] & files["val"])
    assert parts["train"].x.shape[1:] == (1, 16, 16)
    assert set(parts["test"].cond[:, 0].tolist()) == {0, 1}  # both classes in test
    assert set(ImageFolderSource(folder, split="train").files) == files["train"]
    with pytest.raises(ValueError, match="no split"):
        ImageFolderSource(folder, split="holdout")


def test_folder_where_every_file_is_corrupt_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.png").write_bytes(b"garbage")
    ds = ImageFolderSource(tmp_path, split="all")
    report = ds.quality_report()
    assert len(ds) == 0 and not report.ok
    assert checks(report)["unreadable files"].status == "error"


def test_folder_reads_dicom_with_rescale_and_ct_window(tmp_path: Path) -> None:
    from pydicom.data import get_testdata_file

    ct = Path(get_testdata_file("CT_small.dcm"))
    for cls in ("ct", "ct2"):
        (tmp_path / cls).mkdir()
        shutil.copy(ct, tmp_path / cls / "slice.dcm")
    ds = ImageFolderSource(tmp_path, split="all", window=(40.0, 400.0))
    assert ds.x.shape == (2, 1, 128, 128)
    hu = pydicom.dcmread(ct).pixel_array * 1.0 - 1024.0  # RescaleIntercept -1024
    expected = np.clip((hu - (40 - 200)) / 400 * 2 - 1, -1, 1)
    assert np.allclose(ds.x[0, 0].numpy(), expected, atol=1e-5)
    report = ds.quality_report()
    assert checks(report)["duplicates"].status == "warn"  # the same file in both classes
    assert f"min {hu.min():g}" in report.summary["raw intensity"]


# --- MedMNIST .npz -------------------------------------------------------------------------


def make_npz(path: Path, n: int = 40, rgb: bool = False, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    shape = (28, 28, 3) if rgb else (28, 28)
    arrays = {
        "train_images": rng.integers(0, 256, (n, *shape), dtype=np.uint8),
        "train_labels": rng.integers(0, 2, (n, 1)),
        "val_images": rng.integers(0, 256, (10, *shape), dtype=np.uint8),
        "val_labels": rng.integers(0, 2, (10, 1)),
        "test_images": rng.integers(0, 256, (10, *shape), dtype=np.uint8),
        "test_labels": rng.integers(0, 2, 10),  # (N,) labels are accepted too
    }
    arrays["train_labels"][:2, 0] = [0, 1]
    arrays["test_images"][0] = arrays["train_images"][3]  # planted train/test leak
    np.savez(path, **arrays)
    return arrays


def test_medmnist_shapes_range_labels_schema(tmp_path: Path) -> None:
    arrays = make_npz(tmp_path / "toy.npz")
    assert MedMNISTSource.accepts(tmp_path / "toy.npz")
    np.savez(tmp_path / "other.npz", images=np.zeros((2, 4, 8, 8, 4), np.uint8))
    assert not MedMNISTSource.accepts(tmp_path / "other.npz")  # e.g. LPC characters
    ds = MedMNISTSource(tmp_path / "toy.npz")
    assert ds.splits == ["train", "val", "test"] and ds.source_name == "medmnist"
    assert ds.x.shape == (40, 1, 28, 28) and ds.x.dtype == torch.float32
    expected = torch.tensor(arrays["train_images"][5] / 127.5 - 1.0, dtype=torch.float32)
    assert torch.allclose(ds.x[5, 0], expected, atol=1e-6)
    assert ds.x.min() >= -1 and ds.x.max() <= 1
    assert ds.cond.shape == (40, 1) and ds.cond.dtype == torch.long
    assert ds.cond[:, 0].tolist() == arrays["train_labels"][:, 0].tolist()
    assert ds.schema.sample_shape == [1, 28, 28]
    assert [(c.name, c.values) for c in ds.schema.conditions] == [("label", ["0", "1"])]

    test = MedMNISTSource(tmp_path / "toy.npz", split="test", size=16, class_names=["a", "b"])
    assert test.x.shape == (10, 1, 16, 16) and test.x.min() >= -1 and test.x.max() <= 1
    assert test.schema.conditions[0].values == ["a", "b"]
    leak = checks(test.quality_report())["split leakage"]
    assert leak.status == "warn" and "train[3] = test[0]" in leak.detail
    with pytest.raises(ValueError, match="no split"):
        MedMNISTSource(tmp_path / "toy.npz", split="holdout")


def test_medmnist_rgb_and_known_class_names(tmp_path: Path) -> None:
    make_npz(tmp_path / "pneumoniamnist_small.npz", rgb=True)
    ds = MedMNISTSource(tmp_path / "pneumoniamnist_small.npz", split="val")
    assert ds.x.shape == (10, 3, 28, 28)
    assert ds.schema.conditions[0].values == ["normal", "pneumonia"]


def test_medmnist_report_is_fast_on_2500_images(tmp_path: Path) -> None:
    make_npz(tmp_path / "big.npz", n=2500)
    ds = MedMNISTSource(tmp_path / "big.npz")
    start = time.perf_counter()
    report = ds.quality_report()
    assert time.perf_counter() - start < 0.5
    assert report.summary["samples"] == 2500
    assert {"class balance", "duplicates", "split leakage", "constant images"} <= set(
        checks(report))


def test_real_breastmnist(shared_data: Path) -> None:
    path = shared_data / "medical" / "breastmnist.npz"
    if not path.is_file():
        pytest.skip(f"{path} missing")
    ds = MedMNISTSource(path)
    assert ds.x.shape == (546, 1, 28, 28)
    assert ds.schema.conditions[0].values == ["malignant", "normal_benign"]
    assert torch.bincount(ds.cond[:, 0]).tolist() == [147, 399]
    report = ds.quality_report()
    assert report.ok and checks(report)["class balance"].status == "ok"
    assert report.summary["raw intensity"].startswith("min 0, max 255")


# --- NIfTI ---------------------------------------------------------------------------------


def make_volume(path: Path, shape: tuple[int, int, int] = (16, 18, 30)) -> np.ndarray:
    """A bright ellipsoid ("brain") in slices z=3..26 and a marker at the anterior edge."""
    x, y, z = np.meshgrid(*[np.linspace(-1, 1, s) for s in shape], indexing="ij")
    vol = np.where((x / 0.9) ** 2 + (y / 0.9) ** 2 + (z / 0.8) ** 2 < 1, 100.0, 0.0)
    vol[6:10, -2:, 10:20] = 200.0  # high y = anterior in RAS
    nib.save(nib.Nifti1Image(vol.astype(np.float32), np.eye(4)), path)
    return vol


def test_nifti_slices_levels(tmp_path: Path) -> None:
    vol = make_volume(tmp_path / "head.nii.gz")
    assert NiftiSource.accepts(tmp_path / "head.nii.gz") and NiftiSource.accepts(tmp_path)
    ds = NiftiSource(tmp_path / "head.nii.gz", split="all")
    kept = int(((vol > 0).mean(axis=(0, 1)) > 0.05).sum())
    assert ds.x.shape == (kept, 1, 18, 16)  # (Y, X) of each axial slice
    assert ds.schema.conditions[0].name == "level"
    assert ds.schema.conditions[0].values == ["inferior", "middle", "superior"]
    levels = ds.cond[:, 0].tolist()
    assert levels == sorted(levels)  # slices run inferior to superior
    assert max(np.bincount(levels)) - min(np.bincount(levels)) <= 1  # thirds
    middle = ds.x[len(ds) // 2, 0]
    assert middle[:2].max() > middle[-2:].max()  # anterior marker at the top rows
    small = NiftiSource(tmp_path, split="train", size=12)
    assert small.x.shape[1:] == (1, 12, 12) and 0 < len(small) < kept
    assert checks(small.quality_report())["split independence"].status == "warn"


def test_nifti_volume_mode_with_labels_csv(tmp_path: Path) -> None:
    (tmp_path / "vols").mkdir()
    make_volume(tmp_path / "vols" / "s1.nii.gz")
    make_volume(tmp_path / "vols" / "s2.nii", shape=(12, 12, 12))
    (tmp_path / "labels.csv").write_text("file,label\ns1.nii.gz,patient\ns2.nii,control\n")
    ds = NiftiSource(tmp_path / "vols", mode="volume", size=8, split="all",
                     labels=tmp_path / "labels.csv")
    assert ds.x.shape == (2, 1, 8, 8, 8) and ds.x.min() >= -1 and ds.x.max() <= 1
    assert ds.schema.conditions[0].values == ["control", "patient"]
    assert ds.cond[:, 0].tolist() == [1, 0]
    single = NiftiSource(tmp_path / "vols" / "s1.nii.gz", mode="volume", split="all")
    assert single.x.shape == (1, 1, 30, 18, 16)
    assert single.schema.conditions[0].values == ["volume"]


def test_mni152_template_path(monkeypatch: pytest.MonkeyPatch) -> None:
    try:
        path = mni152_template_path()
    except ModuleNotFoundError:
        pass
    else:
        assert path.is_file() and path.name.endswith("_converted.nii.gz")
    monkeypatch.setattr(mdata.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ModuleNotFoundError, match=r'aigc-sdk\[quickstart\]'):
        mni152_template_path()
