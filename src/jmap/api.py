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
from jmap.loading.load import DEFAULT_MAX_BYTES, Document
from jmap.loading.load import load as _load
from jmap.records import SlotsRecord

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from jmap.model.model import Journey
    from jmap.project.builder import BuildOptions, BuildReport, MapResult, Reporter

#: Folders never searched for maps.
_SKIP_DIRS = {".git", ".hg", ".venv", "venv", "node_modules", "__pycache__", "build", "dist", ".tox"}


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
        result.document = load(path, max_bytes=max_bytes)
    except JmapError as error:
        result.diagnostics = error.diagnostics
        return result
    result.diagnostics = validate(result.document)
    return result


def model(path: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES) -> Journey:
    """The journey model of a valid map; raises JmapError listing the errors otherwise."""
    return check(path, max_bytes=max_bytes).journey()


#: Why a YAML file found in a folder is not checked as a map: reason -> the words `--verbose` prints.
SKIP_REASONS = {
    "library": "a library that maps include (it has `jmap:` but no `title:` or `stages:`)",
    "not a map": "not a map (no `jmap:`, `title:` or `stages:` at the top level)",
    "other keys": "not a map (it has a `title:`, but no `jmap:` or `stages:`, and keys no map has)",
    "unreadable": "cannot be read",
    "excluded": "excluded by the config's `exclude`",
}


class Discovery(SlotsRecord):
    """The maps that paths, folders and globs name, and the YAML files found but skipped (with why)."""

    __slots__ = ("maps", "skipped")

    def __init__(self, maps: list[Path] | None = None, skipped: list[tuple[Path, str]] | None = None) -> None:
        self.maps: list[Path] = [] if maps is None else maps
        #: (file, a key of SKIP_REASONS), in the order found.
        self.skipped: list[tuple[Path, str]] = [] if skipped is None else skipped


def discover(patterns: list[str]) -> list[Path]:
    """Map files named by paths, folders (searched for YAML that looks like a map) and globs."""
    return scan(patterns).maps


def scan(patterns: list[str]) -> Discovery:
    """`discover`, also saying which YAML files in the folders were skipped and why.

    A file in a folder is checked as a map when it has a top-level `title:` or `stages:` key,
    with or without `jmap:` (without it, checking reports E206: a map that forgot its version
    must not pass in silence). Files named outright, or matched by a glob, are always checked.
    """
    found = Discovery()
    for pattern in patterns:
        path = Path(pattern)
        if path.is_dir():
            _maps_in(path, found)
        elif any(c in pattern for c in "*?[") and not path.exists():
            import glob

            for match in sorted(glob.glob(pattern, recursive=True)):
                if Path(match).is_dir():
                    _maps_in(Path(match), found)
                else:
                    found.maps.append(Path(match))
        else:
            found.maps.append(path)  # missing files are reported when loaded
    maps = list(dict.fromkeys(found.maps))
    skipped = [(p, why) for p, why in dict(found.skipped).items() if p not in set(maps)]
    return Discovery(maps, skipped)


def _maps_in(folder: Path, found: Discovery) -> None:
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith("."))
        for name in sorted(files):
            if name.endswith((".yaml", ".yml")):
                path = Path(root) / name
                reason = skip_reason(path)
                if reason is None:
                    found.maps.append(path)
                else:
                    found.skipped.append((path, reason))


#: The top-level keys a map may have (schemas/journey.schema.json; tests/test_discovery.py keeps them equal).
MAP_KEYS = frozenset({b"$schema", b"chapters", b"description", b"include", b"jmap", b"lanes", b"language",
                      b"owner", b"personas", b"research", b"stages", b"tags", b"theme", b"title"})


def _top_keys(path: Path) -> set[bytes] | None:
    """The top-level keys in a file's first 64 KB (lines that start with `key:`); None if it cannot be read."""
    try:
        with path.open("rb") as handle:
            head = handle.read(64_000)
    except OSError:
        return None
    keys = set()
    for line in head.removeprefix(b"\xef\xbb\xbf").splitlines():
        if line[:1] in (b"", b" ", b"\t", b"#", b"-", b"{", b"[", b"%", b".") or b":" not in line:
            continue
        key = line.split(b":", 1)[0].rstrip(b" \t").strip(b"\"'")
        if key:
            keys.add(key)
    return keys


def skip_reason(path: Path) -> str | None:
    """None when a YAML file found in a folder is checked as a map, else why not (a key of SKIP_REASONS).

    A map is a file with `jmap:` and `title:` or `stages:`; a map that forgot `jmap:` is one with
    `stages:`, or with `title:` and only keys a map has (a site's `_config.yml` has a title too).
    """
    keys = _top_keys(path)
    if keys is None:
        return "unreadable"
    if b"stages" in keys or (b"title" in keys and (b"jmap" in keys or keys <= MAP_KEYS)):
        return None
    if b"jmap" in keys:
        return "library"
    return "other keys" if b"title" in keys else "not a map"


def declares_format(path: Path) -> bool:
    """Whether a YAML file is a journey map that says its version: top-level `jmap:` and `title:` or `stages:`.

    Shared files that maps include (personas, research) declare `jmap:` too, but they are
    not maps of their own and are checked through the maps that include them.
    """
    keys = _top_keys(path)
    return keys is not None and b"jmap" in keys and (b"title" in keys or b"stages" in keys)


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
