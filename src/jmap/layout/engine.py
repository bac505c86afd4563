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

This module holds `layout()`, the grid and the order things are drawn in; the sections
live beside it: `header` (title block, personas), `stage_headers` (chapters, stages,
timeline, steps), `cards` (lane items), `curve` (the emotion row), `legend` (legend,
research sources), all over the shared `context`. Annotations are evaluated (no `from
__future__ import annotations`): NamedTuple compiles string ones (see jmap.layout.geometry).
"""

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from jmap import icons
from jmap.diagnostics import Diagnostic, dedupe
from jmap.layout import text as tx
from jmap.layout.cards import CardsMixin
from jmap.layout.context import SHORTENED, Column, Plan, Shortened, Span, shortening
from jmap.layout.curve import EmotionCurveMixin, monotone_curve
from jmap.layout.geometry import Box, Group, IconDef, Layout, Node, Path, Rect, fmt
from jmap.layout.header import HeaderMixin
from jmap.layout.legend import LegendMixin
from jmap.layout.numbers import format_number
from jmap.layout.rhythm import CELL_INSET, GAP, GRID, MARGIN, MIN_ROW, SECTION_GAP, snap
from jmap.layout.stage_headers import StageHeadersMixin
from jmap.model.lanes import spec
from jmap.model.model import Journey, Lane, StageOrStep

if TYPE_CHECKING:
    from jmap.layout.diffmarks import DiffHighlights

__all__ = ["format_number", "layout", "monotone_curve"]


def layout(journey: Journey, avatars: Mapping[str, str] | None = None,
           highlights: "DiffHighlights | None" = None, *, tooltips: bool = True) -> Layout:
    """The positioned map of a journey (pure and deterministic).

    `avatars` maps persona ids to checked image data URIs; the caller reads the files,
    so layout stays free of I/O. `highlights` marks a visual diff's changes (see
    `jmap.layout.diffmarks`); without it nothing of the diff is drawn. `tooltips` says
    whether the drawing shows a tooltip on hover (SVG, HTML: yes; PNG, PDF: no), so the
    legend promises only what the format has.
    """
    return _Builder(journey, avatars or {}, highlights, tooltips=tooltips).build()


def shortened_texts(journey: Journey, avatars: Mapping[str, str] | None = None) -> list[Diagnostic]:
    """A W504 warning for each text the layout of `journey` cuts with "…", once each, in the map's order."""
    found: list[Shortened] = []
    token = SHORTENED.set(found.append)
    try:
        layout(journey, avatars)
    finally:
        SHORTENED.reset(token)
    return dedupe([shortening(s) for s in found])


# --- cells -----------------------------------------------------------------------------


class _Cell(NamedTuple):
    """A cell of a lane row, measured: where it sits and the cards it stacks."""

    key: str  # "full", "span" or "steps": which part of the row it occupies
    x: float
    w: float
    plans: list[Plan]
    data: tuple[tuple[str, str], ...]
    id: str

    @property
    def content_h(self) -> float:
        if not self.plans:
            return 0.0
        return 2 * CELL_INSET + sum(p.h for p in self.plans) + GAP * (len(self.plans) - 1)


class _Builder(HeaderMixin, StageHeadersMixin, CardsMixin, EmotionCurveMixin, LegendMixin):
    """One layout run: the sections (mixins) over a shared context, the grid, and their order."""

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

    def columns(self) -> list[Span]:
        spans: list[Span] = []
        x = MARGIN + self.label_w
        for index, stage in enumerate(self.j.stages):
            start = x
            cols = []
            for step in stage.steps or (None,):
                cols.append(Column(stage, step, x, self.col_w))
                x += self.col_w
            spans.append(Span(stage, index, start, x - start, tuple(cols)))
        return spans

    # --- the grid ---------------------------------------------------------------------

    def grid(self, spans: list[Span], x0: float, y0: float) -> tuple[list[Node], list[Group], Group | None, float]:
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
                h, label, nodes, curve = self.emotion_row(lane, spans, x0, y, self.lane_label(lane, x0, y)[0])
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

    # --- lane rows --------------------------------------------------------------------

    def divider_before(self, lane: Lane, before: Sequence[Lane]) -> str | None:
        """The blueprint line drawn above a lane, if any."""
        shown = {lane.id for lane in before}
        lane_spec = spec(lane.id) if not lane.custom else None
        if lane_spec is None or not lane_spec.divider:
            return None
        other, label = lane_spec.divider_without
        return label if other and other not in shown else lane_spec.divider

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
        icon = spec(lane.id).icon if not lane.custom else ""
        pad = 12
        icon_size = 16.0
        text_x = x0 + pad + (icon_size + 8 if icon else 0)
        text_w = x0 + self.label_w - pad - text_x
        label = self.wrap(lane.name, text_w, self.body, "semibold", 4, ("lane name", self.top))
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

    def lane_items(self, lane: Lane, column: StageOrStep) -> tuple[Any, ...]:
        if lane.id == "evidence":
            cited = sorted({e for e in column.evidence if e in self.refs}, key=self.refs.__getitem__)
            return tuple(self.j.research_by_id(e) for e in cited)
        return column.lanes.items(lane.id)

    def lane_row(self, lane: Lane, spans: list[Span], x0: float, y: float,
                 per_stage: list[list[Node]]) -> tuple[float, Group]:
        cells: list[tuple[int, _Cell]] = []
        for span in spans:
            stage_items = self.lane_items(lane, span.stage)
            key = "span" if span.has_steps else "full"
            if stage_items:
                data = (("lane", lane.id), ("stage", span.stage.id))
                cells.append((span.position, self.cell(lane, key, span.x, span.w, stage_items, data, span.stage.id)))
            if span.has_steps:
                for col in span.columns:
                    assert col.step is not None
                    items = self.lane_items(lane, col.step)
                    if items:
                        cells.append((span.position, self.cell(lane, "steps", col.x, col.w, items,
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
        return h, label._replace(box=Box(x0, y, self.label_w, h))

    def cell(self, lane: Lane, key: str, x: float, w: float, items: Sequence[Any],
             data: tuple[tuple[str, str], ...], column_id: str) -> _Cell:
        inner = w - 2 * CELL_INSET
        plans = [self.item_plan(lane, item, inner, data, f"{lane.id}-{column_id}-{i}") for i, item in enumerate(items)]
        if self.hl is not None:
            plans = [self.diff_plan(plan, (column_id, lane.id, i)) for i, plan in enumerate(plans)]
        return _Cell(key, x, w, plans, data, column_id)

    def diff_plan(self, plan: Plan, key: tuple[str, str, int]) -> Plan:
        """A card with the visual diff's mark, if its item changed."""
        from jmap.layout import diffmarks

        kind = self.hl.items.get(key) if self.hl is not None else None
        if kind is None:
            return plan
        note = self.hl.notes.get(("item", *key), "") if self.hl is not None else ""
        return Plan(plan.h, lambda x, y: diffmarks.mark_item(plan.draw(x, y), kind, self.c, note))

