"""`jmap build`: turn maps into files in an output folder, incrementally and in parallel.

    plan     discover the maps; for each, ask the cache whether its outputs are current
             (hashing the bytes of the files it read last time: no YAML is parsed)
    render   the maps that need it, in worker processes (check -> model -> render -> write)
    record   what each map read and wrote into the cache; report deleted maps' outputs

Every output is written atomically (temporary file, then rename); a broken map is
reported and the others still build; in `check` mode nothing is written and the
outputs that are missing or differ from what jmap would write are listed.

Records are NamedTuples (immutable) and classes with `__slots__` (mutable), not dataclasses:
importing `dataclasses` costs every `jmap build` ~10 ms (jmap.records.SlotsRecord gives the
classes a dataclass's == and repr). Annotations are evaluated (no `from
__future__ import annotations`): NamedTuple compiles string ones (see jmap.layout.geometry).
"""

import contextlib
import os
import time
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from jmap.diagnostics import Diagnostic, JmapError, Span, as_json, clip
from jmap.fsutil import OutsideError, write_atomic
from jmap.loading.load import DEFAULT_MAX_BYTES, display_path
from jmap.project.cache import (
    CACHE_FILE,
    BuildCache,
    MapEntry,
    OutputRecord,
    digest,
    file_digest,
    inputs_digest,
    output_key,
)
from jmap.project.check import check as check_map
from jmap.project.config import DEFAULT_NAMING, FORMATS, ProjectConfig
from jmap.project.discover import scan, skipped_json
from jmap.records import SlotsRecord

if TYPE_CHECKING:
    from jmap.model.model import Journey

__all__ = [
    "FORMATS", "BuildOptions", "BuildReport", "MapResult", "Reporter", "build", "build_map", "configure",
    "output_path", "render_format",
]

#: Diagnostics only a build produces (docs/errors.md lists them with the others).
BUILD_CODES = {
    "E900": "jmap failed while rendering a map (a bug in jmap: please report it with the map).",
    "E901": "Two maps would write the same output file.",
    "E902": "An output file cannot be written (the output folder is a file, read-only, or the disk is full).",
}

#: Maps below this count are built in this process: starting workers costs more than it saves.
MIN_PARALLEL = 2


class BuildOptions(NamedTuple):
    """What decides the bytes and places of the outputs (the same options, the same files)."""

    #: Output folder; None means `build/` beside each input.
    out_dir: Path | None = None
    formats: tuple[str, ...] = ("svg",)
    #: PNG pixels per SVG pixel.
    scale: float = 2.0
    #: PDF page: "fit" (one page the size of the map) or a paper size such as "a3-landscape".
    page_size: str = "fit"
    max_bytes: int = DEFAULT_MAX_BYTES
    #: A theme name that replaces every map's own (its font size and colour overrides stay).
    theme: str | None = None
    #: Output path inside the output folder, from {dir} (the map's folder), {stem} and {ext}.
    naming: str = DEFAULT_NAMING

    def settings(self, fmt: str) -> dict[str, Any]:
        """The options that shape the bytes of one format (part of its cache key)."""
        settings: dict[str, Any] = {"theme": self.theme}
        if fmt == "png":
            settings["scale"] = self.scale
        elif fmt == "pdf":
            settings["page_size"] = self.page_size
        return settings


