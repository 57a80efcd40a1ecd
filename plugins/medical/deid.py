"""DICOM de-identification before real scans enter training (the ``input`` stage).

A subset of the DICOM PS3.15 Annex E Basic Application Level Confidentiality Profile:
identifying attributes are emptied (type 2, must stay present) or removed, every person
name goes, private tags and overlays go, UIDs are remapped and dates are shifted.

UIDs are remapped with an HMAC keyed by a secret salt: the same original UID maps to the
same new UID for one filter instance (so series and studies stay linked across files),
and without the salt nobody can recompute or reverse the mapping. Dates move back by one
offset per instance, which keeps intervals and order. Pixels are not touched: text burned
into the image is a separate problem and is only flagged (BurnedInAnnotation = YES).
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import hmac
import secrets
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydicom import dcmread
from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset
from pydicom.uid import UID, generate_uid

from aigc_sdk.privacy import FilterResult, Finding, PrivacyFilter, Stage

# Annex E action Z: type-2 attributes that must stay present, emptied.
EMPTIED = frozenset({
    "PatientName", "PatientID", "PatientBirthDate", "PatientSex", "ReferringPhysicianName",
    "AccessionNumber", "StudyID", "ContentCreatorName",
})
# Annex E action X (or D/U where removal is allowed): removed wherever they occur.
REMOVED = frozenset({
    "PatientBirthTime", "PatientBirthName", "PatientMotherBirthName", "OtherPatientIDs",
    "OtherPatientIDsSequence", "OtherPatientNames", "PatientAddress", "PatientTelephoneNumbers",
    "PatientTelecomInformation", "PatientAge", "PatientSize", "PatientWeight", "EthnicGroup",
    "Occupation", "MilitaryRank", "BranchOfService", "CountryOfResidence", "RegionOfResidence",
    "MedicalRecordLocator", "PatientReligiousPreference", "AdditionalPatientHistory",
    "PatientComments", "MedicalAlerts", "Allergies", "SmokingStatus", "LastMenstrualDate",
    "PatientState", "IssuerOfPatientID", "PatientInsurancePlanCodeSequence",
    "ResponsiblePerson", "ResponsibleOrganization", "InstitutionName", "InstitutionAddress",
    "InstitutionalDepartmentName", "InstitutionCodeSequence", "StationName",
    "DeviceSerialNumber", "PerformingPhysicianName", "NameOfPhysiciansReadingStudy",
    "OperatorsName", "PhysiciansOfRecord", "RequestingPhysician", "ReferringPhysicianAddress",
    "ReferringPhysicianTelephoneNumbers", "ScheduledPerformingPhysicianName",
    "StudyDescription", "SeriesDescription", "ImageComments", "DerivationDescription",
    "ProtocolName", "RequestAttributesSequence", "PerformedProcedureStepID",
    "PerformedProcedureStepDescription", "RequestedProcedureDescription",
    "RequestedProcedureID", "AdmittingDiagnosesDescription", "AdmissionID", "OrderEnteredBy",
    "OrderCallbackPhoneNumber", "PersonName", "PersonAddress", "PersonTelephoneNumbers",
    "PlacerOrderNumberImagingServiceRequest", "FillerOrderNumberImagingServiceRequest",
    "ImagingServiceRequestComments", "CurrentPatientLocation", "PatientInstitutionResidence",
    "InstanceCreatorUID", "StudyComments", "VisitComments", "TextComments",
    "TimezoneOffsetFromUTC", "DataSetTrailingPadding",
})
METHOD_CODES = {"113100": "Basic Application Confidentiality Profile",
                "113107": "Retain Longitudinal Temporal Information Modified Dates Option"}


class DicomDeidentifier(PrivacyFilter[list[Any]]):
    """De-identify DICOM datasets (or files) at the input stage; originals are not modified.

    ``salt``: secret key for the UID mapping and the date offset (random per instance;
    pass the same salt to link several runs). ``dates``: "shift" (back by 62-730 days,
    order kept) or "empty". ``date_shift_days`` overrides the salt-derived offset.
    """

    name: ClassVar[str] = "dicom_deid"
    stages: ClassVar[tuple[Stage, ...]] = ("input",)

    def __init__(self, salt: bytes | str | None = None,
                 dates: Literal["shift", "empty"] = "shift",
                 date_shift_days: int | None = None) -> None:
        if dates not in ("shift", "empty"):
            raise ValueError(f"dates must be 'shift' or 'empty', not {dates!r}")
        self._salt = salt.encode() if isinstance(salt, str) else (salt or secrets.token_bytes(32))
        self.dates = dates
        if date_shift_days is None:
            mac = hmac.new(self._salt, b"date-shift", hashlib.sha256).digest()
            date_shift_days = -(62 + int.from_bytes(mac[:4], "big") % 669)
        self.date_shift = dt.timedelta(days=date_shift_days)

    def new_uid(self, uid: str) -> str:
        """Same input, same output for this salt; DICOM-defined UIDs (1.2.840.10008.*: SOP
        classes, transfer syntaxes) are kept."""
        if not UID(uid).is_private:
            return uid
        mac = hmac.new(self._salt, uid.encode(), hashlib.sha256).hexdigest()
        return str(generate_uid(entropy_srcs=[mac]))

    def _shift(self, value: str) -> str:
        """DA 'YYYYMMDD' or DT 'YYYYMMDD...' shifted; anything unparseable is emptied."""
        try:
            day = dt.datetime.strptime(value[:8], "%Y%m%d") + self.date_shift
        except ValueError:
            return ""
        return day.strftime("%Y%m%d") + value[8:]

    def apply(self, records: list[Any], stage: Stage = "input") -> FilterResult[list[Any]]:
        self.check_stage(stage)
        kept: list[Dataset] = []
        removed: list[Any] = []
        findings: list[Finding] = []
        for i, rec in enumerate(records):
            try:
                ds = dcmread(rec) if isinstance(rec, (str, Path)) else copy.deepcopy(rec)
                if not isinstance(ds, Dataset):
                    raise TypeError(f"expected a pydicom Dataset or a path, got {type(rec)}")
                changes = self._deidentify(ds)
            except Exception as exc:  # noqa: BLE001 - an unreadable record is reported
                removed.append(rec)
                findings.append(Finding(index=i, filter=self.name, kind="unreadable",
                                        detail=f"{type(exc).__name__}: {exc}"[:200]))
                continue
            kept.append(ds)
            findings += [Finding(index=i, filter=self.name, kind=k, detail=d)
                         for k, d in changes.items() if d]
        return FilterResult(kept=kept, removed=removed, findings=findings)

    def _deidentify(self, ds: Dataset) -> dict[str, str]:
        """Change ``ds`` in place; return what changed by kind (keywords, never values)."""
        emptied: set[str] = set()
        dropped: set[str] = set()
        counts = {"private": 0, "uids": 0, "dates": 0}

        def visit(dset: Dataset, elem: DataElement) -> None:
            kw, tag = elem.keyword, elem.tag
            if tag.is_private:
                counts["private"] += 1
            elif kw in REMOVED or (elem.VR == "PN" and kw not in EMPTIED) \
                    or tag.group & 0xFF00 in (0x5000, 0x6000):  # curves, overlays
                dropped.add(kw or str(tag))
                del dset[tag]
            elif kw in EMPTIED:
                if not elem.is_empty:
                    emptied.add(kw)
                elem.value = [] if elem.VR == "SQ" else ""
            elif elem.VR == "UI" and not elem.is_empty:
                new = [self.new_uid(str(u)) for u in _values(elem)]
                counts["uids"] += sum(a != b for a, b in zip(_values(elem), new, strict=True))
                elem.value = new if elem.VM > 1 else new[0]
            elif elem.VR in ("DA", "DT", "TM") and not elem.is_empty:
                if self.dates == "empty":
                    elem.value = ""
                elif elem.VR != "TM":
                    new = [self._shift(str(v)) for v in _values(elem)]
                    elem.value = new if elem.VM > 1 else new[0]
                else:
                    return
                counts["dates"] += 1

        ds.walk(visit)
        ds.remove_private_tags()
        meta = getattr(ds, "file_meta", None)
        if meta is not None:
            if "MediaStorageSOPInstanceUID" in meta:
                meta.MediaStorageSOPInstanceUID = self.new_uid(meta.MediaStorageSOPInstanceUID)
            if "SourceApplicationEntityTitle" in meta:
                del meta.SourceApplicationEntityTitle
        self._mark(ds)
        shift = f"shifted by {self.date_shift.days} days" if self.dates == "shift" else "emptied"
        burned = str(ds.get("BurnedInAnnotation", "")).upper() == "YES"
        return {
            "emptied": ", ".join(sorted(emptied)),
            "removed": ", ".join(sorted(dropped)),
            "private_removed": f"{counts['private']} private element(s)" * bool(counts["private"]),
            "uids_replaced": f"{counts['uids']} UID(s) remapped" * bool(counts["uids"]),
            "dates": f"{counts['dates']} date/time value(s) {shift}" * bool(counts["dates"]),
            "burned_in": "BurnedInAnnotation=YES: text in the pixels was NOT removed" * burned,
        }

    def _mark(self, ds: Dataset) -> None:
        ds.PatientIdentityRemoved = "YES"
        ds.DeidentificationMethod = [
            "aigc-sdk DicomDeidentifier", "PS3.15 Annex E basic profile subset",
            "UIDs remapped (HMAC)", "private tags removed",
            "dates shifted" if self.dates == "shift" else "dates removed",
        ]
        codes = dict(METHOD_CODES)
        if self.dates != "shift":
            codes.pop("113107")
        items = []
        for value, meaning in codes.items():
            item = Dataset()
            item.CodeValue, item.CodingSchemeDesignator, item.CodeMeaning = value, "DCM", meaning
            items.append(item)
        ds.DeidentificationMethodCodeSequence = items
        ds.LongitudinalTemporalInformationModified = (
            "MODIFIED" if self.dates == "shift" else "REMOVED")


def _values(elem: DataElement) -> list[Any]:
    return list(elem.value) if elem.VM > 1 else [elem.value]
