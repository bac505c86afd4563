"""Nothing a user controls reaches the terminal raw: file names and values are escaped in every format.

A file name may hold ESC sequences (which clear or hide a CI log), a newline followed by a GitHub
Actions workflow command (which forges an annotation), bidi overrides (which reorder what is read),
C1 controls, U+2028, or rich markup. Every command and output format prints them as visible escapes.
"""

from __future__ import annotations

import io
import json
import unicodedata
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jmap.cli.build_reporters import TextReporter
from jmap.cli.cli import app
from jmap.diagnostics import clip, printable
from jmap.project.builder import MapResult

GOOD = "jmap: 1\ntitle: Fine\nstages:\n  - id: start\n    name: Start\n    emotion: 0\n"
BROKEN = GOOD + "ownr: CX\n"  # E200 with a did-you-mean
UNFORMATTED = "jmap: 1\ntitle:   Fine\nstages:\n- id: start\n  name: Start\n  emotion: 0\n"

HOSTILE = {
    "esc": "esc\x1b[2J\x1b]0;title\x07.yaml",
    "newline": "nl\n::warning file=forged.yaml::forged.yaml",
    "carriage-return": "cr\r::error::forged.yaml",
    "c1-csi": "c1\x9b2J.yaml",
    "line-separator": "ls\u2028::warning::forged.yaml",
    "bidi": "bidi\u202elmth.exe.yaml",
    "del": "del\x7f.yaml",
}
UNSAFE = {"Cc", "Cf", "Cs", "Zl", "Zp"}


def assert_safe(output: str) -> None:
    """No unprintable character but the newline, and no line a runner would read as a forged command."""
    bad = sorted({f"U+{ord(c):04X}" for c in output if c != "\n" and unicodedata.category(c) in UNSAFE})
    assert not bad, (bad, output)
    forged = ("::warning file=forged", "::error::forged", "::warning::forged")
    assert not [line for line in output.split("\n") if line.lstrip().startswith(forged)], output


def run(project: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> str:
    monkeypatch.chdir(project)
    for variable in ("NO_COLOR", "FORCE_COLOR", "CI"):
        monkeypatch.delenv(variable, raising=False)
    result = CliRunner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result.stdout + result.stderr


@pytest.mark.parametrize("name", HOSTILE.values(), ids=HOSTILE.keys())
@pytest.mark.parametrize("report", ["text", "github", "json"])
def test_validate_and_build_escape_file_names(project: Path, monkeypatch: pytest.MonkeyPatch, name: str,
                                              report: str) -> None:
    (project / name).write_text(BROKEN)
    (project / f"ok-{name}").write_text(GOOD)
    outputs = [
        run(project, monkeypatch, "validate", "--format", report, name, f"ok-{name}"),
        run(project, monkeypatch, "build", "--format", f"svg,{report}", "-o", "out", name, f"ok-{name}"),
        run(project, monkeypatch, "build", "--format", f"svg,{report}", "--check", "-o", "elsewhere", f"ok-{name}"),
    ]
    for output in outputs:
        assert_safe(output)
    assert "ownr" in outputs[0] and "ownr" in outputs[1]  # the diagnostic is still there
    if report == "json":
        document = json.loads(outputs[0])
        assert {Path(f["path"]).name for f in document["files"]} == {name, f"ok-{name}"}  # the exact name


@pytest.mark.parametrize("name", HOSTILE.values(), ids=HOSTILE.keys())
def test_fmt_escapes_file_names(project: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    (project / name).write_text(UNFORMATTED)
    (project / f"broken-{name}").write_text(BROKEN.replace("title: Fine", "title: [Fine"))
    for flags in (["--check"], ["--diff"], []):
        output = run(project, monkeypatch, "fmt", *flags, name, f"broken-{name}")
        assert_safe(output)
        assert "1 of 2 maps" in output


@pytest.mark.parametrize("name", HOSTILE.values(), ids=HOSTILE.keys())
@pytest.mark.parametrize("report", ["text", "markdown", "json"])
def test_diff_escapes_file_names(project: Path, monkeypatch: pytest.MonkeyPatch, name: str, report: str) -> None:
    (project / name).write_text(GOOD)
    (project / f"new-{name}").write_text(GOOD.replace("Start", "Begin"))
    (project / f"broken-{name}").write_text(BROKEN)
    assert_safe(run(project, monkeypatch, "diff", "-f", report, name, f"new-{name}"))
    assert_safe(run(project, monkeypatch, "diff", "-f", report, name, f"broken-{name}"))


def test_coloured_diff_escapes_names_and_markup(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    name = "[bold red]x\x1b[2J.yaml"  # markup needs no closing tag ("/" would make a folder)
    (project / name).write_text(GOOD)
    (project / "new.yaml").write_text(GOOD.replace("Start", "[blink]Begin[/]\x1b"))
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.chdir(project)
    output = CliRunner().invoke(app, ["diff", name, "new.yaml"]).stdout
    assert "[bold red]x\\x1b[2J.yaml" in output  # the markup printed as written, the ESC escaped


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_prints_rich_markup_in_names_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    stream = _Terminal()
    reporter = TextReporter(stream, progress=True)
    reporter.start(6, 6)
    for index in range(6):
        reporter.result(MapResult(Path(f"[reverse]m{index}\x1b[/reverse].yaml"), status="built"))
    reporter._bar.refresh()
    shown = stream.getvalue()
    reporter._bar.stop()
    assert "[reverse]m5\\x1b[/reverse].yaml" in shown


def test_printable_escapes_every_unsafe_character_and_keeps_text() -> None:
    assert printable("plain ü 🚀 journey") == "plain ü 🚀 journey"
    assert printable("a\x1b[2Jb") == "a\\x1b[2Jb"
    assert printable("a\nb") == "a\\x0ab" and printable("a\nb", lines=True) == "a\nb"
    assert printable("\x85\x9b\x7f\u2028\u2029\u202e\u2066\U000e0001") == \
        "\\x85\\x9b\\x7f\\u2028\\u2029\\u202e\\u2066\\U000e0001"
    assert clip("a\u202eb\nc") == "a\\u202eb\\nc"  # every value in a message is printable too
