"""Regression tests for problems found in a review of hostile inputs and CLI behaviour."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from jmap.project.builder import BuildOptions, build
from jmap.project.cache import CACHE_FILE, digest

MINIMAL_MAP = "jmap: 1\ntitle: Minimal\nstages:\n  - id: start\n    name: Start\n    emotion: 0\n"


def _poison_cache(folder: Path, orphans: dict[str, str]) -> None:
    cache_file = folder / CACHE_FILE
    cache = json.loads(cache_file.read_text(encoding="utf-8"))
    cache["orphans"] = orphans
    cache_file.write_text(json.dumps(cache), encoding="utf-8")


def test_prune_never_deletes_a_file_outside_the_output_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cache file sits in the (often committed) output folder: a pull request can edit it.

    An orphan entry pointing outside the project, with the digest of a file whose content is
    known (a default ~/.bashrc), made `jmap build --prune` delete that file.
    """
    project = tmp_path / "project"
    project.mkdir()
    (project / "jmap.toml").write_text("", encoding="utf-8")
    (project / "map.yaml").write_text(MINIMAL_MAP, encoding="utf-8")
    victim = tmp_path / "victim.svg"
    victim.write_bytes(b"<svg/>")
    notes = project / "notes.txt"
    notes.write_bytes(b"keep me")
    monkeypatch.chdir(project)
    build(["map.yaml"], BuildOptions(formats=("svg",)), jobs=1)
    _poison_cache(project / "build", {
        "../../victim.svg": digest(victim.read_bytes()),
        os.path.relpath(victim, project / "build"): digest(victim.read_bytes()),
        "../notes.txt": digest(notes.read_bytes()),
    })
    report = build(["map.yaml"], BuildOptions(formats=("svg",)), jobs=1, prune=True)
    assert victim.exists() and notes.exists()
    assert report.pruned == []
    assert "victim" not in (project / "build" / CACHE_FILE).read_text(encoding="utf-8")


