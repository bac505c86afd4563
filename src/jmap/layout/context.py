"""What every part of a layout run shares: the journey, the theme, counters, and the drawing primitives.

`LayoutContext` holds the state one `layout()` call builds up (ids handed out, icons and
channels used, marks the legend must explain, cut texts) and the small operations every
section draws with: wrap and place text, icons, footnote numbers, the assumption check,
flowing panels into rows. The sections (`header`, `cards`, `curve`, `legend`) are mixins
over it and `engine._Builder` combines them, so they all share one run's state.
The records here are `NamedTuple`s: cheaper to define at import than dataclasses, and
with evaluated annotations, which NamedTuple need not compile (see jmap.layout.geometry).
"""

import math
from collections.abc import Callable, Mapping, Sequence
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, NamedTuple

from jmap.diagnostics import Diagnostic, clip
from jmap.diagnostics import Span as SourceSpan
from jmap.layout import text as tx
from jmap.layout.geometry import Group, Icon, Node, Text, TextLine
from jmap.layout.rhythm import snap
from jmap.model.lanes import EVIDENCED_LANES
from jmap.model.model import ANONYMOUS_PERSONA, Journey, Stage, Step
from jmap.model.themes import ResolvedTheme, resolve_theme

if TYPE_CHECKING:
    from jmap.layout.diffmarks import DiffHighlights

#: Longest text a card shows before it is cut with "…" (the full text stays in <title>).
MAX_LINES = 8
#: Items whose missing evidence marks them as assumptions on a map that declares research.
ASSUMPTION_LANES = frozenset(EVIDENCED_LANES)


class Shortened(NamedTuple):
    """A text cut with "…" to fit its card: what it is, its text, how many characters show, where the map says it."""

    what: str
    text: str
    shown: int
    span: SourceSpan


#: What the map's text is about (`("pain point", item.span)`), for the report of a shortened text.
About = tuple[str, SourceSpan]
#: Hears of every text a layout shortens while set (jmap.project.builder and `jmap validate` report them as
#: W504): a context variable, so that `render_svg(journey)` and every drawer keep their signatures.
SHORTENED: ContextVar[Callable[[Shortened], None] | None] = ContextVar("SHORTENED", default=None)


def shortening(shortened: Shortened) -> Diagnostic:
    """The W504 warning for a shortened text: what, where, and how much of it the map shows."""
    return Diagnostic(
        "W504",
        f"the {shortened.what} '{clip(shortened.text, 40)}' was shortened to fit "
        f"({shortened.shown} of {len(shortened.text)} characters shown)",
        shortened.span,
        hint="shorten the text, or split it in two",
    )


def shown_characters(lines: Sequence[str], total: int) -> int:
    """How many characters of a text its cut lines show (without the "…" and the hyphens wrapping adds)."""
    shown = sum(len(line.rstrip("\u2026").rstrip("-")) for line in lines) + max(0, len(lines) - 1)
    return min(shown, total)


def _items_backed_by_their_column(journey: Journey) -> set[int]:
    """Items whose stage or step cites evidence: not assumptions, as the validator agrees (W501)."""
    backed: set[int] = set()
    for stage in journey.stages:
        for column in stage.self_and_steps:
            if column.evidence or stage.evidence:
                for lane in ASSUMPTION_LANES:
                    backed.update(id(item) for item in column.lanes.items(lane))
    return backed


def fit(text: str, size: float, weight: str = "regular") -> float:
    """The width a box needs to hold `text` on one line (rounded up, so it never wraps)."""
    return math.ceil(tx.measure(text, size, weight)) + 1.0


def _weight(weight: str) -> int:
    return 600 if weight == "semibold" else 400


# --- columns and plans -------------------------------------------------------------------


class Column(NamedTuple):
    """One column of the grid: a step, or a stage without steps."""

    stage: Stage
    step: Step | None
    x: float
    w: float

    @property
    def id(self) -> str:
        return self.step.id if self.step else self.stage.id

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    def data(self) -> tuple[tuple[str, str], ...]:
        if self.step is None:
            return (("stage", self.stage.id),)
        return (("stage", self.stage.id), ("step", self.step.id))


