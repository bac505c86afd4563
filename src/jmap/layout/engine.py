"""Lay out a journey: every box, wrapped line, curve point and icon of the map, positioned.

`layout(journey)` is pure (no I/O): text is measured with `jmap.layout.text`, colours
come from the resolved theme, and the result is a `Layout` that templates only place.

The map, top to bottom: a header and persona cards flowing left to right; the grid
(chapter bands, stage headers, a timeline arrow with durations, step headers, then one
row per lane with a fixed lane-label column at the left); a legend; the research
sources. Columns are the stages' steps (or the stage itself); content set on a stage
spans all its step columns, content set on a step sits in the step's column. Within a
lane row, cells that span a stage with steps sit above that stage's step cells.
Everything sits on an 8 px rhythm.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from jmap import icons
from jmap.layout import text as tx
from jmap.layout.geometry import (
    Box,
    Circle,
    Group,
    Icon,
    IconDef,
    Image,
    Layout,
    Node,
    Path,
    Rect,
    Text,
    TextLine,
    fmt,
)
from jmap.model import (
    ANONYMOUS_PERSONA,
    Journey,
    Kpi,
    Lane,
    Opportunity,
    PainPoint,
    Persona,
    Research,
    Stage,
    Step,
    TextItem,
)
from jmap.themes import PRIORITIES, SEVERITIES, ResolvedTheme, contrast_ratio, resolve_theme

if TYPE_CHECKING:
    from jmap.layout.diffmarks import DiffHighlights

#: Longest text a card shows before it is cut with "…" (the full text stays in <title>).
MAX_LINES = 8
#: Items whose missing evidence marks them as assumptions on a map that declares research.
ASSUMPTION_LANES = frozenset({"pain_points", "opportunities", "thoughts", "feelings", "kpis"})

GRID = 8  # the rhythm
MARGIN = 40
CELL_INSET = 8  # cell edge to card
GAP = 8  # between cards
PAD_X = 10  # card edge to text
PAD_Y = 8
RADIUS = 6
SECTION_GAP = 32  # between header, grid, legend and footer
FLOW_GAP = 24  # between flowing panels (persona cards, legend blocks, sources)
EMOTION_STEP = 28  # px between two levels of the emotion scale, at 13 px type
MIN_ROW = 48

_LEVELS = {"low": 1, "medium": 2, "high": 3, "critical": 4}
_MINUS = "\u2212"
_LANE_ICONS = {
    "touchpoints": "website",
    "thoughts": "thought",
    "feelings": "face-neutral",
    "emotion": "face-happy",
    "pain_points": "severity",
    "opportunities": "opportunity",
    "kpis": "kpi",
    "evidence": "evidence",
}
_LANE_CLASSES = {
    "actions": "action",
    "touchpoints": "touchpoint",
    "thoughts": "thought",
    "feelings": "feeling",
    "pain_points": "pain-point",
    "opportunities": "opportunity",
    "kpis": "kpi",
    "frontstage": "frontstage",
    "backstage": "backstage",
    "support": "support",
    "evidence": "evidence",
}
_SCALE_WORDS = {2: "very positive", 1: "positive", 0: "neutral", -1: "negative", -2: "very negative"}


def layout(journey: Journey, avatars: Mapping[str, str] | None = None,
           highlights: DiffHighlights | None = None) -> Layout:
    """The positioned map of a journey (pure and deterministic).

    `avatars` maps persona ids to checked image data URIs; the caller reads the files,
    so layout stays free of I/O. `highlights` marks a visual diff's changes (see
    `jmap.layout.diffmarks`); without it nothing of the diff is drawn.
    """
    return _Builder(journey, avatars or {}, highlights).build()


def _items_backed_by_their_column(journey: Journey) -> set[int]:
    """Items whose stage or step cites evidence: not assumptions, as the validator agrees (W501)."""
    backed: set[int] = set()
    for stage in journey.stages:
        for column in (stage, *stage.steps):
            if column.evidence or stage.evidence:
                for lane in ASSUMPTION_LANES:
                    backed.update(id(item) for item in column.lanes.items(lane))
    return backed


def snap(value: float, step: float = GRID) -> float:
    """`value` rounded up to the rhythm."""
    return math.ceil(value / step - 1e-9) * step


# --- the emotion curve ------------------------------------------------------------------


def monotone_curve(points: Sequence[tuple[float, float]]) -> str:
    """SVG path data of a smooth curve through `points` (x ascending) that never overshoots.

    Fritsch–Carlson monotone cubic interpolation: tangents are zero at local extrema and
    limited elsewhere, so every Bézier control point lies between the y of the two points
    it joins, and the curve stays inside the scale whatever the scores.
    """
    if not points:
        return ""
    if len(points) == 1:
        x, y = points[0]
        return f"M{fmt(x)} {fmt(y)}"
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    n = len(points)
    h = [xs[i + 1] - xs[i] for i in range(n - 1)]
    d = [(ys[i + 1] - ys[i]) / h[i] if h[i] else 0.0 for i in range(n - 1)]
    m = [0.0] * n
    m[0], m[-1] = d[0], d[-1]
    for i in range(1, n - 1):
        m[i] = 0.0 if d[i - 1] * d[i] <= 0 else (d[i - 1] + d[i]) / 2
    for i in range(n - 1):
        if d[i] == 0:
            m[i] = m[i + 1] = 0.0
            continue
        a, b = m[i] / d[i], m[i + 1] / d[i]
        s = a * a + b * b
        if s > 9:
            t = 3 / math.sqrt(s)
            m[i], m[i + 1] = t * a * d[i], t * b * d[i]
    parts = [f"M{fmt(xs[0])} {fmt(ys[0])}"]
    for i in range(n - 1):
        third = h[i] / 3
        c1 = (xs[i] + third, ys[i] + m[i] * third)
        c2 = (xs[i + 1] - third, ys[i + 1] - m[i + 1] * third)
        parts.append(
            f"C{fmt(c1[0])} {fmt(c1[1])} {fmt(c2[0])} {fmt(c2[1])} {fmt(xs[i + 1])} {fmt(ys[i + 1])}"
        )
    return "".join(parts)


def _marker_path(shape: int, cx: float, cy: float, r: float) -> str:
    """A persona's point marker (shapes differ so curves read in greyscale)."""
    shape %= 5
    if shape == 1:  # square
        s = r * 0.9
        return f"M{fmt(cx - s)} {fmt(cy - s)}h{fmt(2 * s)}v{fmt(2 * s)}h{fmt(-2 * s)}z"
    if shape == 2:  # diamond
        s = r * 1.25
        return f"M{fmt(cx)} {fmt(cy - s)}L{fmt(cx + s)} {fmt(cy)}L{fmt(cx)} {fmt(cy + s)}L{fmt(cx - s)} {fmt(cy)}z"
    if shape == 3:  # triangle up
        s = r * 1.3
        return f"M{fmt(cx)} {fmt(cy - s)}L{fmt(cx + s)} {fmt(cy + s * 0.8)}L{fmt(cx - s)} {fmt(cy + s * 0.8)}z"
    if shape == 4:  # triangle down
        s = r * 1.3
        return f"M{fmt(cx)} {fmt(cy + s)}L{fmt(cx + s)} {fmt(cy - s * 0.8)}L{fmt(cx - s)} {fmt(cy - s * 0.8)}z"
    return (  # circle
        f"M{fmt(cx + r)} {fmt(cy)}a{fmt(r)} {fmt(r)} 0 1 1 {fmt(-2 * r)} 0a{fmt(r)} {fmt(r)} 0 1 1 {fmt(2 * r)} 0z"
    )


# --- small helpers ------------------------------------------------------------------------


def _rounded_rect(x: float, y: float, w: float, h: float, r: float) -> str:
    return (
        f"M{fmt(x + r)} {fmt(y)}H{fmt(x + w - r)}A{fmt(r)} {fmt(r)} 0 0 1 {fmt(x + w)} {fmt(y + r)}"
        f"V{fmt(y + h - r)}A{fmt(r)} {fmt(r)} 0 0 1 {fmt(x + w - r)} {fmt(y + h)}"
        f"H{fmt(x + r)}A{fmt(r)} {fmt(r)} 0 0 1 {fmt(x)} {fmt(y + h - r)}"
        f"V{fmt(y + r)}A{fmt(r)} {fmt(r)} 0 0 1 {fmt(x + r)} {fmt(y)}z"
    )


def _bubble(x: float, y: float, w: float, h: float, r: float, tail: float) -> str:
    """A speech bubble: a rounded box of height `h` with a tail below its left part."""
    t0 = x + 14
    return (
        f"M{fmt(x + r)} {fmt(y)}H{fmt(x + w - r)}A{fmt(r)} {fmt(r)} 0 0 1 {fmt(x + w)} {fmt(y + r)}"
        f"V{fmt(y + h - r)}A{fmt(r)} {fmt(r)} 0 0 1 {fmt(x + w - r)} {fmt(y + h)}"
        f"H{fmt(t0 + 12)}L{fmt(t0)} {fmt(y + h + tail)}L{fmt(t0 + 2)} {fmt(y + h)}"
        f"H{fmt(x + r)}A{fmt(r)} {fmt(r)} 0 0 1 {fmt(x)} {fmt(y + h - r)}"
        f"V{fmt(y + r)}A{fmt(r)} {fmt(r)} 0 0 1 {fmt(x + r)} {fmt(y)}z"
    )


def _left_stripe(x: float, y: float, h: float, r: float, w: float = 4) -> str:
    """A coloured edge that follows a card's rounded left corners."""
    return (
        f"M{fmt(x + r)} {fmt(y)}H{fmt(x + w)}V{fmt(y + h)}H{fmt(x + r)}"
        f"A{fmt(r)} {fmt(r)} 0 0 1 {fmt(x)} {fmt(y + h - r)}V{fmt(y + r)}"
        f"A{fmt(r)} {fmt(r)} 0 0 1 {fmt(x + r)} {fmt(y)}z"
    )


