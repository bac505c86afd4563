"""Broken maps produce the diagnostic they promise, at the line and column they promise.

Each file in tests/cases/invalid/ starts with a comment such as

    # expect: E200 at 8:1
    # expect: E403 at 3:5 in shared/cycle-b.yaml
    # expect: E200 at 8:1 hint: did you mean 'title'?

(code, line:col, the file when the problem lies in an included file, and text
the hint must hold). A file may start with several such lines, each reported;
a `# and no other error` line after them says the errors are exactly those
(no follow-on error, none hidden by another). That
folder holds a jmap.toml, so it is the project root that includes and avatars
may not leave; helper files live in its shared/ sub-folder. Inputs that cannot
start with a comment (empty, binary, oversized files, a BOM in the middle),
or that need a symlink, FIFO or device, are generated below from a recipe,
with their expectation in the parameter list.
"""

from __future__ import annotations

import os
import re
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

from jmap.api import CheckResult, check
from jmap.diagnostics import CODES

CASES = Path(__file__).parent / "cases" / "invalid"
EXPECT = re.compile(rb"# expect: (?P<code>[EW]\d{3}) at (?P<line>\d+):(?P<col>\d+)(?: in (?P<file>\S+))?"
                    rb"(?: hint: (?P<hint>.+?))?\s*$")
MAP = "jmap: 1\ntitle: Broken map\nstages:\n  - id: start\n    name: Start\n    emotion: 0\n"


def expectation(case: Path) -> tuple[str, int, int, Path, str]:
    first_line = case.read_bytes().split(b"\n", 1)[0]
    match = EXPECT.match(first_line)
    assert match, f"{case.name}: the first line must read `# expect: CODE at LINE:COL [in FILE] [hint: TEXT]`"
    file = case.parent / match["file"].decode() if match["file"] else case
    hint = match["hint"].decode() if match["hint"] else ""
    return match["code"].decode(), int(match["line"]), int(match["col"]), file, hint


ONLY_THESE = b"# and no other error"


def expectations(case: Path) -> tuple[list[tuple[str, int, int, Path, str]], bool]:
    """Every `# expect:` line at the top of a case, and whether the errors must be exactly those."""
    found, exact = [], False
    for line in case.read_bytes().split(b"\n"):
        match = EXPECT.match(line)
        if match:
            file = case.parent / match["file"].decode() if match["file"] else case
            found.append((match["code"].decode(), int(match["line"]), int(match["col"]), file,
                          match["hint"].decode() if match["hint"] else ""))
        elif line.strip() == ONLY_THESE:
            exact = True
        else:
            break
    return found, exact


def assert_reports(result: CheckResult, code: str, line: int, col: int, file: Path, hint: str = "") -> None:
    found = [d for d in result.diagnostics
             if (d.code, d.span.line, d.span.col, Path(d.span.path).resolve()) == (code, line, col, file.resolve())]
    assert found, "\n".join(str(d) for d in result.diagnostics)
    assert any(hint in d.hint for d in found), [d.hint for d in found]
    assert not (result.ok_strict if code.startswith("W") else result.ok)  # a warning case fails under --strict
    for diagnostic in result.diagnostics:
        assert diagnostic.code in CODES
        assert len(diagnostic.message) < 300 and len(diagnostic.hint) < 300  # never an unbounded value
        assert "Traceback" not in diagnostic.message


COMMITTED = sorted(CASES.glob("*.yaml"))


@pytest.mark.parametrize("case", COMMITTED, ids=[case.stem for case in COMMITTED])
def test_committed_case(case: Path) -> None:
    expected, exact = expectations(case)
    assert expected[0] == expectation(case)
    result = check(case)
    for code, line, col, file, hint in expected:
        assert_reports(result, code, line, col, file, hint)
    if exact:
        places = [(d.code, d.span.line, d.span.col, Path(d.span.path).resolve()) for d in result.errors]
        assert sorted(places) == sorted((c, ln, cl, f.resolve()) for c, ln, cl, f, _ in expected), \
            "\n".join(str(d) for d in result.errors)


# --- generated cases --------------------------------------------------------------------
# A recipe writes into a fresh project folder and returns (map path, check() keyword arguments).

Recipe = Callable[[Path], tuple[Path, dict[str, int]]]


def _file(name: str, content: bytes, **kwargs: int) -> Recipe:
    def recipe(project: Path) -> tuple[Path, dict[str, int]]:
        path = project / name
        path.write_bytes(content)
        return path, dict(kwargs)

    return recipe


def _missing(project: Path) -> tuple[Path, dict[str, int]]:
    return project / "nowhere.yaml", {}


