"""The library facade: everything the CLI does, callable from Python.

    result = jmap.check("journey.yaml")      # load + validate, never raises for a bad map
    journey = result.journey()               # the typed model of a valid map
    svg = jmap.render_svg(journey)           # the infographic

CheckResult is a plain class with `__slots__`, not a dataclass: `jmap build` should not pay
~10 ms to import `dataclasses`. jmap.records.SlotsRecord gives it a dataclass's == and repr.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from jmap.diagnostics import Diagnostic, JmapError, Severity
from jmap.load import DEFAULT_MAX_BYTES, Document
from jmap.load import load as _load
from jmap.records import SlotsRecord

if TYPE_CHECKING:
    from jmap.model import Journey

#: Folders never searched for maps.
_SKIP_DIRS = {".git", ".hg", ".venv", "venv", "node_modules", "__pycache__", "build", "dist", ".tox"}


def load(path: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    """Read a map with source positions; raises JmapError when it cannot be read."""
    return _load(path, max_bytes=max_bytes)


def validate(doc: Document) -> list[Diagnostic]:
    """Schema and semantic diagnostics of a loaded map (errors and warnings)."""
    from jmap.validate import validate as _validate

    return _validate(doc)


class CheckResult(SlotsRecord):
    """What `jmap validate` learns about one file."""

    __slots__ = ("path", "diagnostics", "document")

    def __init__(self, path: Path, diagnostics: list[Diagnostic] | None = None,
                 document: Document | None = None) -> None:
        self.path = path
        self.diagnostics: list[Diagnostic] = [] if diagnostics is None else diagnostics
        self.document = document

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.WARNING]

    def ok(self, strict: bool = False) -> bool:
        return not self.errors and not (strict and self.warnings)

    def journey(self) -> Journey:
        """The model of a map without errors; raises JmapError otherwise."""
        if self.document is None or self.errors:
            raise JmapError(self.errors)
        from jmap.normalize import to_model

        return to_model(self.document)


def check(path: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES, fast: bool = True) -> CheckResult:
    """Load and validate one map, collecting every diagnostic instead of raising.

    A map without errors (warnings or not) usually takes the fast path (jmap.fastpath:
    libyaml and a schema compiled ahead of time); anything else, or `fast=False`, takes the
    full path, which reports every problem with its line:col. Both give the same result.
    """
    result = CheckResult(Path(path))
    if fast:
        from jmap.fastpath import fast_check

        checked = fast_check(path, max_bytes=max_bytes)
        if checked is not None:
            result.document, result.diagnostics = checked
            return result
    try:
        result.document = load(path, max_bytes=max_bytes)
    except JmapError as error:
        result.diagnostics = error.diagnostics
        return result
    result.diagnostics = validate(result.document)
    return result


def model(path: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES) -> Journey:
    """The journey model of a valid map; raises JmapError listing the errors otherwise."""
    return check(path, max_bytes=max_bytes).journey()


def discover(patterns: list[str]) -> list[Path]:
    """Map files named by paths, folders (searched for YAML that declares `jmap:`) and globs."""
    found: list[Path] = []
    for pattern in patterns:
        path = Path(pattern)
        if path.is_dir():
            found.extend(_maps_in(path))
        elif any(c in pattern for c in "*?[") and not path.exists():
            import glob

            for match in sorted(glob.glob(pattern, recursive=True)):
                found.extend(_maps_in(Path(match)) if Path(match).is_dir() else [Path(match)])
        else:
            found.append(path)  # missing files are reported when loaded
    unique: dict[Path, None] = {}
    for path in found:
        unique.setdefault(path, None)
    return list(unique)


def _maps_in(folder: Path) -> list[Path]:
    maps = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith("."))
        for name in sorted(files):
            if name.endswith((".yaml", ".yml")) and declares_format(Path(root) / name):
                maps.append(Path(root) / name)
    return maps


def declares_format(path: Path) -> bool:
    """Whether a YAML file is a journey map: top-level `jmap:` and `title:` or `stages:` keys.

    Shared files that maps include (personas, research) declare `jmap:` too, but they are
    not maps of their own and are checked through the maps that include them.
    """
    try:
        with path.open("rb") as handle:
            head = handle.read(64_000)
    except OSError:
        return False
    lines = head.splitlines()
    return any(line.startswith(b"jmap:") for line in lines) and any(
        line.startswith((b"title:", b"stages:")) for line in lines
    )


def render_svg(journey: Journey) -> str:
    """The infographic of a journey as an SVG document."""
    from jmap.render.svg import render_svg as _render_svg

    return _render_svg(journey)


def build(*args: object, **kwargs: object) -> object:
    """Build maps into an output folder; see jmap.builder.build."""
    from jmap.builder import build as _build

    return _build(*args, **kwargs)  # type: ignore[arg-type]
