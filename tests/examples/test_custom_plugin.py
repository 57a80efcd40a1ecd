"""The example third-party plugin, pip-installed into this environment, trains via the CLI."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from toy import ring

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "custom_plugin"


def _run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    res = subprocess.run(args, capture_output=True, text=True, cwd=cwd, timeout=300)
    assert res.returncode == 0, f"{args}\n{res.stdout}\n{res.stderr}"
    return res


@pytest.fixture(scope="module")
def installed():
    _run(sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
         "--no-build-isolation", str(EXAMPLE))
    yield
    # left installed on purpose: uninstalling would race other test processes


@pytest.mark.slow
def test_custom_plugin_registers_and_trains_through_the_cli(installed, tmp_path):
    aigc = [sys.executable, "-m", "aigc_sdk.cli"]
    rows = {r["name"]: r for r in json.loads(_run(*aigc, "plugins", "--json").stdout)}
    assert rows["example"]["status"] == "available"
    assert rows["example"]["distribution"] == "aigc-example-plugin"
    assert "generator:example.points_gan" in rows["example"]["components"]

    ds = ring(1024)
    csv = tmp_path / "points.csv"
    side = ds.schema.conditions[0].values
    csv.write_text("x,y,label\n" + "".join(
        f"{x:.5f},{y:.5f},{side[c]}\n" for (x, y), c in zip(ds.x.tolist(), ds.cond[:, 0].tolist())
    ))
    run = tmp_path / "run"
    _run(*aigc, "train", "example.points_gan", "--data", str(csv), "--out", str(run),
         "--steps", "60")
    assert (run / "bundle" / "model.safetensors").exists()
    # interrupted-and-resumed through the CLI: extend the same run to 90 steps
    _run(*aigc, "train", "example.points_gan", "--data", str(csv), "--out", str(run),
         "--steps", "90", "--resume")
    last = json.loads((run / "metrics.jsonl").read_text().splitlines()[-1])
    assert last["step"] == 90
    _run(*aigc, "generate", str(run / "bundle"), "-n", "20", "--out", str(tmp_path / "gen"),
         "--condition", "label=left", "--seed", "4", "--format", "csv")
    lines = (tmp_path / "gen" / "csv" / "points.csv").read_text().splitlines()
    assert len(lines) == 21 and all(",left," in line for line in lines[1:])
