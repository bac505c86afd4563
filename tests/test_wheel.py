"""The wheel ships everything jmap needs: built, installed into a clean venv, and run from there.

A plain virtual environment (no system site-packages), so a data file that is
only present in the source checkout cannot make this test pass.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
MAP = "jmap: 1\ntitle: Installed\nstages:\n  - id: start\n    name: Start\n    emotion: 0\n"


def _run(*args: str | Path, cwd: Path | None = None, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env["NO_COLOR"] = "1"
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)
    assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
    return done


@pytest.mark.slow
def test_the_installed_wheel_validates_a_map(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", dist, ROOT)
    (wheel,) = dist.glob("jmap-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "jmap/schemas/journey.schema.json" in names
    assert any(name.startswith("jmap/templates/") for name in names)
    assert "jmap/cli/cli.py" in names

    environment = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True, system_site_packages=False).create(environment)
    python = environment / "bin" / "python"
    _run(python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", wheel)
    jmap = environment / "bin" / "jmap"

    # run from a folder outside the checkout, so nothing can come from the source tree
    work = tmp_path / "work"
    work.mkdir()
    (work / "jmap.toml").write_text("")
    minimal = ROOT / "examples" / "minimal.yaml"
    (work / "minimal.yaml").write_text(minimal.read_text(encoding="utf-8") if minimal.exists() else MAP)
    checked = _run(jmap, "validate", "minimal.yaml", cwd=work)
    assert "0 errors" in checked.stderr
    printed = _run(jmap, "schema", cwd=work)
    assert json.loads(printed.stdout)["$schema"].startswith("https://json-schema.org/")
    _run(jmap, "init", "starter.yaml", cwd=work)
    _run(jmap, "validate", "--strict", "starter.yaml", cwd=work)
    located = _run(python, "-c", "import jmap, jmap.resources as r; print(jmap.__file__); print(r.data_dir('schemas'))",
                   cwd=work)
    assert str(ROOT) not in located.stdout  # the installed copy, not the checkout
