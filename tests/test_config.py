"""jmap.toml and [tool.jmap]: found, read, and checked like a map (file:line:col, did-you-mean)."""

from __future__ import annotations

from pathlib import Path

import pytest

from jmap.diagnostics import JmapError
from jmap.project.config import ProjectConfig, find_config, load_config, naming_problem

FULL = """\
# every key
inputs = ["journeys", "more/*.yaml"]
exclude = ["journeys/drafts/**"]
output = "renders"
formats = ["svg", "PNG"]
theme = "print"
naming = "{stem}.{ext}"
jobs = 2
max_bytes = 500_000

[png]
scale = 3

[pdf]
page_size = "A4-landscape"
"""


def problems(tmp_path: Path, text: str, name: str = "jmap.toml") -> list[str]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(JmapError) as caught:
        load_config(path)
    return [f"{d.span.line}:{d.span.col} {d.code} {d.message} | {d.hint}" for d in caught.value.diagnostics]


def test_every_key_is_read(tmp_path: Path) -> None:
    (tmp_path / "jmap.toml").write_text(FULL)
    config = load_config(tmp_path / "jmap.toml")
    assert config.inputs == ("journeys", "more/*.yaml") and config.exclude == ("journeys/drafts/**",)
    assert config.output == Path("renders") and config.formats == ("svg", "png") and config.theme == "print"
    assert config.naming == "{stem}.{ext}" and config.jobs == 2 and config.max_bytes == 500_000
    assert config.scale == 3.0 and config.page_size == "a4-landscape"
    assert config.root == tmp_path and config.source == tmp_path / "jmap.toml"


def test_pyproject_tool_table(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.jmap]\noutput = "docs/maps"\n'
                                             '\n[tool.jmap.png]\nscale = 1\n')
    sub = tmp_path / "journeys"
    sub.mkdir()
    assert find_config(sub) == tmp_path / "pyproject.toml"
    config = load_config(start=sub)
    assert config.output == Path("docs/maps") and config.scale == 1.0


def test_finding_stops_at_the_repository_root(tmp_path: Path) -> None:
    (tmp_path / "jmap.toml").write_text('output = "x"\n')
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "pyproject.toml").write_text('[project]\nname = "not jmap"\n')
    assert find_config(repo) is None
    config = load_config(start=repo)
    assert config.source is None and config.output is None and config.input_patterns() == [str(repo)]
    assert find_config(tmp_path) == tmp_path / "jmap.toml"


def test_unknown_keys_point_at_the_key_with_a_guess(tmp_path: Path) -> None:
    found = problems(tmp_path, 'inputs = ["a"]\n  outptu = "renders"\n[png]\nscael = 2\n[pfd]\n')
    assert found == [
        "2:3 E200 unknown key 'outptu' in the config | did you mean 'output'?",
        "4:1 E200 unknown key 'scael' in png | did you mean 'scale'?",
        "5:2 E200 unknown key 'pfd' in the config | did you mean 'pdf'?",
    ]


def test_pyproject_positions_and_table_names(tmp_path: Path) -> None:
    found = problems(tmp_path, '[project]\nname = "x"\n[tool.jmap]\nformats = "svg"\nthemes = "dark"\n'
                               '[tool.jmap.pdf]\npage_size = "a9"\n', name="pyproject.toml")
    assert found == [
        "5:1 E200 unknown key 'themes' in tool.jmap | did you mean 'theme'?",
        '7:13 E203 a9 is not a page size | use "fit", or a paper size such as "a4", "a3-landscape" or "letter"',
    ]


@pytest.mark.parametrize("line, expected", [
    ('formats = ["svg", "jpg"]', "1:11 E203 'jpg' is not an output format"),
    ('formats = ["sgv"]', "1:11 E203 'sgv' is not an output format | did you mean 'svg'?"),
    ("formats = []", "1:11 E205"),
    ("output = 3", "1:10 E202 'output' must be a folder name"),
    ('theme = "drak"', "1:9 E203 there is no theme 'drak' | did you mean 'dark'?"),
    ("jobs = 0", "1:8 E204 'jobs' must be at least 1"),
    ("jobs = true", "1:8 E202 'jobs' must be a whole number"),
    ('naming = "{stem}.svg"', "1:10 E203 'naming' is not usable: it must hold {stem} and {ext}"),
    ('naming = "../{stem}.{ext}"', "1:10 E203 'naming' is not usable: it must stay inside the output folder"),
    ('naming = "{dir}/{title}.{ext}"', "1:10 E203 'naming' is not usable: it uses {title}"),
    ("png = 2", "1:7 E202 'png' must be a table"),
    ("png = {scale = 9}", "1:7 E204 'scale' must be between 0.1 and 8, not 9"),
    ('inputs = ["a", 1]', "1:10 E202 'inputs' must be a list of texts"),
])
def test_wrong_values_point_at_the_value(tmp_path: Path, line: str, expected: str) -> None:
    found = problems(tmp_path, line + "\n")
    assert len(found) == 1 and found[0].startswith(expected), found


