"""Every write confined, every read in the project (issue 10).

A pull request from a stranger may commit links and odd file names. No output, cache file or
pruned file may land outside its output folder, and that folder (the config's `output`, or
build/ beside a map) must resolve inside the project; only `-o DIR`, the user's own choice,
may point anywhere, and what jmap writes inside it still stays inside it. Each test keeps a
folder `outside` beside the project and checks that jmap left it as it was.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jmap.api import check
from jmap.cli.cli import app

MAP = "jmap: 1\ntitle: T\nstages:\n  - {id: a, name: A, emotion: 0}\n"


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "outside"
    folder.mkdir()
    return folder


@pytest.fixture
def project(tmp_path: Path, outside: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git checkout with one map, journeys/m.yaml; the working folder."""
    root = tmp_path / "project"
    (root / ".git").mkdir(parents=True)
    (root / "journeys").mkdir()
    (root / "journeys" / "m.yaml").write_text(MAP, encoding="utf-8")
    monkeypatch.chdir(root)
    return root


def jmap(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


# --- the config's output folder -------------------------------------------------------------


@pytest.mark.parametrize("output", ["renders", "renders/maps"])
def test_a_config_output_folder_linked_out_of_the_project_is_refused_at_its_line(
    project: Path, outside: Path, output: str,
) -> None:
    (project / "jmap.toml").write_text(f'inputs = ["journeys"]\noutput = "{output}"\n', encoding="utf-8")
    (project / "renders").symlink_to(outside, target_is_directory=True)
    code, output_text = jmap("build")
    assert code == 2, output_text
    assert f"jmap.toml:2:10: error[E405]: 'output' ({output}) leads outside the project, to " in output_text
    assert "jmap: error: the config file is not valid" in output_text
    assert listing(outside) == []


def test_a_config_output_folder_linked_inside_the_project_is_fine(project: Path, outside: Path) -> None:
    (project / "docs" / "maps").mkdir(parents=True)
    (project / "jmap.toml").write_text('inputs = ["journeys"]\noutput = "renders"\n', encoding="utf-8")
    (project / "renders").symlink_to(project / "docs" / "maps", target_is_directory=True)
    code, output_text = jmap("build")
    assert code == 0, output_text
    assert (project / "docs" / "maps" / "m.svg").is_file()


# --- build/ beside a map, and the cache -------------------------------------------------------


def test_a_build_folder_beside_a_map_linked_out_of_the_project_fails_that_map_only(
    project: Path, outside: Path,
) -> None:
    (project / "journeys" / "build").symlink_to(outside, target_is_directory=True)
    (project / "other").mkdir()
    (project / "other" / "fine.yaml").write_text(MAP, encoding="utf-8")
    code, output_text = jmap("build", "journeys/m.yaml", "other/fine.yaml")
    assert code == 1, output_text
    assert ("journeys/m.yaml:1:1: error[E405]: the build folder beside this map (journeys/build) leads outside "
            "the project, to ") in output_text
    assert "hint: remove the link, or choose the output folder with -o" in output_text
    assert "1 built, 0 unchanged, 1 failed" in output_text
    assert (project / "other" / "build" / "fine.svg").is_file()
    assert listing(outside) == []


def test_build_map_called_alone_checks_the_build_folder_too(project: Path, outside: Path) -> None:
    from jmap.project.builder import BuildOptions, build_map

    (project / "journeys" / "build").symlink_to(outside, target_is_directory=True)
    result = build_map(Path("journeys/m.yaml"), Path("journeys"), BuildOptions())
    assert result.failed and [d.code for d in result.diagnostics] == ["E405"]
    assert listing(outside) == []


def test_the_cache_folder_of_an_input_root_linked_out_is_refused(project: Path, outside: Path) -> None:
    """Maps in journeys/sub/ write to journeys/sub/build/, but the cache goes to journeys/build/."""
    (project / "journeys" / "sub").mkdir()
    (project / "journeys" / "m.yaml").rename(project / "journeys" / "sub" / "m.yaml")
    (project / "journeys" / "build").symlink_to(outside, target_is_directory=True)
    code, output_text = jmap("build", "journeys")
    assert code == 1, output_text
    assert ("journeys/sub/m.yaml:1:1: error[E405]: the build folder journeys/build (where the build cache goes) "
            "leads outside the project, to ") in output_text
    assert listing(outside) == []


@pytest.mark.parametrize("flags", [[], ["-o", "out"]])
def test_a_cache_file_that_links_out_of_its_folder_is_neither_read_nor_written(
    project: Path, outside: Path, flags: list[str],
) -> None:
    folder = project / ("out" if flags else "journeys/build")
    folder.mkdir()
    (outside / "notes.json").write_text('{"mine": true}\n', encoding="utf-8")
    (folder / ".jmap-cache.json").symlink_to(outside / "notes.json")
    code, output_text = jmap("build", "journeys", *flags)
    assert code == 1, output_text
    shown = os.path.relpath(folder / ".jmap-cache.json", project)
    assert f"journeys/m.yaml:1:1: error[E405]: the build cache {shown} is a link out of its folder, to " \
           in output_text
    assert listing(outside) == ["notes.json"]
    assert (outside / "notes.json").read_text(encoding="utf-8") == '{"mine": true}\n'
    assert (folder / ".jmap-cache.json").is_symlink()


# --- links inside the output folder, and at an output's own name -------------------------------


@pytest.mark.parametrize("flags", [["-o", "out"], []])
def test_a_link_at_an_output_file_name_is_not_followed_out(project: Path, outside: Path, flags: list[str]) -> None:
    folder = project / ("out" if flags else "journeys/build")
    folder.mkdir()
    (outside / "m.svg").write_text("someone else's file\n", encoding="utf-8")
    (folder / "m.svg").symlink_to(outside / "m.svg")
    code, output_text = jmap("build", "journeys", *flags)
    assert code == 1, output_text
    shown = os.path.relpath(folder, project)
    assert (f"journeys/m.yaml:1:1: error[E405]: the svg output {shown}/m.svg would be written outside the output "
            f"folder {shown}") in output_text
    assert "a link on the way (or at the file's own name) points out of the output folder" in output_text
    assert listing(outside) == ["m.svg"]
    assert (outside / "m.svg").read_text(encoding="utf-8") == "someone else's file\n"


def test_a_linked_folder_inside_an_output_folder_given_with_o_is_refused(project: Path, outside: Path) -> None:
    (project / "out").mkdir()
    (project / "out" / "journeys").symlink_to(outside, target_is_directory=True)
    (project / "jmap.toml").write_text('naming = "journeys/{stem}.{ext}"\n', encoding="utf-8")
    code, output_text = jmap("build", "journeys", "-o", "out")
    assert code == 1, output_text
    assert ("journeys/m.yaml:1:1: error[E405]: the svg output out/journeys/m.svg would be written outside the "
            "output folder out") in output_text
    assert listing(outside) == []


def test_an_output_folder_given_with_o_may_be_anywhere(project: Path, outside: Path) -> None:
    """The user's own choice, even through a link: only what jmap makes inside it is confined."""
    (project / "out").symlink_to(outside, target_is_directory=True)
    code, output_text = jmap("build", "journeys", "-o", "out")
    assert code == 0, output_text
    assert listing(outside) == [".jmap-cache.json", "m.svg"]


# --- names that `naming` turns into .. ---------------------------------------------------------


@pytest.mark.parametrize("flags", [[], ["-o", "../outside/out"]])
def test_a_map_name_that_naming_turns_into_dotdot_writes_nothing(
    project: Path, outside: Path, flags: list[str],
) -> None:
    """`...yaml` has the stem `..`: with naming = "{stem}/index.{ext}" its output left the folder."""
    (project / "jmap.toml").write_text('naming = "{stem}/index.{ext}"\n', encoding="utf-8")
    for name in ("...yaml", "..yaml", "....yaml"):
        (project / "journeys" / name).write_text(MAP, encoding="utf-8")
    code, output_text = jmap("build", "journeys", *flags)
    assert code == 1, output_text
    folder = "../outside/out" if flags else "journeys/build"
    escaped = "../outside" if flags else "journeys"
    assert (f"journeys/...yaml:1:1: error[E405]: the svg output {escaped}/index.svg would be written outside "
            f"the output folder {folder}") in output_text
    assert "hint: the map's file name makes `naming` ({stem}/index.{ext}) leave the folder: rename the map" \
        in output_text
    assert "3 built, 0 unchanged, 1 failed" in output_text  # `..yaml` (stem `.`) and `....yaml` stay inside
    assert not (project / "journeys" / "index.svg").exists()
    if flags:
        assert listing(outside) == ["out", "out/...", "out/.../index.svg", "out/.jmap-cache.json", "out/index.svg",
                                    "out/m", "out/m/index.svg"]
    else:
        assert listing(outside) == []


# --- prune ------------------------------------------------------------------------------------


def test_prune_in_an_o_folder_removes_nothing_outside_it(project: Path, outside: Path) -> None:
    """The cache file may come from a pull request: an orphan it lists beside the -o folder, in a
    build/ folder with the right digest, was removed by --prune."""
    import json

    from jmap.project.cache import CACHE_FILE, file_digest

    victim = outside / "build" / "report.svg"
    victim.parent.mkdir()
    victim.write_text("<svg>not jmap's</svg>\n", encoding="utf-8")
    out = outside / "out"
    assert jmap("build", "journeys", "-o", str(out))[0] == 0
    cache = json.loads((out / CACHE_FILE).read_text(encoding="utf-8"))
    cache["orphans"] = {"../build/report.svg": file_digest(victim)}
    (out / CACHE_FILE).write_text(json.dumps(cache), encoding="utf-8")
    code, output_text = jmap("build", "journeys", "-o", str(out), "--prune")
    assert code == 0, output_text
    assert victim.read_text(encoding="utf-8") == "<svg>not jmap's</svg>\n"
    assert "removed" not in output_text


# --- the atomic write itself --------------------------------------------------------------------


def test_write_atomic_within_a_folder_refuses_links_out(tmp_path: Path, outside: Path) -> None:
    from jmap.fsutil import OutsideError, write_atomic

    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "link.svg").symlink_to(outside / "gone.svg")
    (folder / "sub").symlink_to(outside, target_is_directory=True)
    for target in (folder / "link.svg", folder / "sub" / "x.svg", folder / "sub" / "deeper" / "x.svg",
                   folder / ".." / "outside" / "x.svg"):
        with pytest.raises(OutsideError):
            write_atomic(target, b"data", within=folder)
    assert listing(outside) == []
    write_atomic(folder / "new" / "x.svg", b"data", within=folder)
    assert (folder / "new" / "x.svg").read_bytes() == b"data"


