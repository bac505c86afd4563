"""`jmap validate`, `jmap schema` and `jmap init` as a person and a CI job see them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from jmap.cli.cli import app
from jmap.loading.load import display_path
from jmap.resources import schema

WriteMap = Callable[..., Path]
BROKEN = "jmap: 1\ntitle: T\nstages:\n  - id: start\n    name: Start\n    emotion: 0\n    touchpionts: [x]\n"
WARNS = "jmap: 1\ntitle: T\nstages:\n  - id: start\n    name: Start\n"


def run(*args: str | Path, env: dict[str, str] | None = None) -> Result:
    """Run the CLI in-process; never a Python traceback, whatever happens."""
    result = CliRunner().invoke(app, [str(a) for a in args], env={"NO_COLOR": None, "FORCE_COLOR": None, **(env or {})})
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


# --- exit codes -----------------------------------------------------------------------------


def test_valid_map_exits_0(write_map: WriteMap) -> None:
    result = run("validate", write_map())
    assert result.exit_code == 0
    assert "1 map checked: 0 errors, 0 warnings" in result.stderr


def test_quiet_prints_nothing_for_valid_maps(write_map: WriteMap) -> None:
    result = run("validate", "-q", write_map())
    assert result.exit_code == 0 and result.stdout == "" and result.stderr == ""


def test_invalid_map_exits_1(write_map: WriteMap) -> None:
    assert run("validate", write_map(BROKEN)).exit_code == 1


def test_missing_file_exits_1_with_e100(project: Path) -> None:
    result = run("validate", project / "nope.yaml")
    assert result.exit_code == 1
    assert "error[E100]" in result.stderr


@pytest.mark.parametrize("args", [
    ["validate"],
    ["validate", "--format", "xml", "x.yaml"],
    ["validate", "--no-such-flag", "x.yaml"],
    ["validate", "--max-bytes", "0", "x.yaml"],
    ["frobnicate"],
])
def test_usage_errors_exit_2(args: list[str]) -> None:
    assert run(*args).exit_code == 2


def test_folder_without_maps_is_a_usage_error(project: Path) -> None:
    (project / "notes.yaml").write_text("todo: write a map\n")
    result = run("validate", project)
    assert result.exit_code == 2
    assert "no journey maps found" in result.stderr


def test_strict_makes_warnings_fail(write_map: WriteMap) -> None:
    path = write_map(WARNS)
    relaxed = run("validate", path)
    assert relaxed.exit_code == 0
    assert "warning[W500]" in relaxed.stderr
    strict = run("validate", "--strict", path)
    assert strict.exit_code == 1
    assert json.loads(run("validate", "--strict", "--format", "json", path).stdout)["files"][0]["valid"] is False


LOW_CONTRAST = ('jmap: 1\ntitle: T\ntheme:\n  name: default\n  colors:\n    text: "#cccccc"\n    accent: "#ffd400"\n'
                'stages:\n  - id: start\n    name: Start\n    emotion: 0\n')


def test_low_contrast_override_warns_and_fails_strict(write_map: WriteMap) -> None:
    path = write_map(LOW_CONTRAST)
    relaxed = run("validate", path)
    assert relaxed.exit_code == 0
    assert ("6:5: warning[W505]: theme.colors.text '#cccccc' on the page background '#f6f7f9' has a contrast of "
            "1.4:1; text needs 4.5:1 (WCAG AA)") in relaxed.stderr
    assert "7:5: warning[W505]: theme.colors.accent '#ffd400'" in relaxed.stderr
    assert run("validate", "--strict", path).exit_code == 1
    # the override docs/themes.md shows keeps every contrast promise: no W505
    path = write_map('jmap: 1\ntitle: T\ntheme:\n  name: default\n  font_size: 14\n  colors:\n'
                     '    accent: "#0f766e"\n    background: "#fffbeb"\nstages:\n  - id: start\n    name: Start\n'
                     '    emotion: 0\n')
    result = run("validate", "--strict", path)
    assert result.exit_code == 0, result.stderr


def test_max_bytes(write_map: WriteMap) -> None:
    path = write_map()
    result = run("validate", "--max-bytes", "20", path)
    assert result.exit_code == 1 and "error[E101]" in result.stderr


# --- output formats -------------------------------------------------------------------------


def test_text_output_has_place_source_line_caret_and_hint(write_map: WriteMap) -> None:
    path = write_map(BROKEN)
    result = run("validate", path)
    lines = result.stderr.splitlines()
    head = f"{display_path(path)}:7:5: error[E200]: unknown key 'touchpionts' in stage 'start'"
    assert head in lines
    at = lines.index(head)
    assert lines[at + 1] == " 7 |     touchpionts: [x]"
    assert lines[at + 2] == "   |     ^"
    assert lines[at + 3] == "   = hint: did you mean 'touchpoints'?"
    assert lines[at + 2].index("^") == lines[at + 1].index("t")  # the caret sits under the key


def test_source_lines_are_read_again_when_the_file_changes(write_map: WriteMap) -> None:
    """One process may report on a file twice (`jmap watch`): the quoted line must be the current one."""
    path = write_map(BROKEN)
    assert " 7 |     touchpionts: [x]" in run("validate", path).stderr
    write_map(BROKEN.replace("touchpionts: [x]", "thougths: [hmm, what now]"))
    output = run("validate", path).stderr
    assert " 7 |     thougths: [hmm, what now]" in output and "touchpionts" not in output


def test_json_output(write_map: WriteMap) -> None:
    good, bad = write_map(name="good.yaml"), write_map(BROKEN, name="bad.yaml")
    result = run("validate", "--format", "json", good, bad)
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    assert [(Path(f["path"]).name, f["valid"], f["errors"]) for f in payload["files"]] == [
        ("good.yaml", True, 0), ("bad.yaml", False, 1)]
    (diagnostic,) = payload["diagnostics"]
    assert diagnostic == {"path": display_path(bad), "line": 7, "col": 5, "severity": "error", "code": "E200",
                          "message": "unknown key 'touchpionts' in stage 'start'",
                          "hint": "did you mean 'touchpoints'?"}


def test_github_annotations(write_map: WriteMap) -> None:
    path = write_map(BROKEN + "  - id: b\n    name: B\n")
    result = run("validate", "--format", "github", path)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    name = display_path(path)
    assert lines[0].startswith(f"::error file={name},line=7,col=5,")
    assert lines[0].endswith("::unknown key 'touchpionts' in stage 'start' (hint: did you mean 'touchpoints'?)")
    assert lines[1].startswith(f"::warning file={name},line=8,col=5,")


def test_github_annotations_escape_newlines_and_commas(write_map: WriteMap) -> None:
    path = write_map("jmap: 1\ntitle: T\nstages: [{id: a, name: A, emotion: 0}]\n\"bad,\\nkey%\": 1\n", name="a,b.yaml")
    line = run("validate", "--format", "github", path).stdout.splitlines()[0]
    assert line.count("::") == 2 and "\n" not in line
    assert "file=" + display_path(path).replace(",", "%2C") in line
    assert "bad,\\nkey%25" in line  # the newline in the key is shown, not sent


def test_colour_only_when_asked_and_never_with_no_color(write_map: WriteMap) -> None:
    path = write_map(BROKEN)
    assert "\x1b[" not in run("validate", path).stderr  # not a terminal
    assert "\x1b[" in run("validate", path, env={"FORCE_COLOR": "1"}).stderr
    assert "\x1b[" not in run("validate", path, env={"FORCE_COLOR": "1", "NO_COLOR": "1"}).stderr


def test_hostile_text_cannot_drive_the_terminal(write_map: WriteMap) -> None:
    path = write_map("jmap: 1\ntitle: T\nstages: [{id: a, name: A, emotion: 0}]\n\u202e\u200bkey: 1\n")
    result = run("validate", path)
    assert result.exit_code == 1
    assert "\u202e" not in result.stderr and "\\u202e" in result.stderr  # U+202E as its code point


# --- finding maps ---------------------------------------------------------------------------


@pytest.fixture
def tree(project: Path, minimal_map: str) -> Path:
    (project / "a.yaml").write_text(minimal_map)
    (project / "sub" / "deeper").mkdir(parents=True)
    (project / "sub" / "b.yml").write_text(minimal_map)
    (project / "sub" / "deeper" / "c.yaml").write_text(BROKEN)
    (project / "sub" / "config.yaml").write_text("name: not a map\njmap_version: 3\n")
    (project / "notes.txt").write_text(minimal_map)
    (project / "data.json").write_text("{}")
    (project / ".hidden").mkdir()
    (project / ".hidden" / "d.yaml").write_text(BROKEN)
    (project / "node_modules").mkdir()
    (project / "node_modules" / "e.yaml").write_text(BROKEN)
    return project


def checked(result: Result, root: Path) -> list[str]:
    return sorted(Path(f["path"]).resolve().relative_to(root.resolve()).as_posix()
                  for f in json.loads(result.stdout)["files"])


def test_folders_recurse_into_yaml_maps_only(tree: Path) -> None:
    result = run("validate", "--format", "json", tree)
    assert checked(result, tree) == ["a.yaml", "sub/b.yml", "sub/deeper/c.yaml"]
    assert result.exit_code == 1


def test_globs(tree: Path) -> None:
    assert checked(run("validate", "--format", "json", f"{tree}/*.yaml"), tree) == ["a.yaml"]
    assert checked(run("validate", "--format", "json", f"{tree}/sub/**/*.y*ml"), tree) == [
        "sub/b.yml", "sub/config.yaml", "sub/deeper/c.yaml"]  # a glob names files explicitly
    result = run("validate", "--format", "json", f"{tree}/sub/*.yml", f"{tree}/a.yaml", f"{tree}/a.yaml")
    assert checked(result, tree) == ["a.yaml", "sub/b.yml"]  # each map once
    assert result.exit_code == 0


# --- schema and init ------------------------------------------------------------------------


def test_schema_prints_the_json_schema(tmp_path: Path) -> None:
    result = run("schema")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == schema()
    assert run("schema", "-o", tmp_path / "s.json").exit_code == 0
    assert json.loads((tmp_path / "s.json").read_text()) == schema()


def test_init_writes_a_starter_that_validates(project: Path) -> None:
    target = project / "journeys" / "first.yaml"
    result = run("init", target)
    assert result.exit_code == 0
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=")
    reference = text.splitlines()[0].split("$schema=", 1)[1]
    assert json.loads((target.parent / reference).read_text()) == schema()  # editors find the schema
    assert run("validate", "--strict", target).exit_code == 0
    assert run("init", target).exit_code == 2  # never overwrites by accident
    assert target.read_text(encoding="utf-8") == text
    assert run("init", "--force", target).exit_code == 0


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0 and result.stdout.startswith("jmap ")


def test_help_shows_an_example() -> None:
    result = run("validate", "--help")
    assert result.exit_code == 0 and "Example: jmap validate" in result.stdout


# --- the real process -----------------------------------------------------------------------


def test_subprocess_exit_codes_and_streams(write_map: WriteMap) -> None:
    def jmap(*args: str | Path) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "NO_COLOR")}
        done = subprocess.run([sys.executable, "-m", "jmap", *map(str, args)], capture_output=True, text=True,
                              env=env, timeout=60, check=False)
        assert "Traceback" not in done.stdout + done.stderr
        return done

    good, bad = write_map(name="good.yaml"), write_map(BROKEN, name="bad.yaml")
    assert jmap("validate", good).returncode == 0
    failed = jmap("validate", bad)
    assert failed.returncode == 1 and "error[E200]" in failed.stderr and "\x1b[" not in failed.stderr
    assert jmap("validate").returncode == 2
    assert jmap("validate", write_map(b"\x00\x01\x02", name="bin.yaml")).returncode == 1