class MapResult(SlotsRecord):
    """What happened to one map."""

    __slots__ = ("source", "outputs", "diagnostics", "status", "stale", "deps", "inputs", "rendered", "seconds")

    def __init__(self, source: Path, outputs: list[Path] | None = None, diagnostics: list[Diagnostic] | None = None,
                 status: str = "built", stale: list[tuple[Path, str]] | None = None, deps: list[Path] | None = None,
                 inputs: str | None = None, rendered: dict[str, tuple[str, int]] | None = None,
                 seconds: float = 0.0) -> None:
        self.source = source
        #: The outputs written (or, with check, compared).
        self.outputs: list[Path] = [] if outputs is None else outputs
        self.diagnostics: list[Diagnostic] = [] if diagnostics is None else diagnostics
        #: built | unchanged | failed | stale (check: an output is missing or differs)
        self.status = status
        #: With check: (output, "missing" | "differs").
        self.stale: list[tuple[Path, str]] = [] if stale is None else stale
        #: The files the map read: itself, its includes, its avatars (for the cache and watch).
        self.deps: list[Path] = [] if deps is None else deps
        #: The hash of the deps' bytes the outputs were rendered from (None: do not cache).
        self.inputs = inputs
        #: format -> (digest, size) of the bytes rendered.
        self.rendered: dict[str, tuple[str, int]] = {} if rendered is None else rendered
        self.seconds = seconds

    @property
    def failed(self) -> bool:
        return self.status == "failed"

    def as_json(self) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "path": display_path(self.source),
            "status": self.status,
            "outputs": [display_path(p) for p in self.outputs],
            "diagnostics": [as_json(d) for d in self.diagnostics],
        }
        if self.stale:
            payload["stale"] = [{"path": display_path(p), "reason": why} for p, why in self.stale]
        return payload


class BuildReport(SlotsRecord):
    """What a whole build did."""

    __slots__ = ("results", "orphans", "pruned", "kept", "check", "seconds", "skipped")

    def __init__(self, results: list[MapResult] | None = None, orphans: list[Path] | None = None,
                 pruned: list[Path] | None = None, kept: list[Path] | None = None, check: bool = False,
                 seconds: float = 0.0, skipped: list[tuple[Path, str]] | None = None) -> None:
        self.results: list[MapResult] = [] if results is None else results
        #: Outputs jmap wrote whose map is gone (or that a map no longer produces).
        self.orphans: list[Path] = [] if orphans is None else orphans
        #: Orphans removed (with prune).
        self.pruned: list[Path] = [] if pruned is None else pruned
        #: Orphans kept although prune was asked, because their bytes are no longer jmap's.
        self.kept: list[Path] = [] if kept is None else kept
        self.check = check
        self.seconds = seconds
        #: YAML files found in the folders but not built, with why (a key of jmap.project.discover.SKIP_REASONS).
        self.skipped: list[tuple[Path, str]] = [] if skipped is None else skipped

    def _with(self, status: str) -> list[MapResult]:
        return [r for r in self.results if r.status == status]

    @property
    def failed(self) -> list[MapResult]:
        return self._with("failed")

    @property
    def built(self) -> list[MapResult]:
        return self._with("built")

    @property
    def unchanged(self) -> list[MapResult]:
        return self._with("unchanged")

    @property
    def stale(self) -> list[MapResult]:
        return self._with("stale")

    @property
    def ok(self) -> bool:
        return not self.failed and not self.stale

    @property
    def shortened(self) -> int:
        """How many texts the maps rendered cut to fit (W504)."""
        return sum(d.code == "W504" for r in self.results for d in r.diagnostics)

    def as_json(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "ok": self.ok,
            "maps": [r.as_json() for r in self.results],
            "orphans": [display_path(p) for p in self.orphans],
            "pruned": [display_path(p) for p in self.pruned],
            "skipped": skipped_json(self.skipped),
            "summary": {"maps": len(self.results), "built": len(self.built), "unchanged": len(self.unchanged),
                        "failed": len(self.failed), "stale": len(self.stale), "shortened": self.shortened,
                        "skipped": len(self.skipped), "seconds": round(self.seconds, 3)},
        }


# --- one map ----------------------------------------------------------------------------


#: Where build_map wants the PNG/PDF warnings of the map it renders, the map's name for them, and the
#: span of its `stages:` key (for E414) (set around its `render_format` calls, whose signature tests and
#: plugins replace).
_EXPORT_WARN: ContextVar[tuple[Callable[[Diagnostic], None], str, Span | None] | None] = ContextVar(
    "_EXPORT_WARN", default=None)