def test_prune_still_removes_outputs_of_a_deleted_map(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = tmp_path / "project"
    (project / "sub").mkdir(parents=True)
    (project / "jmap.toml").write_text("", encoding="utf-8")
    (project / "sub" / "gone.yaml").write_text(MINIMAL_MAP, encoding="utf-8")
    (project / "kept.yaml").write_text(MINIMAL_MAP.replace("Minimal", "Kept"), encoding="utf-8")
    monkeypatch.chdir(project)
    build(["."], BuildOptions(formats=("svg",)), jobs=1)
    assert (project / "sub" / "build" / "gone.svg").exists()
    (project / "sub" / "gone.yaml").unlink()
    report = build(["."], BuildOptions(formats=("svg",)), jobs=1, prune=True)
    assert [p.name for p in report.pruned] == ["gone.svg"]


def test_png_warnings_name_the_map_and_reach_the_build_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """W510-W512 used to be logged as `<svg>: warning[...]` (twice, once per format) and missing from JSON."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "jmap.toml").write_text("", encoding="utf-8")
    (project / "map.yaml").write_text(MINIMAL_MAP, encoding="utf-8")
    import jmap.export.export
    import jmap.export.raster

    monkeypatch.setattr(jmap.export.export, "_bundled_font_problem", lambda: "Inter (test)")  # always W512 (cairosvg)
    monkeypatch.setattr(jmap.export.raster, "font_problems", lambda: ["Inter (test)"])  # and on the fast path
    monkeypatch.chdir(project)
    report = build(["map.yaml"], BuildOptions(formats=("png", "pdf")), jobs=1)
    assert report.ok
    warnings = [d for d in report.results[0].diagnostics if d.code.startswith("W51")]
    assert warnings and all(d.span.path == "map.yaml" for d in warnings)
    assert len({d.code for d in warnings}) == len(warnings)  # once per map, not per format


@pytest.mark.parametrize("naming", ["{stem:>99999999}.{ext}", "{stem!r}.{ext}", "{dir}/{stem:.2}.{ext}"])
def test_naming_with_a_format_spec_or_conversion_is_a_config_error(naming: str) -> None:
    """`{stem:>99999999}` passed the check and crashed the build with a traceback (or ran out of memory)."""
    from jmap.project.config import naming_problem

    assert "write the fields plain" in naming_problem(naming)


def test_build_with_a_padded_naming_exits_2_without_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from jmap.cli.cli import app

    (tmp_path / ".git").mkdir()
    (tmp_path / "jmap.toml").write_text('naming = "{stem:>99999999}.{ext}"\n', encoding="utf-8")
    (tmp_path / "map.yaml").write_text(MINIMAL_MAP, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["build", "map.yaml"])
    assert result.exit_code == 2
    assert "jmap.toml:1:10" in result.output and result.exception is None or isinstance(result.exception, SystemExit)


def test_format_version_written_as_text_is_explained(tmp_path: Path) -> None:
    """`jmap: "1"` said "format version 1 is not supported; this jmap reads version 1"."""
    import jmap

    path = tmp_path / "map.yaml"
    path.write_text(MINIMAL_MAP.replace("jmap: 1", 'jmap: "1"'), encoding="utf-8")
    (message,) = [d.message for d in jmap.check(path).errors]
    assert message == "the format version must be the number 1, not the text '1'"
    path.write_text(MINIMAL_MAP.replace("jmap: 1", "jmap: 2"), encoding="utf-8")
    assert "format version 2 is not supported" in jmap.check(path).errors[0].message


@pytest.mark.parametrize("epoch", ["99999999999999999", "999999999999", "-5", "soon", "1e9"])
def test_odd_source_date_epoch_never_fails_the_pdf(epoch: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """SOURCE_DATE_EPOCH past what gmtime handles failed every PDF with E900 ("a bug in jmap")."""
    from jmap.export import export

    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    date = export._pdf_date()
    assert date == "" or (len(date) == 20 and date.endswith("Z"))


@pytest.mark.parametrize("escape", ["\\uFFFE", "\\uFFFF"])
def test_noncharacters_written_as_escapes_are_refused_with_a_position(tmp_path: Path, escape: str) -> None:
    """"\\uFFFE" loaded, was silently dropped from the drawing, and `jmap fmt` then wrote a file
    that YAML cannot read (it failed with "a bug in jmap fmt")."""
    import jmap

    path = tmp_path / "map.yaml"
    path.write_text(MINIMAL_MAP.replace("title: Minimal", f'title: "Mini{escape}mal"'), encoding="utf-8")
    for fast in (True, False):
        (error,) = jmap.check(path, fast=fast).errors
        assert (error.code, error.span.line, error.span.col) == ("E103", 2, 8)
    path.write_bytes(MINIMAL_MAP.replace("Minimal", "Mini" + chr(int(escape[2:], 16)) + "mal").encode("utf-8"))
    (error,) = jmap.check(path).errors
    assert (error.code, error.span.line, error.span.col) == ("E103", 2, 12)


def test_a_map_linked_to_a_file_outside_the_project_is_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A symlink in a pull request made `jmap validate` quote lines of e.g. ~/.aws/credentials."""
    import jmap

    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "credentials.yaml").write_text("[default]\nkey = AKIASECRET\n", encoding="utf-8")
    project = tmp_path / "project"
    project.mkdir()
    (project / ".git").mkdir()
    (project / "map.yaml").write_text(MINIMAL_MAP, encoding="utf-8")
    (project / "evil.yaml").symlink_to(secret / "credentials.yaml")
    (project / "folder").symlink_to(secret)
    (project / "fine.yaml").symlink_to(project / "map.yaml")
    monkeypatch.chdir(project)
    for name in ("evil.yaml", "folder/credentials.yaml"):
        for fast in (True, False):
            (error,) = jmap.check(name, fast=fast).diagnostics
            assert error.code == "E401" and "AKIA" not in error.message
    assert jmap.check("fine.yaml").ok
    from typer.testing import CliRunner

    from jmap.cli.cli import app

    result = CliRunner().invoke(app, ["validate", "evil.yaml"])
    assert result.exit_code == 1 and "AKIASECRET" not in result.output