def format_number(value: float) -> str:
    """1234567 -> "1,234,567"; 2.50 -> "2.5"."""
    if float(value).is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    if value and not 1e-4 <= abs(value) < 1e15:  # astronomically large or tiny: scientific, bounded length
        return f"{value:.4g}"
    text = f"{value:,.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def with_unit(value: float, unit: str) -> str:
    number = format_number(value).replace("-", _MINUS)
    if not unit:
        return number
    return f"{number}{unit}" if unit in ("%", "‰", "°") else f"{number} {unit}"


def _at_height(draw: Callable[[float, float, float], Group], h: float) -> Callable[[float, float], Group]:
    return lambda x, y: draw(x, y, h)


def _on(color: str) -> str:
    """White or near-black ink, whichever reads better on `color`."""
    return max(("#ffffff", "#111827"), key=lambda ink: contrast_ratio(ink, color))


def fit(text: str, size: float, weight: str = "regular") -> float:
    """The width a box needs to hold `text` on one line (rounded up, so it never wraps)."""
    return math.ceil(tx.measure(text, size, weight)) + 1.0


def _weight(weight: str) -> int:
    return 600 if weight == "semibold" else 400


def _clean_class(name: str) -> str:
    return name.replace("_", "-")


# --- columns ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Column:
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


@dataclass(frozen=True)
class _Span:
    """A stage's horizontal extent: its step columns, or one column of its own."""

    stage: Stage
    index: int
    x: float
    w: float
    columns: tuple[_Column, ...]

    @property
    def has_steps(self) -> bool:
        return bool(self.stage.steps)

    @property
    def cx(self) -> float:
        return self.x + self.w / 2


#: Draws nodes at (x, y).
_Draw = Callable[[float, float], list[Node]]


@dataclass(frozen=True)
class _Plan:
    """Something measured but not yet placed: its height, and how to draw it at (x, y)."""

    h: float
    draw: Callable[[float, float], Group]


@dataclass
class _Cell:
    key: str  # "full", "span" or "steps": which part of the row it occupies
    x: float
    w: float
    plans: list[_Plan]
    data: tuple[tuple[str, str], ...]
    id: str

    @property
    def content_h(self) -> float:
        if not self.plans:
            return 0.0
        return 2 * CELL_INSET + sum(p.h for p in self.plans) + GAP * (len(self.plans) - 1)


