import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from aigc_sdk import hookspecs

ROOT = Path(__file__).resolve().parents[2]


def _fake_dist(where: Path, name: str, module_source: str) -> None:
    """An installed distribution made by hand: dist-info with an aigc_sdk entry point."""
    (where / f"{name}.py").write_text(textwrap.dedent(module_source))
    info = where / f"{name}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[aigc_sdk]\n{name} = {name}\n")


def _aigc(*args: str, env_extra: dict | None = None, path: Path | None = None):
    env = dict(os.environ)
    if path is not None:
        env["PYTHONPATH"] = str(path) + os.pathsep + env.get("PYTHONPATH", "")
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "aigc_sdk.cli", *args], capture_output=True,
                          text=True, env=env, timeout=120)


def test_broken_and_incomplete_plugins_do_not_break_the_cli(tmp_path):
    _fake_dist(tmp_path, "broken", "raise RuntimeError('bug at import time')\n")
    _fake_dist(tmp_path, "needsextra", """
        from aigc_sdk.plugins import require_extra
        require_extra("fancy", "a_module_that_is_not_installed")
    """)
    res = _aigc("plugins", "--json", path=tmp_path)
    assert res.returncode == 0, res.stderr
    rows = {r["name"]: r for r in json.loads(res.stdout)}
    assert rows["broken"]["status"] == "unavailable"
    assert "bug at import time" in rows["broken"]["error"]
    assert rows["needsextra"]["status"] == "unavailable"
    assert rows["needsextra"]["install_hint"] == 'pip install "needsextra[fancy]"'
    assert rows["medical"]["status"] == "available"
    table = _aigc("plugins", path=tmp_path)
    assert table.returncode == 0 and "unavailable" in table.stdout
    assert "needsextra[fancy]" in table.stdout  # not swallowed as console markup


def test_allow_and_block_lists():
    res = _aigc("plugins", "--json", env_extra={"AIGC_BLOCK_PLUGINS": "medical"})
    rows = {r["name"]: r for r in json.loads(res.stdout)}
    assert rows["medical"]["status"] == "blocked" and rows["medical"]["components"] == []
    res = _aigc("plugins", "--json", env_extra={"AIGC_PLUGINS": "nothing"})
    assert all(r["status"] == "blocked" for r in json.loads(res.stdout))


def test_help_is_fast():
    _aigc("--help")  # warm the file cache
    start = time.perf_counter()
    res = _aigc("--help")
    took = time.perf_counter() - start
    assert res.returncode == 0 and "quickstart" in res.stdout
    assert took < 1.0, f"aigc --help took {took:.2f}s"
    assert "torch" not in _aigc_imports()


def _aigc_imports() -> str:
    code = ("import sys; from aigc_sdk.cli import build_app; build_app(); "
            "print(' '.join(m for m in sys.modules if m.split('.')[0] in "
            "('torch', 'monai', 'transformers', 'accelerate')))")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout


@pytest.mark.parametrize("hook", hookspecs.HOOK_NAMES)
def test_every_hookspec_is_documented(hook):
    fn = getattr(hookspecs, hook)
    assert fn.__doc__ and len(fn.__doc__.strip()) > 20, f"{hook} has no docstring"
    guide = (ROOT / "docs" / "plugins.md").read_text()
    assert f"`{hook}" in guide, f"docs/plugins.md does not document {hook}"


def test_hook_names_cover_all_hookspecs():
    marked = {n for n in dir(hookspecs) if hasattr(getattr(hookspecs, n), "aigc_sdk_spec")}
    assert marked == set(hookspecs.HOOK_NAMES)
