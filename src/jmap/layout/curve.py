"""The emotion row: the scale, the persona curves through their scores, and moments of truth.

Curves are Fritsch–Carlson monotone cubics (`monotone_curve`), so they never overshoot
the scale; several personas differ by dash and marker shape as well as colour.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from jmap import icons
from jmap.layout import text as tx
from jmap.layout.context import LayoutContext, Span, fit
from jmap.layout.geometry import Box, Circle, Group, Node, Path, Rect, fmt
from jmap.layout.numbers import MINUS, format_number
from jmap.layout.rhythm import EMOTION_STEP, snap
from jmap.layout.shapes import marker_path
from jmap.model.model import ANONYMOUS_PERSONA, Lane, Persona, StageOrStep

#: A score in words, for the point's tooltip.
_SCALE_WORDS = {2: "very positive", 1: "positive", 0: "neutral", -1: "negative", -2: "very negative"}


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


class EmotionCurveMixin(LayoutContext):
    """The emotion lane row and its curves."""

    def emotion_points(self, spans: list[Span], persona: str) -> list[tuple[float, float, str, Span, StageOrStep]]:
        """(x, score, label, span, column) per column that scores `persona`, left to right.

        A stage with steps gives a point per step that has a score; when none of its
        steps does, the stage's own score sits at the middle of the stage.
        """
        points: list[tuple[float, float, str, Span, StageOrStep]] = []
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

    def old_emotion_points(self, spans: list[Span], persona: str) -> list[tuple[float, float]]:
        """(x, score) of the visual diff's old curve: its old points, where their columns stand now."""
        xs: dict[str, float] = {}
        for span in spans:
            xs[span.stage.id] = span.cx
            xs.update((col.id, col.cx) for col in span.columns if col.step is not None)
        old = self.hl.old_curves.get(persona, ()) if self.hl is not None else ()
        return sorted((xs[column], score) for column, score in old if column in xs)

    def diff_curves(self, curves: list[Node], spans: list[Span], level_y: Callable[[float], float],
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

    def emotion_row(self, lane: Lane, spans: list[Span], x0: float, y: float,
                    label: Group) -> tuple[float, Group, list[Node], Group]:
        """The emotion lane: tinted band, scale, curves and moments of truth.

        `label` is the lane's label (drawn by the grid); the scale with its faces is added
        to it. Returns the row's height, the label, the band's background and the curves.
        """
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
        scale: list[Node] = []
        small_lh = self.lh(self.small)
        for level in (2, 1, 0, -1, -2):
            ly = level_y(level)
            text = f"+{level}" if level > 0 else (f"{MINUS}{-level}" if level < 0 else "0")
            scale.append(self.line(text, x0 + self.label_w - 12 - 22, ly - small_lh / 2, 22, self.small,
                                   self.c["text_muted"], "semibold", "end"))
            scale.append(self.icon(icons.emotion_face(level), x0 + self.label_w - 12 - 22 - 6 - 16, ly - 8, 16,
                                   self.c["text_muted"]))
        label = label._replace(children=(*label.children, Group(tuple(scale), cls="emotion-scale")),
                               box=Box(x0, y, self.label_w, h))

        personas: list[Persona | None] = list(self.j.personas) or [None]
        curves: list[Node] = []
        single = len(personas) == 1
        reach = 11.0 if single else 8.0  # how far a point's marker reaches from its centre
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
        ends: list[tuple[float, float, str, str, str]] = []  # (x, y, persona id, name, colour) of a curve's end
        taken_xs: set[float] = set(mot_columns.values())  # where points and moments of truth stand
        for index, persona in enumerate(personas):
            pid = persona.id if persona else ANONYMOUS_PERSONA
            name = persona.name if persona else "Customer"
            color = self.persona_colors[pid]
            points = self.emotion_points(spans, pid)
            if not points:
                continue
            xy = [(px, level_y(score)) for px, score, *_ in points]
            taken_xs.update(px for px, _ in xy)
            if persona is not None:
                ends.append((*xy[-1], pid, name, color))
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
                    marker = [Path(marker_path(index, px, py, 5), fill=color, stroke=self.c["card"],
                                   stroke_width=1.5, cls="marker")]
                score_text = format_number(score).replace("-", MINUS)
                word = _SCALE_WORDS[max(-2, min(2, round(score)))]
                nodes.append(Group(tuple(marker), cls="point", title=f"{name}, {col_name}: {score_text} ({word})",
                                   box=Box(px - reach, py - reach, 2 * reach, 2 * reach),
                                   data=(("persona", pid), ("score", format_number(score)),
                                         ("stage", span.stage.id), *((("step", column.id),)
                                                                      if column is not span.stage else ()))))
            curves.append(Group(tuple(nodes), id=self.uid(f"curve-{pid}"), cls="curve", title=f"Emotion: {name}",
                                data=(("persona", pid),)))
        curves.extend(self.curve_labels(ends, sorted(taken_xs), reach, right - 4, y + 4,
                                        y + h - 4))
        # data-lane lets the HTML map hide the whole row (bands, scale lines and curves).
        if self.hl is not None:
            curves = self.diff_curves(curves, spans, level_y, personas)
        band = Group(tuple(curves), id="emotion", cls="emotion",
                     box=Box(cols_x, band_top, right - cols_x, band_bottom - band_top), data=(("lane", lane.id),))
        return h, label, [Group(tuple(back), cls="emotion-band", data=(("lane", lane.id),))], band


    def curve_labels(self, ends: list[tuple[float, float, str, str, str]], taken_xs: list[float], reach: float,
                     right: float, top: float, bottom: float) -> list[Node]:
        """A name tag at the end of each persona's curve, so a curve reads without the legend.

        A tag sits right of the curve's last point (time runs left to right in every map,
        right-to-left text included; such a name is set right-to-left inside its tag), is
        as wide as the name up to the next column's points or the band's edge (`right`),
        wrapping onto a second line before it is shortened, and is centred on the point's
        height. Tags that would overlap are stacked into a cluster centred on their points,
        kept between `top` and `bottom`; a tag moved off its point gets a short leader line.
        """
        size = self.small
        pad_x, pad_y, gap = 5.0, 2.0, 4.0
        lh = self.lh(size)
        tags: list[tuple[float, float, float, float, str, str, str, tx.Wrapped]] = []  # x, w, h, point y, ...
        for px, py, pid, name, color in ends:
            x = px + reach + 4
            limit = next((cx - reach - 4 for cx in taken_xs if cx > px + 0.01), right)
            if limit - x < 2 * pad_x + 8:
                continue  # no room for even "…" (a column narrower than any real map has)
            w = min(fit(name, size, "semibold") + 2 * pad_x, limit - x)
            wrapped = self.wrap(name, w - 2 * pad_x, size, "semibold", max_lines=2)
            tags.append((x, w, len(wrapped.lines) * lh + 2 * pad_y, py, pid, name, color, wrapped))
        tops = _stack([(t[0], t[0] + t[1], t[3] - t[2] / 2, t[2]) for t in tags], gap, top, bottom)
        nodes: list[Node] = []
        for (x, w, h, py, pid, name, color, wrapped), tag_y in zip(tags, tops, strict=True):
            parts: list[Node] = []
            cy = tag_y + h / 2
            if abs(cy - py) > min(h / 2, lh):
                parts.append(Path(f"M{fmt(x - 4)} {fmt(py)}L{fmt(x)} {fmt(cy)}", stroke=color, stroke_width=1.25,
                                  cls="curve-label-leader"))
            parts.append(Rect(x, tag_y, w, h, fill=self.c["surface"], stroke=color, stroke_width=1.25, rx=4))
            parts.append(self.text(wrapped, x + pad_x, tag_y + pad_y, w - 2 * pad_x, size, self.c["text"],
                                   "semibold", full=name))
            nodes.append(Group(tuple(parts), cls="curve-label", box=Box(x - 4, tag_y, w + 4, h),
                               data=(("persona", pid),)))
        return nodes


def _stack(tags: list[tuple[float, float, float, float]], gap: float, top: float, bottom: float) -> list[float]:
    """The top of each tag (x0, x1, wanted top, height), so that tags sharing x never overlap.

    Tags are taken top to bottom; each run of overlapping tags becomes a cluster centred
    on where its tags want to be, then kept inside [top, bottom] where it fits.
    Deterministic, and a tag never moves further than its cluster needs.
    """
    result = [t[2] for t in tags]
    # Tags whose x ranges overlap share a column: stack each such group on its own.
    groups: list[list[int]] = []
    for i in sorted(range(len(tags)), key=lambda i: (tags[i][0], i)):
        if groups and tags[i][0] < max(tags[j][1] for j in groups[-1]):
            groups[-1].append(i)
        else:
            groups.append([i])

    def height(cluster: list[int]) -> float:
        return sum(tags[i][3] for i in cluster) + gap * (len(cluster) - 1)

    def placed(cluster: list[int]) -> float:
        """The cluster's top: its tags as close to where they want to be as they can, inside the band."""
        offsets, offset = [], 0.0
        for i in cluster:
            offsets.append(offset)
            offset += tags[i][3] + gap
        wanted = sum(tags[i][2] - o for i, o in zip(cluster, offsets, strict=True)) / len(cluster)
        return max(top, min(wanted, bottom - height(cluster)))

    for group in groups:
        clusters: list[list[int]] = []
        starts: list[float] = []
        for i in sorted(group, key=lambda i: (tags[i][2] + tags[i][3] / 2, i)):
            clusters.append([i])
            starts.append(placed([i]))
            while len(clusters) > 1 and starts[-2] + height(clusters[-2]) + gap > starts[-1] + 0.01:
                merged = clusters[-2] + clusters[-1]
                clusters[-2:] = [merged]
                starts[-2:] = [placed(merged)]
        for cluster, start in zip(clusters, starts, strict=True):
            for i in cluster:
                result[i] = start
                start += tags[i][3] + gap
    return result
