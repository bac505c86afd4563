"""Diagnostics: what jmap tells a person about a map, with where it is.

A diagnostic is data (code, message, span, hint); reporters in
``jmap.cli.report`` turn a list of them into text, JSON or GitHub annotations.
Codes are stable: docs/errors.md lists them all and a test keeps it in step.
Span and Diagnostic are NamedTuples rather than dataclasses, so that importing
this module (every jmap process does) stays cheap; for the same reason their
annotations are evaluated, not strings (see jmap.model.model).
"""

from enum import Enum
from typing import NamedTuple


class Span(NamedTuple):
    """A place in a source file; line and column are 1-based (0 = unknown).

    Spans sort as (path, line, col), as tuples do.
    """

    path: str
    line: int
    col: int

    def __str__(self) -> str:
        if self.line:
            return f"{self.path}:{self.line}:{self.col}"
        return self.path


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


#: Every diagnostic code with a one-line description, for the docs.
CODES: dict[str, str] = {
    # Reading the file
    "E100": "The file cannot be read (missing, a folder, not a regular file).",
    "E101": "The file is larger than the size limit.",
    "E102": "The file is not valid UTF-8 text.",
    "E103": "The text holds a control character, lone surrogate or misplaced byte-order mark.",
    "E104": "The YAML syntax is broken.",
    "E105": "A key appears twice in the same mapping.",
    "E106": "A YAML tag (`!!python/...`, `!custom`) is used; only plain YAML is allowed.",
    "E107": "Aliases expand to more content than any real map needs (an alias bomb).",
    "E108": "The document nests deeper than any real map needs.",
    "E109": "The file is empty.",
    "E110": "The top level is not a mapping of keys to values.",
    "E111": "A number is not finite or has too many digits.",
    # Schema
    "E200": "A key that the format does not know.",
    "E201": "A required key is missing.",
    "E202": "A value has the wrong type.",
    "E203": "A value is not one of the allowed choices or does not match the expected form.",
    "E204": "A number is out of range.",
    "E205": "A text or list is too long or too short.",
    "E206": "The format version is missing or not supported.",
    "E207": "A list holds the same entry twice.",
    # Meaning
    "E300": "Two items share the same id.",
    "E301": "An emotion score or a quote names a persona that is not defined.",
    "E302": "A chapter names a stage that is not defined.",
    "E303": "An item cites a research source that is not defined.",
    "E304": "Chapters do not follow the stages in order, or a stage is in two chapters.",
    "E305": "A plain emotion number on a map with several personas: say whose score it is.",
    "E306": "A stage fills a custom lane that `lanes` does not define.",
    "E307": "A lane is listed twice in `lanes`.",
    # Included files and images
    "E400": "An included file or image does not exist.",
    "E401": "An included file or image lies outside the project.",
    "E402": "An included file or image is not a regular file.",
    "E403": "Files include each other in a cycle.",
    "E404": "Too many included files, or includes nested too deep.",
    "E405": "An output path would leave the output folder or the project.",
    "E410": "An image is not PNG, JPEG or WebP (its content decides, not its name).",
    "E411": "An image file is larger than 2 MB.",
    "E412": "An image is larger than 4096 x 4096 pixels.",
    "E413": "An image file is cut off or damaged.",
    # Warnings
    "W500": "A stage (or step) has no emotion score.",
    "W501": "An item cites no evidence although the map declares research.",
    "W502": "A persona has no emotion score anywhere in the map.",
    "W503": "A research source is never cited.",
    "W504": "A text was shortened with \"…\" to fit its card or label; the full text is only in the SVG/HTML tooltip.",
    "W505": "A colour in the map's theme override is too close to a colour it is drawn on or under (WCAG AA).",
}


class Diagnostic(NamedTuple):
    """One problem with a map, in the user's terms."""

    code: str
    message: str
    span: Span
    hint: str = ""

    @property
    def severity(self) -> Severity:
        return Severity.WARNING if self.code.startswith("W") else Severity.ERROR

    def __str__(self) -> str:
        return f"{self.span}: {self.severity.value}[{self.code}]: {self.message}"


class JmapError(Exception):
    """A map (or a file jmap needs) is not usable; carries the diagnostics."""

    exit_code = 1

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__("\n".join(str(d) for d in diagnostics))
        self.diagnostics = diagnostics


#: Unicode categories never printed raw: controls (C0, DEL, C1), format characters (bidi overrides
#: and isolates, zero-width marks), lone surrogates, and the line and paragraph separators U+2028/9.
_UNPRINTABLE = frozenset(("Cc", "Cf", "Cs", "Zl", "Zp"))


def _escaped(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def printable(text: str, *, lines: bool = False) -> str:
    """User text made safe to print: no character can drive a terminal, forge a log line or reorder text.

    Every control, format and separator character becomes a visible escape (ESC as `\\x1b`, U+202E as
    `\\u202e`), a tab a space; with `lines`, newlines are kept (multi-line output such as a diff).
    Used for every file name and user value that reaches stdout or stderr, in every output format.
    """
    if text.isprintable():  # the common case, checked in C
        return text
    import unicodedata

    return "".join(
        " " if char == "\t" else char if (lines and char == "\n") or unicodedata.category(char) not in _UNPRINTABLE
        else _escaped(char)
        for char in text
    )


def clip(value: object, limit: int = 60) -> str:
    """A bounded rendering of a user value for messages (never unbounded, always printable)."""
    text = value if isinstance(value, str) else repr(value)
    text = printable(text.replace("\n", "\\n"))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def dedupe(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """Drop repeats and sort by place, so one problem is reported once."""
    unique = {(d.span, d.code, d.message): d for d in diagnostics}
    return sorted(unique.values(), key=lambda d: (d.span.path, d.span.line, d.span.col, d.code))


class UsageError(Exception):
    """The command line or a setting asks for something jmap cannot do: exit 2 with this message.

    Here, below every layer, so the project (serve) raises it without importing the command line.
    """


def as_json(diagnostic: Diagnostic) -> dict[str, object]:
    """One diagnostic as the JSON reports write it (build, validate, diff results use it)."""
    return {
        "path": diagnostic.span.path,
        "line": diagnostic.span.line,
        "col": diagnostic.span.col,
        "severity": diagnostic.severity.value,
        "code": diagnostic.code,
        "message": diagnostic.message,
        "hint": diagnostic.hint,
    }
