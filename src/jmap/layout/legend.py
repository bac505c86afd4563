"""The foot of the map: the legend (keys for what the map uses) and the numbered research sources.

Both are drawn last: the legend lists only the marks the rest of the layout flagged.
"""

from __future__ import annotations

import math
from typing import Any

from jmap import icons
from jmap.layout.cards import LEVELS, meter
from jmap.layout.context import Draw, LayoutContext, Plan, fit
from jmap.layout.geometry import Box, Circle, Group, Node, Path, Rect, fmt
from jmap.layout.numbers import format_number
from jmap.layout.rhythm import FLOW_GAP, RADIUS, SECTION_GAP
from jmap.layout.shapes import marker_path
from jmap.model.model import ANONYMOUS_PERSONA, Persona, Research
from jmap.model.themes import PRIORITIES, SEVERITIES


class LegendMixin(LayoutContext):
    """The legend panel and the research sources."""

    def legend(self, x0: float, y0: float) -> tuple[Group | None, float]:
        """Keys for what the map uses: personas, channels, severities, priorities and marks."""
        blocks: list[tuple[str, list[tuple[Draw, str]]]] = []
        c = self.c
        mid = 10.0
        if self.hl is not None:
            from jmap.layout import diffmarks

            blocks.extend(diffmarks.legend_blocks(self.hl, c, old_curve_drawn="diff-old-curve" in self.flags))
        if any(lane.id == "emotion" for lane in self.j.lanes):
            entries: list[tuple[Draw, str]] = []
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
                        nodes.append(Path(marker_path(index, x + 14, y + mid, 4.5), fill=color, stroke=c["surface"],
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
                            *meter(x + 6, y + 1, LEVELS[level], 4, fg, 18)]

                entries.append((severity_swatch, level.capitalize()))
            blocks.append(("Pain point severity", entries))
        if "opportunity" in self.flags:
            entries = []
            for level in PRIORITIES:
                fill, fg = self.theme.priority(level)

                def priority_swatch(x: float, y: float, level: str = level, fill: str = fill,
                                    fg: str = fg) -> list[Node]:
                    return [Rect(x, y + 1, 36, 18, fill=fill, stroke=fg, stroke_width=1, rx=3),
                            *meter(x + 9, y + 1, LEVELS[level], 3, fg, 18)]

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
        plans: list[tuple[float, Plan]] = []
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

            plans.append((w, Plan(h, draw)))
        pad = 20
        placed, bottom = self.flow(plans, x0 + pad, y0 + pad, self.content_w - 2 * pad, 40)
        height = bottom - y0 + pad
        panel = Rect(x0, y0, self.content_w, height, fill=c["surface"], stroke=c["card_border"], stroke_width=1,
                     rx=RADIUS + 2)
        return Group((panel, *placed), id="legend", cls="legend", box=Box(x0, y0, self.content_w, height)), y0 + height

    def mark_entries(self) -> list[tuple[Draw, str]]:
        c = self.c
        small_lh = self.lh(self.small)
        entries: list[tuple[Draw, str]] = []
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
                            "Text shortened: the full text is in the tooltip" if self.tooltips
                            else "Text shortened to fit"))
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

    def source_plan(self, r: Research, number: int, w: float) -> Plan:
        c = self.c
        body, small = self.body, self.small
        lh, small_lh = self.lh(body), self.lh(small)
        text_x = 30.0
        inner = w - text_x
        about = ("research source", r.span)
        title = self.wrap(r.title, inner, body, "semibold", 3, about)
        kind = r.kind.replace("-", " ").capitalize()
        facts = " · ".join(f for f in (kind, r.date, f"n = {format_number(r.sample_size)}" if r.sample_size else "")
                           if f)
        meta = self.wrap(facts, inner, small, "regular", 2, about)
        summary = self.wrap(r.summary, inner, body, "regular", 6, ("research summary", r.span)) if r.summary else None
        url = self.wrap(r.url, inner, small, "regular", 2, ("research link", r.span)) if r.url else None
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

        return Plan(h, draw)
