"""The library facade: everything the CLI does, callable from Python.

    result = jmap.check("journey.yaml")      # load + validate, never raises for a bad map
    journey = result.journey()               # the typed model of a valid map
    svg = jmap.render_svg(journey)           # the infographic

check/CheckResult/model live in jmap.project.check and discover/scan in jmap.project.discover
(the builder uses them without importing this facade); they are re-exported here.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from jmap.diagnostics import Diagnostic
from jmap.loading.load import DEFAULT_MAX_BYTES, Document
from jmap.loading.load import load as _load
from jmap.project.check import CheckResult as CheckResult
from jmap.project.check import check as check
from jmap.project.check import model as model
from jmap.project.discover import SKIP_REASONS as SKIP_REASONS
from jmap.project.discover import Discovery as Discovery
from jmap.project.discover import declares_format as declares_format
from jmap.project.discover import discover as discover
from jmap.project.discover import scan as scan
from jmap.project.discover import skip_reason as skip_reason

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from jmap.model.model import Journey
    from jmap.project.builder import BuildOptions, BuildReport, MapResult, Reporter


def load(path: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    """Read a map with source positions; raises JmapError when it cannot be read.

    A problem that leaves the file readable (a duplicate key, a tag) does not raise: it is in
    `Document.problems`, and `validate` reports it with the others.
    """
    return _load(path, max_bytes=max_bytes)


def validate(doc: Document) -> list[Diagnostic]:
    """Schema and semantic diagnostics of a loaded map (errors and warnings)."""
    from jmap.validation.validate import validate as _validate

    return _validate(doc)


def render_svg(journey: Journey) -> str:
    """The infographic of a journey as an SVG document."""
    from jmap.render.svg import render_svg as _render_svg

    return _render_svg(journey)


def build(
    paths: list[str] | None = None,
    options: BuildOptions | None = None,
    on_result: Callable[[MapResult], None] | None = None,
    *,
    jobs: int | None = None,
    force: bool = False,
    check: bool = False,
    prune: bool = False,
    exclude: Callable[[Path], bool] | None = None,
    roots: Iterable[Path] = (),
    reporter: Reporter | None = None,
) -> BuildReport:
    """Build maps into an output folder; see jmap.project.builder.build (imported on first use)."""
    from jmap.project.builder import build as _build

    return _build(paths, options, on_result, jobs=jobs, force=force, check=check, prune=prune,
                  exclude=exclude, roots=roots, reporter=reporter)
