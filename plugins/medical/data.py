"""Medical image sources: MedMNIST .npz, class folders of PNG/JPEG/DICOM, NIfTI volumes.

Every source loads into memory as float32 channels-first tensors in [-1, 1] with one
condition column, and feeds a :class:`~aigc_plugins.medical.dataquality.QualityLog` while
reading (per-image hash, min/max/sums, unreadable files), so the quality report never
re-reads files and stays fast.
"""

from __future__ import annotations

import csv
import importlib.util
import zipfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar, Literal

import numpy as np
import torch

from aigc_plugins.medical.dataquality import QualityLog
from aigc_sdk.dataset import ConditionSpec, DataSchema, TensorDataset, stratified_split
from aigc_sdk.quality import QualityReport

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg"}
DICOM_SUFFIXES = {".dcm"}
KNOWN_CLASSES = {
    "pneumoniamnist": ["normal", "pneumonia"],
    "breastmnist": ["malignant", "normal_benign"],
}
FRACTIONS = {"train": 0.8, "val": 0.1, "test": 0.1}
LEVELS = ["inferior", "middle", "superior"]
MNI152_FILE = "mni_icbm152_t1_tal_nlin_sym_09a_converted.nii.gz"
Window = tuple[float, float]


def mni152_template_path() -> Path:
    """Path of nilearn's MNI152 T1 template, found without importing nilearn (slow, heavy)."""
    spec = importlib.util.find_spec("nilearn")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(
            "the MNI152 brain template ships with nilearn, which is not installed: "
            'pip install "aigc-sdk[quickstart]"'
        )
    for loc in spec.submodule_search_locations:
        path = Path(loc) / "datasets" / "data" / MNI152_FILE
        if path.is_file():
            return path
    raise FileNotFoundError(f"nilearn is installed but has no datasets/data/{MNI152_FILE}")


def _mt() -> Any:
    import monai.transforms as mt  # lazy: importing MONAI takes seconds

    return mt


def _np(x: Any) -> np.ndarray:
    """MONAI returns MetaTensors; drop the metadata and come back to numpy."""
    return x.detach().cpu().numpy() if isinstance(x, torch.Tensor) else np.asarray(x)


def _resize(x: np.ndarray, shape: Sequence[int]) -> np.ndarray:
    """Resize a stack (C, *spatial); area when shrinking (no aliasing), else (tri)linear."""
    shape = tuple(int(s) for s in shape)
    if tuple(x.shape[1:]) == shape:
        return x
    if all(s <= o for s, o in zip(shape, x.shape[1:], strict=True)):
        op = _mt().Resize(spatial_size=shape, mode="area")
    else:
        mode = "bilinear" if len(shape) == 2 else "trilinear"
        op = _mt().Resize(spatial_size=shape, mode=mode, align_corners=False)
    return np.clip(_np(op(x.astype(np.float32))), -1.0, 1.0)