def _folder(project: Path) -> tuple[Path, dict[str, int]]:
    (project / "folder.yaml").mkdir()
    return project / "folder.yaml", {}


def _dev_zero(project: Path) -> tuple[Path, dict[str, int]]:
    return Path("/dev/zero"), {}


def _fifo_map(project: Path) -> tuple[Path, dict[str, int]]:
    os.mkfifo(project / "pipe.yaml")
    return project / "pipe.yaml", {}


def _include_fifo(project: Path) -> tuple[Path, dict[str, int]]:
    os.mkfifo(project / "pipe.yaml")
    path = project / "map.yaml"
    path.write_text("jmap: 1\ntitle: T\ninclude:\n  - pipe.yaml\n" + MAP.split("\n", 2)[2])
    return path, {}


def _include_symlink_out(project: Path) -> tuple[Path, dict[str, int]]:
    outside = project.parent / "secrets.yaml"
    outside.write_text("personas:\n  - {id: eve, name: Eve}\n")
    (project / "people.yaml").symlink_to(outside)
    path = project / "map.yaml"
    path.write_text("jmap: 1\ntitle: T\ninclude:\n  - people.yaml\n" + MAP.split("\n", 2)[2])
    return path, {}


def _include_folder_symlink_out(project: Path) -> tuple[Path, dict[str, int]]:
    outside = project.parent / "elsewhere"
    outside.mkdir()
    (outside / "people.yaml").write_text("personas:\n  - {id: eve, name: Eve}\n")
    (project / "shared").symlink_to(outside, target_is_directory=True)
    path = project / "map.yaml"
    path.write_text("jmap: 1\ntitle: T\ninclude:\n  - shared/people.yaml\n" + MAP.split("\n", 2)[2])
    return path, {}


def _avatar_symlink_out(project: Path) -> tuple[Path, dict[str, int]]:
    outside = project.parent / "face.png"
    outside.write_bytes(b"\x89PNG\r\n\x1a\n")
    (project / "face.png").symlink_to(outside)
    path = project / "map.yaml"
    path.write_text("jmap: 1\ntitle: T\npersonas:\n  - id: ana\n    name: Ana\n    avatar: face.png\n"
                    + MAP.split("\n", 2)[2])
    return path, {}


def _avatar_over_2mb(project: Path) -> tuple[Path, dict[str, int]]:
    with (project / "huge.png").open("wb") as handle:
        handle.write(b"\x89PNG\r\n\x1a\n")
        handle.truncate(2 * 1024 * 1024 + 1)  # sparse: no need to write 2 MB
    path = project / "map.yaml"
    path.write_text("jmap: 1\ntitle: T\npersonas:\n  - id: ana\n    name: Ana\n    avatar: huge.png\n"
                    + MAP.split("\n", 2)[2])
    return path, {}


def _storyboard_over_2mb(project: Path) -> tuple[Path, dict[str, int]]:
    with (project / "screen.png").open("wb") as handle:
        handle.write(b"\x89PNG\r\n\x1a\n")
        handle.truncate(2 * 1024 * 1024 + 1)  # sparse: no need to write 2 MB
    path = project / "map.yaml"
    path.write_text(MAP + "    storyboard:\n      - {image: screen.png, alt: The checkout screen}\n")
    return path, {}


def _include_too_big(project: Path) -> tuple[Path, dict[str, int]]:
    (project / "big.yaml").write_text("personas:\n" + "  - {id: p, name: P}\n" * 40)
    path = project / "map.yaml"
    path.write_text("jmap: 1\ntitle: T\ninclude: [big.yaml]\n" + MAP.split("\n", 2)[2])
    return path, {"max_bytes": 500}


def _include_not_utf8(project: Path) -> tuple[Path, dict[str, int]]:
    (project / "people.yaml").write_bytes(b"personas:\n  - id: jose\n    name: Jos\xe9\n")
    path = project / "map.yaml"
    path.write_text("jmap: 1\ntitle: T\ninclude: [people.yaml]\n" + MAP.split("\n", 2)[2])
    return path, {}


