"""PNG / NIfTI / DICOM exports of synthetic images: shapes, provenance, no patient data."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from aigc_sdk.samples import Samples

nib = pytest.importorskip("nibabel")
pydicom = pytest.importorskip("pydicom")
ExplicitVRLittleEndian = pytest.importorskip("pydicom.uid").ExplicitVRLittleEndian

from aigc_plugins.medical.export import (  # noqa: E402
    EXPORTERS,
    PRIVATE_CREATOR,
    PRIVATE_GROUP,
    export_dicom,
    image_grid,
    save_grid,
)

LABELS = ["normal", "pneumonia"]
IDENTIFYING = [
    "PatientBirthDate", "PatientBirthTime", "PatientAddress", "PatientAge", "PatientSex",
    "OtherPatientIDs", "OtherPatientIDsSequence", "InstitutionName", "InstitutionAddress",
    "StationName", "OperatorsName", "PerformingPhysicianName", "PatientTelephoneNumbers",
]


def make_samples(shape: tuple[int, ...], n: int = 4, seed: int = 0) -> Samples:
    x = torch.rand((n, *shape), generator=torch.Generator().manual_seed(seed)) * 2 - 1
    meta = [{"generator": "medical.dcgan2d", "bundle_hash": "ab" * 32, "seed": 7, "index": i,
             "condition": {"label": LABELS[i % 2]}} for i in range(n)]
    return Samples(data=x, metadata=meta, exporters=EXPORTERS)


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_png_export_files_pixels_and_metadata(tmp_path: Path) -> None:
    s = make_samples((1, 16, 20))
    files = s.export("png", tmp_path)
    assert [f.name for f in files] == [f"sample_{i:04d}_{LABELS[i % 2]}.png" for i in range(4)] \
        + ["samples.jsonl"]
    img = Image.open(files[1])
    assert img.mode == "L" and img.size == (20, 16)
    expected = ((s.data[1, 0] + 1) * 127.5).round().to(torch.uint8).numpy()
    assert np.array_equal(np.asarray(img), expected)
    rows = read_jsonl(tmp_path / "samples.jsonl")
    assert rows[1] == {**s.metadata[1], "file": files[1].name}


def test_repeated_indices_do_not_overwrite_files(tmp_path: Path) -> None:
    s = make_samples((1, 8, 8), n=2)
    s.metadata[1] = {**s.metadata[0]}
    files = s.export("png", tmp_path)
    assert len({f.name for f in files}) == 3 and all(f.exists() for f in files)


def test_png_export_of_3d_shows_middle_slice(tmp_path: Path) -> None:
    s = make_samples((1, 6, 10, 12), n=1)
    files = s.export("png", tmp_path)
    expected = ((s.data[0, 0, 3] + 1) * 127.5).round().to(torch.uint8).numpy()
    assert np.array_equal(np.asarray(Image.open(files[0])), expected)


def test_nifti_export_shapes_header_and_metadata(tmp_path: Path) -> None:
    s = make_samples((1, 16, 20))
    files = s.export("nifti", tmp_path / "2d")
    img = nib.load(files[0])
    assert files[0].name == "sample_0000_normal.nii.gz"
    assert img.shape == (20, 16, 1)  # (X, Y, Z): a single-slice volume
    assert np.allclose(img.affine, np.eye(4))
    assert img.header["descrip"].tobytes().startswith(b"SYNTHETIC aigc-sdk medical.dcgan2d")
    assert json.loads(img.header.extensions[0].get_content()) == s.metadata[0]
    assert np.allclose(np.sort(img.get_fdata().ravel()), np.sort(s.data[0].numpy().ravel()))
    assert len(read_jsonl(tmp_path / "2d" / "samples.jsonl")) == 4

    vol = make_samples((1, 6, 10, 12), n=2)
    files = vol.export("nifti", tmp_path / "3d")
    assert nib.load(files[1]).shape == (12, 10, 6)


def test_nifti_export_round_trips_through_the_nifti_source(tmp_path: Path) -> None:
    pytest.importorskip("monai.transforms")
    from aigc_plugins.medical.data import NiftiSource

    s = make_samples((1, 6, 10, 12), n=1)
    files = s.export("nifti", tmp_path)
    back = NiftiSource(files[0], mode="volume", split="all", window=(0.0, 2.0))
    assert torch.allclose(back.x, s.data, atol=1e-5)  # same voxel layout both ways


def test_dicom_export_is_synthetic_and_carries_no_patient_data(tmp_path: Path) -> None:
    s = make_samples((1, 16, 20))
    files = [f for f in s.export("dicom", tmp_path) if f.suffix == ".dcm"]
    assert len(files) == 4
    dss = [pydicom.dcmread(f) for f in files]  # no force=True: a proper file meta
    for i, ds in enumerate(dss):
        assert ds.file_meta.TransferSyntaxUID == ExplicitVRLittleEndian
        assert ds.SOPClassUID == "1.2.840.10008.5.1.4.1.1.7"
        assert list(ds.ImageType) == ["DERIVED", "SECONDARY"]
        assert ds.SeriesDescription.startswith("SYNTHETIC")
        assert ds.Modality == "OT" and ds.BurnedInAnnotation == "NO"
        assert ds.PhotometricInterpretation == "MONOCHROME2" and ds.InstanceNumber == i + 1
        assert not ds.get("PatientName") and not ds.get("PatientID")
        assert not [k for k in IDENTIFYING if k in ds]
        block = ds.private_block(PRIVATE_GROUP, PRIVATE_CREATOR)
        assert block[0x10].value == "synthetic=true"
        assert block[0x11].value == "medical.dcgan2d"
        assert block[0x12].value == "ab" * 32 and block[0x13].value == "7"
        assert json.loads(block[0x14].value) == {"label": LABELS[i % 2]}
        px = ds.pixel_array
        assert px.dtype == np.uint16 and px.shape == (16, 20) and px.max() <= 4095
        expected = ((s.data[i, 0] + 1) * 4095 / 2).round().numpy()
        assert np.abs(px - expected).max() <= 1
    sops = {ds.SOPInstanceUID for ds in dss}
    assert len(sops) == 4
    assert len({ds.StudyInstanceUID for ds in dss}) == 1
    assert len({ds.SeriesInstanceUID for ds in dss}) == 1
    again = pydicom.dcmread(export_dicom(s, tmp_path / "again")[0])
    assert again.StudyInstanceUID != dss[0].StudyInstanceUID and again.SOPInstanceUID not in sops


def test_dicom_export_of_volumes_one_series_per_sample(tmp_path: Path) -> None:
    s = make_samples((1, 5, 8, 8), n=2)
    files = [f for f in s.export("dicom", tmp_path) if f.suffix == ".dcm"]
    assert len(files) == 10
    series: dict[str, list] = {}
    for f in files:
        ds = pydicom.dcmread(f)
        series.setdefault(ds.SeriesInstanceUID, []).append(ds)
    assert len(series) == 2
    for dss in series.values():
        dss.sort(key=lambda d: d.InstanceNumber)
        z = [float(ds.ImagePositionPatient[2]) for ds in dss]
        assert z == sorted(z) and len(set(z)) == 5
        assert [float(ds.SliceLocation) for ds in dss] == [float(ds.ImagePositionPatient[2])
                                                           for ds in dss]
    first = pydicom.dcmread(tmp_path / "sample_0000_normal" / "slice_0002.dcm")
    expected = ((s.data[0, 0, 2] + 1) * 4095 / 2).round().numpy()
    assert np.abs(first.pixel_array - expected).max() <= 1


def test_image_grid_layout(tmp_path: Path) -> None:
    x = torch.zeros(6, 1, 8, 8)
    x[3] = 1.0  # second row, first column: white
    grid = image_grid(x, nrow=3, pad=2)
    assert grid.size == (3 * 10 + 2, 2 * 10 + 2) and grid.mode == "L"
    a = np.asarray(grid)
    assert a[12:20, 2:10].min() == 255 and a[2:10, 2:10].max() == 128  # 0.0 -> 127.5 -> 128
    path = save_grid(torch.rand(4, 1, 3, 8, 8) * 2 - 1, tmp_path / "g" / "grid.png", nrow=2)
    assert Image.open(path).size == (22, 22)
