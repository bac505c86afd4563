"""No input, however broken, makes jmap crash: mutated examples end in success or clean diagnostics."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from jmap.api import check
from jmap.cli.cli import app
from jmap.diagnostics import CODES, JmapError

EXAMPLES = Path(__file__).parents[1] / "examples"
INCLUDE_CASES = Path(__file__).parent / "cases" / "include"
SOURCES = [path.read_bytes() for path in sorted(EXAMPLES.glob("*.yaml"))] + [
    (INCLUDE_CASES / "anchors.yaml").read_bytes(),
    (INCLUDE_CASES / "with-include.yaml").read_bytes(),
]

#: Fragments that have broken YAML loaders, schema validators or renderers before.
NASTY = [
    b".nan", b"-.inf", b"1e999", b"9" * 40, b"-7", b"3", b"0x", b"0o8", b"~", b"", b"yes", b"null",
    b'"\\0"', b'"\\e"', b'"\\ud800"', b'"\\x85"', b"'unterminated", b'"', b"|", b">-", b"|+9",
    b"!!python/object/apply:os.system ['ls']", b"!foo x", b"!!binary aGk=", b"!<tag:x> y",
    b"*nope", b"&a", b"&a [*a]", b"<<: *a", b"<<: 3", b"? [k]", b"[", b"]", b"{", b"}", b"{a: [b, {c: d}]}",
    b"- ", b": ", b"#", b"@", b"`", b"%YAML 1.1", b"---", b"...", b"\t", b"\r", b"\x00", b"\x1b[2J", b"\xff",
    b"\xef\xbb\xbf", "\u2028".encode(), "\u202e".encode(), "ü".encode(), "🚀".encode(), b"x" * 3000,
    b"include: [../../etc/passwd.yaml]", b"include: [shared/patients.yaml]", b"avatar: ../../x.png",
]
KEY = re.compile(rb"^(\s*(?:- )?)([A-Za-z_]+):", re.MULTILINE)
VALUE = re.compile(rb": (.+)$", re.MULTILINE)


@st.composite
def mutations(draw: st.DrawFn) -> bytes:
    data = draw(st.sampled_from(SOURCES))
    for _ in range(draw(st.integers(1, 4))):
        data = draw(st.sampled_from(MUTATORS))(draw, data)
    return data


def _position(draw: st.DrawFn, data: bytes) -> int:
    return draw(st.integers(0, max(0, len(data) - 1)))


def _bytes(draw: st.DrawFn) -> bytes:
    return draw(st.one_of(st.sampled_from(NASTY), st.binary(min_size=1, max_size=8)))


def replace_bytes(draw: st.DrawFn, data: bytes) -> bytes:
    at = _position(draw, data)
    return data[:at] + _bytes(draw) + data[at + draw(st.integers(1, 8)):]


def insert_bytes(draw: st.DrawFn, data: bytes) -> bytes:
    at = _position(draw, data)
    return data[:at] + _bytes(draw) + data[at:]


def delete_bytes(draw: st.DrawFn, data: bytes) -> bytes:
    at = _position(draw, data)
    return data[:at] + data[at + draw(st.integers(1, 200)):]


def edit_lines(draw: st.DrawFn, data: bytes) -> bytes:
    lines = data.split(b"\n")
    at = draw(st.integers(0, len(lines) - 1))
    other = draw(st.integers(0, len(lines) - 1))
    action = draw(st.sampled_from(["delete", "duplicate", "swap", "replace", "indent", "dedent", "tab"]))
    if action == "delete":
        del lines[at]
    elif action == "duplicate":
        lines.insert(other, lines[at])
    elif action == "swap":
        lines[at], lines[other] = lines[other], lines[at]
    elif action == "replace":
        lines[at] = draw(st.sampled_from(NASTY))
    elif action == "indent":
        lines[at] = b" " * draw(st.integers(1, 9)) + lines[at]
    elif action == "dedent":
        lines[at] = lines[at][draw(st.integers(1, 9)):]
    else:
        lines[at] = b"\t" + lines[at].lstrip(b" ")
    return b"\n".join(lines)


def edit_key(draw: st.DrawFn, data: bytes) -> bytes:
    keys = list(KEY.finditer(data))
    if not keys:
        return data
    match = draw(st.sampled_from(keys))
    key = match[2]
    new = draw(st.one_of(
        st.just(key[:-1]), st.just(key[1:] + key[:1]), st.just(key + key[-1:]),  # typos
        st.sampled_from([b"id", b"name", b"emotion", b"stages", b"personas", b"include", b"<<", b"jmap"]),
        st.text(max_size=6).map(lambda text: text.encode("utf-8", "surrogatepass")),
    ))
    return data[:match.start(2)] + new + data[match.end(2):]


def edit_value(draw: st.DrawFn, data: bytes) -> bytes:
    values = list(VALUE.finditer(data))
    if not values:
        return data
    match = draw(st.sampled_from(values))
    return data[:match.start(1)] + draw(st.sampled_from(NASTY)) + data[match.end(1):]


MUTATORS = [replace_bytes, insert_bytes, delete_bytes, edit_lines, edit_lines, edit_key, edit_value, edit_value]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project like examples/ (with its shared files), to write mutated maps into."""
    root = tmp_path_factory.mktemp("fuzz")
    (root / "jmap.toml").write_text("# fuzz project\n")
    if (EXAMPLES / "shared").is_dir():
        shutil.copytree(EXAMPLES / "shared", root / "shared")
    if (EXAMPLES / "avatars").is_dir():
        shutil.copytree(EXAMPLES / "avatars", root / "avatars")
    if (EXAMPLES / "storyboard").is_dir():  # the pictures saas-onboarding.yaml shows
        shutil.copytree(EXAMPLES / "storyboard", root / "storyboard")
    shutil.copytree(INCLUDE_CASES / "shared", root / "shared", dirs_exist_ok=True)
    return root