def render_format(
    journey: "Journey", fmt: str, options: BuildOptions, *,
    warn: Callable[[Diagnostic], None] | None = None, source: str = "<svg>",
) -> bytes:
    """The bytes of one output format for a journey (PNG/PDF warnings go to `warn`, about `source`)."""
    from jmap.render.svg import render_svg

    if fmt == "svg":
        return render_svg(journey).encode("utf-8")
    if fmt == "html":
        from jmap.render.html import render_html

        return render_html(journey).encode("utf-8")
    from jmap.export import export

    stages_key = None
    context = _EXPORT_WARN.get()
    if warn is None and context is not None:
        warn, source, stages_key = context
    svg = render_svg(journey, tooltips=False)  # PNG and PDF have no tooltips: their legend does not promise one
    extent = export.journey_extent(journey, stages_key)  # E414 names the `stages:` line
    if fmt == "png":
        return export.svg_to_png(svg, scale=options.scale, warn=warn, source=source, extent=extent)
    if fmt == "pdf":
        return export.svg_to_pdf(svg, page_size=options.page_size, warn=warn, source=source, extent=extent)
    raise ValueError(f"unknown format {fmt!r}")


def output_path(source: Path, fmt: str, input_root: Path, options: BuildOptions) -> Path:
    """Where a map's output goes: by default mirrored under the output folder, named after the map."""
    if options.out_dir is None:
        base, folder = source.parent / "build", ""
    else:
        base = options.out_dir
        try:
            folder = Path(os.path.abspath(source.parent)).relative_to(os.path.abspath(input_root)).as_posix()
        except ValueError:
            folder = ""
    name = options.naming.format(dir="" if folder == "." else folder, stem=source.stem, ext=fmt)
    parts = [part for part in name.replace("\\", "/").split("/") if part not in ("", ".")]
    return base.joinpath(*parts)


def output_base(source: Path, options: BuildOptions) -> Path:
    """The folder every output of a map must stay in: the output folder, or build/ beside the map."""
    return options.out_dir if options.out_dir is not None else source.parent / "build"


class PathMemo:
    """Resolved folders and project roots, asked once per folder: a plan checks thousands of outputs
    that live in a few folders (a realpath each cost a 500-map no-op build ~50 ms)."""

    def __init__(self) -> None:
        self.folders: dict[str, str] = {}
        self.projects: dict[str, Path] = {}
        self.beside: dict[str, bool] = {}

    def folder(self, folder: str) -> str:
        found = self.folders.get(folder)
        if found is None:
            found = self.folders[folder] = os.path.realpath(folder)
        return found

    def real(self, path: Path) -> str:
        """os.path.realpath(path), its folder's part memoised (a link at its own name is still followed)."""
        head, tail = os.path.split(str(path))
        if tail in ("", ".", ".."):
            return self.folder(str(path))
        joined = os.path.join(self.folder(head or "."), tail)
        return os.path.realpath(joined) if os.path.islink(joined) else joined

    def inside(self, path: Path, folder: Path) -> bool:
        real, base = self.real(path), self.folder(str(folder))
        return real == base or real.startswith(base.rstrip(os.sep) + os.sep)

    def in_project(self, base: Path, folder: Path) -> bool:
        """Whether `base` (a build folder) resolves inside the project of `folder` (jmap.loading.load.find_root)."""
        key = str(base)
        found = self.beside.get(key)
        if found is None:
            project = self.projects.get(str(folder))
            if project is None:
                from jmap.loading.load import find_root

                project = self.projects[str(folder)] = find_root(folder)
            found = self.beside[key] = self.inside(base, project)
        return found


def confinement_problem(source: Path, targets: dict[str, Path], options: BuildOptions,
                        memo: PathMemo | None = None) -> Diagnostic | None:
    """Why a map's outputs would be written outside their folder (None when they would not).

    Every path is resolved, links followed: a committed link (`build -> /home/you`, a folder
    below the output folder, a link at an output's own name) or a `..` that `naming` makes of
    a map's name (`...yaml` has the stem `..`) must not carry a build out.
    The output folder from `-o` may be anywhere (the user chose it); the default build/ beside a
    map must resolve inside the map's project (jmap.loading.load.find_root); a config's `output` was
    checked when the config was read.
    """
    memo = memo or PathMemo()
    base = output_base(source, options)
    if options.out_dir is None and not memo.in_project(base, source.parent):
        return Diagnostic(
            "E405", f"the build folder beside this map ({clip(display_path(base), 80)}) leads outside the "
            f"project, to {clip(display_path(Path(os.path.realpath(base))), 80)}", Span(display_path(source), 1, 1),
            hint="remove the link, or choose the output folder with -o or `output` in jmap.toml")
    for fmt, target in targets.items():
        if not memo.inside(target, base):
            return _outside(source, fmt, target, base, options.naming)
    return None


