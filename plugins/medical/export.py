"""Exporters for generated medical images: PNG, NIfTI and DICOM, each marked synthetic.

Every export also writes ``samples.jsonl`` (one metadata line per sample) so the
provenance (generator, bundle hash, seed, condition) survives outside the file headers.
Image tensors are channels-first in [-1, 1]: (N, C, H, W) or (N, C, D, H, W).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import math
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image

from aigc_sdk.samples import Samples

SC_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.7"  # Secondary Capture Image Storage
PRIVATE_GROUP = 0x0011
PRIVATE_CREATOR = "AIGC_SDK"


def _prepare(samples: Samples, out_dir: Path) -> tuple[torch.Tensor, Path]:
    """Check the data are image tensors and create ``out_dir`` (exporters may be called
    directly, not only through :meth:`Samples.export`)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if not isinstance(samples.data, torch.Tensor) or samples.data.ndim not in (4, 5):
        raise TypeError("medical exporters take image tensors (N, C, H, W) or (N, C, D, H, W)")
    return samples.data.detach().float().cpu().clamp(-1.0, 1.0), out_dir


def _to_uint8(x: torch.Tensor) -> np.ndarray:
    return ((x.clamp(-1.0, 1.0) + 1.0) * 127.5).round().to(torch.uint8).numpy()