def _pad_cube(x: np.ndarray, value: float = -1.0) -> np.ndarray:
    """Pad (C, *spatial) to equal sides so resizing to size^n keeps the anatomy's aspect."""
    side = max(x.shape[1:])
    pads = [(0, 0)] + [((side - s) // 2, side - s - (side - s) // 2) for s in x.shape[1:]]
    return np.pad(x, pads, constant_values=value)


def _fit(images: Sequence[np.ndarray], target: Sequence[int], pad: bool = False) -> np.ndarray:
    """Bring (C, *spatial) arrays to one shape: one MONAI call per distinct input shape."""
    c = images[0].shape[0] if images else 1
    out = np.zeros((len(images), c, *target), np.float32)
    for shp in {im.shape for im in images}:
        idx = [i for i, im in enumerate(images) if im.shape == shp]
        stack = np.concatenate([images[i] for i in idx])
        stack = _pad_cube(stack) if pad else stack
        out[idx] = _resize(stack, target).reshape(len(idx), c, *target)
    return out


def _target(images: Sequence[np.ndarray], size: int | None, ndim: int) -> tuple[int, ...]:
    """``size`` on every axis, else the most common input shape (all kept as read)."""
    if size:
        return (size,) * ndim
    if not images:
        return (1,) * ndim
    return Counter(im.shape[1:] for im in images).most_common(1)[0][0]


def _minmax(img: np.ndarray) -> np.ndarray:
    lo, hi = float(img.min()), float(img.max())
    if hi <= lo:  # constant image: ScaleIntensity would leave it out of range
        return np.full(img.shape, -1.0, np.float32)
    return _np(_mt().ScaleIntensity(minv=-1.0, maxv=1.0)(img[None].astype(np.float32)))[0]


def _window(img: np.ndarray, window: Window) -> np.ndarray:
    center, width = window
    op = _mt().ScaleIntensityRange(center - width / 2, center + width / 2, -1.0, 1.0, clip=True)
    return _np(op(img[None].astype(np.float32)))[0]


class _MedicalSource(TensorDataset):
    """Shared loading results and the quality report of the medical sources."""

    kind: ClassVar[str] = "medical images"
    split: str
    splits: list[str]
    _log: QualityLog

    def _finish(self, x: torch.Tensor, labels: np.ndarray, spec: ConditionSpec,
                split: str, description: str, **attributes: Any) -> None:
        schema = DataSchema(
            sample_shape=list(x.shape[1:]), conditions=[spec], description=description,
            attributes={"source": self.source_name, "split": split, **attributes},
        )
        cond = torch.as_tensor(np.asarray(labels, np.int64).reshape(-1, 1))
        TensorDataset.__init__(self, self.path, x, cond, schema)
        self.split = split

    def quality_report(self) -> QualityReport:
        return self._log.report(str(self.path), f"{self.source_name}: {self.kind}", self.split,
                                self.schema.conditions[0], self.cond[:, 0].numpy(),
                                self.schema.sample_shape, split_order=list(FRACTIONS))


class MedMNISTSource(_MedicalSource):
    """MedMNIST-style .npz (``{split}_images`` uint8, ``{split}_labels`` (N,) or (N, 1))."""

    source_name: ClassVar[str] = "medmnist"
    kind: ClassVar[str] = "MedMNIST .npz"

    def __init__(self, path: str | Path, split: str = "train", size: int | None = None,
                 class_names: Sequence[str] | None = None) -> None:
        self.path, self._log = Path(path), QualityLog()
        with np.load(self.path) as npz:
            self.splits = [s for s in ("train", "val", "test") if f"{s}_images" in npz]
            if split not in self.splits:
                raise ValueError(f"{self.path}: no split {split!r}; it has {self.splits}")
            data = {s: (npz[f"{s}_images"], npz[f"{s}_labels"]) for s in self.splits}
        labels = {}
        for s, (img, lab) in data.items():
            lab = np.asarray(lab).reshape(len(lab), -1)
            if lab.shape[1] != 1:
                raise ValueError(f"{self.path}: {s}_labels has {lab.shape[1]} columns; "
                                 "multi-label MedMNIST sets are not supported")
            labels[s] = lab[:, 0].astype(np.int64)
            self._log.add(img, [f"{s}[{i}]" for i in range(len(img))], s)
        n_cls = int(max(v.max(initial=-1) for v in labels.values())) + 1
        names = list(class_names or next(
            (v for k, v in KNOWN_CLASSES.items() if k in self.path.stem.lower()), []))
        if len(names) < n_cls:
            if class_names:
                raise ValueError(f"{len(names)} class names for {n_cls} classes in {self.path}")
            names = [str(i) for i in range(n_cls)]
        self._finish(self._to_tensor(data[split][0], size), labels[split],
                     ConditionSpec(name="label", values=names), split,
                     f"MedMNIST {self.path.stem} ({split})", modality=self.path.stem)

    @staticmethod
    def _to_tensor(img: np.ndarray, size: int | None) -> torch.Tensor:
        """(N,H,W) grey, (N,H,W,3) RGB kept as 3 channels, (N,D,H,W) 3D (MedMNIST3D)."""
        if img.ndim == 4 and img.shape[-1] == 3:
            img = img.transpose(0, 3, 1, 2)
        else:
            img = img[:, None]
        top = 255.0 if img.dtype == np.uint8 else float(max(img.max(), 1))
        x = img.astype(np.float32) / np.float32(top / 2) - 1.0
        if size is not None:
            n, c, *spatial = x.shape
            x = _resize(x.reshape(n * c, *spatial), [size] * len(spatial)).reshape(n, c, -1)
            x = x.reshape(n, c, *[size] * len(spatial))
        return torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32))

    @classmethod
    def accepts(cls, path: Path) -> bool:
        """An .npz with MedMNIST's ``*_images`` members (the zip listing only, no data)."""
        if path.suffix.lower() != ".npz" or not path.is_file():
            return False
        try:
            with zipfile.ZipFile(path) as zf:
                names = zf.namelist()
        except (OSError, zipfile.BadZipFile):
            return False
        return any(n.endswith("_images.npy") for n in names)