def assert_clean(path: Path) -> None:
    result = check(path)
    for diagnostic in result.diagnostics:
        assert diagnostic.code in CODES, diagnostic
        assert diagnostic.span.line > 0 and diagnostic.span.col > 0, diagnostic
        assert len(diagnostic.message) < 400 and len(diagnostic.hint) < 400, diagnostic
    if not result.errors:
        try:
            result.journey()  # a map the validator passes must build its model
        except JmapError as error:  # pragma: no cover - would be a validator gap
            pytest.fail(f"valid map, but the model refused it: {error}")


FUZZ = settings(max_examples=150, deadline=None, print_blob=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])


@FUZZ
@given(data=mutations())
def test_mutated_examples_never_crash(workspace: Path, data: bytes) -> None:
    path = workspace / "map.yaml"
    path.write_bytes(data)
    assert_clean(path)


@settings(FUZZ, max_examples=12)
@given(data=mutations(), report=st.sampled_from(["text", "json", "github"]))
def test_cli_on_mutated_examples_prints_no_traceback(workspace: Path, data: bytes, report: str) -> None:
    path = workspace / "cli.yaml"
    path.write_bytes(data)
    result = CliRunner().invoke(app, ["validate", "--format", report, str(path)])
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    assert result.exit_code in (0, 1), output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)


def test_sources_are_valid_before_mutation(workspace: Path) -> None:
    """The fuzzer starts from maps that work, so mutations test the way from valid to broken."""
    for index, source in enumerate(SOURCES):
        path = workspace / f"source-{index}.yaml"
        path.write_bytes(source)
        assert check(path).errors == [], path


# --- project config files (jmap.toml, [tool.jmap]) ------------------------------------------

