"""DICOM de-identification on pydicom's real CT test file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

pydicom = pytest.importorskip("pydicom")
get_testdata_file = pydicom.data.get_testdata_file
generate_uid = pydicom.uid.generate_uid

from aigc_plugins.medical.deid import DicomDeidentifier  # noqa: E402

CT = get_testdata_file("CT_small.dcm")


def two_files_of_one_study() -> tuple:
    first = pydicom.dcmread(CT)
    second = pydicom.dcmread(CT)
    second.SOPInstanceUID = second.file_meta.MediaStorageSOPInstanceUID = generate_uid()
    return first, second


def days(a: str, b: str) -> int:
    return (dt.datetime.strptime(a, "%Y%m%d") - dt.datetime.strptime(b, "%Y%m%d")).days


def test_identifiers_private_tags_and_uids(tmp_path: Path) -> None:
    first, second = two_files_of_one_study()
    assert first.PatientName and first.PatientID and first.InstitutionName  # real test data
    assert any(e.tag.is_private for e in first.iterall())
    result = DicomDeidentifier().apply([first, second, CT], stage="input")
    assert result.removed == [] and len(result.kept) == 3
    a, b, c = result.kept
    for ds in result.kept:
        assert ds.PatientName == "" and ds.PatientID == ""
        assert not ds.get("PatientBirthDate")
        for kw in ("InstitutionName", "OtherPatientIDsSequence", "StationName", "PatientAge"):
            assert kw not in ds
        assert not any(e.tag.is_private for e in ds.iterall())
        assert ds.PatientIdentityRemoved == "YES" and ds.DeidentificationMethod
        assert ds.file_meta.MediaStorageSOPInstanceUID == ds.SOPInstanceUID
        assert ds.SOPClassUID == first.SOPClassUID  # standard UIDs are kept
    # new UIDs, consistent within the study and for the same original file
    assert a.StudyInstanceUID != first.StudyInstanceUID
    assert a.StudyInstanceUID == b.StudyInstanceUID == c.StudyInstanceUID
    assert a.SeriesInstanceUID == b.SeriesInstanceUID != first.SeriesInstanceUID
    assert a.FrameOfReferenceUID == b.FrameOfReferenceUID != first.FrameOfReferenceUID
    assert a.SOPInstanceUID != b.SOPInstanceUID and a.SOPInstanceUID == c.SOPInstanceUID
    assert a.SOPInstanceUID not in (first.SOPInstanceUID, second.SOPInstanceUID)
    # pixels untouched; the caller's datasets untouched
    assert np.array_equal(a.pixel_array, first.pixel_array)
    assert first.PatientName == "CompressedSamples^CT1"
    # the result is still a valid file
    a.save_as(tmp_path / "deid.dcm", enforce_file_format=True)
    assert pydicom.dcmread(tmp_path / "deid.dcm").PatientIdentityRemoved == "YES"


def test_findings_name_changes_but_never_values() -> None:
    result = DicomDeidentifier().apply([pydicom.dcmread(CT)])
    kinds = {f.kind: f.detail for f in result.findings}
    assert {"emptied", "removed", "private_removed", "uids_replaced", "dates"} <= set(kinds)
    assert "PatientName" in kinds["emptied"] and "InstitutionName" in kinds["removed"]
    text = " ".join(kinds.values())
    assert "CompressedSamples" not in text and "JFK" not in text and "1CT1" not in text


def test_uid_mapping_is_keyed_by_the_salt() -> None:
    uid = pydicom.dcmread(CT).StudyInstanceUID
    one, same, other = DicomDeidentifier(salt="s1"), DicomDeidentifier(salt="s1"), \
        DicomDeidentifier(salt="s2")
    assert one.new_uid(uid) == same.new_uid(uid) != other.new_uid(uid)
    assert len(one.new_uid(uid)) <= 64


def test_dates_shift_keeping_intervals_or_are_emptied() -> None:
    orig = pydicom.dcmread(CT)
    f = DicomDeidentifier()
    ds = f.apply([orig]).kept[0]
    shift = days(ds.StudyDate, orig.StudyDate)
    assert -730 <= shift <= -62 and shift == f.date_shift.days
    assert days(ds.StudyDate, ds.SeriesDate) == days(orig.StudyDate, orig.SeriesDate)
    assert ds.StudyTime == orig.StudyTime
    emptied = DicomDeidentifier(dates="empty").apply([orig]).kept[0]
    assert emptied.StudyDate == "" and emptied.StudyTime == ""
    assert emptied.LongitudinalTemporalInformationModified == "REMOVED"


def test_unreadable_input_and_wrong_stage(tmp_path: Path) -> None:
    bad = tmp_path / "bad.dcm"
    bad.write_bytes(b"not dicom")
    result = DicomDeidentifier().apply([bad, CT])
    assert result.removed == [bad] and len(result.kept) == 1
    assert [f.kind for f in result.findings if f.index == 0] == ["unreadable"]
    with pytest.raises(ValueError, match="input"):
        DicomDeidentifier().apply([CT], stage="output")
