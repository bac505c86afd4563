"""Nothing skipped in silence: maps that forgot `jmap: 1`, the YAML files that are not maps, shortened texts.

tests/cases/discovery/ is a small project as a person has it: a good map, a map without its version
line, a map begun with only a title, a persona library the good map includes, a pre-commit config and
a CI workflow. `jmap validate` and `jmap build` check the three maps, fail on the two broken ones, and
say which YAML files they skipped and why.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from jmap import api
from jmap.cli.cli import app
from jmap.layout.engine import layout, shortened_texts
from jmap.project.builder import BuildOptions, build, render_format
from jmap.project.discover import MAP_KEYS
from jmap.render.svg import render_svg

CASE = Path(__file__).parent / "cases" / "discovery"
ROOT = Path(__file__).resolve().parent.parent
WriteMap = Callable[..., Path]
E206 = "journeys/no-version.yaml:1:1: error[E206]: the map does not say its format version"
SKIPPED = "3 YAML files skipped: 1 library that maps include, 2 not maps"
LISTED = [
    "skipped .pre-commit-config.yaml: not a map (no `jmap:`, `title:` or `stages:` at the top level)",
    "skipped ci.yml: not a map (no `jmap:`, `title:` or `stages:` at the top level)",
    "skipped shared/personas.yaml: a library that maps include (it has `jmap:` but no `title:` or `stages:`)",
]


def run(*args: str | Path) -> Result:
    result = CliRunner().invoke(app, [str(a) for a in args], env={"NO_COLOR": "1", "CI": "1"})
    assert "Traceback" not in result.stdout + result.stderr, result.stdout + result.stderr
    return result


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the discovery project, as the working folder."""
    copy = tmp_path / "project"
    shutil.copytree(CASE, copy)
    monkeypatch.chdir(copy)
    return copy


# --- which files are maps -------------------------------------------------------------------


def test_scan_checks_map_like_files_and_says_why_it_skips_the_others(folder: Path) -> None:
    found = api.scan(["."])
    assert [p.as_posix() for p in found.maps] == [
        "journeys/checkout.yaml", "journeys/no-version.yaml", "journeys/title-only.yaml"]
    assert [(p.as_posix(), why) for p, why in found.skipped] == [
        (".pre-commit-config.yaml", "not a map"), ("ci.yml", "not a map"), ("shared/personas.yaml", "library")]
    assert api.discover(["."]) == found.maps


@pytest.mark.parametrize(("text", "reason"), [
    ("title: T\nstages: []\n", None),
    ("stages:\n  - id: a\n", None),
    ("\ufefftitle: T\n", None),  # a byte-order mark does not hide the key
    ("jmap: 1\npersonas: []\n", "library"),
    ("jmap: 1\nresearch: []\n", "library"),
    ("repos: []\n", "not a map"),
    ("titles: [a]\nstage_count: 3\n", "not a map"),  # keys that only start like jmap's
    ("name: ci\non: push\njobs: {}\n", "not a map"),
    ("  title: indented, so not top level\n", "not a map"),
    ("title: Half a map\npersonas: []\n", None),  # only keys a map has: a map that forgot `jmap: 1`
    ('"title": T\n"stages": []\n', None),
    ("title: My site\nbaseurl: /blog\ntheme: minima\n", "other keys"),  # a Jekyll _config.yml
    ("jmap: 1\ntitle: T\nbaseurl: x\n", None),  # says it is a map: validate reports the unknown key
])
def test_skip_reason(tmp_path: Path, text: str, reason: str | None) -> None:
    path = tmp_path / "file.yaml"
    path.write_text(text, encoding="utf-8")
    assert api.skip_reason(path) == reason


def test_the_keys_a_map_may_have_are_the_schemas() -> None:
    from jmap.resources import schema

    assert {k.decode() for k in MAP_KEYS} == set(schema()["properties"])