CONFIG = b"""\
inputs = ["journeys"]
exclude = ["journeys/drafts/**"]
output = "renders"
formats = ["svg"]
theme = "print"
naming = "{dir}/{stem}.{ext}"
jobs = 1
max_bytes = 500_000

[png]
scale = 2

[pdf]
page_size = "a4-landscape"
"""
CONFIG_SOURCES = [CONFIG, b"[project]\nname = 'x'\n\n[tool.jmap]\n" + CONFIG.replace(b"\n[", b"\n[tool.jmap.")]
#: TOML fragments: wrong types at every level, deep nesting, huge or hostile values.
TOML_NASTY = [
    b"[" * 600 + b"]" * 600, b"{a = " * 400 + b"1" + b"}" * 400, b"[[[[1]]]]", b"{}", b"[]", b"{a = [1, {b = 2}]}",
    b"1979-05-27T07:32:00Z", b"07:32:00", b"true", b"inf", b"nan", b"-0.0", b"1e400", b"9" * 30, b"0x7fffffffffffffff",
    b'"' + b"a" * 100_000 + b'"', b'"\\u0000"', b'"\\u001b[2J"', b'"\\u2028"', b'"..\\\\.."', b'"/etc"', b'"~"',
    b'"{stem:>999999}.{ext}"', b"'''\nmulti\n'''", b'"""', b"[tool]", b"tool = 1", b"[tool.jmap.png.x]",
    b"[[png]]", b"jmap = 3", b"=", b"a.b.c = 1", b"\xff\xfe", b"\x00", b"\x1b[2J", "\u2028".encode(), b"\r",
]


def _toml_bytes(draw: st.DrawFn) -> bytes:
    nasty = st.sampled_from(TOML_NASTY)
    return draw(st.one_of(nasty, nasty, st.sampled_from(NASTY), st.binary(min_size=1, max_size=8)))


TOML_VALUE = re.compile(rb"= (.+)$", re.MULTILINE)


def edit_toml_value(draw: st.DrawFn, data: bytes) -> bytes:
    values = list(TOML_VALUE.finditer(data))
    match = draw(st.sampled_from(values)) if values else None
    if match is None:
        return data
    return data[:match.start(1)] + _toml_bytes(draw) + data[match.end(1):]


def insert_toml(draw: st.DrawFn, data: bytes) -> bytes:
    lines = data.split(b"\n")
    lines.insert(draw(st.integers(0, len(lines))), _toml_bytes(draw))
    return b"\n".join(lines)


CONFIG_MUTATORS = [edit_toml_value, edit_toml_value, edit_toml_value, insert_toml, replace_bytes, delete_bytes,
                   edit_lines]


@st.composite
def config_mutations(draw: st.DrawFn) -> tuple[int, bytes]:
    which = draw(st.integers(0, len(CONFIG_SOURCES) - 1))
    data = CONFIG_SOURCES[which]
    for _ in range(draw(st.integers(1, 3))):
        data = draw(st.sampled_from(CONFIG_MUTATORS))(draw, data)
    return which, data


@settings(FUZZ, max_examples=150)
@given(mutated=config_mutations())
def test_mutated_configs_are_usage_errors_with_a_place(tmp_path_factory: pytest.TempPathFactory,
                                                       mutated: tuple[int, bytes]) -> None:
    """Any broken config is exit 2 with `file:line:col`, never a traceback; a config that passes builds."""
    which, data = mutated
    project = tmp_path_factory.mktemp("config")
    (project / ".git").mkdir()  # the config search stops here
    (project / "journeys").mkdir()
    (project / "journeys" / "map.yaml").write_bytes(SOURCES[0])
    name = ("jmap.toml", "pyproject.toml")[which]
    (project / name).write_bytes(data)
    result = CliRunner().invoke(app, ["build", "--quiet", "--config", str(project / name), str(project / "journeys")])
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code in (0, 1, 2), output  # 1: the map breaks a setting (max_bytes = 5)
    if result.exit_code == 2:
        assert re.search(rf"{re.escape(name)}:\d+:\d+: error\[E\d{{3}}\]", output), output
