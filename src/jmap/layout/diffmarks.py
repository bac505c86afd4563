"""The visual diff: what `jmap diff -o` draws over the new map (pure, no I/O).

`diff_view(result)` turns a `DiffResult` into the journey to draw and the marks to put
on it. The journey is the NEW map with what was removed put back where it stood, as
ghosts: a removed stage or step becomes a ghost column at its `position`, a removed item
is inserted into its cell at its `position` (appended when the cell has no later item).
`DiffHighlights` says, in the coordinates of that journey, which items, stages and steps
were added, changed or removed, and holds the old emotion scores for the "before" curve.
`layout(journey, highlights=...)` consults it only where it draws cards, stage and step
headers, the emotion curve and the legend: without highlights a map is drawn exactly as
before.

Every mark reads without colour, by shape and pattern as well as hue:

| change  | outline  | corner badge     | more                                                   |
|---------|----------|------------------|--------------------------------------------------------|
| added   | solid    | "+" in a circle  | an added stage or step: a framed column                |
| changed | dash-dot | "~" in a diamond | an emotion score: a dashed ring                        |
| removed | dotted   | "−" in a square  | faded, struck through; a stage or step: hatched column |

The old emotion curve is drawn thin and dashed, with hollow points, under the new one.

`DiffHighlights` is a `NamedTuple` like the layout's other records (no dataclasses import).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from jmap.layout import text as tx
from jmap.layout.geometry import Circle, Group, Node, Path, Rect, Text, fmt
from jmap.model.lanes import ITEM_LANES
from jmap.model.model import Journey, Lane, Lanes, Stage, StageOrStep, Step
from jmap.model.themes import contrast_ratio

if TYPE_CHECKING:
    from jmap.review.diff import Change, DiffResult

__all__ = ["ADDED", "CHANGED", "GHOST", "REMOVED", "DiffHighlights", "diff_view"]

ADDED, CHANGED, REMOVED = "added", "changed", "removed"
#: The class of what is drawn faded (the SVG template gives it `opacity`).
GHOST = "diff-ghost"
#: Outline dash per change: solid, dash-dot, dotted (assumptions are dashed already).
DASHES = {ADDED: "", CHANGED: "7 3 1.5 3", REMOVED: "1.5 3"}
COLOR_KEYS = {ADDED: "diff_added", CHANGED: "diff_changed", REMOVED: "diff_removed"}
WORDS = {ADDED: "Added", CHANGED: "Changed", REMOVED: "Removed"}
#: The built-in lanes that hold items (as `Lanes` has them).
_ITEM_LANES = ITEM_LANES
_RADIUS = 6.0  # the engine's card corner
_OUTSET = 2.5  # outline outside a card (cards stand 8 px apart)

#: (column, lane, index): an item of the drawn journey.
ItemKey = tuple[str, str, int]


#: The default of every table of `DiffHighlights`: empty, and shared, so read-only.
_NONE: Mapping[Any, Any] = MappingProxyType({})


class DiffHighlights(NamedTuple):
    """What changed, in the coordinates of the journey `diff_view` returns."""

    #: (column, lane, index) -> added, changed or removed (a ghost).
    items: Mapping[ItemKey, str] = _NONE
    #: Stage id -> added, changed or removed (a ghost column).
    stages: Mapping[str, str] = _NONE
    #: Step id -> added, changed or removed (a ghost column).
    steps: Mapping[str, str] = _NONE
    #: (column, persona) -> added or changed: points of the new curve whose score is new or moved.
    emotion: Mapping[tuple[str, str], str] = _NONE
    #: Persona -> the points of its curve in the old map, as (column id, score) left to right
    #: there: the "before" curve, drawn where those columns stand in the new map.
    old_curves: Mapping[str, tuple[tuple[str, float], ...]] = _NONE
    #: The changes in words, for tooltips: by ("item", column, lane, index), ("stage", id),
    #: ("step", id) and ("emotion", column, persona).
    notes: Mapping[tuple[str | int, ...], str] = _NONE
    #: Removed elements the map has no place for: 'persona “Jon Berger”'.
    removed: tuple[str, ...] = ()

    def is_ghost(self, column: str) -> bool:
        return self.stages.get(column) == REMOVED or self.steps.get(column) == REMOVED

    def kinds(self) -> set[str]:
        """The kinds of mark the map shows on cards and headers."""
        return {*self.items.values(), *self.stages.values(), *self.steps.values()}


# --- from a DiffResult to the journey to draw ------------------------------------------------

T = TypeVar("T")
S = TypeVar("S", Step, Stage)


def diff_view(result: DiffResult) -> tuple[Journey, DiffHighlights]:
    """The journey to draw for a diff (the new map with ghosts put back) and its marks."""
    new, old = result.new, result.old
    if new is None:
        raise ValueError("a deleted map has no new version to draw")
    summary = f"Changes since {result.old_label or 'the old version'}: {result.summary_line()}."
    if old is None:  # a map added: every stage is new
        marks = DiffHighlights(stages={s.id: ADDED for s in new.stages},
                               notes={("stage", s.id): "Added with the map" for s in new.stages})
        where = f": it does not exist in {result.old_label}" if result.old_label else ""
        return new._replace(description=f"A new map{where}."), marks
    journey, marks = _View(old, new, result.changes).build()
    return journey._replace(description=summary), marks


def curve_points(journey: Journey, persona: str) -> list[tuple[str, float]]:
    """(column id, score) of a persona's curve, as the layout draws it: a point per step that has a
    score, or, when none of a stage's steps has one, the stage's own score."""
    points: list[tuple[str, float]] = []
    for stage in journey.stages:
        steps = [(step.id, dict(step.emotion)[persona]) for step in stage.steps if persona in dict(step.emotion)]
        if steps:
            points.extend(steps)
        elif persona in dict(stage.emotion):
            points.append((stage.id, dict(stage.emotion)[persona]))
    return points


def merge(new: Sequence[T], ghosts: Sequence[tuple[int, T]]) -> tuple[list[T], list[int], list[int]]:
    """`new` with each ghost inserted before the element at its position (kept in order at one position).

    Returns the merged list, the index of every element of `new` in it, and of every ghost.
    """
    order = sorted(range(len(ghosts)), key=lambda g: min(ghosts[g][0], len(new)))
    out: list[T] = []
    new_at: list[int] = []
    ghost_at = [0] * len(ghosts)
    k = 0
    for i in range(len(new) + 1):
        while k < len(order) and min(ghosts[order[k]][0], len(new)) <= i:
            ghost_at[order[k]] = len(out)
            out.append(ghosts[order[k]][1])
            k += 1
        if i < len(new):
            new_at.append(len(out))
            out.append(new[i])
    return out, new_at, ghost_at


def _with_items(lanes: Lanes, lane: str, items: Sequence[Any]) -> Lanes:
    if lane in _ITEM_LANES:
        return lanes._replace(**{lane: tuple(items)})
    custom = [(lane_id, tuple(items) if lane_id == lane else found) for lane_id, found in lanes.custom]
    if all(lane_id != lane for lane_id, _ in lanes.custom):
        custom.append((lane, tuple(items)))
    return lanes._replace(custom=tuple(custom))


def _lane_ids(column: StageOrStep) -> list[str]:
    return [*_ITEM_LANES, *(lane_id for lane_id, _ in column.lanes.custom)]


class _View:
    def __init__(self, old: Journey, new: Journey, changes: Sequence[Change]) -> None:
        self.old, self.new, self.changes = old, new, changes
        self.items: dict[ItemKey, str] = {}
        self.stages: dict[str, str] = {}
        self.steps: dict[str, str] = {}
        self.notes: dict[tuple[str | int, ...], list[str]] = {}
        #: (column, lane, new index) -> index in the drawn journey.
        self.index: dict[ItemKey, int] = {}
        self.new_columns = {c.id for s in new.stages for c in s.self_and_steps}
        self.new_steps = {c.id for s in new.stages for c in s.steps}
        #: Ghost columns whose old id is taken in the new map, and the id they are drawn with.
        self.renamed: dict[str, str] = {}
        self.old_columns = {c.id: c for s in old.stages for c in s.self_and_steps}
        #: Old items that moved to another column: not drawn again as ghosts where they were.
        self.moved_away = {c.old_key for c in changes if c.what == "item" and c.kind == "moved" and c.old_key
                           and c.old_key[1] != c.key[1]}
        #: Removed items of columns in both maps: column -> lane -> [(position, old index, item, message)].
        self.removed_items: dict[str, dict[str, list[tuple[int, int, Any, str]]]] = {}
        for c in changes:
            if c.what == "item" and c.kind == REMOVED and c.old_key is None:
                column, lane, index = str(c.key[1]), str(c.key[2]), int(c.key[3])
                item = self.old_columns[column].lanes.items(lane)[index]
                self.removed_items.setdefault(column, {}).setdefault(lane, []).append(
                    (c.position or 0, index, item, c.message))

    def note(self, key: tuple[str | int, ...], text: str) -> None:
        notes = self.notes.setdefault(key, [])
        if text and text not in notes:
            notes.append(text)

    def mark(self, table: dict[Any, str], key: Any, kind: str) -> None:
        """Removed and added win over changed."""
        if table.get(key) in (ADDED, REMOVED):
            return
        table[key] = kind

    def build(self) -> tuple[Journey, DiffHighlights]:
        old, new = self.old, self.new
        old_stages = {s.id: s for s in old.stages}
        ghost_stages: list[tuple[int, Stage]] = []
        for c in self.changes:
            if c.what == "stage" and c.kind == REMOVED and c.field is None:
                ghost_stages.append((c.position or 0, self.ghost_stage(old_stages[str(c.key[1])], c.message)))
        stages, _, _ = merge([self.stage(s) for s in new.stages], ghost_stages)
        self.column_changes()
        self.item_changes()
        emotion: dict[tuple[str, str], str] = {}
        for c in self.changes:
            if c.what == "emotion" and c.kind in (ADDED, CHANGED):
                key = (str(c.key[1]), str(c.key[2]))
                emotion[key] = ADDED if c.kind == ADDED else CHANGED
                self.note(("emotion", *key), _cap(c.message))
        old_curves = {persona: tuple((self.renamed.get(column, column), score) for column, score in points)
                      for persona in old.persona_ids if (points := curve_points(old, persona))}
        lanes = self.lanes(stages)
        journey = new._replace(stages=tuple(stages), lanes=lanes)
        shown = {lane.id for lane in lanes}
        marks = DiffHighlights(
            items=self.items, stages=self.stages, steps=self.steps, emotion=emotion, old_curves=old_curves,
            notes={key: "\n".join(texts) for key, texts in self.notes.items()},
            removed=tuple(self.unplaced(shown)),
        )
        return journey, marks

    # columns

    def ghost_column(self, column: S, why: str) -> S:
        """An old column drawn as a ghost: its items (but those that moved away), no score, no timeline."""
        old_id = column.id
        if old_id in self.new_columns:  # a stage's id now names a step, or the other way round
            column = column._replace(id=f"{old_id}-removed")
            self.renamed[old_id] = column.id
        lanes = column.lanes
        for lane in _lane_ids(column):
            items = column.lanes.items(lane)
            if not items:
                continue
            kept = [x for i, x in enumerate(items) if ("item", old_id, lane, i) not in self.moved_away]
            lanes = _with_items(lanes, lane, kept)
            for index in range(len(kept)):
                self.items[(column.id, lane, index)] = REMOVED
                self.note(("item", column.id, lane, index), why)
        return column._replace(lanes=lanes, emotion=(), duration="", moment_of_truth="")

    def ghost_stage(self, stage: Stage, message: str) -> Stage:
        why = f"Removed with its stage \u201c{stage.name}\u201d"
        steps = []
        for step in stage.steps:
            if step.id in self.new_steps:
                continue  # moved to another stage: drawn there
            ghost_step = self.ghost_column(step, why)
            self.steps[ghost_step.id] = REMOVED
            steps.append(ghost_step)
        ghost = self.ghost_column(stage, why)
        self.stages[ghost.id] = REMOVED
        self.note(("stage", ghost.id), _cap(message))
        return ghost._replace(steps=tuple(steps))

    def stage(self, stage: Stage) -> Stage:
        """A stage of the new map with its removed steps and items put back."""
        old_steps = {s.id: s for s in self.old_columns.values() if not isinstance(s, Stage)}
        ghosts = []
        for c in self.changes:
            if c.what == "step" and c.kind == REMOVED and c.field is None and c.stage == stage.id:
                why = f"Removed with its step \u201c{c.label}\u201d"
                step = self.ghost_column(old_steps[str(c.key[1])], why)
                self.steps[step.id] = REMOVED
                self.note(("step", step.id), _cap(c.message))
                ghosts.append((c.position or 0, step))
        steps, _, _ = merge([self.column(s) for s in stage.steps], ghosts)
        return self.column(stage)._replace(steps=tuple(steps))

    def column(self, column: S) -> S:
        """A column of the new map with its removed items inserted where they stood."""
        lanes = column.lanes
        for lane, removed in self.removed_items.get(column.id, {}).items():
            removed.sort(key=lambda r: (r[0], r[1]))
            items, new_at, ghost_at = merge(column.lanes.items(lane), [(p, item) for p, _, item, _ in removed])
            lanes = _with_items(lanes, lane, items)
            for j, at in enumerate(new_at):
                self.index[(column.id, lane, j)] = at
            for at, (_, _, _, message) in zip(ghost_at, removed, strict=True):
                self.items[(column.id, lane, at)] = REMOVED
                self.note(("item", column.id, lane, at), _cap(message))
        return column._replace(lanes=lanes) if lanes is not column.lanes else column

    def column_changes(self) -> None:
        for c in self.changes:
            if c.what not in ("stage", "step") or (c.kind == REMOVED and c.field is None):
                continue
            table = self.stages if c.what == "stage" else self.steps
            kind = ADDED if c.kind == ADDED and c.field is None else CHANGED
            self.mark(table, str(c.key[1]), kind)
            self.note((c.what, str(c.key[1])), _cap(c.message))

    def item_changes(self) -> None:
        for c in self.changes:
            if c.what != "item" or c.kind == REMOVED:
                continue
            column, lane, j = str(c.key[1]), str(c.key[2]), int(c.key[3])
            key = (column, lane, self.index.get((column, lane, j), j))
            self.mark(self.items, key, ADDED if c.kind == ADDED else CHANGED)
            self.note(("item", *key), _cap(c.message))

    # lanes and what has no place

    def lanes(self, stages: Sequence[Stage]) -> tuple[Lane, ...]:
        """The new map's lanes, with the old lanes that ghosts (or the old curve) need, where they stood."""
        shown = list(self.new.lanes)
        needed = {lane for (_, lane, _), kind in self.items.items() if kind == REMOVED}
        if any(c.emotion for s in self.old.stages for c in s.self_and_steps):
            needed.add("emotion")
        old_ids = [lane.id for lane in self.old.lanes]
        for index, lane in enumerate(self.old.lanes):
            ids = [x.id for x in shown]
            if lane.id in ids or lane.id not in needed:
                continue
            at = next((ids.index(before) + 1 for before in reversed(old_ids[:index]) if before in ids), 0)
            shown.insert(at, lane)
        return tuple(shown)

    def unplaced(self, lanes: set[str]) -> list[str]:
        out = []
        nouns = {"persona": "persona", "research": "research source", "chapter": "chapter", "lane": "lane"}
        for c in self.changes:
            if c.kind != REMOVED or c.field is not None or c.what not in nouns:
                continue
            if c.what == "lane" and c.key[1] in lanes:
                continue  # its ghosts are drawn in it
            out.append(f"{nouns[c.what]} \u201c{c.label}\u201d")
        return out


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