def test_broken_toml_has_a_position(tmp_path: Path) -> None:
    found = problems(tmp_path, 'inputs = ["a"]\noutput = renders\n')
    assert len(found) == 1 and found[0].startswith("2:10 E104 the TOML is broken here: invalid value")


@pytest.mark.parametrize("text, name, expected", [
    ("x = 1\ninputs = " + "[" * 600 + "]" * 600 + "\n", "jmap.toml", "2:60 E108 the config nests"),
    ("x = 1\nnote = " + "{a = " * 400 + "1" + "}" * 400 + "\n", "jmap.toml", "2:"),
    ("tool = 1\n", "pyproject.toml", "1:8 E202 'tool' in pyproject.toml must be a table"),
    ("[tool]\njmap = [1]\n", "pyproject.toml", "2:8 E202 'tool.jmap' in pyproject.toml must be a table"),
    ('output = "a\\u0000b"\n', "jmap.toml", "1:10 E103 'output' holds the control character U+0000"),
    ('inputs = ["ok", "\\u001b[2J"]\n', "jmap.toml", "1:10 E103 'inputs' holds the control character U+001B"),
    ('naming = "{stem}\\n.{ext}"\n', "jmap.toml", "1:10 E103 'naming' holds the control character U+000A"),
    ('output = "' + "a" * 5000 + '"\n', "jmap.toml", "1:10 E205 'output' is 5,000 characters long"),
    ("jobs = 99999999999999999999\n", "jmap.toml", "1:8 E204 'jobs' must be at most 1,024"),
    ("max_bytes = 9223372036854775807\n", "jmap.toml", "1:13 E204 'max_bytes' must be at most 2,147,483,647"),
])
def test_malformed_configs_are_diagnostics_not_crashes(tmp_path: Path, text: str, name: str, expected: str) -> None:
    found = problems(tmp_path, text, name=name)
    assert len(found) == 1 and found[0].startswith(expected), found


def test_a_bad_byte_is_reported_at_its_line(tmp_path: Path) -> None:
    (tmp_path / "jmap.toml").write_bytes(b'inputs = ["a"]\noutput = "r\xe9"\n')
    with pytest.raises(JmapError) as caught:
        load_config(tmp_path / "jmap.toml")
    assert [(d.code, d.span.line, d.span.col) for d in caught.value.diagnostics] == [("E102", 2, 12)]


def test_an_oversized_config_is_refused_unread(tmp_path: Path) -> None:
    (tmp_path / "jmap.toml").write_bytes(b"# padding\n" * 200_000)
    with pytest.raises(JmapError) as caught:
        load_config(tmp_path / "jmap.toml")
    assert [d.code for d in caught.value.diagnostics] == ["E101"]


def test_every_problem_is_reported_together(tmp_path: Path) -> None:
    assert len(problems(tmp_path, 'jobs = 0\nformats = ["x"]\nfoo = 1\n')) == 3


def test_paths_are_relative_to_the_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "jmap.toml").write_text('inputs = ["journeys"]\noutput = "renders"\nexclude = ["journeys/drafts"]\n')
    sub = tmp_path / "journeys"
    sub.mkdir()
    monkeypatch.chdir(sub)
    config = load_config()
    assert config.input_patterns() == [str(tmp_path / "journeys")]  # outside the working folder: absolute
    assert config.output_dir() == tmp_path / "renders"
    monkeypatch.chdir(tmp_path)
    assert load_config().input_patterns() == ["journeys"]
    assert config.excluded(tmp_path / "journeys" / "drafts" / "x.yaml")
    assert not config.excluded(tmp_path / "journeys" / "x.yaml")


@pytest.mark.parametrize("pattern, path, expected", [
    ("**/draft-*.yaml", "a/b/draft-1.yaml", True),
    ("**/draft-*.yaml", "draft-1.yaml", True),
    ("journeys/*.yaml", "journeys/sub/x.yaml", False),
    ("journeys/old", "journeys/old/x.yaml", True),
    ("journeys/old/", "journeys/older/x.yaml", False),
])
def test_exclude_globs(tmp_path: Path, pattern: str, path: str, expected: bool) -> None:
    config = ProjectConfig(root=tmp_path, exclude=(pattern,))
    assert config.excluded(tmp_path / path) is expected


def test_naming_problems() -> None:
    assert naming_problem("{dir}/{stem}.{ext}") == ""
    assert naming_problem("{stem}-{ext}/{stem}.{ext}") == ""
    assert "braces" in naming_problem("{stem.{ext}")
    assert naming_problem("/abs/{stem}.{ext}")


@pytest.mark.parametrize("command", ["validate", "build"])
def test_a_huge_max_bytes_flag_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                command: str) -> None:
    from typer.testing import CliRunner

    from jmap.cli.cli import app
    from jmap.cli.entry import parse_build

    (tmp_path / "map.yaml").write_text("jmap: 1\ntitle: T\nstages: [{id: a, name: A, emotion: 0}]\n")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, [command, "--max-bytes", "999999999999999999", "map.yaml"])
    assert isinstance(result.exception, SystemExit) and result.exit_code == 2, repr(result.exception)
    assert parse_build(["build", "--max-bytes", "999999999999999999", "map.yaml"]) is None  # typer says why