def _outside(source: Path, fmt: str, target: Path, base: Path, naming: str) -> Diagnostic:
    """E405 for one output that would land outside its folder, with the likely cause as the hint."""
    lexical = ".." in Path(os.path.relpath(os.path.abspath(target), os.path.abspath(base))).parts
    shown = display_path(Path(os.path.normpath(target)))
    return Diagnostic(
        "E405", f"the {fmt} output {clip(shown, 80)} would be written outside the output folder "
        f"{clip(display_path(base), 60)}", Span(display_path(source), 1, 1),
        hint=f"the map's file name makes `naming` ({clip(naming, 40)}) leave the folder: rename the map"
        if lexical else "a link on the way (or at the file's own name) points out of the output folder; remove it")


def build_map(
    source: Path,
    input_root: Path,
    options: BuildOptions,
    *,
    targets: dict[str, Path] | None = None,
    check: bool = False,
) -> MapResult:
    """Build one map into every asked format; nothing is written unless all formats render.

    With check, nothing is written: the result lists the outputs that are missing or differ.
    Never raises for a bad map or a renderer failure: the result says `failed`.
    """
    started = time.perf_counter()
    result = MapResult(source)
    if targets is None:  # `build` checked its planned targets already
        problem = confinement_problem(
            source, {fmt: output_path(source, fmt, input_root, options) for fmt in options.formats}, options)
        if problem is not None:
            result.diagnostics, result.status = [problem], "failed"
            return result
    before = file_digest(source)
    checked = check_map(source, max_bytes=options.max_bytes)
    result.diagnostics = checked.diagnostics
    if checked.document is not None:
        result.deps = list(checked.document.all_files())
    if checked.errors:
        result.status = "failed"
        result.seconds = time.perf_counter() - started
        return result
    try:
        journey = checked.journey()
        if options.theme:
            journey = journey._replace(theme=journey.theme._replace(name=options.theme))
        result.deps += [Path(p.avatar) for p in journey.personas if p.avatar]
        result.deps += [Path(i.image) for s in journey.stages for c in s.self_and_steps
                        for i in c.lanes.storyboard]
        warnings: list[Diagnostic] = []

        def warn(diagnostic: Diagnostic) -> None:  # once per map, not once per format
            if diagnostic not in warnings and diagnostic not in result.diagnostics:
                warnings.append(diagnostic)

        from jmap.layout.context import SHORTENED, Shortened, shortening

        shortened: list[Shortened] = []  # W504, from the layouts the formats draw anyway
        stages_key = checked.document.span(("stages",), key=True) if checked.document is not None else None
        token = _EXPORT_WARN.set((warn, display_path(source), stages_key))
        listening = SHORTENED.set(shortened.append)
        try:
            rendered = {fmt: render_format(journey, fmt, options) for fmt in options.formats}
        finally:
            SHORTENED.reset(listening)
            _EXPORT_WARN.reset(token)
            from jmap.diagnostics import dedupe

            result.diagnostics = [*result.diagnostics, *warnings, *dedupe([shortening(s) for s in shortened])]
    except JmapError as error:
        result.diagnostics = [*result.diagnostics, *error.diagnostics]
        result.status = "failed"
    except Exception as error:  # a renderer bug must not stop the other maps
        result.diagnostics = [*result.diagnostics, internal_error(source, error)]
        result.status = "failed"
    if result.failed:
        result.seconds = time.perf_counter() - started
        return result
    for fmt, data in rendered.items():
        target = (targets or {}).get(fmt) or output_path(source, fmt, input_root, options)
        existing = _read(target)
        if check:
            if existing is None:
                result.stale.append((target, "missing"))
            elif existing != data:
                result.stale.append((target, "differs"))
        elif existing != data:
            try:
                write_atomic(target, data, within=output_base(source, options))
            except OutsideError:  # planned targets were checked; this catches a link made since, or a caller's
                result.diagnostics = [*result.diagnostics, _outside(source, fmt, target, output_base(source, options),
                                                                    options.naming)]
                result.status = "failed"
                break
            except OSError as error:
                why = "a file is in the way of a folder" if isinstance(error, FileExistsError | NotADirectoryError) \
                    else error.strerror or str(error)
                result.diagnostics = [*result.diagnostics, Diagnostic(
                    "E902", f"cannot write {clip(display_path(target), 120)}: {why}",
                    Span(display_path(source), 0, 0), hint="check the output folder (-o, or `output` in the config)",
                )]
                result.status = "failed"
                break
        result.outputs.append(target)
        result.rendered[fmt] = (digest(data), len(data))
    if result.failed:
        result.seconds = time.perf_counter() - started
        return result
    if check:
        result.status = "stale" if result.stale else "unchanged"
    inputs = inputs_digest(result.deps)
    # A map edited while it was rendering must not be cached as current.
    result.inputs = inputs if inputs is not None and file_digest(source) == before else None
    result.seconds = time.perf_counter() - started
    return result


