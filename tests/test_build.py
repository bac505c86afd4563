"""Incremental, parallel, atomic builds; `--check`; orphans and `--prune`; the build command."""

from __future__ import annotations

import io
import json
import os
import struct
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

import jmap.project.builder as B
import jmap.project.cache as C
from jmap.cli.build_reporters import TextReporter
from jmap.cli.cli import app
from jmap.model.model import Journey
from jmap.project.builder import BuildOptions, build, configure
from jmap.project.cache import CACHE_FILE
from jmap.project.config import load_config

MAP = "jmap: 1\ntitle: {title}\nstages:\n  - id: start\n    name: Start\n    emotion: 0\n"
WITH_INCLUDE = (
    "jmap: 1\ntitle: Shared people\ninclude: [shared/people.yaml]\n"
    "stages:\n  - id: start\n    name: Start\n    emotion: {ana: 1}\n"
)
LIBRARY = "jmap: 1\npersonas:\n  - id: ana\n    name: Ana Lima\n    avatar: ../../img/ana.png\n"


def png(red: int) -> bytes:
    """A valid 1x1 PNG (avatars are checked to be real images)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(bytes([0, red, 0, 0]))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def fake_render(journey: Journey, fmt: str, options: BuildOptions) -> bytes:
    extra = options.scale if fmt == "png" else options.page_size if fmt == "pdf" else ""
    people = ",".join(p.name for p in journey.personas)
    return f"<{fmt} {journey.title} theme={journey.theme.name} people={people} {extra}>".encode()


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Use a fast fake renderer (inherited by forked workers) and record the maps it renders here."""
    seen: list[str] = []

    def render(journey: Journey, fmt: str, options: BuildOptions) -> bytes:
        seen.append(f"{journey.title}.{fmt}")
        return fake_render(journey, fmt, options)

    monkeypatch.setattr(B, "render_format", render)
    return seen


@pytest.fixture
def maps(project: Path) -> Path:
    """A project with three maps (one includes a shared persona file with an avatar) and a library file."""
    (project / "journeys" / "shared").mkdir(parents=True)
    (project / "img").mkdir()
    (project / "img" / "ana.png").write_bytes(png(10))
    (project / "journeys" / "a.yaml").write_text(MAP.format(title="Alpha"), encoding="utf-8")
    (project / "journeys" / "b.yaml").write_text(MAP.format(title="Beta"), encoding="utf-8")
    (project / "journeys" / "people.yaml").write_text(WITH_INCLUDE, encoding="utf-8")
    (project / "journeys" / "shared" / "people.yaml").write_text(LIBRARY, encoding="utf-8")
    return project


def run(project: Path, **kwargs: object) -> B.BuildReport:
    options = kwargs.pop("options", BuildOptions(out_dir=project / "out", formats=("svg",)))
    return build([str(project / "journeys")], options, jobs=kwargs.pop("jobs", 1), **kwargs)  # type: ignore[arg-type]


def statuses(report: B.BuildReport) -> dict[str, str]:
    return {r.source.name: r.status for r in report.results}


# --- incremental ----------------------------------------------------------------------


def test_cold_build_writes_outputs_and_a_cache(maps: Path, calls: list[str]) -> None:
    report = run(maps)
    assert statuses(report) == {"a.yaml": "built", "b.yaml": "built", "people.yaml": "built"}
    assert sorted(calls) == ["Alpha.svg", "Beta.svg", "Shared people.svg"]
    assert (maps / "out" / "a.svg").read_bytes() == b"<svg Alpha theme=default people= >"
    assert (maps / "out" / "people.svg").read_bytes().startswith(b"<svg Shared people theme=default people=Ana Lima")
    cache = json.loads((maps / "out" / CACHE_FILE).read_text())
    assert cache["maps"]["../journeys/people.yaml"]["deps"] == [
        "../journeys/people.yaml", "../journeys/shared/people.yaml", "../img/ana.png"]


