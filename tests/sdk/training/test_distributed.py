"""Data-parallel training through torchrun on CPU (gloo), with no code change."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from toy import ring

TORCHRUN = shutil.which("torchrun", path=str(Path(sys.executable).parent))


@pytest.mark.slow
@pytest.mark.skipif(TORCHRUN is None, reason="torchrun not installed")
def test_torchrun_two_processes_train_one_model(tmp_path):
    ds = ring(1024)
    csv = tmp_path / "points.csv"
    csv.write_text("x,y\n" + "".join(f"{x:.5f},{y:.5f}\n" for x, y in ds.x.tolist()))
    example = Path(__file__).resolve().parents[3] / "examples" / "custom_plugin"
    env = {**os.environ, "ACCELERATE_USE_CPU": "1",
           "PYTHONPATH": f"{example}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    code = ("import sys; sys.argv = ['aigc'] + sys.argv[1:]; "
            "from aigc_example_plugin import plugin; "
            "from aigc_sdk.plugins import get_plugin_manager; "
            "pm = get_plugin_manager(); "
            "pm.register_object(plugin, 'example') if 'example' not in pm.infos else None; "
            "from aigc_sdk.cli import main; main()")
    script = tmp_path / "aigc_entry.py"
    script.write_text(code)
    res = subprocess.run(
        [TORCHRUN, "--nproc_per_node", "2", str(script), "train", "example.points_gan",
         "--data", str(csv), "--out", str(tmp_path / "run"), "--steps", "40"],
        capture_output=True, text=True, env=env, timeout=240, cwd=tmp_path)
    # Known and open: about 1 run in 5 here, a rank aborts in gloo's teardown after all work
    # is done ("terminate called without an active exception"); anything else fails.
    teardown_abort = "terminate called without an active exception" in res.stderr
    assert res.returncode == 0 or teardown_abort, res.stderr[-3000:]
    config = json.loads((tmp_path / "run" / "bundle" / "config.json").read_text())
    assert config["card"]["training"]["processes"] == 2
    assert config["card"]["training"]["steps_done"] == 40