def test_a_site_config_with_a_title_is_skipped_as_not_a_map(folder: Path) -> None:
    (folder / "_config.yml").write_text("title: Our docs\nbaseurl: /docs\n", encoding="utf-8")
    result = run("validate", ".", "-v")
    assert "skipped _config.yml: not a map (it has a `title:`, but no `jmap:` or `stages:`, and keys no map has)" \
        in result.stderr
    assert result.stderr.splitlines()[-1].endswith("4 YAML files skipped: 1 library that maps include, 3 not maps")


# --- jmap validate --------------------------------------------------------------------------


def test_validate_fails_on_a_map_without_its_version_and_counts_the_skipped(folder: Path) -> None:
    result = run("validate", ".")
    assert result.exit_code == 1
    assert E206 + "\n 1 | title: Checkout without its version line\n   | ^\n" \
        "   = hint: add `jmap: 1` as the first line" in result.stderr
    assert "journeys/title-only.yaml:1:1: error[E206]" in result.stderr
    assert result.stderr.splitlines()[-1] == f"3 maps checked: 3 errors, 0 warnings; {SKIPPED}"
    assert "skipped " not in result.stderr  # listed only with --verbose


def test_validate_verbose_lists_each_skipped_file_with_why(folder: Path) -> None:
    result = run("validate", ".", "--verbose")
    lines = result.stderr.splitlines()
    assert [line for line in lines if line.startswith("skipped ")] == LISTED
    assert run("validate", ".", "-v").stderr == result.stderr


def test_validate_passes_once_the_maps_say_their_version(folder: Path) -> None:
    for name in ("no-version", "title-only"):
        path = folder / "journeys" / f"{name}.yaml"
        path.write_text("jmap: 1\n" + path.read_text(encoding="utf-8").replace(
            "title: A map begun and not finished\n", "title: Begun\nstages: [{id: a, name: A, emotion: 0}]\n"))
    result = run("validate", ".")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines()[-1] == f"3 maps checked: 0 errors, 0 warnings; {SKIPPED}"


def test_validate_json_lists_the_skipped_files(folder: Path) -> None:
    report = json.loads(run("validate", ".", "--format", "json").stdout)
    assert report["skipped"] == [
        {"path": ".pre-commit-config.yaml", "reason": "not a map"}, {"path": "ci.yml", "reason": "not a map"},
        {"path": "shared/personas.yaml", "reason": "library"}]
    assert {f["path"]: f["valid"] for f in report["files"]} == {
        "journeys/checkout.yaml": True, "journeys/no-version.yaml": False, "journeys/title-only.yaml": False}


def test_a_folder_of_only_other_yaml_is_still_a_usage_error(folder: Path) -> None:
    shutil.rmtree(folder / "journeys")
    result = run("validate", ".")
    assert result.exit_code == 2 and "no journey maps found" in result.stderr


# --- jmap build -----------------------------------------------------------------------------


def test_build_fails_on_a_map_without_its_version_and_counts_the_skipped(folder: Path) -> None:
    result = run("build", ".", "-o", "out", "-j", "1")
    assert result.exit_code == 1
    assert E206 in result.stderr
    assert (folder / "out" / "journeys" / "checkout.svg").is_file()
    assert not (folder / "out" / "journeys" / "no-version.svg").exists()
    summary = result.stderr.splitlines()[-1]
    assert re.fullmatch(rf"1 built, 0 unchanged, 2 failed in \d+\.\d\d s; {SKIPPED}", summary), summary
    assert "skipped " not in result.stderr


def test_build_verbose_lists_the_skipped_files(folder: Path) -> None:
    result = run("build", ".", "-o", "out", "-j", "1", "--verbose")
    assert [line for line in result.stderr.splitlines() if line.startswith("skipped ")] == LISTED


def test_build_json_carries_the_skipped_files(folder: Path) -> None:
    report = json.loads(run("build", ".", "-o", "out", "-j", "1", "-f", "json").stdout)
    assert [s["path"] for s in report["skipped"]] == [".pre-commit-config.yaml", "ci.yml", "shared/personas.yaml"]
    assert report["summary"]["skipped"] == 3 and report["summary"]["failed"] == 2