# --- jmap serve's default folder -----------------------------------------------------------------


def test_serve_refuses_a_default_build_folder_linked_out(project: Path, outside: Path) -> None:
    from jmap.diagnostics import UsageError
    from jmap.project.builder import configure
    from jmap.project.config import load_config
    from jmap.project.serve import serve_settings

    (project / "journeys" / "build").symlink_to(outside, target_is_directory=True)
    settings = configure(load_config(), ["journeys"])
    with pytest.raises(UsageError, match=r"journeys/build leads outside the project, to .*outside"):
        serve_settings(settings)
    assert serve_settings(configure(load_config(), ["journeys"], out_dir=project / "out")).options.out_dir \
        == project / "out"
    assert listing(outside) == []


# --- reads: includes and avatars from an included library, theme names ------------------------------


def _png() -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\x00\x00\x00")) + chunk(b"IEND", b""))


@pytest.mark.parametrize("fast", [True, False])
@pytest.mark.parametrize(("library", "link", "expected"), [
    ("include: [../../../outside/lib.yaml]\n", None,
     "journeys/shared/people.yaml:1:11: error[E401]: cannot include this file: '../../../outside/lib.yaml' lies "
     "outside the project folder"),
    ("include: [lib.yaml]\n", "lib.yaml",
     "journeys/shared/people.yaml:1:11: error[E401]: cannot include this file: 'lib.yaml' lies outside"),
    ("personas:\n  - {id: ana, name: Ana, avatar: ../../../outside/face.png}\n", None,
     "journeys/shared/people.yaml:2:34: error[E401]: cannot use this avatar: '../../../outside/face.png' lies "
     "outside"),
    ("personas:\n  - {id: ana, name: Ana, avatar: face.png}\n", "face.png",
     "journeys/shared/people.yaml:2:34: error[E401]: cannot use this avatar: 'face.png' lies outside"),
])
def test_includes_and_avatars_of_an_included_library_stay_in_the_project(
    project: Path, outside: Path, library: str, link: str | None, expected: str, fast: bool,
) -> None:
    """Relative to the library, and still inside the project, links followed (a guard: main held it)."""
    (outside / "lib.yaml").write_text("personas:\n  - {id: eve, name: Eve}\n", encoding="utf-8")
    (outside / "face.png").write_bytes(_png())
    shared = project / "journeys" / "shared"
    shared.mkdir()
    (shared / "people.yaml").write_text(library, encoding="utf-8")
    if link:
        (shared / link).symlink_to(outside / link)
    (project / "journeys" / "m.yaml").write_text(
        "jmap: 1\ntitle: T\ninclude: [shared/people.yaml]\nstages:\n  - {id: a, name: A, emotion: 0}\n",
        encoding="utf-8")
    found = [str(d) for d in check("journeys/m.yaml", fast=fast).diagnostics]
    assert any(d.startswith(expected) for d in found), found
    code, output_text = jmap("build", "journeys/m.yaml")
    assert code == 1 and expected in output_text, output_text
    assert listing(outside) == ["face.png", "lib.yaml"]