def internal_error(source: Path, error: BaseException) -> Diagnostic:
    return Diagnostic(
        "E900", f"jmap failed while rendering this map: {type(error).__name__}: {clip(str(error), 200)}",
        Span(display_path(source), 0, 0), hint="this is a bug in jmap; please report it with the map",
    )


def _read(path: Path) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return None


# --- the whole build --------------------------------------------------------------------


class _Task(NamedTuple):
    source: Path
    root: Path
    cache: BuildCache
    targets: dict[str, Path]


def pattern_root(pattern: str) -> Path:
    """The folder a path, folder or glob is relative to (outputs mirror the maps below it)."""
    path = Path(pattern)
    if path.is_dir():
        return path
    if any(c in pattern for c in "*?[") and not path.exists():
        parts: list[str] = []
        for part in path.parts:
            if any(c in part for c in "*?["):
                break
            parts.append(part)
        return Path(*parts) if parts else Path()
    return path.parent


def find_maps(
    paths: Iterable[str],
    exclude: Callable[[Path], bool] | None = None,
    roots: Iterable[Path] = (),
) -> list[tuple[Path, Path]]:
    """(map, input root) for every map the paths name (see `find_inputs`)."""
    return find_inputs(paths, exclude, roots)[0]


def find_inputs(
    paths: Iterable[str],
    exclude: Callable[[Path], bool] | None = None,
    roots: Iterable[Path] = (),
) -> tuple[list[tuple[Path, Path]], list[tuple[Path, str]]]:
    """(map, input root) for every map the paths name, and the YAML files skipped (path, why).

    Maps found in folders or by globs skip excluded paths (and, as `discover` does, shared
    include files); files named outright are always built. The input root (that output folders mirror)
    is the deepest of `roots` holding the map (a project's configured inputs, so that
    building one map puts it where building the project does), else the path's own.
    """
    known = sorted((os.path.abspath(r) for r in roots), key=len, reverse=True)
    found: dict[str, tuple[Path, Path]] = {}
    skipped: dict[str, tuple[Path, str]] = {}
    for pattern in paths:
        root = pattern_root(pattern)
        named = Path(pattern).is_file() or not (Path(pattern).is_dir() or any(c in pattern for c in "*?["))
        discovery = scan([pattern])
        for source, why in discovery.skipped:
            if exclude is None or not exclude(source):
                skipped.setdefault(os.path.abspath(source), (source, why))
        for source in discovery.maps:
            if not named and exclude is not None and exclude(source):
                skipped.setdefault(os.path.abspath(source), (source, "excluded"))
                continue
            absolute = os.path.abspath(source)
            home = next((Path(r) for r in known if absolute.startswith(r.rstrip(os.sep) + os.sep)), root)
            found.setdefault(absolute, (source, home))
    return list(found.values()), [entry for key, entry in skipped.items() if key not in found]


