"""`aigc quickstart --fast`: the README's main command, end to end, in a few training steps."""

import importlib.util
import subprocess
import sys

import pydicom
import pytest
from PIL import Image


@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("nilearn") is None,
                    reason='needs the MNI152 template: pip install "aigc-sdk[quickstart]"')
def test_quickstart_fast_writes_every_artifact(tmp_path):
    out = tmp_path / "qs"
    res = subprocess.run([sys.executable, "-m", "aigc_sdk.cli", "quickstart", "--fast",
                          "--out", str(out)], capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-3000:]
    for name in ("report.html", "samples_grid.png", "real_grid.png", "loss_curve.png",
                 "metrics.json", "bundle/model.safetensors", "bundle/card.md"):
        assert (out / name).exists(), name
    grid = Image.open(out / "samples_grid.png")
    assert grid.size[0] > 8 * 64 and grid.mode == "L"
    dicoms = sorted((out / "dicom").glob("*.dcm"))
    assert len(dicoms) >= 20  # 24 released minus any the memorisation filter removed
    ds = pydicom.dcmread(dicoms[0])
    assert ds.SeriesDescription.startswith("SYNTHETIC") and ds.Rows == 64
    html = (out / "report.html").read_text()
    for text in ("Data quality", "TSTR", "memorisation", "data:image/png;base64"):
        assert text in html, text
    card = (out / "bundle" / "card.md").read_text()
    assert "medical.memorisation" in card and "MNI152" in card
