"""The journey map as an SVG document: layout, then the `map.svg.j2` template.

The template runs as Python compiled from it ahead of time (`_map_svg`, written by
tools/gen_templates.py), because importing jinja2 costs more than the render. When
the template file differs from the source that module was compiled from (edited and
not regenerated yet), Jinja renders the file, so the output is never stale.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from jmap.layout.engine import layout
from jmap.layout.geometry import Group, Layout, Node
from jmap.model.model import Journey
from jmap.render import _map_svg, _runtime
from jmap.render.filters import TEMPLATE_OPTIONS
from jmap.resources import data_dir

if TYPE_CHECKING:
    from jmap.review.diff import DiffResult

TEMPLATE = "map.svg.j2"


def render_svg(journey: Journey, *, tooltips: bool = True) -> str:
    """The infographic of a journey as SVG text (deterministic: same map, same bytes).

    `tooltips=False` for an SVG that becomes PNG or PDF: their legend promises no tooltip.
    """
    return render_layout_svg(layout(journey, avatar_images(journey), tooltips=tooltips))


def diff_layout(result: DiffResult, *, tooltips: bool = True) -> tuple[Journey, Layout]:
    """The visual diff of two versions of a map, positioned: the journey drawn (the new map with
    ghosts of what was removed) and its layout with the changes marked (see `jmap.layout.diffmarks`)."""
    from jmap.layout.diffmarks import diff_view

    journey, highlights = diff_view(result)
    return journey, layout(journey, avatar_images(journey, strict=False), highlights, tooltips=tooltips)


def render_diff_svg(result: DiffResult) -> str:
    """The visual diff as SVG text: the new map with added, changed and removed elements marked,
    the old emotion curve dashed under the new one, and a legend (deterministic)."""
    return render_layout_svg(diff_layout(result)[1])


def avatar_images(journey: Journey, *, strict: bool = True) -> dict[str, str]:
    """Persona id -> data URI of its avatar, read and checked here so layout stays pure.

    The storyboard's pictures are in the same mapping, keyed by their absolute path
    (`strict=False`: a picture that cannot be read is left out, and drawn as a placeholder).
    """
    pictures = storyboard_images(journey, strict=strict)
    if not any(persona.avatar for persona in journey.personas):
        return pictures  # most maps: jmap.images (with struct and zlib) is not imported
    from pathlib import Path

    from jmap.diagnostics import JmapError
    from jmap.images import ImageError, avatar_data_uri

    images = dict(pictures)
    for persona in journey.personas:
        if not persona.avatar:
            continue
        try:
            images[persona.id] = avatar_data_uri(Path(persona.avatar))
        except ImageError as error:
            raise JmapError([error.diagnostic(persona.span)]) from None
    return images


def storyboard_images(journey: Journey, *, strict: bool = True) -> dict[str, str]:
    """Image path -> checked data URI (metadata stripped) of every storyboard picture of the map."""
    items = [item for stage in journey.stages for column in stage.self_and_steps for item in column.lanes.storyboard]
    if not items:
        return {}
    from pathlib import Path

    from jmap.diagnostics import Diagnostic, JmapError
    from jmap.images import ImageError, avatar_data_uri

    images: dict[str, str] = {}
    for item in items:
        if item.image in images:
            continue
        try:
            images[item.image] = avatar_data_uri(Path(item.image))
        except (ImageError, OSError) as error:
            if strict:
                diagnostic = (error.diagnostic(item.span, "cannot use this storyboard image: ")
                              if isinstance(error, ImageError) else
                              Diagnostic("E400", "cannot read this storyboard image", item.span))
                raise JmapError([diagnostic]) from None
    return images


def render_layout_svg(positioned: Layout) -> str:
    """SVG text for an already positioned layout."""
    return render_template(layout=positioned, events=list(events(positioned.nodes)))


def render_template(**variables: Any) -> str:
    """`map.svg.j2` rendered: compiled while it is current, else by Jinja (same bytes either way)."""
    if compiled_is_current():
        return render_compiled(**variables)
    return render_with_jinja(**variables)


def compiled_is_current() -> bool:
    """Whether `_map_svg` was compiled from the template file as it is, with today's options.

    Its digest (`jmap.digests`) of both must be the one the module keeps. Read on every render
    (4 KB, a few microseconds), so `jmap watch` sees an edit. Read as text, so a CRLF checkout
    matches (Jinja reads line ends the same way).
    """
    try:
        source = (data_dir("templates") / TEMPLATE).read_text(encoding="utf-8")
    except (OSError, UnicodeError):
        return False  # Jinja then reports the problem as it always did
    return compiled_digest(source, TEMPLATE_OPTIONS) == _map_svg.SOURCE_DIGEST


def compiled_digest(source: str, options: dict[str, Any]) -> str:
    """The digest of a template's text and the environment options it is compiled with."""
    from jmap.digests import source_digest

    return source_digest(source, repr(sorted(options.items())))


def render_compiled(**variables: Any) -> str:
    return _runtime.render(_map_svg.root, variables)


def render_with_jinja(**variables: Any) -> str:
    from jmap.render.env import get_env

    return get_env().get_template(TEMPLATE).render(**variables)


def events(nodes: tuple[Node, ...]) -> Iterator[tuple[str, Node]]:
    """The node tree as a flat walk, so the template needs no recursive macro (much faster in Jinja)."""
    for node in nodes:
        if isinstance(node, Group):
            yield "open", node
            yield from events(node.children)
            yield "close", node
        else:
            yield node.kind, node