def _read_dicom(path: Path) -> np.ndarray:
    import pydicom

    ds = pydicom.dcmread(path)
    arr = ds.pixel_array
    if int(getattr(ds, "SamplesPerPixel", 1)) > 1:
        arr = arr.mean(axis=-1)
    if arr.ndim != 2:
        raise ValueError(f"multi-frame DICOM ({arr.shape}) is not supported")
    slope, icpt = float(getattr(ds, "RescaleSlope", 1)), float(getattr(ds, "RescaleIntercept", 0))
    return arr.astype(np.float32) * slope + icpt


def _read_picture(path: Path) -> np.ndarray:
    from PIL import Image

    with Image.open(path) as im:
        im.load()
        if im.mode not in ("L", "I", "I;16", "F"):
            im = im.convert("L")  # medical class folders are grey; mixed with DICOM too
        return np.asarray(im)


class ImageFolderSource(_MedicalSource):
    """A folder with one sub-folder per class of PNG/JPEG and/or DICOM (.dcm) files.

    Unreadable files are skipped and listed in the quality report, so one bad file does
    not block a dataset. Splits are stratified 0.8/0.1/0.1 with seed 0 ("all": every image).
    """

    source_name: ClassVar[str] = "image_folder"
    kind: ClassVar[str] = "class folders of PNG/JPEG/DICOM"
    suffixes: ClassVar[set[str]] = IMAGE_SUFFIXES | DICOM_SUFFIXES

    def __init__(self, path: str | Path, split: str = "train", size: int | None = None,
                 window: Window | None = None, seed: int = 0) -> None:
        self.path, self._log = Path(path), QualityLog()
        self.splits = [*FRACTIONS, "all"]
        if split not in self.splits:
            raise ValueError(f"{self.path}: no split {split!r}; choose from {self.splits}")
        classes = [d for d in sorted(self.path.iterdir()) if self._class_dir(d)]
        if not classes:
            raise ValueError(f"{self.path}: no class sub-folders with {sorted(self.suffixes)}")
        images, labels, names = [], [], []
        for k, d in enumerate(classes):
            for f in sorted(p for p in d.iterdir() if self._is_image(p)):
                name = f"{d.name}/{f.name}"
                try:
                    raw = _read_dicom(f) if f.suffix.lower() in DICOM_SUFFIXES else _read_picture(f)
                    if raw.ndim != 2 or min(raw.shape) < 2:
                        raise ValueError(f"not a 2D image: shape {raw.shape}")
                except Exception as exc:  # noqa: BLE001 - any unreadable file is reported
                    self._log.unreadable(name, exc)
                    continue
                self._log.add(raw[None], [name])
                images.append(self._scale(raw, f, window)[None])
                labels.append(k)
                names.append(name)
        lab = np.asarray(labels, np.int64)
        parts = stratified_split(lab, FRACTIONS, seed)
        self._log.assign(parts)
        keep = np.arange(len(images)) if split == "all" else parts[split]
        x = _fit([images[i] for i in keep], _target(images, size, 2))
        self._finish(torch.from_numpy(x), lab[keep],
                     ConditionSpec(name="label", values=[d.name for d in classes]), split,
                     f"image folder {self.path.name} ({split})", window=window)
        self.files = [names[i] for i in keep]

    @staticmethod
    def _scale(raw: np.ndarray, path: Path, window: Window | None) -> np.ndarray:
        """8-bit pictures keep absolute grey levels; DICOM gets the CT window or min-max."""
        if raw.dtype == np.uint8:
            return raw.astype(np.float32) / 127.5 - 1.0
        if window is not None and path.suffix.lower() in DICOM_SUFFIXES:
            return _window(raw, window)
        return _minmax(raw)

    @classmethod
    def _is_image(cls, p: Path) -> bool:
        return p.is_file() and not p.name.startswith(".") and p.suffix.lower() in cls.suffixes

    @classmethod
    def _class_dir(cls, d: Path) -> bool:
        return d.is_dir() and not d.name.startswith(".") and any(map(cls._is_image, d.iterdir()))

    @classmethod
    def accepts(cls, path: Path) -> bool:
        return path.is_dir() and any(cls._class_dir(d) for d in path.iterdir())


