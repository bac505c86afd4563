"""The typer-free entry point (jmap.cli.entry) does what the typer app does, byte for byte.

Both read one declaration of each quick command (jmap.cli.options): the typer commands are made of it,
the quick parser reads lines with it. The tests below hold the two readings equal.

Every command line below runs twice, in two copies of one project: through `jmap.cli.entry.main`
and through the typer app `jmap.cli.cli.app`. Exit code, stdout, stderr (build times blanked)
and every file in the project afterwards must be equal. Each line is also marked with the
way the entry point must take: its own parser ("fast") or the typer app ("typer").
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from inspect import signature
from pathlib import Path
from typing import Any, NamedTuple

import pytest
import typer.main

from jmap.cli import entry
from jmap.cli.cli import app
from jmap.cli.command import build_command, validate_command
from jmap.cli.options import BUILD, KINDS, QUICK, VALIDATE, Command, parse

ROOT = Path(__file__).resolve().parent.parent
MAP = "jmap: 1\ntitle: {title}\nstages:\n  - id: start\n    name: Start\n    emotion: 0\n"
BROKEN = "jmap: 1\ntitle: Broken\nstages:\n  - id: start\n    name: Start\n    emotion: 0\n    touchpionts: [x]\n"
PROJECT = {
    "jmap.toml": "# test project\n",
    "a.yaml": MAP.format(title="Alpha"),
    "b.yaml": MAP.format(title="Beta"),
    "maps/c.yaml": MAP.format(title="Gamma"),
    "maps/deep/d.yaml": MAP.format(title="Delta"),
    "maps/notes.yaml": "todo: write a map\n",
    "broken/broken.yaml": BROKEN,
    "empty/notes.yaml": "todo: nothing here\n",
    "other.toml": 'output = "renders"\nformats = ["svg", "html"]\n',
    "bad.toml": "output = renders\n",
    "unknown.toml": 'outptu = "renders"\n',
}


class Case(NamedTuple):
    argv: list[str]
    way: str  # "fast": jmap.cli.entry parses it; "typer": it goes to the typer app (or is --version)
    setup: Callable[[Path], object] | None = None
    #: Maps built in parallel are reported in the order they finish: compare the lines as a set.
    parallel: bool = False


def built_then_removed(project: Path) -> None:
    """A build of b.yaml into out/, then b.yaml deleted: its output is an orphan."""
    app_run(project, ["build", "a.yaml", "b.yaml", "-o", "out", "-q"])
    (project / "b.yaml").unlink()


def built_then_edited(project: Path) -> None:
    app_run(project, ["build", "a.yaml", "-o", "out", "-q"])
    (project / "a.yaml").write_text(MAP.format(title="Alpha, edited"))


CASES = [
    # plain builds: paths, folders, globs, every flag and both spellings
    Case(["build", "a.yaml", "-o", "out", "-f", "svg"], "fast"),
    Case(["build", "a.yaml", "-o", "out", "-f", "svg", "-q"], "fast"),
    Case(["build", "a.yaml", "--output", "out", "--format", "svg", "--quiet"], "fast"),
    Case(["build", "a.yaml", "b.yaml", "-o", "out", "-f", "svg"], "fast"),
    Case(["build", "maps", "-o", "out"], "fast", parallel=True),
    Case(["build", "maps", "-o", "out", "-j", "1"], "fast"),
    Case(["build", "maps/*.yaml", "-o", "out"], "fast"),
    Case(["build", "-o", "out", "a.yaml", "-f", "svg", "maps", "-j", "1"], "fast"),
    Case(["build"], "fast", parallel=True),
    Case(["build", "a.yaml"], "fast"),
    Case(["build", "a.yaml", "--output=out", "--format=svg,html"], "fast"),
    Case(["build", "a.yaml", "-o", "out", "-f", "svg", "-f", "json"], "fast"),
    Case(["build", "a.yaml", "broken", "-o", "out", "--format", "github"], "fast"),
    Case(["build", "a.yaml", "broken", "-o", "out", "-f", "svg,json"], "fast"),
    Case(["build", "a.yaml", "broken", "-o", "out"], "fast"),
    Case(["build", "a.yaml", "-o", "out", "--force"], "fast", built_then_edited),
    Case(["build", "a.yaml", "-o", "out"], "fast", built_then_edited),
    Case(["build", "a.yaml", "-o", "out", "--check"], "fast"),
    Case(["build", "a.yaml", "-o", "out", "--check"], "fast", built_then_edited),
    Case(["build", "a.yaml", "-o", "out", "--check", "-f", "github"], "fast", built_then_edited),
    Case(["build", "a.yaml", "-o", "out"], "fast", built_then_removed),
    Case(["build", "a.yaml", "-o", "out", "--prune"], "fast", built_then_removed),
    Case(["build", "a.yaml", "-o", "out", "--theme", "dark"], "fast"),
    Case(["build", "a.yaml", "-o", "out", "-f", "png", "--scale", "1.5"], "fast"),
    Case(["build", "a.yaml", "-o", "out", "-f", "pdf", "--page-size", "A4-landscape"], "fast"),
    Case(["build", "a.yaml", "--config", "other.toml"], "fast"),
    Case(["build", "a.yaml", "-o", "out", "--max-bytes", "20"], "fast"),
    Case(["build", "a.yaml", "-o", "out", "-j", "3"], "fast"),
    Case(["build", "a.yaml", "-o", "out", "--jobs=2", "-j", "1", "-o", "out2"], "fast"),
    # the YAML files skipped as not maps (maps/notes.yaml, empty/notes.yaml), listed with --verbose
    Case(["build", "maps", "-o", "out", "-j", "1", "-v"], "fast"),
    Case(["build", ".", "-o", "out", "-j", "1", "--verbose", "-f", "json"], "fast"),
    Case(["build", "a.yaml", "broken", "-o", "out", "--verbose", "-q"], "fast"),
    # usage errors that the command's body raises: the same message, exit 2
    Case(["build", "empty", "-o", "out"], "fast"),
    Case(["build", "a.yaml", "-f", "bogus"], "fast"),
    Case(["build", "a.yaml", "-f", "svgg"], "fast"),
    Case(["build", "a.yaml", "-f", "text"], "fast"),
    Case(["build", "a.yaml", "--theme", "nope"], "fast"),
    Case(["build", "a.yaml", "--page-size", "a9-sideways"], "fast"),
    Case(["build", "a.yaml", "--config", "missing.toml"], "fast"),
    Case(["build", "a.yaml", "--config", "bad.toml"], "fast"),
    Case(["build", "a.yaml", "--config", "unknown.toml"], "fast"),
    # everything else goes to typer
    Case([], "typer"),
    Case(["--version"], "typer"),
    Case(["--help"], "typer"),
    Case(["build", "--help"], "typer"),
    Case(["build", "a.yaml", "-h"], "typer"),
    # validate: the same quick start
    Case(["validate", "a.yaml"], "fast"),
    Case(["validate", "a.yaml", "b.yaml", "maps"], "fast"),
    Case(["validate", "a.yaml", "broken"], "fast"),
    Case(["validate", "broken", "-q"], "fast"),
    Case(["validate", "a.yaml", "--quiet"], "fast"),
    Case(["validate", ".", "-v"], "fast"),
    Case(["validate", "maps", "--verbose", "a.yaml"], "fast"),
    Case(["validate", "a.yaml", "broken", "--format", "json"], "fast"),
    Case(["validate", "a.yaml", "broken", "--format=github"], "fast"),
    Case(["validate", "a.yaml", "--format", "json", "--format", "text"], "fast"),
    Case(["validate", "a.yaml", "--strict"], "fast"),
    Case(["validate", "broken", "--strict", "--format", "json"], "fast"),
    Case(["validate", "a.yaml", "--max-bytes", "20"], "fast"),
    Case(["validate", "a.yaml", "--max-bytes=2147483647"], "fast"),
    Case(["validate", "empty"], "fast"),
    Case(["validate", "missing.yaml"], "fast"),
    Case(["validate"], "typer"),  # typer's "Missing argument"
    Case(["validate", "-q"], "typer"),
    Case(["validate", "a.yaml", "--format", "xml"], "typer"),
    Case(["validate", "a.yaml", "--format", "JSON"], "typer"),  # typer's choices are case-sensitive
    Case(["validate", "a.yaml", "--format"], "typer"),
    Case(["validate", "a.yaml", "--max-bytes", "0"], "typer"),
    Case(["validate", "a.yaml", "--max-bytes", "2147483648"], "typer"),
    Case(["validate", "a.yaml", "-f", "json"], "typer"),  # a build option, not validate's
    Case(["validate", "a.yaml", "--strict=yes"], "typer"),
    Case(["validate", "a.yaml", "-h"], "typer"),
    Case(["validate", "--help"], "typer"),
    Case(["validate", "a.yaml", "-qv"], "typer"),
    Case(["validate", "--", "a.yaml"], "typer"),
    Case(["buidl", "a.yaml"], "typer"),
    Case(["build", "a.yaml", "-j", "0"], "typer"),
    Case(["build", "a.yaml", "-j", "\u0663"], "typer"),  # an Arabic-Indic 3: int() takes it, so typer does
    Case(["build", "a.yaml", "-j", "two"], "typer"),
    Case(["build", "a.yaml", "--scale", "9"], "typer"),
    Case(["build", "a.yaml", "--scale", "1e0", "-o", "out"], "typer"),
    Case(["build", "a.yaml", "--scale", "abc"], "typer"),
    Case(["build", "a.yaml", "--max-bytes", "0"], "typer"),
    Case(["build", "a.yaml", "--no-such-flag"], "typer"),
    Case(["build", "a.yaml", "-qf", "svg", "-o", "out"], "typer"),
    Case(["build", "a.yaml", "-osvg"], "typer"),
    Case(["build", "-j", "1", "--", "a.yaml", "-o", "out"], "typer"),
    Case(["build", "a.yaml", "-o"], "typer"),
    Case(["build", "a.yaml", "-o", ""], "typer"),
    Case(["build", "a.yaml", "-o", "-q"], "typer"),
    Case(["build", "a.yaml", "--force=yes"], "typer"),
    Case(["build", "a.yaml", "--theme", "\x1b[31mred"], "typer"),
]


class Outcome(NamedTuple):
    code: int
    stdout: str
    stderr: str
    files: dict[str, bytes]


def make_project(folder: Path) -> Path:
    for name, text in PROJECT.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


def app_run(project: Path, argv: list[str]) -> None:
    """Run the typer app in `project` (for a case's setup)."""
    cwd = os.getcwd()
    os.chdir(project)
    try:
        with pytest.raises(SystemExit):
            app(argv, prog_name="jmap")
    finally:
        os.chdir(cwd)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def blank_times(text: str) -> str:
    return re.sub(r'"seconds": [0-9.]+', '"seconds": S', re.sub(r" in [0-9.]+ s\b", " in S s", text))


def run(main: Callable[[], None], argv: list[str], project: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> Outcome:
    monkeypatch.chdir(project)
    monkeypatch.setattr(sys, "argv", ["jmap", *argv])
    capsys.readouterr()
    try:
        main()
        code = 0
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    out, err = capsys.readouterr()
    return Outcome(code, blank_times(out), blank_times(err), snapshot(project))


@pytest.mark.parametrize("case", CASES, ids=[" ".join(c.argv) or "(none)" for c in CASES])
def test_the_entry_point_agrees_with_the_typer_app(case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    assert (entry.parse_line(case.argv) is not None) == (case.way == "fast")
    projects = {side: make_project(tmp_path / side) for side in ("entry", "typer")}
    for project in projects.values():
        if case.setup is not None:
            case.setup(project)
    fast = run(entry.main, case.argv, projects["entry"], capsys, monkeypatch)
    slow = run(app, case.argv, projects["typer"], capsys, monkeypatch)
    assert fast.code == slow.code
    assert fast.stdout == slow.stdout
    if case.parallel:
        assert sorted(fast.stderr.splitlines()) == sorted(slow.stderr.splitlines())
    else:
        assert fast.stderr == slow.stderr
    assert fast.files.keys() == slow.files.keys()
    assert fast.files == slow.files


@pytest.mark.parametrize("command", QUICK.values(), ids=list(QUICK))
def test_the_cases_cover_every_flag(command: Command) -> None:
    spelled = {arg.partition("=")[0] for case in CASES if case.way == "fast" and case.argv[0] == command.name
               for arg in case.argv}
    assert {flag for opt in command.params for flag in opt.flags} <= spelled


def test_parsed_values_are_what_typer_passes() -> None:
    flags = entry.parse_build(["build", "a", "-o", "out", "-f", "svg", "--format=json", "-j", "2", "--scale", ".5",
                               "--max-bytes", "10", "--config", "c.toml", "--theme", "dark", "--page-size", "a4",
                               "b", "-q", "--force", "--check", "--prune"])
    assert flags == {
        "paths": ["a", "b"], "output": Path("out"), "formats": ["svg", "json"], "jobs": 2, "scale": 0.5,
        "max_bytes": 10, "config": Path("c.toml"), "theme": "dark", "page_size": "a4",
        "quiet": True, "force": True, "check": True, "prune": True,
    }
    assert entry.parse_build(["build"]) == {"paths": None, "formats": None}
    assert entry.parse_line(["validate", "a", "--format", "json", "--strict", "--max-bytes", "7", "b", "-q", "-v"]) \
        == (VALIDATE, {"paths": ["a", "b"], "report": "json", "strict": True, "max_bytes": 7, "quiet": True,
                       "verbose": True})
    assert entry.parse_line(["validate", "a"]) == (VALIDATE, {"paths": ["a"]})
    assert entry.parse_line(["validate"]) is None  # a required argument: typer says so
    assert entry.parse_build(["validate", "a"]) is None


# --- typer's commands and entry's parser both come from jmap.cli.options: they must read alike ---

FLAG = {"kind": "flag", "multiple": False}
TEXT = {"kind": "text", "multiple": False}
COUNT = {"kind": "integer", "multiple": False, "min": 1, "max": None, "min_open": False, "max_open": False,
         "clamp": False}
PATH = {"kind": "path", "multiple": False, "exists": False, "file_okay": True, "dir_okay": True, "readable": True,
        "writable": False, "executable": False, "resolve_path": False, "allow_dash": False, "path_type": None}
#: What jmap.cli.entry reads for each option of `jmap build` and `jmap validate`, in the terms typer declares
#: options with. The typer commands must say exactly this, and entry's converters must do exactly this.
IMPLEMENTED: dict[str, dict[str, dict[str, Any]]] = {
    "build": {
        "quiet": FLAG, "verbose": FLAG, "force": FLAG, "check": FLAG, "prune": FLAG,
        "formats": {**TEXT, "multiple": True},  # `-f` accumulates
        "theme": TEXT, "page_size": TEXT,
        "jobs": COUNT, "max_bytes": {**COUNT, "max": 2**31 - 1},  # what one read() takes
        "scale": {"kind": "float", "multiple": False, "min": 0.1, "max": 8, "min_open": False, "max_open": False,
                  "clamp": False},
        "output": PATH, "config": PATH,
    },
    "validate": {
        "quiet": FLAG, "verbose": FLAG, "strict": FLAG,
        "report": {"kind": "choice", "multiple": False, "choices": ("text", "json", "github"),
                   "case_sensitive": True},
        "max_bytes": {**COUNT, "max": 2**31 - 1},
    },
}
OPTIONS = [(command, name) for command in IMPLEMENTED for name in sorted(IMPLEMENTED[command])]


def build_params(command: str = "build") -> list[Any]:
    """The parameters of the click command typer makes of `jmap <command>`."""
    return list(typer.main.get_command(app).commands[command].params)  # type: ignore[attr-defined]


def declared(param: Any) -> dict[str, Any]:
    """What a parameter's declaration constrains, as a dict in IMPLEMENTED's terms.

    Typer up to 0.28 hands click a ParamType (click's own, or from 0.2x the copy in typer._click);
    typer 0.29 keeps the annotation and settings in a type descriptor and checks them with pydantic.
    """
    found: dict[str, Any] = {"multiple": param.multiple}
    if getattr(param, "is_flag", False):
        return {**found, "kind": "flag"}
    if hasattr(param.type, "choices"):  # an Enum: click's Choice, typer's TyperChoice
        return {**found, "kind": "choice", "choices": tuple(param.type.choices),
                "case_sensitive": param.type.case_sensitive}
    descriptor = getattr(param, "type_descriptor", None)
    if descriptor is not None:  # typer >= 0.29
        info, annotation = descriptor.parameter_info, descriptor.annotation
        if param.multiple and getattr(annotation, "__origin__", None) is list:
            (annotation,) = annotation.__args__
        kind = {str: "text", int: "integer", float: "float", Path: "path"}.get(annotation, repr(annotation))
        kind = "path" if descriptor.is_path else kind  # typer reads a str with path settings as a path
        settings = info
    else:  # a click ParamType
        settings = param.type
        kind = {"StringParamType": "text", "IntParamType": "integer", "IntRange": "integer",
                "FloatParamType": "float", "FloatRange": "float", "Path": "path",
                "TyperPath": "path"}.get(type(settings).__name__, repr(settings))
    found["kind"] = kind
    if kind in ("integer", "float"):
        for name, unset in (("min", None), ("max", None), ("min_open", False), ("max_open", False), ("clamp", False)):
            found[name] = getattr(settings, name, unset)  # a click IntParamType without a range has none
    elif kind == "path":
        for name in ("exists", "file_okay", "dir_okay", "readable", "writable", "executable", "resolve_path",
                     "allow_dash"):
            found[name] = getattr(settings, name, False)
        found["path_type"] = getattr(settings, "path_type", getattr(settings, "type", None))
    return found


def spellings(command: Command) -> dict[str, str]:
    """Every spelling the quick parser knows for `command`, and the parameter it sets."""
    return {flag: opt.param for opt in command.params for flag in opt.flags}


@pytest.mark.parametrize("command", QUICK.values(), ids=list(QUICK))
def test_the_entry_point_knows_every_spelling_of_every_option_and_no_other(command: Command) -> None:
    params = build_params(command.name)
    options = [p for p in params if p.param_type_name == "option"]
    assert [(p.name, p.nargs) for p in params if p.param_type_name == "argument"] == [("paths", -1)]
    known = spellings(command)
    assert len(known) == sum(len(opt.flags) for opt in command.params)  # no spelling is both
    for param in options:
        assert param.opts + param.secondary_opts == [s for s, name in known.items() if name == param.name], param.name
    assert set(known.values()) == {p.name for p in options}
    assert set(IMPLEMENTED[command.name]) == set(known.values())
    help_names = typer.main.get_command(app).context_settings.get("help_option_names", ["--help"])
    assert not set(help_names) & set(known)


BODIES: dict[str, Callable[..., int]] = {"build": build_command, "validate": validate_command}


@pytest.mark.parametrize("command", QUICK.values(), ids=list(QUICK))
def test_flags_are_flags_and_options_take_one_value(command: Command) -> None:
    flags = {opt.param for opt in command.params if KINDS[opt.kind].read is None}
    for param in build_params(command.name):
        if param.param_type_name != "option":
            continue
        assert bool(param.is_flag) == (param.name in flags) and not param.count, param.name
        assert param.nargs == 1 and param.prompt is None and param.callback is None, param.name
        # entry passes only what the line gives: the rest are the body's defaults, as typer's must be.
        assert param.default == signature(BODIES[command.name]).parameters[param.name].default, param.name


@pytest.mark.parametrize("command", QUICK.values(), ids=list(QUICK))
def test_no_option_reads_the_environment(command: Command) -> None:
    group = typer.main.get_command(app)
    click_command = group.commands[command.name]  # type: ignore[attr-defined]
    for settings in (group.context_settings, click_command.context_settings):
        assert settings.get("auto_envvar_prefix") is None and settings.get("token_normalize_func") is None
    assert click_command.allow_interspersed_args and not click_command.ignore_unknown_options  # paths between options
    assert [p.name for p in build_params(command.name) if p.envvar is not None] == []


def test_the_typer_commands_are_made_of_the_declarations() -> None:
    """Registration order, help text and argument of each quick command come from jmap.cli.options."""
    group = typer.main.get_command(app)
    for command in (BUILD, VALIDATE):
        click_command = group.commands[command.name]  # type: ignore[attr-defined]
        assert [p.name for p in click_command.params] == [opt.param for opt in command.params]
        assert click_command.help is not None and click_command.help.split("\n")[0] == command.doc.split("\n")[0]
        for param, opt in zip(click_command.params, command.params, strict=True):
            assert param.help == opt.help, opt.param
    (paths,) = [p for p in build_params("validate") if p.name == "paths"]
    assert paths.required  # `jmap validate` with nothing to check is a usage error


@pytest.mark.parametrize(("command", "name"), OPTIONS, ids=[f"{c} {n}" for c, n in OPTIONS])
def test_each_option_is_declared_as_the_entry_point_reads_it(command: str, name: str) -> None:
    (param,) = [p for p in build_params(command) if p.name == name]
    assert declared(param) == IMPLEMENTED[command][name]


@pytest.mark.parametrize(("command", "name"), OPTIONS, ids=[f"{c} {n}" for c, n in OPTIONS])
def test_each_converter_does_what_the_declaration_says(command: str, name: str, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    spec = IMPLEMENTED[command][name]
    (opt,) = [o for o in QUICK[command].params if o.param == name]
    convert = KINDS[opt.kind].read
    if spec["kind"] == "flag":
        assert convert is None
        assert parse(QUICK[command], ["a.yaml", opt.flags[0]]) == {"paths": ["a.yaml"], name: True} | (
            {"formats": None} if command == "build" else {})
        return
    assert convert is not None
    # Repeated: the last wins, or (multiple) each is kept.
    first, last = (("x", "y") if spec["kind"] in ("text", "path") else spec["choices"][1:3]
                   if spec["kind"] == "choice" else (str(spec["min"]), str(spec["min"] + 1)))
    parsed = parse(QUICK[command], ["a.yaml", opt.flags[0], first, opt.flags[-1], last])
    assert parsed is not None
    assert parsed[name] == ([convert(first), convert(last)] if spec["multiple"] else convert(last))
    if spec["kind"] == "text":
        for value in ("dark", "a4-landscape", "svg,png", " spaced ", "über"):
            assert convert(value) == value
    elif spec["kind"] == "choice":
        for value in spec["choices"]:
            assert parse(QUICK[command], ["a.yaml", opt.flags[0], value]) == {"paths": ["a.yaml"], name: value}
        for value in ("xml", "JSON" if spec["case_sensitive"] else "", " json", "jso"):
            if value:
                assert parse(QUICK[command], ["a.yaml", opt.flags[0], value]) is None, value
    elif spec["kind"] in ("integer", "float"):
        check_range(convert, spec)
    else:
        check_path(convert, spec, tmp_path, monkeypatch)


def check_range(convert: Callable[[str], Any], spec: dict[str, Any]) -> None:
    number = int if spec["kind"] == "integer" else float
    low, high = spec["min"], spec["max"]
    step = 1 if number is int else 0.01
    assert low is not None  # entry refuses what is not a plain non-negative number
    assert not spec["clamp"]  # out of range: refused, not clamped
    assert convert(str(low)) == low and type(convert(str(low))) is number
    assert convert(str(low - step)) is None  # min_open False: the bound is in, below it is out
    if high is None:
        assert convert("9" * 18) == number("9" * 18)
    else:
        assert convert(str(high)) == high and type(convert(str(high))) is number
        assert convert(str(high + step)) is None


def check_path(convert: Callable[[str], Any], spec: dict[str, Any], tmp_path: Path,
               monkeypatch: pytest.MonkeyPatch) -> None:
    """Each click.Path setting against the converter: True where it accepts, False where it refuses."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "file.toml").write_text("")
    (tmp_path / "folder").mkdir()
    denied: dict[str, int] = {}
    real_access = os.access

    def access(path: Any, mode: int, **kwargs: Any) -> bool:  # tests run as root, who may read anything
        return not mode & denied.get(os.path.basename(path), 0) and real_access(path, mode, **kwargs)

    monkeypatch.setattr(os, "access", access)

    def accepts(value: str, deny: int = 0) -> bool:
        denied["file.toml"] = deny
        result = convert(value)
        assert result is None or (isinstance(result, Path) and result == Path(value)), value  # not resolved
        return result is not None

    assert accepts("missing.toml") == (not spec["exists"])
    assert accepts("file.toml") == spec["file_okay"]
    assert accepts("folder") == spec["dir_okay"]
    assert accepts("file.toml", deny=os.R_OK) == (not spec["readable"])
    assert accepts("file.toml", deny=os.W_OK) == (not spec["writable"])
    assert accepts("file.toml", deny=os.X_OK) == (not spec["executable"])
    assert accepts("folder/../missing.toml") == (not spec["resolve_path"])
    assert accepts("-") == (not spec["allow_dash"])  # "-" is a file named "-", not stdin
    assert spec["path_type"] is None  # typer makes the value a Path, as entry does


def test_shell_completion_and_ascii_stderr_go_to_typer(monkeypatch: pytest.MonkeyPatch) -> None:
    assert entry._plain_environment()
    monkeypatch.setenv("_JMAP_COMPLETE", "bash_complete")
    assert not entry._plain_environment()
    monkeypatch.delenv("_JMAP_COMPLETE")

    class Ascii:
        encoding = "ANSI_X3.4-1968"

    monkeypatch.setattr(sys, "stderr", Ascii())
    assert not entry._plain_environment()


def test_jmap_cli_main_still_works(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from jmap.cli import entry

    monkeypatch.setattr(sys, "argv", ["jmap", "--version"])
    entry.main()
    assert capsys.readouterr().out.startswith("jmap ")


def test_the_console_script_is_the_entry_point() -> None:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'jmap = "jmap.cli.entry:main"' in text


def child_env() -> dict[str, str]:
    """This checkout's jmap for a child process, whatever the folder it runs in."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    for name in ("NO_COLOR", "FORCE_COLOR", "CI"):
        env.pop(name, None)
    return env


@pytest.mark.parametrize("argv", [
    ["build", "a.yaml", "-o", "out", "-f", "svg"],
    ["build", "a.yaml", "broken", "-o", "out", "-f", "svg", "-q"],
    ["build", "a.yaml", "b.yaml", "-o", "out", "--format", "json"],
    ["build", "empty"],
    ["validate", "a.yaml", "broken"],
    ["validate", "a.yaml", "broken", "--format", "json"],
    ["validate", "empty"],
], ids=" ".join)
def test_whole_processes_agree(argv: list[str], tmp_path: Path) -> None:
    """`python -m jmap` (the entry point) and the typer app in a child process, with pipes for stdout and stderr."""
    outcomes = []
    for side, command in (("entry", ["-m", "jmap"]), ("typer", ["-c", "from jmap.cli.cli import app; app()"])):
        project = make_project(tmp_path / side)
        done = subprocess.run([sys.executable, *command, *argv], cwd=project, env=child_env(), capture_output=True,
                              text=True, timeout=120)
        outcomes.append(Outcome(done.returncode, blank_times(done.stdout), blank_times(done.stderr),
                                snapshot(project)))
    assert outcomes[0] == outcomes[1]


def test_a_reader_that_goes_away_is_handled_as_typer_does(tmp_path: Path) -> None:
    """With stdout closed early, both ways exit alike (a JSON report larger than a pipe's buffer)."""
    project = make_project(tmp_path / "p")
    for number in range(60):
        (project / "many" / f"map-{number:02d}-{'x' * 40}.yaml").parent.mkdir(exist_ok=True)
        (project / "many" / f"map-{number:02d}-{'x' * 40}.yaml").write_text(BROKEN)
    env = child_env()
    outcomes = []
    for code in ("from jmap.cli.entry import main; main()", "from jmap.cli.cli import app; app()"):
        process = subprocess.Popen([sys.executable, "-c", code, "build", "many", "-j", "1", "-f", "json"],
                                   cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert process.stdout is not None and process.stderr is not None
        process.stdout.close()
        outcomes.append((process.wait(timeout=120), process.stderr.read()))
        process.stderr.close()
    assert outcomes[0] == outcomes[1] == (1, b"")


def test_numbers_python_cannot_read_go_to_typer() -> None:
    """int() refuses over 4300 digits with an error: typer words that as a usage error, so it reads the line."""
    assert entry.parse_build(["build", "map.yaml", "-j", "9" * 5000]) is None
    assert entry.parse_build(["build", "map.yaml", "--max-bytes", "1" + "0" * 18]) is None
    assert entry.parse_build(["build", "map.yaml", "-j", "12"]) == {"paths": ["map.yaml"], "formats": None, "jobs": 12}


@pytest.mark.parametrize("command", ["build", "validate"])
def test_the_help_is_what_it_was_before_the_declarations_moved(command: str) -> None:
    """`jmap build --help` and `jmap validate --help` as typer printed them from hand-written parameters
    (tests/cases/help/*.txt, captured on main before jmap.cli.options declared them, 100 columns)."""
    env = {**child_env(), "COLUMNS": "100"}
    done = subprocess.run([sys.executable, "-c", "from jmap.cli.cli import app; app(prog_name='jmap')", command,
                           "--help"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout == (ROOT / "tests" / "cases" / "help" / f"{command}.txt").read_text(encoding="utf-8")
