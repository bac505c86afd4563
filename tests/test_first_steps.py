"""A newcomer's first steps and the Python API: what `jmap init` writes, editor schemas, `jmap.check`."""

from __future__ import annotations

import inspect
import json
import re
import typing
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest
from generators import load_generator
from jsonschema import Draft202012Validator
from ruamel.yaml import YAML
from typer.testing import CliRunner

import jmap
from jmap import api
from jmap.cli.cli import app
from jmap.project import builder
from jmap.review.fmt import format_file

ROOT = Path(__file__).resolve().parent.parent
MODELINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)$", re.MULTILINE)
BROKEN = "jmap: 1\ntitle: T\nstages:\n  - id: start\n    name: Start\n    emotion: 0\n    touchpionts: [x]\n"
WARNS = "jmap: 1\ntitle: T\nstages:\n  - id: start\n    name: Start\n"


def cli(*args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout + result.stderr


# --- jmap init --------------------------------------------------------------------------------


def test_a_fresh_init_passes_fmt_check_and_strict_validate(project: Path) -> None:
    """The fmt hook must not reject a newcomer's first commit."""
    target = project / "maps" / "journey.yaml"
    assert cli("init", target)[0] == 0
    code, output = cli("fmt", "--check", target)
    assert code == 0, output
    code, output = cli("validate", "--strict", target)
    assert code == 0, output
    formatted = format_file(target)
    assert formatted.ok and not formatted.changed
    assert jmap.check(target).ok_strict


# --- editor schemas ---------------------------------------------------------------------------


def _modeline_files() -> list[Path]:
    return sorted(p for p in (ROOT / "examples").rglob("*.yaml") if MODELINE.search(p.read_text(encoding="utf-8")))


def _against_modeline(path: Path) -> list[str]:
    """Errors of a YAML file against the schema its modeline names, as an editor would report them."""
    target = (path.parent / MODELINE.search(path.read_text(encoding="utf-8")).group(1)).resolve()  # type: ignore[union-attr]
    schema = json.loads(target.read_text(encoding="utf-8"))
    data = YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))
    return [error.message for error in Draft202012Validator(schema).iter_errors(data)]


def test_every_shipped_file_with_a_modeline_is_valid_against_its_schema() -> None:
    """The persona library pointed at the map schema showed false errors (no title, no stages)."""
    files = _modeline_files()
    assert ROOT / "examples" / "shared" / "patients.yaml" in files
    for path in files:
        assert _against_modeline(path) == [], path


def test_the_starter_is_valid_against_the_schema_init_writes(project: Path) -> None:
    target = project / "journey.yaml"
    assert cli("init", target)[0] == 0
    assert _against_modeline(target) == []


def test_the_library_schema_is_generated_from_the_journey_schema() -> None:
    committed = (ROOT / "schemas" / "library.schema.json").read_text(encoding="utf-8")
    assert committed == load_generator("gen_library_schema").generate(), "run: python tools/gen_library_schema.py"
    code, output = cli("schema", "--library")
    assert code == 0 and json.loads(output) == json.loads(committed)


def test_the_library_schema_rejects_what_jmap_rejects_in_a_library(project: Path) -> None:
    schema = json.loads((ROOT / "schemas" / "library.schema.json").read_text(encoding="utf-8"))
    errors = list(Draft202012Validator(schema).iter_errors({"jmap": 1, "stages": []}))
    assert errors and "stages" in errors[0].message


# --- the Python API ---------------------------------------------------------------------------


def test_ok_is_a_property_false_for_a_broken_map(write_map: object) -> None:
    path = write_map(BROKEN)  # type: ignore[operator]
    result = jmap.check(path)
    assert result.ok is False and result.ok_strict is False
    assert not result.ok  # `if result.ok:` means what it says


def test_ok_strict_fails_on_warnings(write_map: object) -> None:
    result = jmap.check(write_map(WARNS))  # type: ignore[operator]
    assert result.ok is True and result.ok_strict is False


def test_dir_shows_the_public_api() -> None:
    shown = dir(jmap)
    for name in jmap.__all__:
        assert name in shown
        assert getattr(jmap, name) is not None
    assert {"load", "validate", "check", "build", "render_svg", "CheckResult", "BuildOptions"} <= set(jmap.__all__)
    assert jmap.BuildReport is builder.BuildReport
    assert set(jmap.__all__) == {"__version__", *jmap._LAZY}
    with pytest.raises(AttributeError):
        jmap.no_such_thing  # noqa: B018


def test_build_is_typed_like_the_builder() -> None:
    """`jmap.build` takes and returns what jmap.project.builder.build does, so mypy checks callers."""
    ours, theirs = inspect.signature(api.build), inspect.signature(builder.build)
    assert [(p.name, p.kind, p.default) for p in ours.parameters.values()] == [
        (p.name, p.kind, p.default) for p in theirs.parameters.values()
    ]
    names = {**vars(builder), **vars(api), "Callable": Callable, "Iterable": Iterable}
    hints = typing.get_type_hints(api.build, globalns=names)
    assert hints == typing.get_type_hints(builder.build)
    assert hints["return"] is builder.BuildReport


def test_a_license_file_says_what_pyproject_says() -> None:
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License\n") and "Copyright (c) 2026 The jmap developers" in text
    assert "[LICENSE](LICENSE)" in (ROOT / "README.md").read_text(encoding="utf-8")
