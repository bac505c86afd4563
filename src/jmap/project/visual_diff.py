"""`jmap diff --render`: the visual diff of each compared map, written into a folder in each format.

The library writes the files; the CLI only parses the command line, calls this and prints what it says.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from jmap.diagnostics import Diagnostic, JmapError
from jmap.fsutil import OutsideError

if TYPE_CHECKING:
    from jmap.review.diff import DiffResult


class FormatFailed(JmapError):
    """The visual diff of map `name` cannot be made as `fmt` (the diagnostics say why)."""

    def __init__(self, name: str, fmt: str, diagnostics: list[Diagnostic]) -> None:
        super().__init__(diagnostics)
        self.name = name
        self.fmt = fmt


class LeadsOut(OutsideError):
    """The file `path` would land outside `folder` (a link on the way, or at its own name)."""

    def __init__(self, path: Path, folder: Path) -> None:
        super().__init__(str(path))
        self.path = path
        self.folder = folder


def write_visual_diffs(results: Sequence[DiffResult], folder: Path, formats: tuple[str, ...],
                       say: Callable[[str], None]) -> None:
    """Write `<name>.diff.<format>` into `folder` for each result that can be drawn; `say` gets each line to tell.

    A deleted map has nothing to draw (said, skipped); two maps of one name are named by their folders too.
    Raises FormatFailed or LeadsOut at the first file that cannot be written.
    """
    used: set[str] = set()
    for result in results:
        if result.failed:
            continue
        label = result.new_label if result.new is not None else result.old_label
        side = label.split(":", 1)[1] if ":" in label and not Path(label).exists() else label
        if result.new is None:
            say(f"jmap: {side}: map deleted; no visual diff drawn")
            continue
        source = Path(side)
        name = source.stem
        if name in used:  # two maps of one name: name them by their folders too
            name = "-".join(part for part in source.with_suffix("").parts if part not in ("", ".", "..", "/"))
        used.add(name)
        write_visual_diff(result, folder, name, formats, say)


def write_visual_diff(result: DiffResult, folder: Path, name: str, formats: tuple[str, ...],
                      say: Callable[[str], None]) -> None:
    """Write one map's visual diff in each format (`say` gets `wrote <path>` after each file)."""
    from jmap.export import export
    from jmap.fsutil import write_atomic
    from jmap.loading.load import display_path
    from jmap.render.svg import avatar_images, diff_layout, render_layout_svg

    journey, positioned = diff_layout(result)
    svg = render_layout_svg(positioned)
    # PNG and PDF have no tooltips: their legend must not promise one.
    still = render_layout_svg(diff_layout(result, tooltips=False)[1]) if {"png", "pdf"} & set(formats) else svg
    for fmt in formats:
        try:
            if fmt == "svg":
                data = svg.encode("utf-8")
            elif fmt == "png":
                data = export.svg_to_png(still, source=name, extent=export.journey_extent(journey))
            elif fmt == "pdf":
                data = export.svg_to_pdf(still, source=name, extent=export.journey_extent(journey))
            else:
                from jmap.model.themes import resolve_theme
                from jmap.render.html import card_data, render_page

                data = render_page(
                    journey,
                    svg,
                    card_data(journey, positioned),
                    resolve_theme(journey.theme),
                    avatars=avatar_images(journey),
                ).encode("utf-8")
        except JmapError as error:
            raise FormatFailed(name, fmt, error.diagnostics) from None
        path = folder / f"{name}.diff.{fmt}"
        try:
            write_atomic(path, data, within=folder)
        except OutsideError:
            raise LeadsOut(path, folder) from None
        say(f"wrote {display_path(path)}")
