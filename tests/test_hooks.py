"""The pre-commit hooks, run from the manifest as pre-commit runs them, against passing and failing projects.

A hook fails when its command exits non-zero or changes a file (pre-commit's rule).
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "cases" / "hooks"
MANIFEST = ROOT / ".pre-commit-hooks.yaml"


def hooks() -> list[dict[str, Any]]:
    return list(YAML(typ="safe").load(MANIFEST.read_text(encoding="utf-8")))


def jmap_command() -> str:
    beside = Path(sys.executable).parent / "jmap"
    found = str(beside) if beside.exists() else shutil.which("jmap")
    assert found, "the jmap console script is not installed (pip install -e .)"
    return found


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def run_hook(hook: dict[str, Any], project: Path) -> tuple[bool, str]:
    """Run a hook in a project folder; (passed, output)."""
    command = shlex.split(hook["entry"])
    assert command[0] == "jmap"
    argv = [jmap_command(), *command[1:], *hook.get("args", [])]
    if hook.get("pass_filenames", True):
        argv += [p.relative_to(project).as_posix() for p in sorted(project.rglob("*.yaml"))]
    before = snapshot(project)
    done = subprocess.run(argv, cwd=project, capture_output=True, text=True, timeout=120,
                          env={"PATH": str(Path(sys.executable).parent), "NO_COLOR": "1", "HOME": str(project)})
    if done.returncode == 2 and "No such command" in done.stderr:
        pytest.skip(f"`{hook['entry']}` is not a jmap command yet")
    return done.returncode == 0 and snapshot(project) == before, done.stdout + done.stderr


def copy_case(name: str, tmp_path: Path) -> Path:
    target = tmp_path / name.replace("/", "-")
    shutil.copytree(CASES / name, target)
    return target


def test_the_manifest_declares_the_three_hooks() -> None:
    ids = [hook["id"] for hook in hooks()]
    assert ids == ["jmap-validate", "jmap-fmt", "jmap-build-check"]
    for hook in hooks():
        assert {"id", "name", "entry", "language"} <= set(hook) and hook["language"] == "python"
        assert (CASES / "fail" / hook["id"]).is_dir(), f"no failing case for {hook['id']}"


@pytest.mark.parametrize("hook", hooks(), ids=lambda hook: hook["id"])
def test_hook_passes_on_a_good_project(hook: dict[str, Any], tmp_path: Path) -> None:
    project = copy_case("pass", tmp_path)
    if hook["id"] == "jmap-build-check":  # renders are committed after a build
        subprocess.run([jmap_command(), "build", "-q"], cwd=project, check=True, timeout=120)
    passed, output = run_hook(hook, project)
    assert passed, output


@pytest.mark.parametrize("hook", hooks(), ids=lambda hook: hook["id"])
def test_hook_fails_on_its_bad_project(hook: dict[str, Any], tmp_path: Path) -> None:
    project = copy_case(f"fail/{hook['id']}", tmp_path)
    passed, output = run_hook(hook, project)
    assert not passed, output


def test_validate_hook_passes_on_a_project_with_a_shared_persona_file(tmp_path: Path) -> None:
    project = copy_case("pass", tmp_path)
    shared = project / "journeys" / "shared"
    shared.mkdir()
    (shared / "people.yaml").write_text("jmap: 1\npersonas:\n  - id: bo\n    name: Bo Berg\n", encoding="utf-8")
    hook = next(h for h in hooks() if h["id"] == "jmap-validate")
    passed, output = run_hook(hook, project)
    assert passed, output
