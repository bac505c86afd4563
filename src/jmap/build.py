"""`jmap build`: turn maps into files in an output folder.

A straight sequence per map (check -> model -> render each format -> write
atomically); a broken map is reported and the others still build.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from jmap.api import check, discover
from jmap.diagnostics import Diagnostic, JmapError
from jmap.fsutil import write_atomic
from jmap.load import DEFAULT_MAX_BYTES
from jmap.model import Journey

FORMATS = ("svg", "png", "pdf", "html")


@dataclass(frozen=True)
class BuildOptions:
    #: Output folder; None means `build/` beside each input.
    out_dir: Path | None = None
    formats: tuple[str, ...] = ("svg",)
    #: PNG pixels per SVG pixel.
    scale: float = 2.0
    #: PDF page: "fit" (one page the size of the map) or a paper size such as "a3-landscape".
    page_size: str = "fit"
    max_bytes: int = DEFAULT_MAX_BYTES


@dataclass
class MapResult:
    source: Path
    outputs: list[Path] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    status: str = "built"  # built | failed

    @property
    def failed(self) -> bool:
        return self.status == "failed"


@dataclass
class BuildReport:
    results: list[MapResult] = field(default_factory=list)

    @property
    def failed(self) -> list[MapResult]:
        return [r for r in self.results if r.failed]


def render_format(journey: Journey, fmt: str, options: BuildOptions) -> bytes:
    """The bytes of one output format for a journey."""
    from jmap.render.svg import render_svg

    if fmt == "svg":
        return render_svg(journey).encode("utf-8")
    if fmt == "html":
        from jmap.render.html import render_html

        return render_html(journey).encode("utf-8")
    from jmap import export

    svg = render_svg(journey)
    if fmt == "png":
        return export.svg_to_png(svg, scale=options.scale)
    if fmt == "pdf":
        return export.svg_to_pdf(svg, page_size=options.page_size)
    raise ValueError(f"unknown format {fmt!r}")


def output_path(source: Path, fmt: str, input_root: Path, options: BuildOptions) -> Path:
    """Where a map's output goes: mirrored under the output folder, named after the map."""
    if options.out_dir is None:
        return source.parent / "build" / f"{source.stem}.{fmt}"
    try:
        relative = source.resolve().parent.relative_to(input_root.resolve())
    except ValueError:
        relative = Path()
    return options.out_dir / relative / f"{source.stem}.{fmt}"


def build_map(source: Path, input_root: Path, options: BuildOptions) -> MapResult:
    """Build one map into every asked format; nothing is written unless all formats render."""
    result = MapResult(source)
    checked = check(source, max_bytes=options.max_bytes)
    result.diagnostics = checked.diagnostics
    if checked.errors:
        result.status = "failed"
        return result
    try:
        journey = checked.journey()
        rendered = {fmt: render_format(journey, fmt, options) for fmt in options.formats}
    except JmapError as error:
        result.diagnostics = [*result.diagnostics, *error.diagnostics]
        result.status = "failed"
        return result
    for fmt, data in rendered.items():
        target = output_path(source, fmt, input_root, options)
        write_atomic(target, data)
        result.outputs.append(target)
    return result


def build(
    paths: list[str],
    options: BuildOptions | None = None,
    on_result: Callable[[MapResult], None] | None = None,
) -> BuildReport:
    """Build every map named by paths (files, folders, globs)."""
    options = options or BuildOptions()
    report = BuildReport()
    for pattern in paths:
        root = Path(pattern) if Path(pattern).is_dir() else Path(pattern).parent
        for source in discover([pattern]):
            result = build_map(source, root, options)
            report.results.append(result)
            if on_result:
                on_result(result)
    return report