# --- drawing -----------------------------------------------------------------------------------


def color_of(colors: Mapping[str, str], kind: str) -> str:
    return colors[COLOR_KEYS[kind]]


def ink_on(color: str) -> str:
    """White or near-black, whichever reads better on `color`."""
    return max(("#ffffff", "#111827"), key=lambda ink: contrast_ratio(ink, color))


def mix(color: str, other: str, amount: float) -> str:
    """`color` moved `amount` (0..1) of the way towards `other`."""
    a = [int(color[i:i + 2], 16) for i in (1, 3, 5)]
    b = [int(other[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * amount):02x}" for x, y in zip(a, b, strict=True))


def badge(kind: str, cx: float, cy: float, colors: Mapping[str, str], r: float = 7.0) -> Group:
    """The corner badge: "+" in a circle, "~" in a diamond, "−" in a square."""
    fill = color_of(colors, kind)
    ink = ink_on(fill)
    ring = colors["card"]
    shape: Node
    if kind == ADDED:
        shape = Circle(cx, cy, r, fill=fill, stroke=ring, stroke_width=1.5)
    elif kind == CHANGED:
        s = r * 1.3
        diamond = f"M{fmt(cx)} {fmt(cy - s)}L{fmt(cx + s)} {fmt(cy)}L{fmt(cx)} {fmt(cy + s)}L{fmt(cx - s)} {fmt(cy)}z"
        shape = Path(diamond, fill=fill, stroke=ring, stroke_width=1.5)
    else:
        s = r * 0.92
        shape = Rect(cx - s, cy - s, 2 * s, 2 * s, fill=fill, stroke=ring, stroke_width=1.5, rx=2)
    a = r * 0.5
    if kind == ADDED:
        glyph = f"M{fmt(cx - a)} {fmt(cy)}H{fmt(cx + a)}M{fmt(cx)} {fmt(cy - a)}V{fmt(cy + a)}"
    elif kind == REMOVED:
        glyph = f"M{fmt(cx - a)} {fmt(cy)}H{fmt(cx + a)}"
    else:
        q = a * 0.7
        glyph = (f"M{fmt(cx - a)} {fmt(cy + q * 0.5)}C{fmt(cx - a * 0.6)} {fmt(cy - q)} {fmt(cx - a * 0.2)} "
                 f"{fmt(cy - q)} {fmt(cx)} {fmt(cy)}S{fmt(cx + a * 0.6)} {fmt(cy + q)} {fmt(cx + a)} "
                 f"{fmt(cy - q * 0.5)}")
    return Group((shape, Path(glyph, stroke=ink, stroke_width=r / 4)), cls=f"diff-badge diff-{kind}")


def outline(x: float, y: float, w: float, h: float, kind: str, colors: Mapping[str, str], rx: float,
            cls: str = "diff-outline") -> Rect:
    return Rect(x, y, w, h, stroke=color_of(colors, kind), stroke_width=2, rx=rx, dash=DASHES[kind], cls=cls)


def strike(nodes: Sequence[Node], colors: Mapping[str, str], classes: frozenset[str]) -> list[Node]:
    """Lines through the text of `nodes` whose class is in `classes` (measured like the layout measures)."""
    segments = []
    for node in (n for top in nodes for n in (top.walk() if isinstance(top, Group) else [top])):
        if not isinstance(node, Text) or node.cls not in classes:
            continue
        weight = "semibold" if node.weight >= 600 else "regular"
        for line in node.lines:
            width = min(tx.measure(line.text, node.size, weight), node.w)
            if node.anchor == "middle":
                start = line.x - width / 2
            elif node.anchor == "end" or node.rtl:
                start = line.x - width
            else:
                start = line.x
            y = line.y - node.size * 0.3
            segments.append(f"M{fmt(start)} {fmt(y)}H{fmt(start + width)}")
    if not segments:
        return []
    return [Path("".join(segments), stroke=color_of(colors, REMOVED), stroke_width=1.5, cls="diff-strike")]


_STRUCK = frozenset({"", "value", "stage-name", "step-name"})


def _titled(title: str, kind: str, note: str) -> str:
    head = note or WORDS[kind]
    return f"{head}\n\n{title}" if title else head


def mark_item(card: Group, kind: str, colors: Mapping[str, str], note: str = "") -> Group:
    """A card with its change marked: outline, corner badge; a removed one faded and struck through."""
    box = card.box
    if box is None:
        return card
    text_item = "text-item" in card.cls.split()
    rx = 4.0 if text_item else _RADIUS + _OUTSET
    ring = outline(box.x - _OUTSET, box.y - _OUTSET, box.w + 2 * _OUTSET, box.h + 2 * _OUTSET, kind, colors, rx)
    if text_item:  # the badge takes the bullet's place
        bullet = next((n for n in card.children if isinstance(n, Circle)), None)
        cx, cy, r = (bullet.cx, bullet.cy, 6.0) if bullet else (box.x + 3, box.y + 8, 6.0)
    else:
        cx, cy, r = box.right - 3, box.y + 3, 8.0
    body: tuple[Node, ...] = card.children
    if kind == REMOVED:
        body = (Group(card.children, cls=GHOST), *strike(card.children, colors, _STRUCK))
    return card._replace(children=(ring, *body, badge(kind, cx, cy, colors, r)), cls=f"{card.cls} diff-{kind}",
                         title=_titled(card.title, kind, note), data=(*card.data, ("diff", kind)))


def mark_header(header: Group, kind: str, colors: Mapping[str, str], note: str, framed: bool) -> Group:
    """A stage or step header: badge, an outline unless its column is framed; a removed one faded."""
    box = header.box
    if box is None:
        return header
    nodes: list[Node] = []
    if not framed:
        nodes.append(outline(box.x - _OUTSET, box.y - _OUTSET, box.w + 2 * _OUTSET, box.h + 2 * _OUTSET, kind,
                             colors, _RADIUS + _OUTSET))
    if kind == REMOVED:
        nodes.append(Group(header.children, cls=GHOST))
        nodes.extend(strike(header.children, colors, _STRUCK))
    else:
        nodes.extend(header.children)
    nodes.append(badge(kind, box.right - 3, box.y + 3, colors, 8.0))
    return header._replace(children=tuple(nodes), cls=f"{header.cls} diff-{kind}",
                           title=_titled(header.title, kind, note), data=(*header.data, ("diff", kind)))


def hatch(x: float, y: float, w: float, h: float, color: str, spacing: float = 10.0) -> Path:
    """Diagonal lines filling a rectangle (on a page-wide grid, so neighbouring hatches line up)."""
    parts = []
    c = math.ceil((x + y) / spacing) * spacing
    while c < x + w + y + h:
        lo, hi = max(x, c - (y + h)), min(x + w, c - y)
        if hi - lo > 0.5:
            parts.append(f"M{fmt(lo)} {fmt(c - lo)}L{fmt(hi)} {fmt(c - hi)}")
        c += spacing
    return Path("".join(parts), stroke=color, stroke_width=1, cls="diff-hatch")


def mark_stages(groups: Sequence[Group], spans: Sequence[Any], marks: DiffHighlights, colors: Mapping[str, str],
                lanes_top: float, bottom: float) -> list[Group]:
    """Stage groups with their headers marked; added columns framed, ghost columns hatched and faded."""
    hatch_color = mix(color_of(colors, REMOVED), colors["background"], 0.72)
    out = []
    for group, span in zip(groups, spans, strict=True):
        stage_kind = marks.stages.get(span.stage.id)
        under: list[Node] = []
        children: list[Node] = []
        if stage_kind in (ADDED, REMOVED) and group.box is not None:
            top = group.box.y
            if stage_kind == REMOVED:
                under.append(hatch(span.x + 2, lanes_top, span.w - 4, bottom - lanes_top, hatch_color))
            under.append(outline(span.x + 1.5, top - 4, span.w - 3, bottom - top + 8, stage_kind, colors,
                                 _RADIUS + 2, cls="diff-column"))
        for child in group.children:
            if not isinstance(child, Group):
                children.append(child)
                continue
            classes = child.cls.split()
            about = dict(child.data)
            if "stage-header" in classes and stage_kind:
                child = mark_header(child, stage_kind, colors, marks.notes.get(("stage", span.stage.id), ""),
                                    framed=stage_kind != CHANGED)
            elif "stage-meta" in classes and stage_kind == REMOVED:
                child = child._replace(children=(Group(child.children, cls=GHOST),))
            elif "step-header" in classes and about.get("step") in marks.steps:
                step_id = about["step"]
                kind = marks.steps[step_id]
                if kind in (ADDED, REMOVED) and child.box is not None and stage_kind not in (ADDED, REMOVED):
                    col = next(c for c in span.columns if c.id == step_id)
                    top = child.box.y
                    if kind == REMOVED:
                        under.append(hatch(col.x + 2, lanes_top, col.w - 4, bottom - lanes_top, hatch_color))
                    under.append(outline(col.x + 1.5, top - 4, col.w - 3, bottom - top + 8, kind, colors,
                                         _RADIUS + 2, cls="diff-column"))
                child = mark_header(child, kind, colors, marks.notes.get(("step", step_id), ""),
                                    framed=kind != CHANGED)
            children.append(child)
        if not under and children == list(group.children):
            out.append(group)
            continue
        cls = group.cls + (f" diff-{stage_kind}" if stage_kind else "")
        data = (*group.data, ("diff", stage_kind)) if stage_kind else group.data
        out.append(group._replace(children=(*under, *children), cls=cls, data=data))
    return out


# --- the emotion curve -------------------------------------------------------------------------


def old_curve(d: str, points: Sequence[tuple[float, float]], color: str, colors: Mapping[str, str], id: str,
              persona: str, name: str) -> Group:
    """The curve before the change: thin, dashed, lighter, with hollow points."""
    line = mix(color, colors["background"], 0.25)
    nodes: list[Node] = [Path(d, stroke=line, stroke_width=1.75, dash="5 4", cls="curve-line")]
    nodes.extend(Circle(x, y, 3.5, fill=colors["background"], stroke=line, stroke_width=1.5, cls="old-point")
                 for x, y in points)
    return Group(tuple(nodes), id=id, cls="curve old-curve diff-old", title=f"Emotion before the change: {name}",
                 data=(("persona", persona), ("diff", "old")))


def point_ring(x: float, y: float, r: float, kind: str, colors: Mapping[str, str], note: str, persona: str,
               column: str) -> Group:
    """A ring around a point of the new curve whose score is new (solid) or changed (dashed)."""
    d = f"M{fmt(x + r)} {fmt(y)}a{fmt(r)} {fmt(r)} 0 1 1 {fmt(-2 * r)} 0a{fmt(r)} {fmt(r)} 0 1 1 {fmt(2 * r)} 0z"
    ring = Path(d, stroke=color_of(colors, kind), stroke_width=2, dash="4 3" if kind == CHANGED else "",
                cls="diff-ring")
    return Group((ring,), cls=f"diff-point diff-{kind}", title=note or WORDS[kind],
                 data=(("persona", persona), ("column", column), ("diff", kind)))


# --- the legend --------------------------------------------------------------------------------

Draw = Callable[[float, float], list[Node]]


def legend_blocks(marks: DiffHighlights, colors: Mapping[str, str], *,
                  old_curve_drawn: bool) -> list[tuple[str, list[tuple[Draw, str]]]]:
    """Legend blocks that explain the marks the map shows (swatches 36 x 20 at (x, y)), six entries at most each.

    "Changes" keys the outlines and badges, "Emotion changes" the old curve and rings,
    "Removed" lists what was removed and has no place on the map (personas, sources ...).
    """
    kinds = marks.kinds()
    changes: list[tuple[Draw, str]] = []
    emotion: list[tuple[Draw, str]] = []
    removed: list[tuple[Draw, str]] = []

    def card(kind: str) -> Draw:
        def draw(x: float, y: float) -> list[Node]:
            box: Node = Rect(x + 1, y + 4, 28, 14, fill=colors["card"], stroke=colors["card_border"], stroke_width=1,
                             rx=3)
            nodes: list[Node] = [outline(x - 1, y + 2, 32, 18, kind, colors, 5)]
            if kind == REMOVED:
                nodes += [Group((box,), cls=GHOST),
                          Path(f"M{fmt(x + 6)} {fmt(y + 11)}H{fmt(x + 24)}", stroke=color_of(colors, REMOVED),
                               stroke_width=1.5)]
            else:
                nodes.append(box)
            nodes.append(badge(kind, x + 29, y + 4, colors, 5.5))
            return nodes

        return draw

    def column(kind: str) -> Draw:
        def draw(x: float, y: float) -> list[Node]:
            nodes: list[Node] = []
            if kind == REMOVED:
                nodes.append(hatch(x + 8, y, 20, 20, mix(color_of(colors, REMOVED), colors["background"], 0.6),
                                   spacing=5))
            nodes.append(outline(x + 8, y, 20, 20, kind, colors, 4))
            return nodes

        return draw

    if ADDED in kinds:
        changes.append((card(ADDED), "Added: solid outline, +"))
    if CHANGED in kinds:
        changes.append((card(CHANGED), "Changed (reworded, moved or edited): dash-dot, ~"))
    if REMOVED in kinds:
        changes.append((card(REMOVED), "Removed or resolved: faded, struck through, \u2212"))
    if ADDED in {*marks.stages.values(), *marks.steps.values()}:
        changes.append((column(ADDED), "Added stage or step: framed column"))
    if REMOVED in {*marks.stages.values(), *marks.steps.values()}:
        changes.append((column(REMOVED), "Removed stage or step: hatched ghost column"))
    if old_curve_drawn:
        muted = colors["text_muted"]

        def before(x: float, y: float) -> list[Node]:
            return [Path(f"M{fmt(x)} {fmt(y + 10)}H{fmt(x + 34)}", stroke=muted, stroke_width=1.75, dash="5 4"),
                    Circle(x + 17, y + 10, 3.5, fill=colors["surface"], stroke=muted, stroke_width=1.5)]

        emotion.append((before, "Before the change: dashed, hollow points"))
    for kind in (ADDED, CHANGED):
        if kind in marks.emotion.values():

            def ring(x: float, y: float, kind: str = kind) -> list[Node]:
                return [Circle(x + 17, y + 10, 3.5, fill=colors["text_muted"]),
                        *point_ring(x + 17, y + 10, 8, kind, colors, "", "", "").children]

            emotion.append((ring, "Score added: ring" if kind == ADDED else "Score changed: dashed ring"))
    texts = list(marks.removed)
    if len(texts) > 6:
        texts = [*texts[:5], f"and {len(texts) - 5} more (see the change list)"]
    for text in texts:
        removed.append((lambda x, y: [badge(REMOVED, x + 17, y + 10, colors)], text[:1].upper() + text[1:]))
    if not (changes or emotion or removed):
        changes.append((lambda x, y: [], "No changes in meaning"))
    blocks = [("Changes", changes), ("Emotion changes", emotion), ("Removed", removed)]
    return [(title, entries) for title, entries in blocks if entries]