def cache_folder(source: Path, root: Path, options: BuildOptions) -> Path:
    """Where the cache for a map's outputs lives: the output folder, or build/ in the input root."""
    return options.out_dir if options.out_dir is not None else root / "build"


def _cache_problem(folder: Path, options: BuildOptions, memo: PathMemo) -> str:
    """Why the build cache in `folder` may be neither read nor written ("" when it may).

    The cache file is written in the output folder, and the default one (build/ in an input
    root) must, like the outputs, resolve inside the project; its own name must not be a link out.
    """
    if options.out_dir is None and not memo.in_project(folder, folder.parent):
        return (f"the build folder {clip(display_path(folder), 80)} (where the build cache goes) leads outside "
                f"the project, to {clip(display_path(Path(os.path.realpath(folder))), 80)}")
    if not memo.inside(folder / CACHE_FILE, folder):
        return (f"the build cache {clip(display_path(folder / CACHE_FILE), 80)} is a link out of its folder, to "
                f"{clip(display_path(Path(os.path.realpath(folder / CACHE_FILE))), 80)}")
    return ""


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


class Reporter:
    """Hears about a build as it happens; the base class stays silent."""

    def start(self, maps: int, to_build: int) -> None:
        """Called once the plan is known: `to_build` of `maps` need rendering."""

    def result(self, result: MapResult) -> None:
        """Called for each map rendered (in completion order) and each map found current."""

    def finish(self, report: BuildReport) -> None:
        """Called once, at the end."""


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
    """Build every map named by paths (files, folders, globs; default: this folder).

    Only maps whose inputs, options or jmap itself changed are rendered (`force`
    renders all), in `jobs` processes (default: one per core). With `check`,
    nothing is written and stale outputs are listed. With `prune`, outputs jmap
    wrote for maps that are gone are removed.
    """
    started = time.perf_counter()
    options = options or BuildOptions()
    reporter = reporter or Reporter()
    report = BuildReport(check=check)
    maps, report.skipped = find_inputs(paths or ["."], exclude, roots)
    caches: dict[str, BuildCache] = {}
    claimed: dict[str, Path] = {}
    results: dict[str, MapResult] = {}
    tasks: list[_Task] = []
    early: list[MapResult] = []  # decided without rendering: unchanged, clashing or escaping outputs
    memo = PathMemo()  # resolved folders and project roots
    refused: dict[str, str] = {}  # a cache folder that leads out of the project -> why

    for source, root in maps:
        folder = cache_folder(source, root, options)
        cache = caches.get(os.path.abspath(folder))
        if cache is None:
            problem = _cache_problem(folder, options, memo)
            if problem:
                refused[os.path.abspath(folder)] = problem
                cache = BuildCache(folder)  # neither read nor written
            else:
                cache = BuildCache.load(folder)
            caches[os.path.abspath(folder)] = cache
        targets = {fmt: output_path(source, fmt, root, options) for fmt in options.formats}
        outside = confinement_problem(source, targets, options, memo)
        if outside is None and os.path.abspath(folder) in refused:
            outside = Diagnostic("E405", refused[os.path.abspath(folder)], Span(display_path(source), 1, 1),
                                 hint="remove the link, or choose the output folder with -o or `output` in jmap.toml")
        if outside is not None:
            results[os.path.abspath(source)] = MapResult(source, status="failed", diagnostics=[outside])
            early.append(results[os.path.abspath(source)])
            continue
        places = [os.path.abspath(t) for t in targets.values()]
        clash = next((claimed[p] for p in places if p in claimed), None)
        if clash is not None:
            results[os.path.abspath(source)] = _collision(source, clash)
            early.append(results[os.path.abspath(source)])
            continue
        claimed.update((place, source) for place in places)
        entry = None if force else cache.entry(source)
        if entry is not None and _is_current(cache, entry, source, targets, options, verify=check):
            result = MapResult(source, outputs=list(targets.values()), status="unchanged",
                               deps=[cache.abs(d) for d in entry.deps])
            results[os.path.abspath(source)] = result
            early.append(result)
        else:
            tasks.append(_Task(source, root, cache, targets))

    reporter.start(len(maps), len(tasks))
    for result in early:
        reporter.result(result)
        if on_result:
            on_result(result)

    def done(task: _Task, result: MapResult) -> None:
        results[os.path.abspath(task.source)] = result
        if not check and not result.failed and result.inputs is not None:
            inputs = result.inputs
            task.cache.record(task.source, result.deps, inputs, {
                fmt: OutputRecord(task.cache.rel(task.targets[fmt]), output_key(inputs, fmt, options.settings(fmt)),
                                  *result.rendered[fmt])
                for fmt in result.rendered
            })
        reporter.result(result)
        if on_result:
            on_result(result)

    try:
        _run(tasks, options, default_jobs() if jobs is None else jobs, check, done)
        for key, cache in caches.items():
            if key not in refused:
                _orphans(cache, report, prune=prune and not check, beside=options.out_dir is None)
    finally:
        if not check:
            for key, cache in caches.items():
                if key in refused:
                    continue
                with contextlib.suppress(OSError):  # the cache only saves time; E902 says what cannot be written
                    cache.save()
    for source, _root in maps:
        if os.path.abspath(source) in results:
            report.results.append(results[os.path.abspath(source)])
    report.seconds = time.perf_counter() - started
    reporter.finish(report)
    return report


