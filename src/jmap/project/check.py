"""`jmap validate` of one file: load and validate, collecting every diagnostic instead of raising.

It lives here, not in jmap.api, so the builder can call it without importing the facade (which
imports the builder): jmap.api re-exports it. With `texts` it lays the map out, hence project, above layout.

CheckResult is a plain class with `__slots__`, not a dataclass: `jmap build` should not pay
~10 ms to import `dataclasses`. jmap.records.SlotsRecord gives it a dataclass's == and repr.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from jmap.diagnostics import Diagnostic, JmapError, Severity
from jmap.loading.load import DEFAULT_MAX_BYTES, Document
from jmap.loading.load import load as _load
from jmap.records import SlotsRecord

if TYPE_CHECKING:
    from jmap.model.model import Journey


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

    @property
    def ok(self) -> bool:
        """No errors (a property, so `if result.ok:` reads as it means)."""
        return not self.errors

    @property
    def ok_strict(self) -> bool:
        """No errors and no warnings: what `jmap validate --strict` accepts."""
        return not self.errors and not self.warnings

    def journey(self) -> Journey:
        """The model of a map without errors; raises JmapError otherwise."""
        if self.document is None or self.errors:
            raise JmapError(self.errors)
        from jmap.model.normalize import to_model

        return to_model(self.document)


def check(path: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES, fast: bool = True,
          texts: bool = False) -> CheckResult:
    """Load and validate one map, collecting every diagnostic instead of raising.

    A map without errors (warnings or not) usually takes the fast path (jmap.validation.fastpath:
    libyaml and a schema compiled ahead of time); anything else, or `fast=False`, takes the
    full path, which reports every problem with its line:col. Both give the same result.
    With `texts`, a map without errors is also laid out (~10 ms), and each text shortened
    to fit is a W504 warning (a build reports them from the layout it draws anyway).
    """
    result = _check(Path(path), max_bytes, fast)
    if texts and result.document is not None and not result.errors:
        from jmap.layout.engine import shortened_texts

        try:
            result.diagnostics = [*result.diagnostics, *shortened_texts(result.journey())]
        except JmapError as error:  # the model refused the map: its errors are the report
            result.diagnostics = [*result.diagnostics, *error.diagnostics]
    return result


def _check(path: Path, max_bytes: int, fast: bool) -> CheckResult:
    result = CheckResult(path)
    if fast:
        from jmap.validation.fastpath import fast_check

        checked = fast_check(path, max_bytes=max_bytes)
        if checked is not None:
            result.document, result.diagnostics = checked
            return result
    try:
        result.document = _load(path, max_bytes=max_bytes)
    except JmapError as error:
        result.diagnostics = error.diagnostics
        return result
    from jmap.validation.validate import validate

    result.diagnostics = validate(result.document)
    return result


def model(path: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES) -> Journey:
    """The journey model of a valid map; raises JmapError listing the errors otherwise."""
    return check(path, max_bytes=max_bytes).journey()