def test_a_no_op_build_renders_and_parses_nothing(maps: Path, calls: list[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    run(maps)
    calls.clear()
    monkeypatch.setattr(B, "check_map", lambda *a, **k: pytest.fail("an unchanged map was parsed"))
    report = run(maps)
    assert calls == []
    assert set(statuses(report).values()) == {"unchanged"}
    assert report.ok and not report.built


@pytest.mark.parametrize("edit, rebuilt", [
    (lambda p: (p / "journeys" / "a.yaml").write_text(MAP.format(title="Alpha 2")), ["Alpha 2.svg"]),
    (lambda p: (p / "journeys" / "shared" / "people.yaml").write_text(LIBRARY.replace("Lima", "Silva")),
     ["Shared people.svg"]),
    (lambda p: (p / "img" / "ana.png").write_bytes(png(200)), ["Shared people.svg"]),
    (lambda p: (p / "out" / "b.svg").unlink(), ["Beta.svg"]),
    (lambda p: (p / "out" / "b.svg").write_bytes(b"truncated"), ["Beta.svg"]),
])
def test_only_affected_maps_are_rebuilt(maps: Path, calls: list[str], edit: Callable[[Path], object],
                                        rebuilt: list[str]) -> None:
    run(maps)
    calls.clear()
    edit(maps)
    report = run(maps)
    assert calls == rebuilt
    assert len(report.built) == 1 and len(report.unchanged) == 2


def test_options_theme_and_jmap_itself_are_part_of_the_key(maps: Path, calls: list[str],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    out = maps / "out"
    run(maps, options=BuildOptions(out_dir=out, formats=("svg", "png")))
    calls.clear()
    run(maps, options=BuildOptions(out_dir=out, formats=("svg", "png"), scale=3))
    assert len(calls) == 6  # the map is rendered again; svg bytes are the same and not rewritten
    calls.clear()
    report = run(maps, options=BuildOptions(out_dir=out, formats=("svg", "png"), theme="dark"))
    assert len(report.built) == 3 and b"theme=dark" in (out / "a.svg").read_bytes()
    calls.clear()
    monkeypatch.setattr(C, "toolchain_fingerprint", lambda: "a new jmap")
    assert len(run(maps, options=BuildOptions(out_dir=out, formats=("svg", "png"), theme="dark")).built) == 3


def test_force_and_a_deleted_or_broken_cache_rebuild_everything(maps: Path, calls: list[str]) -> None:
    run(maps)
    assert len(run(maps, force=True).built) == 3
    (maps / "out" / CACHE_FILE).unlink()
    assert len(run(maps).built) == 3
    (maps / "out" / CACHE_FILE).write_text("{not json")
    assert len(run(maps).built) == 3
    assert len(run(maps).unchanged) == 3


def test_unchanged_bytes_are_not_rewritten(maps: Path, calls: list[str]) -> None:
    run(maps)
    target = maps / "out" / "a.svg"
    os.utime(target, (1_000_000, 1_000_000))
    run(maps, force=True)
    assert target.stat().st_mtime == 1_000_000


# --- failures and safety ----------------------------------------------------------------


def test_a_broken_map_does_not_stop_the_others(maps: Path, calls: list[str]) -> None:
    (maps / "journeys" / "b.yaml").write_text("jmap: 1\ntitle: Broken\nstages: {oops\n")
    report = run(maps)
    assert statuses(report) == {"a.yaml": "built", "b.yaml": "failed", "people.yaml": "built"}
    assert report.failed[0].diagnostics[0].code == "E104"
    assert not (maps / "out" / "b.svg").exists()
    assert statuses(run(maps))["b.yaml"] == "failed"  # failures are not cached: tried again each time


def test_a_renderer_crash_fails_that_map_only_and_writes_none_of_its_formats(
        maps: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def render(journey: Journey, fmt: str, options: BuildOptions) -> bytes:
        if journey.title == "Beta" and fmt == "png":
            raise ZeroDivisionError("boom")
        return fake_render(journey, fmt, options)

    monkeypatch.setattr(B, "render_format", render)
    report = run(maps, options=BuildOptions(out_dir=maps / "out", formats=("svg", "png")))
    assert statuses(report)["b.yaml"] == "failed"
    assert report.failed[0].diagnostics[-1].code == "E900"
    assert "ZeroDivisionError: boom" in report.failed[0].diagnostics[-1].message
    assert not (maps / "out" / "b.svg").exists() and (maps / "out" / "a.png").exists()
    assert not list((maps / "out").glob(".*.tmp"))


def test_two_maps_writing_the_same_output_is_an_error(maps: Path, calls: list[str]) -> None:
    (maps / "journeys" / "team").mkdir()
    (maps / "journeys" / "team" / "a.yaml").write_text(MAP.format(title="Other alpha"))
    report = run(maps, options=BuildOptions(out_dir=maps / "out", naming="{stem}.{ext}"))
    clash = [r for r in report.results if r.failed]
    assert len(clash) == 1 and clash[0].diagnostics[0].code == "E901"
    mirrored = run(maps, options=BuildOptions(out_dir=maps / "out2"))
    assert not mirrored.failed and (maps / "out2" / "team" / "a.svg").exists()


def test_shared_include_files_found_in_folders_are_not_built(maps: Path, calls: list[str]) -> None:
    names = [r.source.name for r in run(maps).results]
    assert names.count("people.yaml") == 1  # the map, not journeys/shared/people.yaml


# --- parallel -------------------------------------------------------------------------


def test_parallel_output_is_identical_to_serial(maps: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Real renderer when it is there; the fake one otherwise (forked workers inherit it)."""
    for index in range(4):
        (maps / "journeys" / f"extra-{index}.yaml").write_text(MAP.format(title=f"Extra {index}"))
    try:
        import jmap.render.svg  # noqa: F401
    except ImportError:
        monkeypatch.setattr(B, "render_format", fake_render)
    serial = run(maps, options=BuildOptions(out_dir=maps / "serial"), jobs=1)
    parallel = run(maps, options=BuildOptions(out_dir=maps / "parallel"), jobs=2)
    assert not serial.failed and not parallel.failed
    assert [r.source for r in serial.results] == [r.source for r in parallel.results]

    def files(folder: Path) -> dict[str, bytes]:
        return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}

    assert files(maps / "serial") == files(maps / "parallel")
    assert len(files(maps / "serial")) == 8  # 7 maps and the cache


# --- check ------------------------------------------------------------------------------


def test_check_writes_nothing_and_lists_missing_and_differing_outputs(maps: Path, calls: list[str]) -> None:
    report = run(maps, check=True)
    assert not (maps / "out").exists()
    assert not report.ok and {why for r in report.stale for _, why in r.stale} == {"missing"}
    run(maps)
    assert run(maps, check=True).ok
    (maps / "out" / "a.svg").write_bytes(b"<svg edited by hand>")
    (maps / "journeys" / "b.yaml").write_text(MAP.format(title="Beta 2"))
    report = run(maps, check=True)
    assert sorted((p.name, why) for r in report.stale for p, why in r.stale) == [("a.svg", "differs"),
                                                                                ("b.svg", "differs")]
    assert (maps / "out" / "a.svg").read_bytes() == b"<svg edited by hand>"


def test_check_without_a_cache_compares_bytes(maps: Path, calls: list[str]) -> None:
    run(maps)
    (maps / "out" / CACHE_FILE).unlink()  # CI: renders committed, no cache
    assert run(maps, check=True).ok
    assert not (maps / "out" / CACHE_FILE).exists()


# --- orphans and prune -----------------------------------------------------------------------


def test_outputs_of_deleted_maps_are_reported_and_pruned_only_when_still_jmaps(maps: Path, calls: list[str]) -> None:
    run(maps, options=BuildOptions(out_dir=maps / "out", formats=("svg", "png")))
    (maps / "out" / "notes.txt").write_text("not jmap's")
    (maps / "journeys" / "a.yaml").unlink()
    (maps / "journeys" / "b.yaml").unlink()
    (maps / "out" / "b.png").write_bytes(b"edited after jmap wrote it")
    report = run(maps, options=BuildOptions(out_dir=maps / "out", formats=("svg",)))
    assert sorted(p.name for p in report.orphans) == ["a.png", "a.svg", "b.png", "b.svg"]
    assert (maps / "out" / "a.svg").exists()
    report = run(maps, prune=True)
    assert sorted(p.name for p in report.pruned) == ["a.png", "a.svg", "b.svg"]
    assert [p.name for p in report.kept] == ["b.png"]
    assert sorted(p.name for p in (maps / "out").iterdir()) == [CACHE_FILE, "b.png", "notes.txt", "people.png",
                                                                  "people.svg"]
    assert run(maps).orphans == []


def test_a_renamed_output_is_an_orphan(maps: Path, calls: list[str]) -> None:
    run(maps, options=BuildOptions(out_dir=maps / "out"))
    report = run(maps, options=BuildOptions(out_dir=maps / "out", naming="maps/{stem}.{ext}"))
    assert sorted(p.name for p in report.orphans) == ["a.svg", "b.svg", "people.svg"]
    report = run(maps, options=BuildOptions(out_dir=maps / "out", naming="maps/{stem}.{ext}"), prune=True)
    assert sorted(p.name for p in report.pruned) == ["a.svg", "b.svg", "people.svg"]
    assert (maps / "out" / "maps" / "a.svg").exists()


# --- reporting ---------------------------------------------------------------------------


def test_text_report_in_a_log_is_plain_lines_and_a_summary(maps: Path, calls: list[str]) -> None:
    (maps / "journeys" / "b.yaml").write_text("jmap: 1\ntitle: [x\n")
    stream = io.StringIO()
    run(maps, reporter=TextReporter(stream))
    text = stream.getvalue()
    assert "built " in text and "error[E104]" in text and "\x1b[" not in text
    assert text.strip().splitlines()[-1].startswith("2 built, 0 unchanged, 1 failed in ")
    quiet = io.StringIO()
    (maps / "journeys" / "b.yaml").write_text(MAP.format(title="Beta"))
    run(maps, reporter=TextReporter(quiet, quiet=True))
    assert quiet.getvalue() == ""


def test_progress_bar_on_a_terminal(maps: Path, calls: list[str]) -> None:
    for index in range(6):
        (maps / "journeys" / f"extra-{index}.yaml").write_text(MAP.format(title=f"Extra {index}"))
    stream = io.StringIO()
    report = run(maps, reporter=TextReporter(stream, progress=True))
    assert len(report.built) == 9
    assert "9 built, 0 unchanged, 0 failed" in stream.getvalue()


def test_json_report(maps: Path, calls: list[str]) -> None:
    payload = run(maps).as_json()
    assert payload["summary"]["built"] == 3 and payload["ok"] is True
    assert {m["status"] for m in payload["maps"]} == {"built"}
    json.dumps(payload)


# --- settings and the command ---------------------------------------------------------------


def test_flags_override_the_config(maps: Path) -> None:
    (maps / "jmap.toml").write_text('inputs = ["journeys"]\noutput = "renders"\nformats = ["png"]\ntheme = "dark"\n'
                                    "[png]\nscale = 3\n")
    config = load_config(maps / "jmap.toml")
    settings = configure(config)
    assert settings.options.formats == ("png",) and settings.options.scale == 3 and settings.options.theme == "dark"
    assert os.path.abspath(settings.options.out_dir or "") == str(maps / "renders")
    settings = configure(config, ["other"], formats=("svg",), scale=1.5, out_dir=Path("x"), jobs=3)
    assert settings.paths == ["other"] and settings.options.formats == ("svg",) and settings.options.scale == 1.5
    assert settings.options.out_dir == Path("x") and settings.jobs == 3 and settings.options.theme == "dark"


def test_building_one_map_puts_it_where_the_project_build_does(maps: Path, calls: list[str],
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    (maps / "journeys" / "team").mkdir()
    (maps / "journeys" / "team" / "c.yaml").write_text(MAP.format(title="Gamma"))
    (maps / "jmap.toml").write_text('inputs = ["journeys"]\noutput = "renders"\n')
    monkeypatch.chdir(maps)
    configure(load_config(), ["journeys/team/c.yaml"], jobs=1).build()
    assert (maps / "renders" / "team" / "c.svg").exists()
    report = configure(load_config(), jobs=1).build()
    assert statuses(report)["c.yaml"] == "unchanged"


def test_the_build_command_uses_the_project_config(maps: Path, calls: list[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    (maps / "jmap.toml").write_text('inputs = ["journeys"]\noutput = "renders"\nexclude = ["journeys/b.yaml"]\n')
    monkeypatch.chdir(maps)
    runner = CliRunner()
    result = runner.invoke(app, ["build", "-j", "1"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (maps / "renders").glob("*.svg")) == ["a.svg", "people.svg"]
    assert runner.invoke(app, ["build", "--check"]).exit_code == 0
    (maps / "renders" / "a.svg").write_text("stale")
    result = runner.invoke(app, ["build", "--check", "-j", "1"])
    assert result.exit_code == 1 and "would rewrite renders/a.svg" in result.output
    result = runner.invoke(app, ["build", "--format", "json", "-f", "svg", "-j", "1"])
    assert result.exit_code == 0 and json.loads(result.stdout)["summary"]["built"] == 1
    assert runner.invoke(app, ["build", "-f", "svgg"]).exit_code == 2
    (maps / "jmap.toml").write_text('outptu = "x"\n')
    result = runner.invoke(app, ["build"])
    assert result.exit_code == 2 and "jmap.toml:1:1: error[E200]" in result.output and "'output'" in result.output


def test_outputs_get_ordinary_permissions(maps: Path, calls: list[str]) -> None:
    run(maps)
    umask = os.umask(0o022)
    os.umask(umask)
    assert (maps / "out" / "a.svg").stat().st_mode & 0o777 == 0o666 & ~umask


def test_github_annotations(maps: Path, calls: list[str]) -> None:
    (maps / "journeys" / "b.yaml").write_text("jmap: 1\ntitle: [x\n")
    stream = io.StringIO()
    report = run(maps, check=True, reporter=TextReporter(stream, github=True))
    lines = stream.getvalue().splitlines()
    assert not report.ok
    assert any(line.startswith("::error file=") and "E104" in line for line in lines)
    assert "::error file=journeys/a.yaml,title=jmap build --check::missing out/a.svg (from journeys/a.yaml)" in [
        line.replace(str(maps) + "/", "") for line in lines]


def test_jmap_build_stays_a_function_after_the_builder_module_is_imported(tmp_path: Path) -> None:
    import jmap
    import jmap.project.builder  # noqa: F401 - importing the module must not shadow the API function

    source = tmp_path / "map.yaml"
    source.write_text("jmap: 1\ntitle: T\nstages:\n  - {id: a, name: A, emotion: 0}\n", encoding="utf-8")
    for _ in range(2):
        report = jmap.build([str(source)], BuildOptions(out_dir=tmp_path / "out"))
        assert not report.failed
    assert (tmp_path / "out" / "map.svg").is_file()