def test_the_fast_entry_point_has_verbose_too(folder: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    from jmap.cli import entry

    assert entry.parse_build(["build", ".", "-v"]) == {"paths": ["."], "formats": None, "verbose": True}
    monkeypatch.setattr(sys, "argv", ["jmap", "build", ".", "-o", "out", "-j", "1", "--verbose"])
    with pytest.raises(SystemExit) as exit_info:
        entry.main()
    assert exit_info.value.code == 1
    assert [line for line in capsys.readouterr().err.splitlines() if line.startswith("skipped ")] == LISTED


def test_excluded_maps_are_listed_as_excluded(folder: Path) -> None:
    (folder / "jmap.toml").write_text('exclude = ["journeys/no-version.yaml", "journeys/title-only.yaml"]\n')
    result = run("build", "-o", "out", "-j", "1", "-v")
    assert result.exit_code == 0, result.stderr
    assert "skipped journeys/no-version.yaml: excluded by the config's `exclude`" in result.stderr
    assert result.stderr.splitlines()[-1].endswith(
        "5 YAML files skipped: 1 library that maps include, 2 not maps, 2 excluded")


# --- texts shortened to fit (W504) ---------------------------------------------------------

LONG = "Checkout asks for the delivery address again after the card was declined, " * 6
SHORTENED_MAP = f"""jmap: 1
title: Checkout
personas:
  - id: maya
    name: Maya
    goals:
      - {"Pay without typing the card number again and again " * 5}
stages:
  - id: pay
    name: Pay
    emotion: {{maya: -1}}
    pain_points:
      - text: {LONG}
        severity: high
      - Short and fine
"""


def test_each_shortened_text_is_a_warning_at_its_item(write_map: WriteMap, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_map(SHORTENED_MAP)
    monkeypatch.chdir(path.parent)
    found = shortened_texts(api.check("journey.yaml").journey())
    assert [(d.code, str(d.span)) for d in found] == [("W504", "journey.yaml:4:5"), ("W504", "journey.yaml:13:9")]
    pain = found[1]
    match = re.fullmatch(r"the pain point 'Checkout asks for the delivery address …' was shortened to fit "
                         r"\((\d+) of (\d+) characters shown\)", pain.message)
    assert match, pain.message
    shown, total = int(match[1]), int(match[2])
    assert total == len(LONG.strip()) and 0 < shown < total
    assert pain.hint == "shorten the text, or split it in two"
    assert found[0].message.startswith("the persona's goal 'Pay without typing")


def test_validate_reports_shortened_texts_and_strict_fails_on_them(write_map: WriteMap) -> None:
    path = write_map(SHORTENED_MAP)
    result = run("validate", path)
    assert result.exit_code == 0
    lines = result.stderr.splitlines()
    warnings = [line for line in lines if "warning[W504]" in line]
    assert len(warnings) == 2 and all(line.endswith("(hint: shorten the text, or split it in two)")
                                      for line in warnings)
    assert warnings[1].startswith(f"{path}:13:9: warning[W504]: the pain point 'Checkout asks")
    assert lines[-1] == "1 map checked: 0 errors, 2 warnings (2 texts shortened)"
    assert run("validate", "--strict", path).exit_code == 1
    github = run("validate", path, "--format", "github").stdout
    assert github.count("::warning file=") == 2 and "title=jmap W504" in github


def test_build_reports_shortened_texts_once_each_and_counts_them(write_map: WriteMap) -> None:
    path = write_map(SHORTENED_MAP)
    result = run("build", path, "-o", path.parent / "out", "-f", "svg,html")
    assert result.exit_code == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "warning[W504]" in line]
    assert len(warnings) == 2  # once each, though both formats lay the map out
    assert re.fullmatch(r"1 built, 0 unchanged, 0 failed in \d+\.\d\d s; 2 texts shortened",
                        result.stderr.splitlines()[-1])
    report = json.loads(run("build", path, "-o", path.parent / "out", "-f", "json", "--force").stdout)
    assert report["summary"]["shortened"] == 2
    assert [d["code"] for d in report["maps"][0]["diagnostics"]] == ["W504", "W504"]


def test_a_map_with_nothing_shortened_reports_nothing(write_map: WriteMap) -> None:
    result = run("validate", write_map())
    assert result.stderr.splitlines()[-1] == "1 map checked: 0 errors, 0 warnings"


def test_a_thirty_stage_map_keeps_the_log_readable(tmp_path: Path) -> None:
    """A benchmark map of 30 stages whose every listed text is too long: a line per text, and the count."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from gen_maps import generate_map

    text = generate_map(stages=30, seed=3)
    text = re.sub(r'(?m)^(      - (?:text: )?)"(.+)"$', lambda m: f'{m[1]}"{(m[2] + " and again, ") * 8}"', text)
    path = tmp_path / "big.yaml"
    path.write_text(text, encoding="utf-8")
    result = run("validate", path)
    lines = result.stderr.splitlines()
    warnings = [line for line in lines if "warning[W504]" in line]
    assert len(warnings) > 100
    assert all(re.fullmatch(rf"{re.escape(str(path))}:\d+:\d+: warning\[W504\]: the .+ was shortened to fit "
                            r"\(\d+ of \d+ characters shown\) \(hint: shorten the text, or split it in two\)", line)
               for line in warnings)
    assert lines[len(warnings):] == [f"1 map checked: {result.exit_code} errors, {len(warnings)} warnings "
                                     f"({len(warnings)} texts shortened)"]
    assert result.exit_code == 0


# --- the legend promises tooltips only where there are some --------------------------------


def _legend_text(svg: str) -> str:
    return svg.split('id="legend"', 1)[1]


def test_the_png_and_pdf_legend_promises_no_tooltip(write_map: WriteMap) -> None:
    journey = api.check(write_map(SHORTENED_MAP)).journey()
    assert "the full text is in the tooltip" in _legend_text(render_svg(journey))  # SVG: <title> tooltips
    still = _legend_text(render_svg(journey, tooltips=False))
    assert "tooltip" not in still and "Text shortened to fit" in still
    labels = [line.text for node in layout(journey, tooltips=False).walk() for line in getattr(node, "lines", ())]
    assert "Text shortened to fit" in labels


@pytest.mark.parametrize("fmt", ["png", "pdf"])
def test_png_and_pdf_are_drawn_from_the_legend_without_tooltips(write_map: WriteMap, fmt: str,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from jmap.export import export

    drawn: list[str] = []
    monkeypatch.setattr(export, f"svg_to_{fmt}", lambda svg, **_: drawn.append(svg) or b"")
    render_format(api.check(write_map(SHORTENED_MAP)).journey(), fmt, BuildOptions())
    assert drawn and "tooltip" not in _legend_text(drawn[0]) and "Text shortened to fit" in drawn[0]


def test_build_api_reports_skipped_files(folder: Path) -> None:
    report = build(["."], BuildOptions(out_dir=folder / "out"), jobs=1)
    assert [(p.as_posix(), why) for p, why in report.skipped] == [
        (".pre-commit-config.yaml", "not a map"), ("ci.yml", "not a map"), ("shared/personas.yaml", "library")]


def test_the_visual_diff_as_png_promises_no_tooltip(write_map: WriteMap, monkeypatch: pytest.MonkeyPatch) -> None:
    from jmap.export import export

    drawn: list[str] = []
    monkeypatch.setattr(export, "svg_to_png", lambda svg, **_: drawn.append(svg) or b"png")
    old = write_map(name="old.yaml")
    new = write_map(SHORTENED_MAP, name="new.yaml")
    result = run("diff", old, new, "-o", new.parent / "review", "-f", "svg,png")
    assert result.exit_code == 1  # the maps differ
    svg = (new.parent / "review" / "new.diff.svg").read_text(encoding="utf-8")
    assert "the full text is in the tooltip" in _legend_text(svg)
    assert drawn and "tooltip" not in _legend_text(drawn[0]) and "Text shortened to fit" in drawn[0]
