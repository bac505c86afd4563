"""The top of the grid: chapter bands, stage names, the timeline, and stage and step details.

Everything above the lane rows. Step headers of every stage share one height, so the
lane rows below start level across the whole map.
"""

from __future__ import annotations

from collections.abc import Callable

from jmap.layout import text as tx
from jmap.layout.context import Column, LayoutContext, Plan, Span, fit
from jmap.layout.geometry import Box, Circle, Group, Node, Path, Rect, fmt
from jmap.layout.rhythm import RADIUS, snap
from jmap.model.model import StageOrStep


class StageHeadersMixin(LayoutContext):
    """The rows above the lanes: chapters, stage headers, timeline, details and step headers."""

    def chapter_row(self, spans: list[Span], y: float) -> tuple[Group, float]:
        """Chapters as tinted bands over the stages they group."""
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
                          "semibold", about=("chapter name", chapter.span)),
            ), id=self.uid(f"chapter-{chapter.id}"), cls="chapter", title=chapter.name, box=Box(x, y, w, h),
                data=(("chapter", chapter.id),)))
        return Group(tuple(nodes), id="chapters", cls="chapters"), y + h

    def stage_header_row(self, spans: list[Span], y: float, per_stage: list[list[Node]]) -> float:
        """The stages' names on accent bands, all of one height."""
        size = self.heading
        lh = self.lh(size)
        names = []
        for span in spans:
            star = 22 if span.stage.moment_of_truth else 0
            names.append(self.wrap(span.stage.name, span.w - 8 - 24 - star, size, "semibold", 3,
                                   ("stage name", span.stage.span)))
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
            per_stage[span.position].append(Group(
                tuple(nodes), id=self.uid(f"stage-header-{stage.id}"),
                cls="stage-header" + (" moment-of-truth" if stage.moment_of_truth else ""), title=stage.name,
                box=Box(x, y, w, band_h), data=(("stage", stage.id),)))
        return y + band_h

    def stage_details_row(self, spans: list[Span], y: float, per_stage: list[list[Node]]) -> tuple[float, float]:
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
                per_stage[span.position].append(group._replace(cls="stage-meta", data=(("stage", span.stage.id),)))
        return y + snap(height), y + steps_offset

    def header_meta_plan(self, step: StageOrStep, w: float, size: float) -> Plan:
        """Description, moment of truth and evidence under a stage or step name."""
        parts: list[tuple[float, Callable[[float, float], list[Node]]]] = []
        lh = self.lh(size)
        if step.description:
            desc = self.wrap(step.description, w, size, "regular", 5, ("description", step.span))

            def draw_desc(x: float, y: float, desc: tx.Wrapped = desc) -> list[Node]:
                return [self.text(desc, x, y, w, size, self.c["text_muted"], full=step.description,
                                  cls="description")]

            parts.append((len(desc.lines) * lh, draw_desc))
        if step.moment_of_truth:
            self.flags.add("moment-of-truth")
            label = "Moment of truth" if step.moment_of_truth == "yes" else step.moment_of_truth
            mot = self.wrap(label, w - 22, size, "semibold", 4, ("moment of truth", step.span))

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

        return Plan(h, draw)

    def timeline(self, spans: list[Span], y: float) -> tuple[Group, float]:
        """The arrow under the stage names, with each stage's duration in a pill."""
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
            if span.position:
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
                self.line(duration, px + 10, mid - lh / 2, text_w, size, accent, "semibold",
                          about=("duration", span.stage.span)),
            ), cls="duration", title=f"{span.stage.name}: {duration}", data=(("stage", span.stage.id),)))
        return Group(tuple(nodes), id="timeline", cls="timeline"), y + h

    def step_header_row(self, spans: list[Span], y: float, per_stage: list[list[Node]]) -> float:
        """One card per step (name, duration, details), all of one height; returns the bottom."""
        pad = 10
        plans: list[tuple[Span, Column, tx.Wrapped, tx.Wrapped | None, Plan]] = []
        for span in spans:
            if not span.has_steps:
                continue
            for col in span.columns:
                step = col.step
                assert step is not None
                inner = col.w - 8 - 2 * pad
                name = self.wrap(step.name, inner, self.body, "semibold", 3, ("step name", step.span))
                duration = self.wrap(step.duration, inner, self.small, "regular", 2, ("duration", step.span)) \
                    if step.duration else None
                plans.append((span, col, name, duration, self.header_meta_plan(step, inner, self.small)))

        def height(name: tx.Wrapped, duration: tx.Wrapped | None, meta: Plan) -> float:
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
            per_stage[span.position].append(Group(
                tuple(nodes), id=self.uid(f"step-{step.id}"),
                cls="step-header" + (" moment-of-truth" if step.moment_of_truth else ""), title=step.name,
                box=Box(x, y, w, row_h - 8), data=col.data()))
        return y + row_h