class Span(NamedTuple):
    """A stage's horizontal extent: its step columns, or one column of its own."""

    stage: Stage
    #: The stage's place in the map, from 0 (not `index`, which a tuple already has).
    position: int
    x: float
    w: float
    columns: tuple[Column, ...]

    @property
    def has_steps(self) -> bool:
        return bool(self.stage.steps)

    @property
    def cx(self) -> float:
        return self.x + self.w / 2


#: Draws nodes at (x, y).
Draw = Callable[[float, float], list[Node]]


class Plan(NamedTuple):
    """Something measured but not yet placed: its height, and how to draw it at (x, y)."""

    h: float
    draw: Callable[[float, float], Group]


class LayoutContext:
    """One layout run: the journey, the theme, and what has been decided so far."""

    #: The width of the header, legend and sources: the grid's, or a readable minimum (set by `build`).
    content_w: float

    def __init__(self, journey: Journey, avatars: Mapping[str, str],
                 highlights: "DiffHighlights | None" = None, *, tooltips: bool = True) -> None:
        self.j = journey
        #: Whether the format drawn shows tooltips (SVG `<title>`, the HTML page's): the legend says so only then.
        self.tooltips = tooltips
        self.avatars = avatars
        self.hl = highlights
        self.backed_by_column = _items_backed_by_their_column(journey)
        self.theme: ResolvedTheme = resolve_theme(journey.theme)
        self.c = self.theme.colors
        sizes = self.theme.font_sizes
        self.body = sizes.body
        self.small = sizes.small
        self.heading = sizes.heading
        self.title_size = sizes.title
        k = self.body / 13
        self.label_w = snap(144 * k)
        self.col_w = snap(224 * k)
        self.persona_w = snap(440 * k)
        self.source_w = snap(352 * k)
        self.refs = {r.id: i + 1 for i, r in enumerate(journey.research)}
        self.declares_research = bool(journey.research)
        self.icons_used: dict[str, None] = {}
        self.ids: set[str] = set()
        self.truncated = 0
        self.on_shortened = SHORTENED.get()
        #: The map's file, for what has no span of its own (its title, a lane's name).
        self.top = SourceSpan(journey.source, 0, 0)
        self.cards = 0
        self.flags: set[str] = set()
        self.channels: dict[str, None] = {}
        self.persona_colors = self._persona_colors()
        self._vertical_cache: dict[float, tuple[float, float]] = {}

    # --- primitives -----------------------------------------------------------------

    def uid(self, wanted: str) -> str:
        """A unique element id (schema ids are unique per kind; prefixes keep kinds apart)."""
        candidate, n = wanted, 2
        while candidate in self.ids:
            candidate = f"{wanted}-{n}"
            n += 1
        self.ids.add(candidate)
        return candidate

    def wrap(self, text: str, w: float, size: float, weight: str = "regular",
             max_lines: int | None = MAX_LINES, about: About | None = None) -> tx.Wrapped:
        """`text` wrapped to `w`; a cut text is counted, marked, and told to `SHORTENED`'s listener."""
        wrapped = tx.wrap(text, max(w, 1.0), size, weight, max_lines, self.j.language or None)
        if wrapped.truncated:
            self.truncated += 1
            self.flags.add("truncated")
            if self.on_shortened is not None:
                what, span = about or ("label", self.top)
                self.on_shortened(Shortened(what, text, shown_characters(wrapped.lines, len(text)), span))
        return wrapped

    def text(self, wrapped: tx.Wrapped, x: float, y: float, w: float, size: float, color: str,
             weight: str = "regular", anchor: str = "start", full: str = "", cls: str = "") -> Text:
        """Place wrapped lines in a box at (x, y) of width w (RTL lines hang from the right edge)."""
        lh, base = self._verticals(size)
        if anchor == "middle":
            lx = x + w / 2
        elif anchor == "end" or wrapped.rtl:
            lx = x + w
        else:
            lx = x
        if wrapped.rtl and anchor != "middle":
            # SVG: with direction="rtl", text-anchor "start" is the right edge (as browsers draw it).
            anchor = "start"
        lines = tuple([TextLine(line, lx, y + base + i * lh) for i, line in enumerate(wrapped.lines)])
        return Text(
            x=x, y=y, w=w, h=len(lines) * lh, size=size, weight=_weight(weight), color=color, lines=lines,
            anchor=anchor, rtl=wrapped.rtl, truncated=wrapped.truncated,
            full=full if wrapped.truncated else "", cls=cls,
        )

    def _verticals(self, size: float) -> tuple[float, float]:
        """Line height and first baseline at `size`: every text needs both, and a map uses few sizes."""
        found = self._vertical_cache.get(size)
        if found is None:
            found = self._vertical_cache[size] = (tx.line_height(size), tx.first_baseline(size))
        return found

    def line(self, text: str, x: float, y: float, w: float, size: float, color: str,
             weight: str = "regular", anchor: str = "start", cls: str = "", max_lines: int = 1,
             about: About | None = None) -> Text:
        """A short label (one line unless asked), cut with "…" if it must be."""
        return self.text(self.wrap(text, w, size, weight, max_lines, about), x, y, w, size, color, weight, anchor,
                         full=text, cls=cls)

    def icon(self, name: str, x: float, y: float, size: float, color: str, fill: str = "none",
             stroke_width: float | None = None) -> Icon:
        self.icons_used.setdefault(name, None)
        if stroke_width is None:
            stroke_width = self.theme.strokes.icon * 24 / size
        return Icon(name=name, x=x, y=y, size=size, color=color, scale=size / 24,
                    stroke_width=stroke_width, fill=fill)

    def lh(self, size: float) -> float:
        return tx.line_height(size)

    # --- evidence marks -------------------------------------------------------------

    def ref_numbers(self, evidence: Sequence[str]) -> list[int]:
        return sorted({self.refs[e] for e in evidence if e in self.refs})

    def refs_plan(self, evidence: Sequence[str]) -> tuple[float, Callable[[float, float], list[Node]]] | None:
        """Footnote numbers citing research: (width, draw at (right edge, top))."""
        numbers = self.ref_numbers(evidence)
        if not numbers:
            return None
        self.flags.add("evidence")
        label = ",".join(str(n) for n in numbers)
        size = self.small
        icon_size = 11.0
        text_w = fit(label, size, "semibold")
        width = icon_size + 3 + text_w

        def draw(right: float, top: float) -> list[Node]:
            lh = self.lh(size)
            return [
                self.icon("evidence", right - width, top + (lh - icon_size) / 2, icon_size, self.c["accent"]),
                self.text(tx.Wrapped((label,), False, False), right - text_w, top, text_w, size, self.c["accent"],
                          "semibold", cls="refs"),
            ]

        return width, draw

    def is_assumption(self, lane: str, item: Any) -> bool:
        if not self.declares_research or lane not in ASSUMPTION_LANES:
            return False
        if any(e in self.refs for e in getattr(item, "evidence", ())) or id(item) in self.backed_by_column:
            return False
        self.flags.add("assumption")
        return True

    # --- persona colours ------------------------------------------------------------

    def _persona_colors(self) -> dict[str, str]:
        colors = {p.id: p.color or self.theme.persona_color(i) for i, p in enumerate(self.j.personas)}
        colors.setdefault(ANONYMOUS_PERSONA, self.c["accent"])
        return colors

    def persona_dash(self, index: int) -> str:
        return self.theme.persona_dash(index)

    # --- flowing panels ---------------------------------------------------------------

    def flow(self, plans: list[tuple[float, Plan]], x0: float, y0: float, width: float,
             gap: float) -> tuple[list[Group], float]:
        """Place plans left to right, wrapping into rows; returns the groups and the bottom."""
        placed: list[Group] = []
        x, y, row_h = x0, y0, 0.0
        for w, plan in plans:
            if x > x0 and x + w > x0 + width + 0.01:
                x, y, row_h = x0, y + row_h + gap, 0.0
            placed.append(plan.draw(x, y))
            row_h = max(row_h, plan.h)
            x += w + gap
        return placed, y + row_h