class _Builder:
    """One layout run: the journey, the theme, and what has been decided so far."""

    def __init__(self, journey: Journey, avatars: Mapping[str, str],
                 highlights: DiffHighlights | None = None) -> None:
        self.j = journey
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
        self.cards = 0
        self.flags: set[str] = set()
        self.channels: dict[str, None] = {}
        self.persona_colors = self._persona_colors()

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
             max_lines: int | None = MAX_LINES) -> tx.Wrapped:
        wrapped = tx.wrap(text, max(w, 1.0), size, weight, max_lines)
        if wrapped.truncated:
            self.truncated += 1
            self.flags.add("truncated")
        return wrapped

    def text(self, wrapped: tx.Wrapped, x: float, y: float, w: float, size: float, color: str,
             weight: str = "regular", anchor: str = "start", full: str = "", cls: str = "") -> Text:
        """Place wrapped lines in a box at (x, y) of width w (RTL lines hang from the right edge)."""
        lh = tx.line_height(size)
        base = tx.first_baseline(size)
        if anchor == "middle":
            lx = x + w / 2
        elif anchor == "end" or wrapped.rtl:
            lx = x + w
        else:
            lx = x
        if wrapped.rtl and anchor != "middle":
            # SVG: with direction="rtl", text-anchor "start" is the right edge (as browsers draw it).
            anchor = "start"
        lines = tuple(TextLine(line, lx, y + base + i * lh) for i, line in enumerate(wrapped.lines))
        return Text(
            x=x, y=y, w=w, h=len(lines) * lh, size=size, weight=_weight(weight), color=color, lines=lines,
            anchor=anchor, rtl=wrapped.rtl, truncated=wrapped.truncated,
            full=full if wrapped.truncated else "", cls=cls,
        )

    def line(self, text: str, x: float, y: float, w: float, size: float, color: str,
             weight: str = "regular", anchor: str = "start", cls: str = "", max_lines: int = 1) -> Text:
        """A short label (one line unless asked), cut with "…" if it must be."""
        return self.text(self.wrap(text, w, size, weight, max_lines), x, y, w, size, color, weight, anchor,
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

    # --- the whole map ----------------------------------------------------------------

    def build(self) -> Layout:
        spans = self.columns()
        grid_w = self.label_w + sum(s.w for s in spans)
        self.content_w = max(grid_w, snap(880 * self.body / 13))
        x0: float = MARGIN
        y: float = MARGIN
        top, y = self.top_panels(x0, y)
        y += SECTION_GAP
        grid_nodes, stage_groups, curve, y = self.grid(spans, x0, y)
        legend, y = self.legend(x0, y + SECTION_GAP)
        footer, y = self.sources(x0, y + SECTION_GAP) if self.j.research else (None, y)
        nodes: list[Node] = [*top, *grid_nodes, *stage_groups]
        if curve is not None:
            nodes.append(curve)
        if legend is not None:
            nodes.append(legend)
        if footer is not None:
            nodes.append(footer)
        width = MARGIN * 2 + self.content_w
        height = snap(y + MARGIN)
        return Layout(
            width=width,
            height=height,
            title=self.j.title,
            desc=self.description(),
            font_family=tx.FONT_STACK,
            background=self.c["background"],
            theme=self.theme.name,
            icons=tuple(IconDef(name, icons.icon_paths(name)) for name in sorted(self.icons_used)),
            nodes=tuple(nodes),
            meta=(("cards", self.cards), ("columns", sum(len(s.columns) for s in spans)),
                  ("truncated", self.truncated)),
        )

    def description(self) -> str:
        names = ", ".join(s.name for s in self.j.stages)
        count = len(self.j.stages)
        summary = f"A customer-journey map in {count} stage{'s' if count != 1 else ''}: {names}."
        return f"{self.j.description} {summary}" if self.j.description else summary

    def columns(self) -> list[_Span]:
        spans: list[_Span] = []
        x = MARGIN + self.label_w
        for index, stage in enumerate(self.j.stages):
            start = x
            cols = []
            for step in stage.steps or (None,):
                cols.append(_Column(stage, step, x, self.col_w))
                x += self.col_w
            spans.append(_Span(stage, index, start, x - start, tuple(cols)))
        return spans

    # --- header and personas ----------------------------------------------------------

    def top_panels(self, x0: float, y0: float) -> tuple[list[Node], float]:
        """The header block and persona cards, flowing left to right and wrapping."""
        header_w = min(self.content_w, snap(640 * self.body / 13))
        plans = [(header_w, self.header_plan(header_w))]
        persona_plans = [self.persona_plan(p) for p in self.j.personas]
        if persona_plans:
            tallest = max(h for h, _ in persona_plans)  # peers share a height
            plans += [(self.persona_w, _Plan(tallest, _at_height(draw, tallest))) for _, draw in persona_plans]
        placed, bottom = self.flow(plans, x0, y0, self.content_w, FLOW_GAP)
        header, *cards = placed
        nodes: list[Node] = [header]
        if cards:
            nodes.append(Group(tuple(cards), id="personas", cls="personas"))
        return nodes, bottom

    def flow(self, plans: list[tuple[float, _Plan]], x0: float, y0: float, width: float,
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

    def header_plan(self, w: float) -> _Plan:
        j = self.j
        title = self.wrap(j.title, w, self.title_size, "semibold", 4)
        desc = self.wrap(j.description, w, self.body * 15 / 13, "regular", 6) if j.description else None
        chips = list(j.tags)
        stats = self.stats_line()
        meta_size = self.small
        meta_lh = self.lh(meta_size)
        chip_h = snap(meta_lh + 4, 2)
        # Chips flow in rows under the owner / stats line.
        chip_rows: list[list[tuple[str, float]]] = [[]]
        cx = 0.0
        for tag in chips:
            cw = min(fit(tag, meta_size) + 16, w)
            if chip_rows[-1] and cx + cw > w:
                chip_rows.append([])
                cx = 0.0
            chip_rows[-1].append((tag, cw))
            cx += cw + 6
        if not chip_rows[-1]:
            chip_rows.pop()
        owner = f"Owner: {j.owner}" if j.owner else ""
        meta_text = " · ".join(t for t in (owner, stats) if t)
        meta = self.wrap(meta_text, w, meta_size, "regular", 3)
        title_h = len(title.lines) * self.lh(self.title_size)
        desc_h = len(desc.lines) * self.lh(self.body * 15 / 13) if desc else 0.0
        meta_h = len(meta.lines) * meta_lh
        h = title_h + (8 + desc_h if desc else 0) + 16 + meta_h
        if chip_rows:
            h += 8 + len(chip_rows) * chip_h + (len(chip_rows) - 1) * 6

        def draw(x: float, y: float) -> Group:
            nodes: list[Node] = [self.text(title, x, y, w, self.title_size, self.c["text"], "semibold",
                                           full=j.title, cls="title")]
            cy = y + title_h
            if desc:
                cy += 8
                nodes.append(self.text(desc, x, cy, w, self.body * 15 / 13, self.c["text_muted"],
                                       full=j.description, cls="description"))
                cy += desc_h
            cy += 16
            nodes.append(self.text(meta, x, cy, w, meta_size, self.c["text_muted"], full=meta_text, cls="meta"))
            cy += meta_h + 8
            for row in chip_rows:
                chip_x = x
                for tag, cw in row:
                    nodes.append(Group((
                        Rect(chip_x, cy, cw, chip_h, fill=self.c["surface"], stroke=self.c["card_border"],
                             stroke_width=1, rx=chip_h / 2),
                        self.line(tag, chip_x + 8, cy + (chip_h - meta_lh) / 2, cw - 16, meta_size,
                                  self.c["text_muted"]),
                    ), cls="tag", box=Box(chip_x, cy, cw, chip_h)))
                    chip_x += cw + 6
                cy += chip_h + 6
            return Group(tuple(nodes), id="header", cls="header", box=Box(x, y, w, h))

        return _Plan(h, draw)

    def stats_line(self) -> str:
        j = self.j
        if self.hl is not None:  # a visual diff counts what the new map has, not its ghosts
            j = replace(j, stages=tuple(replace(s, steps=tuple(t for t in s.steps if not self.hl.is_ghost(t.id)))
                                        for s in j.stages if not self.hl.is_ghost(s.id)))
        steps = sum(len(s.steps) for s in j.stages)
        parts = [f"{len(j.stages)} stage{'s' if len(j.stages) != 1 else ''}"]
        if steps:
            parts.append(f"{steps} step{'s' if steps != 1 else ''}")
        if j.personas:
            parts.append(f"{len(j.personas)} persona{'s' if len(j.personas) != 1 else ''}")
        if j.research:
            parts.append(f"{len(j.research)} research source{'s' if len(j.research) != 1 else ''}")
        return " · ".join(parts)

    def persona_plan(self, p: Persona) -> tuple[float, Callable[[float, float, float], Group]]:
        """A persona card: its natural height, and how to draw it at (x, y) with a given height."""
        w = self.persona_w
        pad = 16
        inner = w - 2 * pad
        avatar = 48
        color = self.persona_colors[p.id]
        head_x = pad + avatar + 12
        head_w = w - head_x - pad
        name = self.wrap(p.name, head_w, self.heading, "semibold", 2)
        facts = [p.role, f"{p.age}" if p.age is not None else "", p.location]
        facts_text = " · ".join(f for f in facts if f)
        facts_w = self.wrap(facts_text, head_w, self.small, "regular", 3) if facts_text else None
        head_h = len(name.lines) * self.lh(self.heading) + (
            2 + len(facts_w.lines) * self.lh(self.small) if facts_w else 0)
        head_h = max(head_h, avatar)
        quote_text = f"\u201c{p.quote}\u201d" if p.quote else ""
        quote = self.wrap(quote_text, inner - 12, self.body, "regular", 6) if p.quote else None
        quote_h = len(quote.lines) * self.lh(self.body) if quote else 0.0
        sections = [(label, items) for label, items in (
            ("Goals", p.goals), ("Needs", p.needs), ("Expectations", p.expectations),
            ("Frustrations", p.frustrations)) if items]
        sub_w = (inner - 16) / 2
        section_plans = [self.list_plan(label, items, sub_w) for label, items in sections]
        rows = [section_plans[i:i + 2] for i in range(0, len(section_plans), 2)]
        rows_h = [max(s.h for s in row) for row in rows]
        h = pad + head_h + (12 + quote_h if quote else 0) + sum(16 + rh for rh in rows_h) + pad
        h = snap(h)

        def draw(x: float, y: float, height: float) -> Group:
            nodes: list[Node] = [
                Rect(x, y, w, height, fill=self.c["surface"], stroke=self.c["card_border"], stroke_width=1,
                     rx=RADIUS + 2),
                Path(_left_stripe(x, y, height, RADIUS + 2), fill=color, cls="stripe"),
            ]
            cx, cy = x + pad + avatar / 2, y + pad + avatar / 2
            # Up to three initials: the type shrinks to fit the circle rather than cut them.
            size = min(self.heading, self.heading * (avatar - 12) / max(fit(p.initials, self.heading, "semibold"), 1))
            picture = self.avatars.get(p.id)
            face: Node = (
                Image(cx, cy, avatar / 2, picture, f"avatar-{p.id}") if picture
                else self.text(self.wrap(p.initials, avatar - 8, size, "semibold", 1), cx - avatar / 2 + 4,
                               cy - self.lh(size) / 2, avatar - 8, size, _on(color), "semibold", "middle")
            )
            nodes.append(Group((Circle(cx, cy, avatar / 2, fill=color), face),
                               cls="avatar" + (" has-image" if picture else ""), data=(("persona", p.id),)))
            ty = y + pad
            nodes.append(self.text(name, x + head_x, ty, head_w, self.heading, self.c["text"], "semibold",
                                   full=p.name, cls="persona-name"))
            ty += len(name.lines) * self.lh(self.heading) + 2
            if facts_w:
                nodes.append(self.text(facts_w, x + head_x, ty, head_w, self.small, self.c["text_muted"],
                                       full=facts_text))
            cy = y + pad + head_h
            if quote:
                cy += 12
                nodes.append(Rect(x + pad, cy, 3, quote_h, fill=color, rx=1.5))
                nodes.append(self.text(quote, x + pad + 12, cy, inner - 12, self.body, self.c["text"],
                                       full=quote_text, cls="quote"))
                cy += quote_h
            for row, rh in zip(rows, rows_h, strict=True):
                cy += 16
                for i, section in enumerate(row):
                    nodes.append(section.draw(x + pad + i * (sub_w + 16), cy))
                cy += rh
            return Group(tuple(nodes), id=self.uid(f"persona-{p.id}"), cls="persona",
                         title=p.name, box=Box(x, y, w, height), data=(("persona", p.id),))

        return h, draw

    def list_plan(self, label: str, items: Sequence[str], w: float) -> _Plan:
        """A small titled bullet list (persona goals, needs ...)."""
        size = self.small
        lh = self.lh(size)
        body_lh = self.lh(self.body - 1)
        wrapped = [self.wrap(item, w - 12, self.body - 1, "regular", 4) for item in items]
        h = lh + 4 + sum(len(t.lines) * body_lh for t in wrapped) + 4 * (len(wrapped) - 1)

        def draw(x: float, y: float) -> Group:
            nodes: list[Node] = [self.line(label.upper(), x, y, w, size, self.c["text_muted"], "semibold")]
            cy = y + lh + 4
            for item, t in zip(items, wrapped, strict=True):
                bullet_y = cy + body_lh / 2
                nodes.append(Circle(x + 3, bullet_y, 2, fill=self.c["text_muted"]))
                nodes.append(self.text(t, x + 12, cy, w - 12, self.body - 1, self.c["text"], full=item))
                cy += len(t.lines) * body_lh + 4
            return Group(tuple(nodes), cls=f"persona-{label.lower()}", box=Box(x, y, w, h))

        return _Plan(h, draw)

    # --- the grid ---------------------------------------------------------------------

    def grid(self, spans: list[_Span], x0: float, y0: float) -> tuple[list[Node], list[Group], Group | None, float]:
        """Chapters, stage headers, timeline, step headers and lane rows.

        Returns the background and labels, one group per stage (its header and cells, in
        reading order), the emotion curves, and the bottom of the grid.
        """
        right = spans[-1].x + spans[-1].w
        cols_x = spans[0].x
        per_stage: list[list[Node]] = [[] for _ in spans]
        back: list[Node] = []
        front: list[Node] = []
        y = y0
        if self.j.chapters:
            chapters, y = self.chapter_row(spans, y)
            front.append(chapters)
            y += GRID
        header_top = y
        y = self.stage_header_row(spans, y, per_stage)
        timeline, y = self.timeline(spans, y)
        front.append(timeline)
        y, steps_top = self.stage_details_row(spans, y, per_stage)
        lanes_top = y
        labels: list[Node] = []
        curve: Group | None = None
        rows: list[tuple[float, float]] = []
        lanes = self.j.lanes
        for index, lane in enumerate(lanes):
            divider = self.divider_before(lane, lanes[:index])
            if divider is not None and rows:
                label, nodes, h = self.divider(divider, x0, y, right)
                labels.append(label)
                back.extend(nodes)
                y += h
            if lane.id == "emotion":
                h, label, nodes, curve = self.emotion_row(lane, spans, x0, y)
                back.extend(nodes)
            else:
                h, label = self.lane_row(lane, spans, x0, y, per_stage)
            labels.append(label)
            rows.append((y, h))
            y += h
        lanes_bottom = y
        # Background: lane-label column, lane separators, column lines.
        if rows:
            back.insert(0, Rect(x0, lanes_top, self.label_w, lanes_bottom - lanes_top, fill=self.c["lane_label_bg"],
                                cls="lane-labels"))
            for row_y, _ in rows[1:]:
                back.append(Path(f"M{fmt(x0)} {fmt(row_y)}H{fmt(right)}", stroke=self.c["grid"],
                                 stroke_width=self.theme.strokes.grid, cls="row-line"))
            back.append(Path(f"M{fmt(x0)} {fmt(lanes_bottom)}H{fmt(right)}", stroke=self.c["grid"],
                             stroke_width=self.theme.strokes.grid, cls="row-line"))
        bottom = max(lanes_bottom, steps_top)
        for span in spans:
            for col in span.columns[1:]:
                back.append(Path(f"M{fmt(col.x)} {fmt(steps_top)}V{fmt(bottom)}", stroke=self.c["grid"],
                                 stroke_width=self.theme.strokes.grid, dash="2 4", cls="step-line"))
        for span in spans[1:]:
            back.append(Path(f"M{fmt(span.x)} {fmt(header_top)}V{fmt(bottom)}", stroke=self.c["grid"],
                             stroke_width=self.theme.strokes.grid, cls="stage-line"))
        if rows:
            back.append(Path(f"M{fmt(cols_x)} {fmt(lanes_top)}V{fmt(lanes_bottom)}", stroke=self.c["grid"],
                             stroke_width=self.theme.strokes.grid, cls="stage-line"))
        stage_groups = [
            Group(tuple(nodes), id=self.uid(f"stage-{span.stage.id}"), cls="stage", title=span.stage.name,
                  box=Box(span.x, header_top, span.w, bottom - header_top), data=(("stage", span.stage.id),))
            for span, nodes in zip(spans, per_stage, strict=True)
        ]
        grid_nodes: list[Node] = [Group(tuple(back), id="grid", cls="grid")]
        grid_nodes.extend(front)
        if labels:
            grid_nodes.append(Group(tuple(labels), id="lanes", cls="lane-labels"))
        if self.hl is not None:
            from jmap.layout import diffmarks

            stage_groups = diffmarks.mark_stages(stage_groups, spans, self.hl, self.c, lanes_top, bottom)
        return grid_nodes, stage_groups, curve, bottom

    def chapter_row(self, spans: list[_Span], y: float) -> tuple[Group, float]:
        by_id = {s.stage.id: s for s in spans}
        h = snap(self.lh(self.body) + 12)
        nodes: list[Node] = []
        for i, chapter in enumerate(self.j.chapters):
            members = [by_id[s] for s in chapter.stages if s in by_id]
            if not members:
                continue
            x = min(m.x for m in members) + 4
            w = max(m.x + m.w for m in members) - 4 - x
            nodes.append(Group((
                Rect(x, y, w, h, fill=self.theme.chapter_bg(i), rx=RADIUS),
                self.line(chapter.name, x + 12, y + (h - self.lh(self.body)) / 2, w - 24, self.body, self.c["text"],
                          "semibold"),
            ), id=self.uid(f"chapter-{chapter.id}"), cls="chapter", title=chapter.name, box=Box(x, y, w, h),
                data=(("chapter", chapter.id),)))
        return Group(tuple(nodes), id="chapters", cls="chapters"), y + h

    def stage_header_row(self, spans: list[_Span], y: float, per_stage: list[list[Node]]) -> float:
        """The stages' names on accent bands, all of one height."""
        size = self.heading
        lh = self.lh(size)
        names = []
        for span in spans:
            star = 22 if span.stage.moment_of_truth else 0
            names.append(self.wrap(span.stage.name, span.w - 8 - 24 - star, size, "semibold", 3))
        band_h = snap(max(len(n.lines) for n in names) * lh + 20)
        for span, name in zip(spans, names, strict=True):
            x, w = span.x + 4, span.w - 8
            stage = span.stage
            star = 22 if stage.moment_of_truth else 0
            nodes: list[Node] = [
                Rect(x, y, w, band_h, fill=self.c["accent"], rx=RADIUS),
                self.text(name, x + 12, y + (band_h - len(name.lines) * lh) / 2, w - 24 - star, size,
                          self.c["on_accent"], "semibold", full=stage.name, cls="stage-name"),
            ]
            if stage.moment_of_truth:
                nodes.append(self.icon("moment-of-truth", x + w - 12 - 18, y + (band_h - 18) / 2, 18,
                                       self.c["on_accent"], fill=self.c["on_accent"]))
            per_stage[span.index].append(Group(
                tuple(nodes), id=self.uid(f"stage-header-{stage.id}"),
                cls="stage-header" + (" moment-of-truth" if stage.moment_of_truth else ""), title=stage.name,
                box=Box(x, y, w, band_h), data=(("stage", stage.id),)))
        return y + band_h

    def stage_details_row(self, spans: list[_Span], y: float, per_stage: list[list[Node]]) -> tuple[float, float]:
        """Under the timeline: each stage's description, moment of truth and sources, then step headers.

        Step headers of every stage start at one height, below the tallest details of a
        stage with steps; stages without steps need no room for them. Returns the bottom
        and the top of the step headers.
        """
        metas = [self.header_meta_plan(span.stage, span.w - 8 - 24, self.body) for span in spans]
        with_steps = [m.h for span, m in zip(spans, metas, strict=True) if span.has_steps]
        steps_offset = (max(with_steps) + 16 if max(with_steps, default=0.0) else 0.0)
        steps_h = self.step_header_row(spans, y + steps_offset, per_stage) - (y + steps_offset) \
            if any(s.has_steps for s in spans) else 0.0
        plain = [m.h for span, m in zip(spans, metas, strict=True) if not span.has_steps]
        height = max(max(plain, default=0.0) + 16 if max(plain, default=0.0) else 0.0, steps_offset + steps_h)
        for span, meta in zip(spans, metas, strict=True):
            if meta.h:
                group = meta.draw(span.x + 16, y + 4)
                per_stage[span.index].append(replace(group, cls="stage-meta", data=(("stage", span.stage.id),)))
        return y + snap(height), y + steps_offset

    def header_meta_plan(self, step: Step, w: float, size: float) -> _Plan:
        """Description, moment of truth and evidence under a stage or step name."""
        parts: list[tuple[float, Callable[[float, float], list[Node]]]] = []
        lh = self.lh(size)
        if step.description:
            desc = self.wrap(step.description, w, size, "regular", 5)

            def draw_desc(x: float, y: float, desc: tx.Wrapped = desc) -> list[Node]:
                return [self.text(desc, x, y, w, size, self.c["text_muted"], full=step.description,
                                  cls="description")]

            parts.append((len(desc.lines) * lh, draw_desc))
        if step.moment_of_truth:
            self.flags.add("moment-of-truth")
            label = "Moment of truth" if step.moment_of_truth == "yes" else step.moment_of_truth
            mot = self.wrap(label, w - 22, size, "semibold", 4)

            def draw_mot(x: float, y: float, mot: tx.Wrapped = mot, label: str = label) -> list[Node]:
                return [
                    self.icon("moment-of-truth", x, y + (lh - 16) / 2, 16, self.c["moment_of_truth"],
                              fill=self.c["moment_of_truth"]),
                    self.text(mot, x + 22, y, w - 22, size, self.c["text"], "semibold", full=label,
                              cls="moment-of-truth"),
                ]

            parts.append((len(mot.lines) * lh, draw_mot))
        refs = self.refs_plan(step.evidence)
        if refs:
            ref_w, ref_draw = refs

            def draw_refs(x: float, y: float) -> list[Node]:
                return ref_draw(x + ref_w, y)

            parts.append((self.lh(self.small), draw_refs))
        h = sum(p[0] for p in parts) + 6 * max(len(parts) - 1, 0)

        def draw(x: float, y: float) -> Group:
            nodes: list[Node] = []
            cy = y
            for ph, part in parts:
                nodes.extend(part(x, cy))
                cy += ph + 6
            return Group(tuple(nodes), cls="meta", box=Box(x, y, w, h))

        return _Plan(h, draw)

    def timeline(self, spans: list[_Span], y: float) -> tuple[Group, float]:
        h = 40.0
        mid = y + h / 2
        start = spans[0].x + 4
        end = spans[-1].x + spans[-1].w - 4
        accent = self.c["accent"]
        nodes: list[Node] = [
            Path(f"M{fmt(start)} {fmt(mid)}H{fmt(end - 2)}", stroke=accent, stroke_width=2, cls="timeline-line"),
            Path(f"M{fmt(end - 10)} {fmt(mid - 6)}L{fmt(end)} {fmt(mid)}L{fmt(end - 10)} {fmt(mid + 6)}",
                 stroke=accent, stroke_width=2, cls="timeline-arrow"),
            Circle(start, mid, 4, fill=accent),
        ]
        size = self.small
        lh = self.lh(size)
        for span in spans:
            if span.index:
                nodes.append(Path(f"M{fmt(span.x)} {fmt(mid - 5)}V{fmt(mid + 5)}", stroke=accent, stroke_width=2))
            duration = span.stage.duration
            if not duration:
                continue
            text_w = min(fit(duration, size, "semibold"), span.w - 48)
            pill_w = text_w + 20
            pill_h = lh + 6
            px = span.cx - pill_w / 2
            nodes.append(Group((
                Rect(px, mid - pill_h / 2, pill_w, pill_h, fill=self.c["background"], stroke=accent,
                     stroke_width=1.5, rx=pill_h / 2),
                self.line(duration, px + 10, mid - lh / 2, text_w, size, accent, "semibold"),
            ), cls="duration", title=f"{span.stage.name}: {duration}", data=(("stage", span.stage.id),)))
        return Group(tuple(nodes), id="timeline", cls="timeline"), y + h

    def step_header_row(self, spans: list[_Span], y: float, per_stage: list[list[Node]]) -> float:
        pad = 10
        plans: list[tuple[_Span, _Column, tx.Wrapped, tx.Wrapped | None, _Plan]] = []
        for span in spans:
            if not span.has_steps:
                continue
            for col in span.columns:
                step = col.step
                assert step is not None
                inner = col.w - 8 - 2 * pad
                name = self.wrap(step.name, inner, self.body, "semibold", 3)
                duration = self.wrap(step.duration, inner, self.small, "regular", 2) if step.duration else None
                plans.append((span, col, name, duration, self.header_meta_plan(step, inner, self.small)))

        def height(name: tx.Wrapped, duration: tx.Wrapped | None, meta: _Plan) -> float:
            h = len(name.lines) * self.lh(self.body)
            if duration:
                h += 2 + len(duration.lines) * self.lh(self.small)
            if meta.h:
                h += 8 + meta.h
            return h

        row_h = snap(max(height(n, d, m) for _, _, n, d, m in plans) + 2 * pad + 3)
        for span, col, name, duration, meta in plans:
            step = col.step
            assert step is not None
            x, w = col.x + 4, col.w - 8
            nodes: list[Node] = [
                Rect(x, y, w, row_h - 8, fill=self.c["surface"], stroke=self.c["card_border"], stroke_width=1,
                     rx=RADIUS),
                Rect(x, y, w, 3, fill=self.c["accent"], rx=1.5),
            ]
            cy = y + pad + 3
            nodes.append(self.text(name, x + pad, cy, w - 2 * pad, self.body, self.c["text"], "semibold",
                                   full=step.name, cls="step-name"))
            cy += len(name.lines) * self.lh(self.body)
            if duration:
                cy += 2
                nodes.append(self.text(duration, x + pad, cy, w - 2 * pad, self.small, self.c["text_muted"],
                                       full=step.duration, cls="duration"))
                cy += len(duration.lines) * self.lh(self.small)
            if meta.h:
                nodes.append(meta.draw(x + pad, cy + 8))
            per_stage[span.index].append(Group(
                tuple(nodes), id=self.uid(f"step-{step.id}"),
                cls="step-header" + (" moment-of-truth" if step.moment_of_truth else ""), title=step.name,
                box=Box(x, y, w, row_h - 8), data=col.data()))
        return y + row_h

    # --- lane rows --------------------------------------------------------------------

    def divider_before(self, lane: Lane, before: Sequence[Lane]) -> str | None:
        """The blueprint line drawn above a lane, if any."""
        shown = {lane.id for lane in before}
        if lane.id == "frontstage":
            return "Line of interaction"
        if lane.id == "backstage":
            return "Line of visibility"
        if lane.id == "support":
            return "Line of internal interaction" if "backstage" in shown else "Line of visibility"
        return None

    def divider(self, label: str, x0: float, y: float, right: float) -> tuple[Group, list[Node], float]:
        """A blueprint line across the columns, named in the lane-label column."""
        small_lh = self.lh(self.small)
        visibility = label == "Line of visibility"
        color = self.c["visibility_line"] if visibility else self.c["neutral_line"]
        text_w = self.label_w - 24
        wrapped = self.wrap(label, text_w, self.small, "semibold", 2)
        text_h = len(wrapped.lines) * small_lh
        h = snap(text_h + 12)
        mid = y + h / 2
        cls = "line-of-visibility" if visibility else "blueprint-line"
        nodes: list[Node] = [
            Rect(x0, y, right - x0, h, fill=self.c["background"], cls="divider-band"),
            Path(f"M{fmt(x0 + self.label_w)} {fmt(mid)}H{fmt(right)}", stroke=color,
                 stroke_width=1.5 if visibility else 1, dash="8 5" if visibility else "3 4", cls=cls),
        ]
        text = self.text(wrapped, x0 + 12, mid - text_h / 2, text_w, self.small, self.c["text_muted"], "semibold",
                         full=label)
        return Group((text,), cls=f"divider {cls}", title=label, box=Box(x0, y, self.label_w, h)), nodes, h

    def lane_label(self, lane: Lane, x0: float, y: float) -> tuple[Group, float]:
        """The label of a lane in the left column, and the height it needs."""
        icon = _LANE_ICONS.get(lane.id) if not lane.custom else None
        pad = 12
        icon_size = 16.0
        text_x = x0 + pad + (icon_size + 8 if icon else 0)
        text_w = x0 + self.label_w - pad - text_x
        label = self.wrap(lane.name, text_w, self.body, "semibold", 4)
        top = y + 12
        nodes: list[Node] = []
        if icon:
            nodes.append(self.icon(icon, x0 + pad, top + (self.lh(self.body) - icon_size) / 2, icon_size,
                                   self.c["text_muted"]))
        nodes.append(self.text(label, text_x, top, text_w, self.body, self.c["text_muted"], "semibold",
                               full=lane.name))
        group = Group(tuple(nodes), id=self.uid(f"lane-{lane.id}"), cls="lane-label", title=lane.name,
                      data=(("lane", lane.id),))
        return group, 12 + len(label.lines) * self.lh(self.body) + 12

    def lane_items(self, lane: Lane, column: Step) -> tuple[Any, ...]:
        if lane.id == "evidence":
            cited = sorted({e for e in column.evidence if e in self.refs}, key=self.refs.__getitem__)
            return tuple(self.j.research_by_id(e) for e in cited)
        return column.lanes.items(lane.id)

    def lane_row(self, lane: Lane, spans: list[_Span], x0: float, y: float,
                 per_stage: list[list[Node]]) -> tuple[float, Group]:
        cells: list[tuple[int, _Cell]] = []
        for span in spans:
            stage_items = self.lane_items(lane, span.stage)
            key = "span" if span.has_steps else "full"
            if stage_items:
                data = (("lane", lane.id), ("stage", span.stage.id))
                cells.append((span.index, self.cell(lane, key, span.x, span.w, stage_items, data, span.stage.id)))
            if span.has_steps:
                for col in span.columns:
                    assert col.step is not None
                    items = self.lane_items(lane, col.step)
                    if items:
                        cells.append((span.index, self.cell(lane, "steps", col.x, col.w, items,
                                                            (("lane", lane.id), *col.data()), col.id)))
        span_h = max((c.content_h for _, c in cells if c.key == "span"), default=0.0)
        steps_h = max((c.content_h for _, c in cells if c.key == "steps"), default=0.0)
        full_h = max((c.content_h for _, c in cells if c.key == "full"), default=0.0)
        label, label_h = self.lane_label(lane, x0, y)
        h = snap(max(full_h, span_h + steps_h, MIN_ROW, label_h))
        for index, cell in cells:
            top = y + (span_h if cell.key == "steps" else 0)
            cell_h = {"full": h, "span": span_h, "steps": h - span_h}[cell.key]
            cy = top + CELL_INSET
            children: list[Node] = []
            for plan in cell.plans:
                children.append(plan.draw(cell.x + CELL_INSET, cy))
                cy += plan.h + GAP
            per_stage[index].append(Group(tuple(children), id=self.uid(f"cell-{lane.id}-{cell.id}"),
                                          cls=f"cell cell-{cell.key}", box=Box(cell.x, top, cell.w, cell_h),
                                          data=cell.data))
        return h, replace(label, box=Box(x0, y, self.label_w, h))

    def cell(self, lane: Lane, key: str, x: float, w: float, items: Sequence[Any],
             data: tuple[tuple[str, str], ...], column_id: str) -> _Cell:
        inner = w - 2 * CELL_INSET
        plans = [self.item_plan(lane, item, inner, data, f"{lane.id}-{column_id}-{i}") for i, item in enumerate(items)]
        if self.hl is not None:
            plans = [self.diff_plan(plan, (column_id, lane.id, i)) for i, plan in enumerate(plans)]
        return _Cell(key, x, w, plans, data, column_id)

    def diff_plan(self, plan: _Plan, key: tuple[str, str, int]) -> _Plan:
        """A card with the visual diff's mark, if its item changed."""
        from jmap.layout import diffmarks

        kind = self.hl.items.get(key) if self.hl is not None else None
        if kind is None:
            return plan
        note = self.hl.notes.get(("item", *key), "") if self.hl is not None else ""
        return _Plan(plan.h, lambda x, y: diffmarks.mark_item(plan.draw(x, y), kind, self.c, note))

    # --- cards ------------------------------------------------------------------------

    def item_plan(self, lane: Lane, item: Any, w: float, data: tuple[tuple[str, str], ...], id_base: str) -> _Plan:
        """A card (or a line of text) for one item of a lane."""
        self.cards += 1
        lid = lane.id
        base = {"lane": lane, "item": item, "w": w, "data": data, "id_base": id_base}
        c = self.c
        if lid == "evidence":
            return self.source_item_plan(item, w, data, id_base)
        if lane.custom:
            if lane.style == "cards":
                return self.card(**base, text=item.text, cls="card custom", fill=c["card"], stroke=c["card_border"])
            return self.text_item_plan(lane, item, w, data, id_base)
        if lid == "touchpoints":
            return self.card(**base, text=item.name, cls=f"card touchpoint channel-{item.channel}", fill=c["card"],
                             stroke=c["card_border"], lead_icon=item.channel, extra_data=(("channel", item.channel),))
        if lid == "thoughts":
            return self.card(**base, text=item.text, cls="card thought", fill=c["thought_bg"], stroke=c["card_border"],
                             shape="bubble")
        if lid == "pain_points":
            return self.pain_plan(base, item)
        if lid == "opportunities":
            return self.opportunity_plan(base, item)
        if lid == "kpis":
            return self.kpi_plan(base, item)
        if lid == "feelings":
            return self.card(**base, text=item.text, cls="card feeling", fill=c["card"], stroke=c["card_border"],
                             radius=14)
        if lid in ("backstage", "support"):
            return self.card(**base, text=item.text, cls=f"card {lid}", fill=c["lane_label_bg"],
                             stroke=c["card_border"])
        return self.card(**base, text=item.text, cls=f"card {_LANE_CLASSES.get(lid, _clean_class(lid))}",
                         fill=c["card"], stroke=c["card_border"])

    def card(self, *, lane: Lane, item: Any, w: float, data: tuple[tuple[str, str], ...], id_base: str, text: str,
             cls: str, fill: str, stroke: str, shape: str = "rect", radius: float = RADIUS,
             badge: tuple[float, Callable[[float, float, float], list[Node]]] | None = None, footer: str = "",
             lead_icon: str = "", stripe: str = "", extra_data: tuple[tuple[str, str], ...] = (),
             title_prefix: str = "") -> _Plan:
        """A boxed item: optional badge row, wrapped text, optional footer; evidence marks and assumption."""
        body, small = self.body, self.small
        lh, small_lh = self.lh(body), self.lh(small)
        assumption = self.is_assumption(lane.id, item)
        refs = self.refs_plan(getattr(item, "evidence", ()))
        left = PAD_X + (4 if stripe else 0)
        tile = 24.0
        text_x = left + (tile + 8 if lead_icon else 0)
        text_w = w - text_x - PAD_X
        wrapped = self.wrap(text, text_w, body)
        text_h = len(wrapped.lines) * lh
        block_h = max(text_h, tile) if lead_icon else text_h
        refs_in_badge = bool(badge and refs)
        footer_wrapped = None
        footer_w = w - left - PAD_X - (refs[0] + 8 if refs and not refs_in_badge else 0)
        if footer:
            footer_wrapped = self.wrap(footer, footer_w, small, "regular", 3)
        # Footnotes sit at the end of the last line when they fit there, else in a footer row.
        refs_inline = bool(
            refs and not refs_in_badge and not footer and wrapped.lines and not wrapped.rtl and not lead_icon
            and tx.measure(wrapped.lines[-1], body) + 8 + refs[0] <= text_w
        )
        footer_h = 0.0
        if footer_wrapped or (refs and not refs_in_badge and not refs_inline):
            footer_h = max(len(footer_wrapped.lines) * small_lh if footer_wrapped else 0.0, small_lh)
        h = PAD_Y + (badge[0] + 6 if badge else 0) + block_h + (6 + footer_h if footer_h else 0) + PAD_Y
        tail = 7.0 if shape == "bubble" else 0.0
        total = h + tail
        title = title_prefix + text + (f"\n\n{item.note}" if getattr(item, "note", "") else "")
        classes = cls + (" assumption" if assumption else "") + (" truncated" if wrapped.truncated else "")
        evidence = " ".join(e for e in getattr(item, "evidence", ()) if e in self.refs)
        group_data = (*data, *extra_data, *((("evidence", evidence),) if evidence else ()))

        def draw(x: float, y: float) -> Group:
            border = self.c["assumption"] if assumption else stroke
            dash = "5 3" if assumption else ""
            width = 1.5 if assumption else self.theme.strokes.card_border
            nodes: list[Node] = []
            if shape == "bubble":
                nodes.append(Path(_bubble(x, y, w, h, 12, tail), stroke=border, stroke_width=width, fill=fill,
                                  dash=dash, cls="box"))
            else:
                nodes.append(Rect(x, y, w, h, fill=fill, stroke=border, stroke_width=width, rx=radius, dash=dash,
                                  cls="box"))
            if stripe:
                nodes.append(Path(_left_stripe(x, y, h, radius), fill=stripe, cls="stripe"))
            cy = y + PAD_Y
            if badge:
                badge_w = w - left - PAD_X - (refs[0] + 8 if refs and refs_in_badge else 0)
                nodes.extend(badge[1](x + left, cy, badge_w))
                if refs and refs_in_badge:
                    nodes.extend(refs[1](x + w - PAD_X, cy + (badge[0] - small_lh) / 2))
                cy += badge[0] + 6
            if lead_icon:
                nodes.append(Rect(x + left, cy, tile, tile, fill=self.c["lane_label_bg"], rx=5))
                nodes.append(self.icon(lead_icon, x + left + 4, cy + 4, 16, self.c["text"]))
                self.channels.setdefault(lead_icon, None)
            text_y = cy + (block_h - text_h) / 2 if lead_icon else cy
            nodes.append(self.text(wrapped, x + text_x, text_y, text_w, body, self.c["text"], full=text))
            if refs and refs_inline:
                baseline = text_y + tx.first_baseline(body) + (len(wrapped.lines) - 1) * lh
                nodes.append(Group(tuple(refs[1](x + w - PAD_X, baseline - tx.first_baseline(small))), cls="refs"))
            cy += block_h
            if footer_h:
                cy += 6
                if footer_wrapped:
                    nodes.append(self.text(footer_wrapped, x + left, cy, footer_w, small, self.c["text_muted"],
                                           full=footer, cls="footer"))
                if refs and not refs_in_badge and not refs_inline:
                    nodes.append(Group(tuple(refs[1](x + w - PAD_X, cy + footer_h - small_lh)), cls="refs"))
            return Group(tuple(nodes), id=self.uid(f"item-{id_base}"), cls=f"item {classes}", title=title,
                         box=Box(x, y, w, total), data=group_data)

        return _Plan(total, draw)

    def meter(self, x: float, y: float, level: int, of: int, color: str, h: float) -> list[Node]:
        """Bars of rising height, `level` of `of` filled: severity and priority read without colour."""
        nodes: list[Node] = []
        bar_w, step = 4.0, 2.0
        tallest = min(h - 2, 12.0)
        base = y + (h + tallest) / 2
        for i in range(of):
            bar_h = tallest * (i + 2) / (of + 1)
            filled = i < level
            nodes.append(Rect(x + i * (bar_w + step), base - bar_h, bar_w, bar_h,
                              fill=color if filled else "none", stroke=color, stroke_width=1 if not filled else 0,
                              rx=1, cls="bar" + (" on" if filled else "")))
        return nodes

    def meter_width(self, of: int) -> float:
        return of * 4 + (of - 1) * 2

    def badge(self, level: int, of: int, label: str,
              color: str) -> tuple[float, Callable[[float, float, float], list[Node]]]:
        """A meter and a word (severity, priority): height, and how to draw it at (x, y) in width w."""
        small_lh = self.lh(self.small)
        mw = self.meter_width(of)

        def draw(x: float, y: float, w: float) -> list[Node]:
            return [
                *self.meter(x, y, level, of, color, small_lh),
                self.line(label, x + mw + 6, y, w - mw - 6, self.small, color, "semibold", cls="badge"),
            ]

        return small_lh, draw

    def pain_plan(self, base: dict[str, Any], item: PainPoint) -> _Plan:
        level = item.severity if item.severity in SEVERITIES else "medium"
        fill, fg = self.theme.severity(level)
        self.flags.add("pain")
        return self.card(**base, text=item.text, cls=f"card pain-point severity-{level}", fill=fill, stroke=fg,
                         badge=self.badge(_LEVELS[level], 4, level.capitalize(), fg), stripe=fg,
                         extra_data=(("severity", level),), title_prefix=f"Pain point ({level}): ")

    def opportunity_plan(self, base: dict[str, Any], item: Opportunity) -> _Plan:
        level = item.priority if item.priority in PRIORITIES else "medium"
        fill, fg = self.theme.priority(level)
        self.flags.add("opportunity")
        return self.card(**base, text=item.text, cls=f"card opportunity priority-{level}", fill=fill, stroke=fg,
                         badge=self.badge(_LEVELS[level], 3, f"{level.capitalize()} priority", fg),
                         footer=f"Owner: {item.owner}" if item.owner else "",
                         extra_data=(("priority", level),), title_prefix=f"Opportunity ({level} priority): ")

    def kpi_plan(self, base: dict[str, Any], item: Kpi) -> _Plan:
        lane, w, data, id_base = base["lane"], base["w"], base["data"], base["id_base"]
        body, small, big = self.body, self.small, self.heading
        lh, small_lh, big_lh = self.lh(body), self.lh(small), self.lh(big)
        inner = w - 2 * PAD_X
        assumption = self.is_assumption(lane.id, item)
        refs = self.refs_plan(item.evidence)
        name = self.wrap(item.name, inner, body, "regular", 4)
        met = item.met
        mark_label = "" if met is None else ("Met" if met else "Missed")
        mark_w = 0.0 if met is None else 14 + 4 + fit(mark_label, small, "semibold")
        value_text = with_unit(item.value, item.unit)
        value = self.wrap(value_text, inner - (mark_w + 8 if mark_w else 0), big, "semibold", 2)
        target_text = ""
        if item.target is not None:
            self.flags.add("kpi-target")
            sign = "\u2264" if item.better == "lower" else "\u2265"
            target_text = f"Target {sign} {with_unit(item.target, item.unit)}"
        target_w = inner - (refs[0] + 8 if refs else 0)
        target = self.wrap(target_text, target_w, small, "regular", 2) if target_text else None
        foot_h = max(len(target.lines) * small_lh if target else 0.0, small_lh if refs else 0.0)
        h = PAD_Y + len(name.lines) * lh + 2 + len(value.lines) * big_lh + (2 + foot_h if foot_h else 0) + PAD_Y
        status = "none" if met is None else ("met" if met else "missed")
        evidence = " ".join(e for e in item.evidence if e in self.refs)
        group_data = (*data, ("met", status), *((("evidence", evidence),) if evidence else ()))
        title = f"{item.name}: {value_text}" + (f" ({target_text}: {mark_label.lower()})" if target_text else "")

        def draw(x: float, y: float) -> Group:
            border = self.c["assumption"] if assumption else self.c["card_border"]
            nodes: list[Node] = [Rect(x, y, w, h, fill=self.c["card"], stroke=border,
                                      stroke_width=1.5 if assumption else self.theme.strokes.card_border, rx=RADIUS,
                                      dash="5 3" if assumption else "", cls="box")]
            cy = y + PAD_Y
            nodes.append(self.text(name, x + PAD_X, cy, inner, body, self.c["text_muted"], full=item.name))
            cy += len(name.lines) * lh + 2
            nodes.append(self.text(value, x + PAD_X, cy, inner - (mark_w + 8 if mark_w else 0), big, self.c["text"],
                                   "semibold", full=value_text, cls="value"))
            if met is not None:
                color = self.c["kpi_met" if met else "kpi_missed"]
                mx = x + w - PAD_X - mark_w
                my = cy + big_lh / 2
                mark = (f"M{fmt(mx + 3.5)} {fmt(my)}l2.5 2.5l4.5 -5" if met else
                        f"M{fmt(mx + 4.5)} {fmt(my - 2.5)}l5 5M{fmt(mx + 9.5)} {fmt(my - 2.5)}l-5 5")
                nodes.append(Group((
                    Circle(mx + 7, my, 7, fill=color),
                    Path(mark, stroke=self.c["card"], stroke_width=1.75),
                    self.line(mark_label, mx + 18, my - small_lh / 2, mark_w - 18, small, color, "semibold"),
                ), cls=f"kpi-mark {status}"))
            cy += len(value.lines) * big_lh
            if foot_h:
                cy += 2
                if target:
                    nodes.append(self.text(target, x + PAD_X, cy, target_w, small, self.c["text_muted"],
                                           full=target_text, cls="target"))
                if refs:
                    nodes.append(Group(tuple(refs[1](x + w - PAD_X, cy + foot_h - small_lh)), cls="refs"))
            return Group(tuple(nodes), id=self.uid(f"item-{id_base}"),
                         cls=f"item card kpi {status}" + (" assumption" if assumption else ""),
                         title=title, box=Box(x, y, w, h), data=group_data)

        return _Plan(h, draw)

    def text_item_plan(self, lane: Lane, item: TextItem, w: float, data: tuple[tuple[str, str], ...],
                       id_base: str) -> _Plan:
        """A plain line of a custom `text` lane: a bullet and the text, no box."""
        lh = self.lh(self.body)
        refs = self.refs_plan(item.evidence)
        text_w = w - 12 - (refs[0] + 6 if refs else 0)
        wrapped = self.wrap(item.text, text_w, self.body)
        h = max(len(wrapped.lines), 1) * lh

        def draw(x: float, y: float) -> Group:
            nodes: list[Node] = [
                Circle(x + (w - 3 if wrapped.rtl else 3), y + lh / 2, 2.5, fill=self.c["text_muted"]),
                self.text(wrapped, x + (0 if wrapped.rtl else 12), y, text_w, self.body, self.c["text"],
                          full=item.text),
            ]
            if refs:
                nodes.extend(refs[1](x + w, y + (lh - self.lh(self.small)) / 2))
            return Group(tuple(nodes), id=self.uid(f"item-{id_base}"), cls=f"item text-item {_clean_class(lane.id)}",
                         title=item.text + (f"\n\n{item.note}" if item.note else ""), box=Box(x, y, w, h), data=data)

        return _Plan(h, draw)

    def source_item_plan(self, source: Research, w: float, data: tuple[tuple[str, str], ...], id_base: str) -> _Plan:
        """A research source cited by a column, in the evidence lane."""
        lh = self.lh(self.body)
        number = str(self.refs[source.id])
        wrapped = self.wrap(source.title, w - 26, self.body, "regular", 4)
        h = max(len(wrapped.lines) * lh, 18.0)

        def draw(x: float, y: float) -> Group:
            return Group((
                Circle(x + 9, y + lh / 2, 9, fill=self.c["accent"]),
                self.line(number, x, y + (lh - self.lh(self.small)) / 2, 18, self.small, self.c["on_accent"],
                          "semibold", "middle"),
                self.text(wrapped, x + 26, y, w - 26, self.body, self.c["text"], full=source.title),
            ), id=self.uid(f"item-{id_base}"), cls="item text-item evidence", title=source.title,
                box=Box(x, y, w, h), data=(*data, ("source", source.id)))

        return _Plan(h, draw)

    # --- the emotion curve ------------------------------------------------------------

    def emotion_points(self, spans: list[_Span], persona: str) -> list[tuple[float, float, str, _Span, Step]]:
        """(x, score, label, span, column) per column that scores `persona`, left to right.

        A stage with steps gives a point per step that has a score; when none of its
        steps does, the stage's own score sits at the middle of the stage.
        """
        points = []
        for span in spans:
            stage_score = dict(span.stage.emotion).get(persona)
            if span.has_steps:
                step_points = []
                for col in span.columns:
                    assert col.step is not None
                    score = dict(col.step.emotion).get(persona)
                    if score is not None:
                        step_points.append((col.cx, score, col.step.name, span, col.step))
                if step_points:
                    points.extend(step_points)
                    continue
            if stage_score is not None:
                points.append((span.cx, stage_score, span.stage.name, span, span.stage))
        return points

    def old_emotion_points(self, spans: list[_Span], persona: str) -> list[tuple[float, float]]:
        """(x, score) of the visual diff's old curve: its old points, where their columns stand now."""
        xs: dict[str, float] = {}
        for span in spans:
            xs[span.stage.id] = span.cx
            xs.update((col.id, col.cx) for col in span.columns if col.step is not None)
        old = self.hl.old_curves.get(persona, ()) if self.hl is not None else ()
        return sorted((xs[column], score) for column, score in old if column in xs)

    def diff_curves(self, curves: list[Node], spans: list[_Span], level_y: Callable[[float], float],
                    personas: Sequence[Persona | None]) -> list[Node]:
        """The visual diff's emotion marks: old curves (dashed, under the new ones) and rings on changed points."""
        from jmap.layout import diffmarks

        assert self.hl is not None
        old: list[Node] = []
        rings: list[Node] = []
        for persona in personas:
            pid = persona.id if persona else ANONYMOUS_PERSONA
            name = persona.name if persona else "Customer"
            points = self.emotion_points(spans, pid)
            new_xy = [(px, level_y(score)) for px, score, *_ in points]
            old_xy = [(px, level_y(score)) for px, score in self.old_emotion_points(spans, pid)]
            if old_xy and old_xy != new_xy:
                self.flags.add("diff-old-curve")
                old.append(diffmarks.old_curve(monotone_curve(old_xy), old_xy, self.persona_colors[pid], self.c,
                                               self.uid(f"curve-old-{pid}"), pid, name))
            for (px, py), (_, _, _, _, column) in zip(new_xy, points, strict=True):
                kind = self.hl.emotion.get((column.id, pid))
                if kind is not None:
                    rings.append(diffmarks.point_ring(px, py, 15.0 if len(personas) == 1 else 9.0, kind, self.c,
                                                      self.hl.notes.get(("emotion", column.id, pid), ""), pid,
                                                      column.id))
        return [*old, *curves, *rings]

    def emotion_row(self, lane: Lane, spans: list[_Span], x0: float,
                    y: float) -> tuple[float, Group, list[Node], Group]:
        right = spans[-1].x + spans[-1].w
        cols_x = spans[0].x
        top_room = 48.0
        band_top = y + top_room
        step = snap(EMOTION_STEP * self.body / 13, 4)
        band_bottom = band_top + 4 * step
        h = snap(band_bottom - y + 24)

        def level_y(score: float) -> float:
            return band_top + (2 - max(-2.0, min(2.0, score))) * step

        neutral = level_y(0)
        back: list[Node] = [
            Rect(cols_x, band_top - 16, right - cols_x, neutral - band_top + 16, fill=self.c["emotion_positive_bg"],
                 cls="emotion-positive"),
            Rect(cols_x, neutral, right - cols_x, band_bottom + 16 - neutral, fill=self.c["emotion_negative_bg"],
                 cls="emotion-negative"),
        ]
        for level in (2, 1, -1, -2):
            back.append(Path(f"M{fmt(cols_x)} {fmt(level_y(level))}H{fmt(right)}", stroke=self.c["grid"],
                             stroke_width=1, dash="2 4", cls="emotion-level"))
        back.append(Path(f"M{fmt(cols_x)} {fmt(neutral)}H{fmt(right)}", stroke=self.c["neutral_line"],
                         stroke_width=1.25, dash="6 4", cls="neutral-line"))
        label, _ = self.lane_label(lane, x0, y)
        scale: list[Node] = []
        small_lh = self.lh(self.small)
        for level in (2, 1, 0, -1, -2):
            ly = level_y(level)
            text = f"+{level}" if level > 0 else (f"{_MINUS}{-level}" if level < 0 else "0")
            scale.append(self.line(text, x0 + self.label_w - 12 - 22, ly - small_lh / 2, 22, self.small,
                                   self.c["text_muted"], "semibold", "end"))
            scale.append(self.icon(icons.emotion_face(level), x0 + self.label_w - 12 - 22 - 6 - 16, ly - 8, 16,
                                   self.c["text_muted"]))
        label = replace(label, children=(*label.children, Group(tuple(scale), cls="emotion-scale")),
                        box=Box(x0, y, self.label_w, h))

        personas: list[Persona | None] = list(self.j.personas) or [None]
        curves: list[Node] = []
        single = len(personas) == 1
        mot_columns: dict[str, float] = {}
        for span in spans:
            for col in (span.columns if span.has_steps else ()):
                if col.step is not None and col.step.moment_of_truth:
                    mot_columns[col.step.id] = col.cx
            if span.stage.moment_of_truth:
                mot_columns[span.stage.id] = span.cx
        for mot_id, mx in mot_columns.items():
            curves.append(Group((
                Path(f"M{fmt(mx)} {fmt(y + 30)}V{fmt(band_bottom + 16)}", stroke=self.c["moment_of_truth"],
                     stroke_width=1.25, dash="2 3"),
                self.icon("moment-of-truth", mx - 10, y + 10, 20, self.c["moment_of_truth"],
                          fill=self.c["moment_of_truth"]),
            ), cls="moment-of-truth", title="Moment of truth", data=(("column", mot_id),)))
        for index, persona in enumerate(personas):
            pid = persona.id if persona else ANONYMOUS_PERSONA
            name = persona.name if persona else "Customer"
            color = self.persona_colors[pid]
            points = self.emotion_points(spans, pid)
            if not points:
                continue
            xy = [(px, level_y(score)) for px, score, *_ in points]
            nodes: list[Node] = [Path(monotone_curve(xy), stroke=color, stroke_width=self.theme.strokes.curve,
                                      dash=self.persona_dash(index), cls="curve-line")]
            for (px, py), (_, score, col_name, span, column) in zip(xy, points, strict=True):
                marker: list[Node]
                if single:
                    marker = [
                        Circle(px, py, 11, fill=self.c["card"], stroke=color, stroke_width=0),
                        self.icon(icons.emotion_face(score), px - 11, py - 11, 22, color,
                                  stroke_width=self.theme.strokes.icon * 24 / 18),
                    ]
                else:
                    marker = [Path(_marker_path(index, px, py, 5), fill=color, stroke=self.c["card"],
                                   stroke_width=1.5, cls="marker")]
                score_text = format_number(score).replace("-", _MINUS)
                word = _SCALE_WORDS[max(-2, min(2, round(score)))]
                nodes.append(Group(tuple(marker), cls="point", title=f"{name}, {col_name}: {score_text} ({word})",
                                   data=(("persona", pid), ("score", format_number(score)),
                                         ("stage", span.stage.id), *((("step", column.id),)
                                                                      if column is not span.stage else ()))))
            curves.append(Group(tuple(nodes), id=self.uid(f"curve-{pid}"), cls="curve", title=f"Emotion: {name}",
                                data=(("persona", pid),)))
        # data-lane lets the HTML map hide the whole row (bands, scale lines and curves).
        if self.hl is not None:
            curves = self.diff_curves(curves, spans, level_y, personas)
        band = Group(tuple(curves), id="emotion", cls="emotion",
                     box=Box(cols_x, band_top, right - cols_x, band_bottom - band_top), data=(("lane", lane.id),))
        return h, label, [Group(tuple(back), cls="emotion-band", data=(("lane", lane.id),))], band

    # --- legend -----------------------------------------------------------------------

    def legend(self, x0: float, y0: float) -> tuple[Group | None, float]:
        """Keys for what the map uses: personas, channels, severities, priorities and marks."""
        blocks: list[tuple[str, list[tuple[_Draw, str]]]] = []
        c = self.c
        mid = 10.0
        if self.hl is not None:
            from jmap.layout import diffmarks

            blocks.extend(diffmarks.legend_blocks(self.hl, c, old_curve_drawn="diff-old-curve" in self.flags))
        if any(lane.id == "emotion" for lane in self.j.lanes):
            entries: list[tuple[_Draw, str]] = []
            personas: list[Persona | None] = list(self.j.personas) or [None]
            for index, persona in enumerate(personas):
                pid = persona.id if persona else ANONYMOUS_PERSONA
                color = self.persona_colors[pid]
                single = len(personas) == 1

                def swatch(x: float, y: float, color: str = color, index: int = index, single: bool = single,
                           ) -> list[Node]:
                    nodes: list[Node] = [Path(f"M{fmt(x)} {fmt(y + mid)}H{fmt(x + 28)}", stroke=color,
                                              stroke_width=self.theme.strokes.curve, dash=self.persona_dash(index))]
                    if single:
                        nodes.append(Circle(x + 14, y + mid, 7, fill=c["surface"]))
                        nodes.append(self.icon("face-happy", x + 7, y + mid - 7, 14, color))
                    else:
                        nodes.append(Path(_marker_path(index, x + 14, y + mid, 4.5), fill=color, stroke=c["surface"],
                                          stroke_width=1.5))
                    return nodes

                entries.append((swatch, persona.name if persona else "Customer"))
            blocks.append(("Emotion curve", entries))
        if self.channels:
            entries = []
            for channel in self.channels:

                def channel_swatch(x: float, y: float, channel: str = channel) -> list[Node]:
                    return [Rect(x + 2, y, 20, 20, fill=c["lane_label_bg"], rx=4),
                            self.icon(channel, x + 4, y + 2, 16, c["text"])]

                entries.append((channel_swatch, icons.CHANNEL_LABELS.get(channel, channel)))
            blocks.append(("Channels", entries))
        if "pain" in self.flags:
            entries = []
            for level in SEVERITIES:
                fill, fg = self.theme.severity(level)

                def severity_swatch(x: float, y: float, level: str = level, fill: str = fill,
                                    fg: str = fg) -> list[Node]:
                    return [Rect(x, y + 1, 36, 18, fill=fill, stroke=fg, stroke_width=1, rx=3),
                            *self.meter(x + 6, y + 1, _LEVELS[level], 4, fg, 18)]

                entries.append((severity_swatch, level.capitalize()))
            blocks.append(("Pain point severity", entries))
        if "opportunity" in self.flags:
            entries = []
            for level in PRIORITIES:
                fill, fg = self.theme.priority(level)

                def priority_swatch(x: float, y: float, level: str = level, fill: str = fill,
                                    fg: str = fg) -> list[Node]:
                    return [Rect(x, y + 1, 36, 18, fill=fill, stroke=fg, stroke_width=1, rx=3),
                            *self.meter(x + 9, y + 1, _LEVELS[level], 3, fg, 18)]

                entries.append((priority_swatch, f"{level.capitalize()} priority"))
            blocks.append(("Opportunity priority", entries))
        marks = self.mark_entries()
        if marks:
            blocks.append(("Marks", marks))
        if not blocks:
            return None, y0 - SECTION_GAP
        size = self.small
        lh = self.lh(size)
        row_h = 24.0
        plans: list[tuple[float, _Plan]] = []
        for title, entries in blocks:
            ncols = math.ceil(len(entries) / 6)
            nrows = math.ceil(len(entries) / ncols)
            label_w = min(max(fit(label, size) for _, label in entries), 360.0)
            col_w = 44 + label_w
            w = max(ncols * col_w + (ncols - 1) * 24, fit(title.upper(), size, "semibold"))
            h = lh + 8 + row_h * nrows

            def draw(x: float, y: float, title: str = title, entries: list[Any] = entries, w: float = w,
                     h: float = h, nrows: int = nrows, col_w: float = col_w) -> Group:
                nodes: list[Node] = [self.line(title.upper(), x, y, w, size, c["text_muted"], "semibold")]
                for i, (swatch, label) in enumerate(entries):
                    ex = x + (i // nrows) * (col_w + 24)
                    ey = y + lh + 8 + (i % nrows) * row_h
                    nodes.extend(swatch(ex, ey + (row_h - 20) / 2))
                    nodes.append(self.line(label, ex + 44, ey + (row_h - lh) / 2, col_w - 44, size, c["text"]))
                return Group(tuple(nodes), cls="legend-block", title=title, box=Box(x, y, w, h))

            plans.append((w, _Plan(h, draw)))
        pad = 20
        placed, bottom = self.flow(plans, x0 + pad, y0 + pad, self.content_w - 2 * pad, 40)
        height = bottom - y0 + pad
        panel = Rect(x0, y0, self.content_w, height, fill=c["surface"], stroke=c["card_border"], stroke_width=1,
                     rx=RADIUS + 2)
        return Group((panel, *placed), id="legend", cls="legend", box=Box(x0, y0, self.content_w, height)), y0 + height

    def mark_entries(self) -> list[tuple[_Draw, str]]:
        c = self.c
        small_lh = self.lh(self.small)
        entries: list[tuple[_Draw, str]] = []
        if "moment-of-truth" in self.flags:
            entries.append((lambda x, y: [self.icon("moment-of-truth", x + 5, y + 1, 18, c["moment_of_truth"],
                                                    fill=c["moment_of_truth"])],
                            "Moment of truth: the journey is won or lost here"))
        if "evidence" in self.flags:
            refs = self.refs_plan([self.j.research[0].id])
            assert refs is not None
            entries.append((lambda x, y: refs[1](x + 4 + refs[0], y + (20 - small_lh) / 2),
                            "Backed by research: numbers refer to the sources below"))
        if "assumption" in self.flags:
            entries.append((lambda x, y: [Rect(x, y + 1, 36, 18, fill=c["card"], stroke=c["assumption"],
                                               stroke_width=1.5, rx=3, dash="5 3")],
                            "Assumption: cites no research"))
        if "kpi-target" in self.flags:
            for met, label in ((True, "KPI meets its target"), (False, "KPI misses its target")):
                color = c["kpi_met" if met else "kpi_missed"]

                def kpi_swatch(x: float, y: float, met: bool = met, color: str = color) -> list[Node]:
                    mx, my = x + 11, y + 10
                    mark = (f"M{fmt(mx + 3.5)} {fmt(my)}l2.5 2.5l4.5 -5" if met else
                            f"M{fmt(mx + 4.5)} {fmt(my - 2.5)}l5 5M{fmt(mx + 9.5)} {fmt(my - 2.5)}l-5 5")
                    return [Circle(mx + 7, my, 7, fill=color), Path(mark, stroke=c["card"], stroke_width=1.75)]

                entries.append((kpi_swatch, label))
        if "truncated" in self.flags:
            entries.append((lambda x, y: [self.line("\u2026", x, y + (20 - small_lh) / 2, 36, self.small,
                                                    c["text"], "semibold", "middle")],
                            "Text shortened: the full text is in the tooltip"))
        return entries

    # --- research sources -------------------------------------------------------------

    def sources(self, x0: float, y0: float) -> tuple[Group, float]:
        """The research sources, numbered as the footnotes cite them."""
        c = self.c
        heading = self.line("Research sources", x0, y0, self.content_w, self.heading, c["text"], "semibold")
        y = y0 + self.lh(self.heading) + 12
        w = self.source_w
        plans = [(w, self.source_plan(r, i + 1, w)) for i, r in enumerate(self.j.research)]
        placed, bottom = self.flow(plans, x0, y, self.content_w, FLOW_GAP)
        return Group((heading, *placed), id="sources", cls="sources",
                     box=Box(x0, y0, self.content_w, bottom - y0)), bottom

    def source_plan(self, r: Research, number: int, w: float) -> _Plan:
        c = self.c
        body, small = self.body, self.small
        lh, small_lh = self.lh(body), self.lh(small)
        text_x = 30.0
        inner = w - text_x
        title = self.wrap(r.title, inner, body, "semibold", 3)
        kind = r.kind.replace("-", " ").capitalize()
        facts = " · ".join(f for f in (kind, r.date, f"n = {format_number(r.sample_size)}" if r.sample_size else "")
                           if f)
        meta = self.wrap(facts, inner, small, "regular", 2)
        summary = self.wrap(r.summary, inner, body, "regular", 6) if r.summary else None
        url = self.wrap(r.url, inner, small, "regular", 2) if r.url else None
        h = (len(title.lines) * lh + 2 + len(meta.lines) * small_lh
             + (4 + len(summary.lines) * lh if summary else 0) + (4 + len(url.lines) * small_lh if url else 0))

        def draw(x: float, y: float) -> Group:
            nodes: list[Node] = [
                Circle(x + 11, y + lh / 2, 11, fill=c["accent"]),
                self.line(str(number), x, y + (lh - small_lh) / 2, 22, small, c["on_accent"], "semibold", "middle"),
                self.text(title, x + text_x, y, inner, body, c["text"], "semibold", full=r.title),
            ]
            cy = y + len(title.lines) * lh + 2
            nodes.append(self.text(meta, x + text_x, cy, inner, small, c["text_muted"], full=facts))
            cy += len(meta.lines) * small_lh
            if summary:
                cy += 4
                nodes.append(self.text(summary, x + text_x, cy, inner, body, c["text"], full=r.summary))
                cy += len(summary.lines) * lh
            if url:
                cy += 4
                nodes.append(self.text(url, x + text_x, cy, inner, small, c["text_muted"], full=r.url, cls="url"))
            return Group(tuple(nodes), id=self.uid(f"source-{r.id}"), cls="source", title=r.title,
                         box=Box(x, y, w, h), data=(("source", r.id), ("number", str(number))))

        return _Plan(h, draw)