def test_a_theme_is_a_name_never_a_path(project: Path, outside: Path) -> None:
    """Themes are built in and chosen by name: a path in `theme:` (map or config) is refused."""
    (project / "journeys" / "m.yaml").write_text(MAP + "theme: ../../outside/theme\n", encoding="utf-8")
    (diagnostic,) = check("journeys/m.yaml").diagnostics
    assert (diagnostic.code, diagnostic.span.line, diagnostic.span.col) == ("E203", 5, 8)
    (project / "jmap.toml").write_text('theme = "../outside/dark"\n', encoding="utf-8")
    code, output_text = jmap("build", "journeys")
    assert code == 2 and "jmap.toml:1:9: error[E203]: there is no theme '../outside/dark'" in output_text


# --- jmap diff --render's default folder ---------------------------------------------------------


def test_diff_render_refuses_a_build_folder_linked_out(project: Path, outside: Path) -> None:
    new = project / "journeys" / "new.yaml"
    new.write_text(MAP.replace("emotion: 0", "emotion: 1"), encoding="utf-8")
    (project / "build").symlink_to(outside, target_is_directory=True)
    code, output_text = jmap("diff", "journeys/m.yaml", "journeys/new.yaml", "--render")
    assert code == 2, output_text
    assert "jmap: error: build/diff leads outside the project, to " in output_text
    assert listing(outside) == []
    (project / "build").unlink()
    (project / "build" / "diff").mkdir(parents=True)
    (project / "build" / "diff" / "new.diff.svg").symlink_to(outside / "new.diff.svg")
    code, output_text = jmap("diff", "journeys/m.yaml", "journeys/new.yaml", "--render")
    assert code == 2, output_text
    assert "jmap: error: build/diff/new.diff.svg leads out of build/diff (a link on the way, or at the file's own " \
           "name); remove the link" in output_text
    assert listing(outside) == []


@pytest.mark.parametrize("flags", [[], ["-o", "../outside/out"]])
def test_a_backslash_in_a_map_name_cannot_climb_out_with_the_default_naming(
    project: Path, outside: Path, flags: list[str],
) -> None:
    """A backslash is an ordinary character in a Linux file name, but `naming` treats it as a folder
    separator: with the default "{dir}/{stem}.{ext}", `..\\..\\..\\outside\\x.yaml` wrote outside."""
    name = "..\\..\\..\\outside\\x.yaml" if not flags else "..\\x.yaml"
    (project / "journeys" / name).write_text(MAP, encoding="utf-8")
    code, output_text = jmap("build", "journeys", *flags)
    assert code == 1, output_text
    assert f"journeys/{name}:1:1: error[E405]: the svg output " in output_text
    assert "hint: the map's file name makes `naming` ({dir}/{stem}.{ext}) leave the folder: rename the map" \
        in output_text
    assert listing(outside) == (["out", "out/.jmap-cache.json", "out/m.svg"] if flags else [])