def test_ctrl_c_inside_cairos_write_callback_still_stops_the_build() -> None:
    """cairo's write callback swallowed the KeyboardInterrupt: the map failed as E900 ("a bug in
    jmap") with a traceback on stderr, and the build went on with the next map."""
    import signal

    from jmap.export import export

    def swallowing_callback() -> None:  # what cffi does with an exception raised in a callback
        try:
            os.kill(os.getpid(), signal.SIGINT)
            for _ in range(1000):
                pass
        except BaseException:
            pass

    before = signal.getsignal(signal.SIGINT)
    with pytest.raises(KeyboardInterrupt), export._ctrl_c_kept():
        swallowing_callback()
        raise OSError("cairo returned CAIRO_STATUS_WRITE_ERROR")
    assert signal.getsignal(signal.SIGINT) is before
    with export._ctrl_c_kept():
        pass  # nothing pending: no interrupt


def test_an_output_folder_that_is_a_file_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`jmap build -o some-file` (or /dev/null) ended in a FileExistsError traceback."""
    from typer.testing import CliRunner

    from jmap.cli.cli import app

    (tmp_path / ".git").mkdir()
    (tmp_path / "map.yaml").write_text(MINIMAL_MAP, encoding="utf-8")
    (tmp_path / "afile").write_text("not a folder", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["build", "map.yaml", "-o", "afile"])
    assert result.exit_code == 1, result.output
    assert not isinstance(result.exception, OSError)
    assert "error[E902]: cannot write afile/map.svg: a file is in the way of a folder" in result.output
    assert (tmp_path / "afile").read_text(encoding="utf-8") == "not a folder"


def test_init_below_a_file_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`jmap init afile/x.yaml` ended in a FileExistsError traceback."""
    from typer.testing import CliRunner

    from jmap.cli.cli import app

    (tmp_path / "afile").write_text("", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["init", "afile/x.yaml"])
    assert result.exit_code == 2 and not isinstance(result.exception, OSError)
    assert "cannot write afile/x.yaml: a file is in the way of a folder" in result.output


def test_schema_output_below_a_file_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from jmap.cli.cli import app

    (tmp_path / "afile").write_text("", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["schema", "-o", "afile/s.json"])
    assert result.exit_code == 2 and "cannot write afile/s.json" in result.output


def test_serve_refuses_requests_for_other_host_names(tmp_path: Path) -> None:
    """DNS rebinding: a page whose host name points at 127.0.0.1 must not read the maps."""
    import http.client
    import threading

    from jmap.project.serve import ReloadServer

    (tmp_path / "map.html").write_text("<p>secret map</p>", encoding="utf-8")
    server = ReloadServer(tmp_path)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        for host, expected in ((f"127.0.0.1:{port}", 200), (f"localhost:{port}", 200), ("evil.example", 403)):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/map.html", headers={"Host": host})
            response = connection.getresponse()
            body = response.read()
            connection.close()
            assert response.status == expected, host
            assert (b"secret" in body) == (expected == 200)
    finally:
        server.shutdown()
        server.server_close()


def test_config_output_must_stay_inside_the_project(tmp_path: Path) -> None:
    from jmap.diagnostics import JmapError
    from jmap.project.config import load_config

    for output in ("/etc", "../outside"):
        (tmp_path / "jmap.toml").write_text(f'output = "{output}"\n', encoding="utf-8")
        with pytest.raises(JmapError) as raised:
            load_config(tmp_path / "jmap.toml")
        assert raised.value.diagnostics[0].code == "E405"
        assert raised.value.diagnostics[0].span.line == 1


def test_huge_and_tiny_kpi_values_print_briefly() -> None:
    from jmap.layout.engine import format_number

    assert format_number(1e308) == "1e+308"
    assert format_number(1e-300) == "1e-300"
    assert format_number(1234567) == "1,234,567"
    assert format_number(2.5) == "2.5"


def test_diff_names_the_argument_that_is_not_a_map(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from jmap.cli.cli import app

    old = tmp_path / "old.yaml"
    old.write_text("jmap: 1\ntitle: T\nstages:\n  - {id: a, name: A, emotion: 0}\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("hello", encoding="utf-8")
    result = CliRunner().invoke(app, ["diff", str(old), str(tmp_path / "notes.txt")])
    assert result.exit_code == 2
    assert "notes.txt' is not a .yaml map file" in result.output