def _is_nifti(p: Path) -> bool:
    return p.name.lower().endswith((".nii", ".nii.gz"))


def _nifti_name(p: Path) -> str:
    return p.name[: -len(".nii.gz")] if p.name.lower().endswith(".nii.gz") else p.stem


def _read_labels(csv_path: Path) -> dict[str, str]:
    """CSV with a file column (file/filename/path/name) and a label column (label/class)."""
    with open(csv_path, newline="") as fh:
        rows = list(csv.reader(fh))
    head = [h.strip().lower() for h in rows[0]] if rows else []
    fcol = next((head.index(c) for c in ("file", "filename", "path", "name") if c in head), None)
    lcol = next((head.index(c) for c in ("label", "class", "diagnosis") if c in head), None)
    rows = rows if fcol is None and lcol is None else rows[1:]  # no known header: no header
    fcol, lcol = fcol or 0, 1 if lcol is None else lcol
    return {_nifti_name(Path(r[fcol].strip())): r[lcol].strip() for r in rows if len(r) > 1}


class NiftiSource(_MedicalSource):
    """A .nii/.nii.gz file or a folder of them: 2D axial slices or whole 3D volumes.

    Volumes are reoriented to RAS, so axial slice index runs inferior to superior and
    "level" bands are anatomical. With 10+ files splits are by file (no subject in two
    splits); with fewer, slices are split and the report warns that they are not independent.
    """

    source_name: ClassVar[str] = "nifti"
    kind: ClassVar[str] = "NIfTI"

    def __init__(self, path: str | Path, split: str = "train", size: int | None = None,
                 mode: Literal["slices", "volume"] = "slices", window: Window | None = None,
                 labels: str | Path | None = None, min_foreground: float = 0.05,
                 seed: int = 0) -> None:
        self.path, self._log = Path(path), QualityLog()
        if mode not in ("slices", "volume"):
            raise ValueError(f"mode must be 'slices' or 'volume', not {mode!r}")
        self.splits = [*FRACTIONS, "all"]
        if split not in self.splits:
            raise ValueError(f"{self.path}: no split {split!r}; choose from {self.splits}")
        files = [self.path] if self.path.is_file() else sorted(
            p for p in self.path.iterdir() if p.is_file() and _is_nifti(p))
        if not files:
            raise ValueError(f"{self.path}: no .nii or .nii.gz files")
        label_of = _read_labels(Path(labels)) if labels else {}
        missing = [f.name for f in files if label_of and _nifti_name(f) not in label_of]
        if missing:
            raise ValueError(f"{labels}: no label for {', '.join(missing[:10])}")
        values = sorted(set(label_of.values())) if label_of else ["volume"]
        samples: list[np.ndarray] = []
        codes: list[int] = []
        file_of: list[int] = []
        for fi, f in enumerate(files):
            try:
                raw = self._read(f)
            except Exception as exc:  # noqa: BLE001 - any unreadable file is reported
                self._log.unreadable(f.name, exc)
                continue
            vol = _window(raw, window) if window else _np(_mt().ScaleIntensityRangePercentiles(
                0.5, 99.5, -1.0, 1.0, clip=True)(raw[None]))[0]
            if mode == "volume":
                k = values.index(label_of[_nifti_name(f)]) if label_of else 0
                self._log.add(raw[None], [f.name])
                samples.append(vol[None])
                codes.append(k)
                file_of.append(fi)
                continue
            fg = (vol > -0.9).reshape(len(vol), -1).mean(1)
            zs = np.flatnonzero(fg > min_foreground)
            if not len(zs):
                self._log.unreadable(f.name, f"no slice has > {min_foreground:.0%} foreground")
                continue
            band = np.minimum(2, (zs - zs[0]) * 3 // (zs[-1] - zs[0] + 1))
            self._log.add(raw[zs], [f"{f.name}[z={z}]" for z in zs])
            samples += [sl[None] for sl in vol[zs]]
            codes += band.tolist()
            file_of += [fi] * len(zs)
        lab, fidx = np.asarray(codes, np.int64), np.asarray(file_of, np.int64)
        parts = self._split(lab, fidx, len(files), mode, seed)
        self._log.assign(parts)
        keep = np.arange(len(lab)) if split == "all" else parts[split]
        ndim = 2 if mode == "slices" else 3
        x = _fit([samples[i] for i in keep], _target(samples, size, ndim), pad=bool(size))
        spec = ConditionSpec(name="level", values=LEVELS) if mode == "slices" else \
            ConditionSpec(name="label", values=values)
        self._finish(torch.from_numpy(x), lab[keep], spec, split,
                     f"NIfTI {mode} from {self.path.name} ({split})", mode=mode, window=window)

    @staticmethod
    def _read(path: Path) -> np.ndarray:
        """(Z, Y, X): slice 0 inferior; rows anterior to posterior, columns patient right to
        left (radiological view, as DICOM ImageOrientationPatient 1\\0\\0\\0\\1\\0)."""
        import nibabel as nib

        img = nib.as_closest_canonical(nib.load(path))
        data = np.asarray(img.dataobj, dtype=np.float32)
        if data.ndim == 4 and data.shape[3] == 1:
            data = data[..., 0]
        if data.ndim != 3:
            raise ValueError(f"expected a 3D volume, got shape {data.shape}")
        return np.ascontiguousarray(data.transpose(2, 1, 0)[:, ::-1, ::-1])

    def _split(self, lab: np.ndarray, fidx: np.ndarray, n_files: int, mode: str,
               seed: int) -> dict[str, np.ndarray]:
        if n_files >= 10:  # by file, stratified on the volume label
            first = {int(f): int(lab[i]) for i, f in reversed(list(enumerate(fidx)))}
            files = np.array(sorted(first))
            by_file = stratified_split(np.array([first[f] for f in files]), FRACTIONS, seed)
            return {s: np.flatnonzero(np.isin(fidx, files[v])) for s, v in by_file.items()}
        if mode == "slices":
            self._log.note("split independence", "warn", f"{n_files} file(s): slices of one "
                           "volume are split, so neighbouring slices (nearly identical) fall in "
                           "train and test; use 10+ volumes for independent splits")
        return stratified_split(lab, FRACTIONS, seed)

    @classmethod
    def accepts(cls, path: Path) -> bool:
        if path.is_file():
            return _is_nifti(path)
        return path.is_dir() and any(p.is_file() and _is_nifti(p) for p in path.iterdir())
