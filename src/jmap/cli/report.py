"""Print diagnostics for people (text with the source line and a caret) and machines.

Kept free of rich on purpose: `jmap validate` in a pre-commit hook should start fast.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import TextIO

from jmap.diagnostics import Diagnostic, Severity, printable
from jmap.diagnostics import as_json as as_json
from jmap.project.discover import skipped_json as skipped_json

#: Codes printed on one line each, hint included, without the source line: a long map can have
#: hundreds (W504: a text shortened to fit), and the log must stay readable.
BRIEF_CODES = frozenset({"W504"})

_MAX_SOURCE_BYTES = 2_000_000
_WIDTH = 120


def use_colour(stream: TextIO) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return hasattr(stream, "isatty") and stream.isatty()


class _Style:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.enabled else text


def safe_text(text: str) -> str:
    """Replace control characters so a hostile map (or file name) cannot drive the terminal."""
    return printable(text)


@lru_cache(maxsize=64)
def _source_lines(path: str, mtime_ns: int, size: int) -> tuple[str, ...]:
    """The file's lines; cached per version of the file (`jmap watch` reports on files that change)."""
    if size > _MAX_SOURCE_BYTES:
        return ()
    try:
        with open(path, "rb") as handle:
            return tuple(handle.read(_MAX_SOURCE_BYTES).decode("utf-8", errors="replace").splitlines())
    except OSError:
        return ()


def source_line(path: str, line: int) -> str | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return None  # never open a FIFO or device to quote it
    lines = _source_lines(path, info.st_mtime_ns, info.st_size)
    return lines[line - 1] if 0 < line <= len(lines) else None


def format_text(diagnostic: Diagnostic, colour: bool = False) -> str:
    """`path:line:col: error[CODE]: message`, the source line with a caret, and the hint."""
    style = _Style(colour)
    level = diagnostic.severity.value
    level_style = "1;31" if diagnostic.severity is Severity.ERROR else "1;33"
    head = (
        f"{style(safe_text(str(diagnostic.span)), '1')}: {style(f'{level}[{diagnostic.code}]', level_style)}: "
        f"{safe_text(diagnostic.message)}"
    )
    out = [head]
    line = source_line(diagnostic.span.path, diagnostic.span.line) if diagnostic.span.line else None
    if line is not None:
        col = max(1, diagnostic.span.col)
        start = max(0, col - 1 - _WIDTH // 2) if len(line) > _WIDTH else 0
        shown = safe_text(line[start : start + _WIDTH].replace("\t", " "))
        gutter = str(diagnostic.span.line)
        pad = " " * len(gutter)
        out.append(f" {style(gutter, '34')} {style('|', '34')} {shown}")
        out.append(f" {pad} {style('|', '34')} {' ' * (col - 1 - start)}{style('^', level_style)}")
    if diagnostic.hint:
        out.append(
            f" {' ' * len(str(diagnostic.span.line or ''))} {style('= hint:', '36')} {safe_text(diagnostic.hint)}"
        )
    return "\n".join(out)


def summary_line(errors: int, warnings: int, files: int) -> str:
    def plural(n: int, word: str) -> str:
        return f"{n} {word}{'' if n == 1 else 's'}"

    return f"{plural(files, 'map')} checked: {plural(errors, 'error')}, {plural(warnings, 'warning')}"


def format_brief(diagnostic: Diagnostic, colour: bool = False) -> str:
    """`path:line:col: warning[CODE]: message (hint: ...)` on one line (for BRIEF_CODES)."""
    head = format_text(diagnostic._replace(hint=""), colour).split("\n", 1)[0]
    return head + (f" (hint: {safe_text(diagnostic.hint)})" if diagnostic.hint else "")


def format_any(diagnostic: Diagnostic, colour: bool = False) -> str:
    """A diagnostic as text: on one line for BRIEF_CODES, else with its source line, a caret and the hint."""
    if diagnostic.code in BRIEF_CODES:
        return format_brief(diagnostic, colour)
    return format_text(diagnostic, colour) + "\n"


def write_text(diagnostics: Iterable[Diagnostic], stream: TextIO | None = None) -> None:
    stream = stream or sys.stderr
    colour = use_colour(stream)
    for diagnostic in diagnostics:
        stream.write(format_any(diagnostic, colour) + "\n")


#: How the summary names the files skipped for each reason of jmap.project.discover.SKIP_REASONS: (one, several).
_SKIPPED_WORDS = {
    "library": ("a library that maps include", "libraries that maps include"),
    "not a map": ("not a map", "not maps"),
    "other keys": ("not a map", "not maps"),
    "unreadable": ("unreadable", "unreadable"),
    "excluded": ("excluded", "excluded"),
}


def skipped_summary(skipped: list[tuple[Path, str]]) -> str:
    """`2 YAML files skipped: not maps`, or `3 YAML files skipped: 1 library that maps include, 2 not maps`."""
    counts: dict[str, int] = {}
    for _path, why in skipped:
        why = "not a map" if why == "other keys" else why  # both are "not maps" in the summary
        counts[why] = counts.get(why, 0) + 1
    total = len(skipped)
    head = f"{total} YAML file{'' if total == 1 else 's'} skipped: "
    if len(counts) == 1:
        why, n = next(iter(counts.items()))
        return head + _SKIPPED_WORDS[why][n != 1]
    order = list(_SKIPPED_WORDS)
    parts = [f"{n} {_SKIPPED_WORDS[why][n != 1].removeprefix('a ')}"
             for why, n in sorted(counts.items(), key=lambda item: order.index(item[0]))]
    return head + ", ".join(parts)


def skipped_lines(skipped: list[tuple[Path, str]]) -> list[str]:
    """One line per skipped file, with why (what `--verbose` prints)."""
    from jmap.loading.load import display_path
    from jmap.project.discover import SKIP_REASONS

    return [safe_text(f"skipped {display_path(path)}: {SKIP_REASONS[why]}") for path, why in skipped]


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(diagnostic: Diagnostic) -> str:
    """A GitHub Actions workflow command that annotates the line in the pull request."""
    level = "error" if diagnostic.severity is Severity.ERROR else "warning"
    span = diagnostic.span
    props = [f"file={_escape_property(safe_text(span.path))}"]
    if span.line:
        props += [f"line={span.line}", f"col={span.col}"]
    props.append(f"title={_escape_property('jmap ' + diagnostic.code)}")
    message = diagnostic.message + (f" (hint: {diagnostic.hint})" if diagnostic.hint else "")
    return f"::{level} {','.join(props)}::{_escape_data(safe_text(message))}"


def dump_json(payload: object, stream: TextIO | None = None) -> None:
    """Pretty JSON; json escapes C0 controls, and this every other unprintable character (DEL, C1, bidi,
    U+2028/9) as \\uXXXX too, so a file name cannot drive the terminal or hide text: the values stay exact."""
    text = json.dumps(payload, indent=2, ensure_ascii=False)
    if not text.replace("\n", "").isprintable():  # outside strings only newlines and spaces are unprintable
        text = "".join(char if char == "\n" or char.isprintable() else _json_escape(char) for char in text)
    (stream or sys.stdout).write(text + "\n")


def _json_escape(char: str) -> str:
    return f"\\u{ord(char):04x}" if ord(char) < 0x10000 else json.dumps(char)[1:-1]  # a surrogate pair
