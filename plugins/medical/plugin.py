"""Entry point of the medical plugin: registers components by import path (loaded lazily)."""

from __future__ import annotations

from aigc_sdk.hookspecs import hookimpl
from aigc_sdk.plugins import require_extra

require_extra("medical", "monai", "pydicom", "nibabel", "matplotlib")

_PKG = "aigc_plugins.medical"


@hookimpl
def register_generators(register):  # noqa: ANN001, ANN201
    register("dcgan2d", f"{_PKG}.gan:DCGAN2D", "class-conditional 2-D image GAN, 28-128 px")
    register("dcgan3d", f"{_PKG}.gan:DCGAN3D", "class-conditional 3-D volume GAN, e.g. 32^3")


@hookimpl
def register_datasets(register):  # noqa: ANN001, ANN201
    register("medmnist", f"{_PKG}.data:MedMNISTSource", "MedMNIST-style .npz splits")
    register("image_folder", f"{_PKG}.data:ImageFolderSource", "PNG/DICOM, a folder per class")
    register("nifti", f"{_PKG}.data:NiftiSource", "NIfTI volumes as 2-D slices or 3-D")


@hookimpl
def register_privacy_filters(register):  # noqa: ANN001, ANN201
    register("dicom_deid", f"{_PKG}.deid:DicomDeidentifier", "DICOM de-identification (input)")
    register("memorisation", f"{_PKG}.memorisation:MemorisationFilter",
             "rejects synthetic images too close to a training image (output)")


@hookimpl
def register_metrics(register):  # noqa: ANN001, ANN201
    register("image_fidelity", f"{_PKG}.metrics:ImageFidelity",
             "FID/KID and precision/recall/density/coverage on real-classifier features")
    register("image_similarity", f"{_PKG}.metrics:ImageSimilarity", "SSIM, MS-SSIM, PSNR")
    register("utility", f"{_PKG}.metrics:Utility", "TSTR vs TRTR classifier AUC and accuracy")


@hookimpl
def register_quickstarts(register):  # noqa: ANN001, ANN201
    register("brain-mri", f"{_PKG}.quickstart:run",
             "conditional GAN on MNI152 brain MRI slices (nilearn wheel), report.html")