def _collision(source: Path, other: Path) -> MapResult:
    return MapResult(source, status="failed", diagnostics=[Diagnostic(
        "E901", f"this map would overwrite the output of {display_path(other)}",
        Span(display_path(source), 0, 0),
        hint="rename one of the maps, or put {dir} in the `naming` of the config",
    )])


def _is_current(cache: BuildCache, entry: MapEntry, source: Path, targets: dict[str, Path],
                options: BuildOptions, *, verify: bool) -> bool:
    """Whether every asked output is on disk as jmap last wrote it, from unchanged inputs."""
    if not entry.deps or entry.deps[0] != cache.rel(source):
        return False
    inputs = cache.current_inputs(entry)
    if inputs is None or inputs != entry.inputs:
        return False
    for fmt, target in targets.items():
        record = entry.outputs.get(fmt)
        if record is None or record.path != cache.rel(target):
            return False
        if record.key != output_key(inputs, fmt, options.settings(fmt)):
            return False
        try:
            if os.stat(target).st_size != record.size:
                return False
        except OSError:
            return False
        if verify and file_digest(target) != record.digest:
            return False
    return True


def _run(tasks: list[_Task], options: BuildOptions, jobs: int, check: bool,
         done: Callable[[_Task, MapResult], None]) -> None:
    def one(task: _Task) -> None:
        done(task, build_map(task.source, task.root, options, targets=task.targets, check=check))

    if jobs <= 1 or len(tasks) < MIN_PARALLEL:
        for task in tasks:
            one(task)
        return
    # The first map is built here: it loads the schema, templates, fonts and themes once, and
    # forked workers start with all of it in memory instead of each loading it again.
    one(tasks[0])
    rest = tasks[1:]
    from concurrent.futures import ProcessPoolExecutor, as_completed

    pool = ProcessPoolExecutor(max_workers=min(jobs, len(rest)), mp_context=_fork_context())
    try:
        futures = {pool.submit(build_map, task.source, task.root, options, targets=task.targets, check=check): task
                   for task in rest}
        for future in as_completed(futures):
            task = futures[future]
            try:
                result = future.result()
            except Exception as error:  # a worker died (out of memory, killed): that map failed
                result = MapResult(task.source, status="failed", diagnostics=[internal_error(task.source, error)])
            done(task, result)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _fork_context() -> Any:
    """Fork where it is safe (POSIX, no other threads): workers inherit what this process loaded."""
    import multiprocessing
    import threading

    if "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return None