GENERATED: list[tuple[str, Recipe, str, int, int, str | None]] = [
    # (id, recipe, code, line, col, file the diagnostic is in, when not the map itself)
    ("missing-file", _missing, "E100", 0, 0, None),
    ("a-folder", _folder, "E100", 0, 0, None),
    ("over-size-limit", _file("big.yaml", MAP.encode() + b"# padding\n" * 20, max_bytes=100), "E101", 1, 1, None),
    ("png-image-as-map", _file("photo.yaml", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00"), "E102", 1, 1, None),
    ("binary-after-text", _file("x.yaml", MAP.encode() + b"owner: \xff\xfe\x00\x01\n"), "E102", 7, 8, None),
    ("bom-in-the-middle", _file("x.yaml", b"jmap: 1\ntitle: Broken\xef\xbb\xbf map\n"), "E103", 2, 14, None),
    ("raw-nul-byte", _file("x.yaml", MAP.encode() + b"owner: CX\x00team\n"), "E103", 7, 10, None),
    ("raw-escape-sequence", _file("x.yaml", MAP.encode() + b"owner: \x1b[2Jteam\n"), "E103", 7, 8, None),
    ("raw-line-separator", _file("x.yaml", b"jmap: 1\n# a\xe2\x80\xa8b\n" + MAP.encode()[8:]), "E103", 2, 4, None),
    ("control-char-cr-lines", _file("x.yaml", MAP.replace("\n", "\r").encode() + b"owner: a\x07b\r"), "E103", 7, 9,
     None),
    ("empty-file", _file("empty.yaml", b""), "E109", 1, 1, None),
    ("only-whitespace", _file("blank.yaml", b"  \n\n   \n"), "E109", 1, 1, None),
    ("only-a-bom", _file("bom.yaml", b"\xef\xbb\xbf"), "E109", 1, 1, None),
    ("crlf-line-endings", _file("x.yaml", (MAP + "titel: X\n").replace("\n", "\r\n").encode()), "E200", 7, 1, None),
    ("bom-at-start-then-typo", _file("x.yaml", b"\xef\xbb\xbf" + MAP.encode() + b"ownr: CX\n"), "E200", 7, 1, None),
    ("dev-zero-as-map", _dev_zero, "E402", 0, 0, None),
    ("fifo-as-map", _fifo_map, "E402", 0, 0, None),
    ("include-fifo", _include_fifo, "E402", 4, 5, None),
    ("include-symlink-out", _include_symlink_out, "E401", 4, 5, None),
    ("include-through-symlinked-folder", _include_folder_symlink_out, "E401", 4, 5, None),
    ("avatar-symlink-out", _avatar_symlink_out, "E401", 6, 13, None),
    ("avatar-over-2mb", _avatar_over_2mb, "E411", 6, 13, None),
    ("storyboard-image-over-2mb", _storyboard_over_2mb, "E411", 8, 17, None),
    ("included-file-over-limit", _include_too_big, "E101", 1, 1, "big.yaml"),
    ("included-file-not-utf8", _include_not_utf8, "E102", 3, 14, "people.yaml"),
]


@pytest.mark.parametrize(("recipe", "code", "line", "col", "file"), [g[1:] for g in GENERATED],
                         ids=[g[0] for g in GENERATED])
def test_generated_case(project: Path, recipe: Recipe, code: str, line: int, col: int, file: str | None) -> None:
    path, kwargs = recipe(project)
    result = check(path, **kwargs)
    assert_reports(result, code, line, col, project / file if file else path)


#: Codes only a build or a config reports (never `check`); their cases are in test_confine.py.
BUILD_ONLY = {"E405"}


def test_every_error_code_has_a_case() -> None:
    """Every error code is triggered above (warnings are covered in test_validate.py)."""
    covered = {expectation(case)[0] for case in COMMITTED} | {g[2] for g in GENERATED}
    errors = {code for code in CODES if code.startswith("E")}
    assert errors - covered == BUILD_ONLY
    assert len(COMMITTED) >= 45


def test_expectation_comments_name_existing_files() -> None:
    for case in COMMITTED:
        assert expectation(case)[3].exists(), case.name


def test_did_you_mean_cases_state_their_hint() -> None:
    named = [case for case in COMMITTED if "typo" in case.stem or "misspelt" in case.stem or "unknown" in case.stem]
    assert len(named) >= 8
    for case in named:
        if case.stem != "e200-unknown-persona-key":  # 'favourite_colour' is like no key: the hint lists them
            assert "did you mean" in expectation(case)[4], case.name


@pytest.mark.parametrize("name", ["e107-billion-laughs.yaml", "e107-merge-key-bomb.yaml"])
def test_alias_bombs_fail_fast_with_little_memory(name: str) -> None:
    """A safety property, not a benchmark: generous bounds that a real expansion would blow."""
    started = time.perf_counter()
    result = check(CASES / name)
    elapsed = time.perf_counter() - started
    assert [d.code for d in result.diagnostics] == ["E107"]
    assert elapsed < 2.0
    tracemalloc.start()  # measured on a second run: tracing slows Python down several times
    try:
        check(CASES / name)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 100_000_000