def _plane(x: torch.Tensor) -> torch.Tensor:
    """A 2D view (C, H, W) of one sample: 3D samples show their middle axial slice."""
    return x[:, x.shape[1] // 2] if x.ndim == 4 else x


def _label(meta: Mapping[str, Any]) -> str:
    cond = meta.get("condition") or {}
    value = cond.get("label", "_".join(map(str, cond.values()))) if isinstance(cond, Mapping) \
        else cond
    return re.sub(r"[^A-Za-z0-9._-]+", "-", str(value)).strip("-")


def _stems(metadata: list[dict[str, Any]]) -> list[str]:
    """``sample_{index:04d}_{label}``; a repeated index (two generate calls) gets ``-k``
    so no file overwrites another."""
    out: list[str] = []
    for i, meta in enumerate(metadata):
        label = _label(meta)
        stem = f"sample_{int(meta.get('index', i)):04d}" + (f"_{label}" if label else "")
        out.append(stem if stem not in out else f"{stem}-{i}")
    return out


def _write_jsonl(samples: Samples, files: list[str], out_dir: Path) -> Path:
    path = out_dir / "samples.jsonl"
    with open(path, "w") as fh:
        for meta, name in zip(samples.metadata, files, strict=True):
            fh.write(json.dumps({**meta, "file": name}, default=str) + "\n")
    return path


def image_grid(x: torch.Tensor, nrow: int = 8, pad: int = 2, pad_value: int = 255) -> Image.Image:
    """Tile (N, C, H, W) or (N, C, D, H, W) images, ``nrow`` per row (e.g. one class a row)."""
    if x.ndim == 5:
        x = x[:, :, x.shape[2] // 2]
    n, c, h, w = x.shape
    ncol = max(1, min(nrow, n))
    rows = max(1, math.ceil(n / ncol))
    grid = np.full((rows * (h + pad) + pad, ncol * (w + pad) + pad, c), pad_value, np.uint8)
    img = _to_uint8(x.detach().float().cpu()).transpose(0, 2, 3, 1)
    for k in range(n):
        r, q = divmod(k, ncol)
        grid[pad + r * (h + pad): pad + r * (h + pad) + h,
             pad + q * (w + pad): pad + q * (w + pad) + w] = img[k]
    return Image.fromarray(grid[..., 0] if c == 1 else grid[..., :3])


def save_grid(x: torch.Tensor, path: str | Path, nrow: int = 8, pad: int = 2) -> Path:
    """Write :func:`image_grid` to ``path`` (format from the suffix, e.g. .png)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    image_grid(x, nrow=nrow, pad=pad).save(path)
    return path


def export_png(samples: Samples, out_dir: Path) -> list[Path]:
    """One 8-bit PNG per sample (grey; RGB for 3 channels; 3D: middle axial slice)."""
    (x, out_dir), files = _prepare(samples, out_dir), []
    for i, stem in enumerate(_stems(samples.metadata)):
        img = _to_uint8(_plane(x[i]))
        path = out_dir / f"{stem}.png"
        Image.fromarray(img[0] if img.shape[0] == 1 else img[:3].transpose(1, 2, 0)).save(path)
        files.append(path)
    return [*files, _write_jsonl(samples, [f.name for f in files], out_dir)]


def _nifti_array(x: torch.Tensor) -> np.ndarray:
    """(C, [D,] H, W) to NIfTI (X, Y, Z[, C]) in RAS, the inverse of the NIfTI source layout:
    slices inferior to superior, rows anterior to posterior, columns patient right to left."""
    arr = x.numpy()
    if arr.ndim == 3:
        arr = arr[:, None]
    arr = arr[:, :, ::-1, ::-1].transpose(3, 2, 1, 0)  # (C, Z, Y, X) -> (X, Y, Z, C)
    return np.ascontiguousarray(arr[..., 0] if arr.shape[-1] == 1 else arr, dtype=np.float32)


def export_nifti(samples: Samples, out_dir: Path) -> list[Path]:
    """One .nii.gz per sample (2D as a single-slice volume), float32 in [-1, 1], 1 mm voxels.

    ``descrip`` (80 bytes) marks the file synthetic; the full metadata JSON is in a
    comment header extension and in samples.jsonl.
    """
    import nibabel as nib

    (x, out_dir), files = _prepare(samples, out_dir), []
    for i, (meta, stem) in enumerate(zip(samples.metadata, _stems(samples.metadata),
                                         strict=True)):
        img = nib.Nifti1Image(_nifti_array(x[i]), np.eye(4))
        img.header.set_xyzt_units("mm")
        descrip = f"SYNTHETIC aigc-sdk {meta.get('generator', '')}".strip()
        img.header["descrip"] = descrip.encode("ascii", "replace")[:80]
        text = json.dumps(meta, default=str).encode()
        img.header.extensions.append(nib.nifti1.Nifti1Extension("comment", text))
        path = out_dir / f"{stem}.nii.gz"
        nib.save(img, path)
        files.append(path)
    return [*files, _write_jsonl(samples, [f.name for f in files], out_dir)]


def _dicom_base(meta: Mapping[str, Any], study_uid: str, series_uid: str,
                series_number: int) -> Any:
    """Dataset with the modules shared by every file of a series, and no patient data.

    PatientName and PatientID are type-2 (must be present) and are left empty; nothing
    else about a patient, institution or physician is written.
    """
    from pydicom.dataset import Dataset

    now = dt.datetime.now()
    ds = Dataset()
    ds.SpecificCharacterSet = "ISO_IR 192"
    ds.SOPClassUID = SC_IMAGE_STORAGE
    ds.ImageType = ["DERIVED", "SECONDARY"]
    ds.InstanceCreationDate = now.strftime("%Y%m%d")
    ds.InstanceCreationTime = now.strftime("%H%M%S")
    ds.PatientName, ds.PatientID = "", ""
    ds.StudyInstanceUID, ds.SeriesInstanceUID = study_uid, series_uid
    ds.StudyDate = ds.StudyTime = ds.ReferringPhysicianName = ds.StudyID = ds.AccessionNumber = ""
    ds.Modality, ds.SeriesNumber, ds.ConversionType = "OT", series_number, "SYN"
    generator = str(meta.get("generator", ""))
    ds.SeriesDescription = f"SYNTHETIC aigc-sdk {generator}".strip()[:64]
    ds.ImageComments = "SYNTHETIC image generated by aigc-sdk; not a real patient"
    ds.BurnedInAnnotation = ds.RecognizableVisualFeatures = "NO"
    ds.Manufacturer = "aigc-sdk"
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
    ds.WindowCenter, ds.WindowWidth = 2048, 4096
    ds.PixelSpacing, ds.SliceThickness = [1, 1], 1
    ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    block = ds.private_block(PRIVATE_GROUP, PRIVATE_CREATOR, create=True)
    block.add_new(0x10, "LO", "synthetic=true")
    block.add_new(0x11, "LO", generator[:64])
    block.add_new(0x12, "LT", str(meta.get("bundle_hash", "")))
    block.add_new(0x13, "LO", str(meta.get("seed", ""))[:64])
    block.add_new(0x14, "LT", json.dumps(meta.get("condition", {}), default=str))
    return ds


def _save_dicom(ds: Any, plane: np.ndarray, instance: int, z: float, path: Path) -> Path:
    from pydicom.dataset import FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian, generate_uid

    ds = copy.deepcopy(ds)  # Dataset.copy() is shallow: the shared elements would change
    ds.SOPInstanceUID = generate_uid()
    ds.InstanceNumber = instance
    ds.ImagePositionPatient, ds.SliceLocation = [0, 0, z], z
    ds.Rows, ds.Columns = plane.shape
    ds.PixelData = np.ascontiguousarray(plane, dtype="<u2").tobytes()
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = ds.SOPClassUID
    meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta = meta
    ds.save_as(path, enforce_file_format=True)
    return path


def export_dicom(samples: Samples, out_dir: Path) -> list[Path]:
    """Secondary Capture DICOM, 12-bit values 0..4095 from [-1, 1]; multi-channel is averaged.

    2D samples: one series, one file each. 3D samples: one series per sample in
    ``sample_XXXX/``, one file per axial slice, position increasing with the slice.
    One StudyInstanceUID per export; every file gets its own SOPInstanceUID.
    """
    from pydicom.uid import generate_uid

    x, out_dir = _prepare(samples, out_dir)
    x = x.mean(dim=1)  # (N, H, W) or (N, D, H, W)
    pixels = ((x + 1.0) * (4095 / 2)).round().to(torch.int32).numpy().astype(np.uint16)
    study, series, files, listed = generate_uid(), generate_uid(), [], []
    for i, (meta, stem) in enumerate(zip(samples.metadata, _stems(samples.metadata),
                                         strict=True)):
        if pixels.ndim == 3:
            base = _dicom_base(meta, study, series, 1)
            files.append(_save_dicom(base, pixels[i], i + 1, 0.0, out_dir / f"{stem}.dcm"))
            listed.append(files[-1].name)
            continue
        base = _dicom_base(meta, study, generate_uid(), i + 1)
        folder = out_dir / stem
        folder.mkdir(parents=True, exist_ok=True)
        for z, plane in enumerate(pixels[i]):
            files.append(_save_dicom(base, plane, z + 1, float(z), folder / f"slice_{z:04d}.dcm"))
        listed.append(f"{stem}/")
    return [*files, _write_jsonl(samples, listed, out_dir)]


EXPORTERS: dict[str, Callable[[Samples, Path], list[Path]]] = {
    "png": export_png,
    "nifti": export_nifti,
    "dicom": export_dicom,
}