def _orphans(cache: BuildCache, report: BuildReport, *, prune: bool, beside: bool) -> None:
    """Outputs jmap wrote for maps that no longer exist; removed with prune when still jmap's."""
    gone: dict[str, str] = dict(cache.orphans)
    for source, entry in list(cache.maps.items()):
        if cache.abs(source).is_file():
            continue
        written = {record.path: record.digest for record in entry.outputs.values()}
        if prune or not any(cache.abs(path).exists() for path in written):
            cache.forget(source)
            cache.orphans.update(written)  # still owned by jmap until removed
        gone.update(written)
    for relative in sorted(gone):
        path = cache.abs(relative)
        if not _could_be_output(cache, path, beside=beside):
            cache.forget_output(relative)  # the cache file is not jmap's (edited, or from a pull request)
            continue
        if not path.exists():
            cache.forget_output(relative)
            continue
        report.orphans.append(path)
        if not prune:
            continue
        if file_digest(path) == gone[relative]:
            path.unlink()
            report.pruned.append(path)
        else:
            report.kept.append(path)
        cache.forget_output(relative)


def _could_be_output(cache: BuildCache, path: Path, *, beside: bool) -> bool:
    """Whether jmap could have written `path` for this cache: an output file in its folder, or, in the
    default layout (`beside`), in a build/ folder beside a map below the folder's parent. The cache
    file sits in the output folder, which may be committed, so its paths are not trusted to stay there;
    an output folder given with -o is the only folder jmap may prune in."""
    if path.suffix.lstrip(".") not in FORMATS or path.name.startswith("."):
        return False
    folder, real = Path(os.path.realpath(cache.folder)), Path(os.path.realpath(path))  # no symlink out either
    return real.is_relative_to(folder) or (
        beside and real.is_relative_to(folder.parent) and real.parent.name == "build")


# --- settings from the config and the flags ----------------------------------------------


class Settings(NamedTuple):
    """A build, fully decided: what to build, how, and with how many processes."""

    paths: list[str]
    options: BuildOptions
    jobs: int
    config: ProjectConfig

    def exclude(self, path: Path) -> bool:
        return self.config.excluded(path)

    @property
    def roots(self) -> list[Path]:
        """The configured input roots (outputs mirror the maps below them)."""
        if self.config.source is None:
            return []
        return [pattern_root(p) for p in self.config.input_patterns()]

    def build(self, *, reporter: Reporter | None = None, force: bool = False, check: bool = False,
              prune: bool = False, paths: list[str] | None = None) -> BuildReport:
        """Run this build (or, with paths, the same settings over other maps)."""
        return build(paths or self.paths, self.options, jobs=self.jobs, force=force, check=check, prune=prune,
                     exclude=self.exclude, roots=self.roots, reporter=reporter)


def configure(
    config: ProjectConfig,
    paths: list[str] | None = None,
    *,
    out_dir: Path | None = None,
    formats: tuple[str, ...] | None = None,
    theme: str | None = None,
    scale: float | None = None,
    page_size: str | None = None,
    naming: str | None = None,
    max_bytes: int | None = None,
    jobs: int | None = None,
) -> Settings:
    """The config's settings with every flag that was given (not None) taking precedence."""
    defaults = BuildOptions()
    options = BuildOptions(
        out_dir=out_dir if out_dir is not None else config.output_dir(),
        formats=formats or config.formats or defaults.formats,
        scale=_first(scale, config.scale, defaults.scale),
        page_size=_first(page_size, config.page_size, defaults.page_size),
        max_bytes=_first(max_bytes, config.max_bytes, defaults.max_bytes),
        theme=_first(theme, config.theme, None),
        naming=_first(naming, config.naming, defaults.naming),
    )
    return Settings(
        paths=list(paths) if paths else config.input_patterns(),
        options=options,
        jobs=_first(jobs, config.jobs, 0) or default_jobs(),
        config=config,
    )


def _first(*values: Any) -> Any:
    return next((v for v in values if v is not None), None)
