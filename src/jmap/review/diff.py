"""`jmap diff`: what changed for the customer between two versions of a journey.

The diff compares journey models, never YAML, so reordered keys, quoting and short
versus full forms produce nothing. Stages, steps, personas, research sources and
chapters are matched by id; items (which have no ids) by their text within the same
column and lane: equal texts first (in order, then out of order: "moved"), then
similar texts (difflib ratio >= 0.5: "reworded", with the word-level change).
An item that left one column for another with the same text is "moved" too.

Every `Change` names the element it concerns with a stable key, so a renderer can
highlight it without re-deriving anything:

    ("map", "title")                        map-level fields: title, description, owner, tags, theme
    ("persona", "maya")                     ("persona", "maya", "goals", 0) for an entry of a list
    ("research", "interviews-oct")
    ("chapter", "before")
    ("lane", "pain_points")
    ("stage", "checkout")
    ("step", "size")                        step ids are unique across the map
    ("item", "checkout", "pain_points", 2)  column (stage or step id), lane, index
    ("emotion", "checkout", "maya")         column, persona ("customer" on a map without personas)

`key` points into the NEW map, except for removals, where it points into the OLD one;
`old_key` is where the element was in the old map; `position` tells where a removed
stage, step or item would stand in the new map (to draw it ghosted in place).
`kind` is one of added, removed, changed, moved, renamed; `verb` says it in words
("resolved" for a removed pain point, "reworded", "rose", "improved", ...).
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

from jmap.diagnostics import Diagnostic, JmapError, Severity, Span, as_json, clip
from jmap.loading.load import DEFAULT_MAX_BYTES, display_path
from jmap.model.lanes import BY_ID, ITEM_LANES, spec
from jmap.model.model import (
    ANONYMOUS_PERSONA,
    Journey,
    Kpi,
    Lane,
    Opportunity,
    PainPoint,
    Persona,
    Quote,
    Research,
    Stage,
    StageOrStep,
    StoryboardImage,
    Touchpoint,
)
from jmap.model.normalize import default_lanes, initials_of

__all__ = [
    "ADDED", "CHANGED", "KINDS", "MOVED", "REMOVED", "RENAMED", "REWORD_RATIO", "Change", "DiffResult", "Key",
    "diff", "word_ops", "words_text",
]

ADDED, REMOVED, CHANGED, MOVED, RENAMED = "added", "removed", "changed", "moved", "renamed"
KINDS = (ADDED, REMOVED, CHANGED, MOVED, RENAMED)
#: Two item texts at least this similar (difflib ratio) are one item reworded.
REWORD_RATIO = 0.5

Key = tuple[str | int, ...]
#: A word-level change: ("=", same), ("-", old words), ("+", new words).
WordOps = tuple[tuple[str, str], ...]

#: One item of a lane, in words: (singular, plural).
LANE_NOUNS: dict[str, tuple[str, str]] = {lane: BY_ID[lane].nouns for lane in ITEM_LANES}
_SEVERITY_RANK = {"low": 0, "medium": 1, "high": 2, "critical": 3}
_PERSONA_LISTS = ("goals", "needs", "expectations", "frustrations")
_PERSONA_LIST_NOUNS = {"goals": "goal", "needs": "need", "expectations": "expectation", "frustrations": "frustration"}


@dataclass(frozen=True)
class Change:
    """One difference, in the terms of the journey."""

    kind: str
    key: Key
    #: What the key names: map, persona, research, chapter, lane, stage, step, item, emotion.
    what: str
    #: The change in words: added, removed, resolved, reworded, moved, renamed, changed, rose, fell, ...
    verb: str
    #: The group it belongs to: the stage (and step) it is in; None for map-level changes.
    stage: str | None = None
    step: str | None = None
    #: The lane of an item (built-in lane name or custom lane id), "emotion" for scores.
    lane: str | None = None
    #: For changes of one field: which (name, text, severity, value, target, ...).
    field: str | None = None
    old: Any = None
    new: Any = None
    old_key: Key | None = None
    #: For removed stages, steps and items: where they would stand in the new map.
    position: int | None = None
    #: For reworded text: the word-level change.
    word_ops: WordOps | None = None
    #: Display names used in messages (the element's label, the persona's name, ...).
    label: str = ""
    detail: str = ""

    @property
    def words(self) -> str | None:
        """The word-level change as `kept [-old-]{+new+} kept` (None when not reworded)."""
        return words_text(self.word_ops) if self.word_ops is not None else None

    @property
    def message(self) -> str:
        """The change in plain words, without colour or markup."""
        return describe(self, PLAIN, with_lane=True)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "kind": self.kind, "verb": self.verb, "what": self.what, "key": list(self.key),
            "stage": self.stage, "step": self.step, "lane": self.lane, "field": self.field,
            "old": _jsonable(self.old), "new": _jsonable(self.new),
        }
        if self.old_key is not None:
            data["old_key"] = list(self.old_key)
        if self.position is not None:
            data["position"] = self.position
        if self.word_ops is not None:
            data["words"] = self.words
        data["message"] = self.message
        return data


def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


@dataclass
class DiffResult:
    """The changes between two versions of one map."""

    old: Journey | None
    new: Journey | None
    changes: list[Change] = field(default_factory=list)
    #: How to name the two sides (paths, or `REV:path`).
    old_label: str = ""
    new_label: str = ""
    #: Why the two sides could not be compared (a side is missing or invalid).
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self.diagnostics)

    @property
    def equal(self) -> bool:
        return not self.changes and not self.failed

    @property
    def title(self) -> str:
        journey = self.new or self.old
        return journey.title if journey else ""

    def by_key(self) -> dict[Key, list[Change]]:
        """Changes by the key of the element they concern (new-map keys; old keys for removals)."""
        found: dict[Key, list[Change]] = {}
        for change in self.changes:
            found.setdefault(change.key, []).append(change)
        return found

    def summary(self) -> list[str]:
        """Counted phrases: "1 stage added", "2 pain points resolved", "emotion fell in 1 stage"."""
        names = {lane.id: lane.name for j in (self.old, self.new) if j for lane in j.lanes if lane.custom}
        return _summary(self.changes, names)

    def summary_line(self) -> str:
        return ", ".join(self.summary()) if self.changes else "no changes in meaning"

    def groups(self) -> list[tuple[str, list[Change]]]:
        """Changes grouped for reading: map, personas, research, then stage by stage (steps inside)."""
        return _groups(self)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "old": self.old_label, "new": self.new_label, "title": self.title, "equal": self.equal,
            "summary": self.summary(), "changes": [c.to_json() for c in self.changes],
        }
        if self.diagnostics:
            data["diagnostics"] = [as_json(d) for d in self.diagnostics]
        return data


# --- the comparison ---------------------------------------------------------------------------


def diff(old: Journey | None, new: Journey | None, *, old_label: str = "", new_label: str = "") -> DiffResult:
    """The changes from `old` to `new` (either may be None: a map added or deleted)."""
    result = DiffResult(old, new, old_label=old_label, new_label=new_label)
    if old is None and new is None:
        return result
    if old is None or new is None:
        journey = new or old
        assert journey is not None
        kind = ADDED if old is None else REMOVED
        result.changes.append(Change(kind, ("map",), "map", kind, label=journey.title))
        return result
    result.changes = _Differ(old, new).run()
    return result


def _numbered(column: StageOrStep, lane: str) -> list[tuple[int, Any]]:
    return list(enumerate(column.lanes.items(lane)))


@dataclass
class _LaneItems:
    """One lane of one column: the items left unmatched by the in-lane comparison."""

    stage: str
    column: str
    step: str | None
    lane: str
    removed: list[tuple[int, Any]]
    added: list[tuple[int, Any]]
    old_len: int
    new_len: int
    #: False for columns in one map only: their items are reported only when they moved.
    listed: bool = True


class _Differ:
    def __init__(self, old: Journey, new: Journey) -> None:
        self.old, self.new = old, new
        self.out: list[Change] = []
        names = {p.id: p.name for p in old.personas}
        names.update({p.id: p.name for p in new.personas})
        self.persona_names = names
        self.column_names = {c.id: c.name for j in (old, new) for s in j.stages for c in s.self_and_steps}

    def add(self, change: Change) -> None:
        self.out.append(change)

    def run(self) -> list[Change]:
        self.map_fields()
        self.lanes()
        self.chapters()
        self.personas()
        self.research()
        self.stages()
        return self.out

    # map level

    def map_fields(self) -> None:
        old, new = self.old, self.new
        if old.title != new.title:
            self.add(Change(CHANGED, ("map", "title"), "map", "changed", field="title", old=old.title, new=new.title,
                            word_ops=word_ops(old.title, new.title)))
        for name in ("description", "owner"):
            before, after = getattr(old, name), getattr(new, name)
            if before != after:
                self.text_field(("map", name), "map", name, before, after)
        for tag in new.tags:
            if tag not in old.tags:
                self.add(Change(ADDED, ("map", "tags"), "map", "added", field="tags", new=tag))
        for tag in old.tags:
            if tag not in new.tags:
                self.add(Change(REMOVED, ("map", "tags"), "map", "removed", field="tags", old=tag))
        before_theme, after_theme = old.theme, new.theme
        if before_theme.name != after_theme.name:
            self.add(Change(CHANGED, ("map", "theme"), "map", "changed", field="theme", old=before_theme.name,
                            new=after_theme.name))
        if before_theme.font_size != after_theme.font_size:
            self.add(Change(CHANGED, ("map", "theme"), "map", "changed", field="font_size",
                            old=before_theme.font_size, new=after_theme.font_size))
        old_colours, new_colours = dict(before_theme.colors), dict(after_theme.colors)
        for colour in sorted(set(old_colours) | set(new_colours)):
            if old_colours.get(colour) != new_colours.get(colour):
                self.add(Change(CHANGED, ("map", "theme"), "map", "changed", field=f"colors.{colour}",
                                old=old_colours.get(colour), new=new_colours.get(colour)))

    def text_field(self, key: Key, what: str, name: str, before: str, after: str, **where: Any) -> None:
        if not before:
            self.add(Change(ADDED, key, what, "added", field=name, new=after, **where))
        elif not after:
            self.add(Change(REMOVED, key, what, "removed", field=name, old=before, **where))
        else:
            self.add(Change(CHANGED, key, what, "changed", field=name, old=before, new=after,
                            word_ops=word_ops(before, after), **where))

    def lanes(self) -> None:
        old, new = self.old.lanes, self.new.lanes
        if old == _default_lanes(self.old) and new == _default_lanes(self.new):
            return  # neither map chose its lanes: rows follow the content, which is diffed item by item
        self.ided("lane", old, new, lambda lane: lane.name, self.lane_fields, label=lambda lane: lane.name)

    def lane_fields(self, before: Lane, after: Lane) -> None:
        if before.style != after.style:
            self.add(Change(CHANGED, ("lane", after.id), "lane", "changed", field="style", old=before.style,
                            new=after.style, label=after.name))

    def chapters(self) -> None:
        def fields(before: Any, after: Any) -> None:
            if before.stages != after.stages:
                self.add(Change(CHANGED, ("chapter", after.id), "chapter", "changed", field="stages",
                                old=before.stages, new=after.stages, label=after.name))

        self.ided("chapter", self.old.chapters, self.new.chapters, lambda c: c.name, fields, label=lambda c: c.name)

    def personas(self) -> None:
        self.ided("persona", self.old.personas, self.new.personas, lambda p: p.name, self.persona_fields,
                  label=lambda p: p.name)

    def persona_fields(self, before: Persona, after: Persona) -> None:
        key: Key = ("persona", after.id)
        for name in ("role", "age", "location", "quote", "initials", "color", "avatar"):
            a, b = getattr(before, name), getattr(after, name)
            if name == "avatar":
                a, b = _relative(a, self.old.source), _relative(b, self.new.source)
            if name == "initials" and a == initials_of(before.name) and b == initials_of(after.name):
                continue  # drawn from the name, which is reported already
            if a != b:
                if isinstance(a, str) and isinstance(b, str) and name not in ("color", "avatar", "initials"):
                    self.text_field(key, "persona", name, a, b, label=after.name)
                else:
                    kind = ADDED if a in (None, "") else REMOVED if b in (None, "") else CHANGED
                    self.add(Change(kind, key, "persona", kind, field=name, old=a, new=b, label=after.name))
        for name in _PERSONA_LISTS:
            self.text_list(key, name, getattr(before, name), getattr(after, name), after.name)

    def text_list(self, key: Key, name: str, before: Sequence[str], after: Sequence[str], label: str) -> None:
        for pair in _match(list(before), list(after)):
            i, j, how = pair
            if how == "same":
                continue
            if how == "added":
                self.add(Change(ADDED, (*key, name, j), "persona", "added", field=name, new=after[j], label=label))
            elif how == "removed":
                self.add(Change(REMOVED, (*key, name, i), "persona", "removed", field=name, old=before[i],
                                label=label))
            elif how == "moved":
                self.add(Change(MOVED, (*key, name, j), "persona", "moved", field=name, old=i, new=j,
                                old_key=(*key, name, i), label=label, detail=after[j]))
            else:
                self.add(Change(CHANGED, (*key, name, j), "persona", "reworded", field=name, old=before[i],
                                new=after[j], old_key=(*key, name, i), word_ops=word_ops(before[i], after[j]),
                                label=label))

    def research(self) -> None:
        self.ided("research", self.old.research, self.new.research, lambda r: r.title, self.research_fields,
                  label=lambda r: r.title, rename_field="title")

    def research_fields(self, before: Research, after: Research) -> None:
        key: Key = ("research", after.id)
        for name in ("kind", "date", "summary", "sample_size", "url"):
            a, b = getattr(before, name), getattr(after, name)
            if a == b:
                continue
            if name == "summary":
                self.text_field(key, "research", name, a, b, label=after.title)
            else:
                kind = ADDED if a in (None, "") else REMOVED if b in (None, "") else CHANGED
                self.add(Change(kind, key, "research", kind, field=name, old=a, new=b, label=after.title))

    def ided(
        self,
        what: str,
        old: Sequence[Any],
        new: Sequence[Any],
        name_of: Callable[[Any], str],
        fields: Callable[[Any, Any], None],
        *,
        label: Callable[[Any], str],
        rename_field: str = "name",
    ) -> None:
        """Added, removed, moved, renamed and changed elements of a list with ids."""
        old_by_id = {x.id: x for x in old}
        new_by_id = {x.id: x for x in new}
        for index, item in enumerate(old):
            if item.id not in new_by_id:
                self.add(Change(REMOVED, (what, item.id), what, "removed", label=label(item),
                                position=_ghost_position(index, [x.id for x in old], [x.id for x in new])))
        for item in new:
            if item.id not in old_by_id:
                self.add(Change(ADDED, (what, item.id), what, "added", label=label(item)))
        for item_id in _moved_ids([x.id for x in old], [x.id for x in new]):
            after = new_by_id[item_id]
            self.add(Change(MOVED, (what, item_id), what, "moved", label=label(after),
                            old=[x.id for x in old].index(item_id), new=[x.id for x in new].index(item_id),
                            detail=_neighbour([x.id for x in new], item_id, {x.id: label(x) for x in new})))
        for item in new:
            before = old_by_id.get(item.id)
            if before is None:
                continue
            if name_of(before) != name_of(item):
                self.add(Change(RENAMED, (what, item.id), what, "renamed", field=rename_field,
                                old=name_of(before), new=name_of(item), label=label(item)))
            fields(before, item)

    # stages, steps and their content

    def stages(self) -> None:
        old, new = self.old, self.new
        old_ids, new_ids = [s.id for s in old.stages], [s.id for s in new.stages]
        old_by_id = {s.id: s for s in old.stages}
        new_by_id = {s.id: s for s in new.stages}
        names = {s.id: s.name for s in new.stages}
        moved = set(_moved_ids(old_ids, new_ids))
        for index, stage in enumerate(old.stages):
            if stage.id not in new_by_id:
                self.add(Change(REMOVED, ("stage", stage.id), "stage", "removed", stage=stage.id, label=stage.name,
                                position=_ghost_position(index, old_ids, new_ids), detail=_contents(stage)))
        for stage in new.stages:
            before = old_by_id.get(stage.id)
            if before is None:
                self.add(Change(ADDED, ("stage", stage.id), "stage", "added", stage=stage.id, label=stage.name,
                                detail=_neighbour(new_ids, stage.id, names)))
                continue
            if stage.id in moved:
                self.add(Change(MOVED, ("stage", stage.id), "stage", "moved", stage=stage.id, label=stage.name,
                                old=old_ids.index(stage.id), new=new_ids.index(stage.id),
                                detail=_neighbour(new_ids, stage.id, names)))
            self.column_fields(before, stage, "stage", stage.id, None)
        self.steps(old_by_id, new_by_id)
        self.content()

    def steps(self, old_stages: dict[str, Stage], new_stages: dict[str, Stage]) -> None:
        old_place = {step.id: (stage.id, i) for stage in self.old.stages for i, step in enumerate(stage.steps)}
        new_place = {step.id: (stage.id, i) for stage in self.new.stages for i, step in enumerate(stage.steps)}
        old_steps = {step.id: step for stage in self.old.stages for step in stage.steps}
        for stage in self.new.stages:
            new_ids = [s.id for s in stage.steps]
            names = {s.id: s.name for s in stage.steps}
            before_stage = old_stages.get(stage.id)
            old_ids = [s.id for s in before_stage.steps] if before_stage else []
            same_stage_old = [i for i in old_ids if new_place.get(i, ("",))[0] == stage.id]
            same_stage_new = [i for i in new_ids if old_place.get(i, ("",))[0] == stage.id]
            moved = set(_moved_ids(same_stage_old, same_stage_new))
            for index, step in enumerate(stage.steps):
                key: Key = ("step", step.id)
                if step.id not in old_place:
                    if before_stage is not None:  # steps of a new stage come with it
                        self.add(Change(ADDED, key, "step", "added", stage=stage.id, step=step.id, label=step.name,
                                        detail=_neighbour(new_ids, step.id, names)))
                    continue
                from_stage = old_place[step.id][0]
                if from_stage != stage.id:
                    self.add(Change(MOVED, key, "step", "moved", stage=stage.id, step=step.id, label=step.name,
                                    old=from_stage, new=stage.id, old_key=key, detail=self.quote_column(from_stage)))
                elif step.id in moved:
                    self.add(Change(MOVED, key, "step", "moved", stage=stage.id, step=step.id, label=step.name,
                                    old=old_place[step.id][1], new=index,
                                    detail=_neighbour(new_ids, step.id, names)))
                self.column_fields(old_steps[step.id], step, "step", stage.id, step.id)
        for stage in self.old.stages:
            if stage.id not in new_stages:
                continue  # its steps went with it
            old_ids = [s.id for s in stage.steps]
            new_ids = [s.id for s in new_stages[stage.id].steps]
            for index, step in enumerate(stage.steps):
                if step.id not in new_place:
                    self.add(Change(REMOVED, ("step", step.id), "step", "removed", stage=stage.id, step=step.id,
                                    label=step.name, position=_ghost_position(index, old_ids, new_ids),
                                    detail=_contents(step)))

    def quote_column(self, column_id: str) -> str:
        return self.column_names.get(column_id, column_id)

    def column_fields(self, before: StageOrStep, after: StageOrStep, what: str, stage: str, step: str | None) -> None:
        key: Key = (what, after.id)
        where: dict[str, Any] = {"stage": stage, "step": step, "label": after.name}
        if before.name != after.name:
            self.add(Change(RENAMED, key, what, "renamed", field="name", old=before.name, new=after.name, **where))
        for name in ("description", "duration"):
            a, b = getattr(before, name), getattr(after, name)
            if a != b:
                self.text_field(key, what, name, a, b, **where)
        if before.moment_of_truth != after.moment_of_truth:
            a, b = before.moment_of_truth, after.moment_of_truth
            kind = ADDED if not a else REMOVED if not b else CHANGED
            self.add(Change(kind, key, what, kind, field="moment_of_truth", old=a or None, new=b or None, **where))
        self.evidence(key, what, before.evidence, after.evidence, where)

    def evidence(self, key: Key, what: str, before: Sequence[str], after: Sequence[str], where: dict[str, Any]) -> None:
        for cite in after:
            if cite not in before:
                self.add(Change(CHANGED, key, what, "changed", field="evidence", new=cite, **where))
        for cite in before:
            if cite not in after:
                self.add(Change(CHANGED, key, what, "changed", field="evidence", old=cite, **where))

    def content(self) -> None:
        """Items and emotion of every column present in both maps, lane by lane, in new-map order.

        Columns in one map only (their stage or step was added or removed) are not listed item
        by item, but their items take part in cross-column moves.
        """
        old_columns = {c.id: (s.id, c) for s in self.old.stages for c in s.self_and_steps}
        new_ids = {c.id for s in self.new.stages for c in s.self_and_steps}
        lanes = _item_lanes(self.old, self.new)
        pending: list[_LaneItems] = []
        for stage in self.new.stages:
            for column in stage.self_and_steps:
                step = column.id if column is not stage else None
                found = old_columns.get(column.id)
                if found is None:
                    pending.extend(_LaneItems(stage.id, column.id, step, lane, [], _numbered(column, lane),
                                              0, len(column.lanes.items(lane)), listed=False) for lane in lanes)
                    continue
                before = found[1]
                for lane in lanes:
                    removed, added = self.items(stage.id, step, column.id, lane, before, column)
                    pending.append(_LaneItems(stage.id, column.id, step, lane, removed, added,
                                              len(before.lanes.items(lane)), len(column.lanes.items(lane))))
                self.emotion(stage.id, step, before, column)
        for column_id, (stage_id, column) in old_columns.items():
            if column_id not in new_ids:
                step = column_id if column_id != stage_id else None
                pending.extend(_LaneItems(stage_id, column_id, step, lane, _numbered(column, lane), [],
                                          len(column.lanes.items(lane)), 0, listed=False) for lane in lanes)
        self.cross_column_moves(pending)

    def items(self, stage: str, step: str | None, column: str, lane: str, before_col: StageOrStep,
              after_col: StageOrStep) -> tuple[list[tuple[int, Any]], list[tuple[int, Any]]]:
        """Report matched items of one lane; return the unmatched old and new ones for cross-column moves."""
        before = list(before_col.lanes.items(lane))
        after = list(after_col.lanes.items(lane))
        removed: list[tuple[int, Any]] = []
        added: list[tuple[int, Any]] = []
        where: dict[str, Any] = {"stage": stage, "step": step, "lane": lane}
        for i, j, how in _match([_text(x) for x in before], [_text(x) for x in after]):
            if how == "removed":
                removed.append((i, before[i]))
            elif how == "added":
                added.append((j, after[j]))
            else:
                old_key: Key = ("item", column, lane, i)
                key: Key = ("item", column, lane, j)
                if how == "moved":
                    self.add(Change(MOVED, key, "item", "moved", old=i, new=j, old_key=old_key,
                                    label=_text(after[j]), **where))
                elif how == "reworded":
                    self.add(Change(CHANGED, key, "item", "reworded", field=_text_field(after[j]),
                                    old=_text(before[i]), new=_text(after[j]), old_key=old_key,
                                    word_ops=word_ops(_text(before[i]), _text(after[j])), label=_text(after[j]),
                                    **where))
                self.item_fields(key, old_key, before[i], after[j], where)
        return removed, added

    def cross_column_moves(self, pending: list[_LaneItems]) -> None:
        """Pair items that left one column for another (same lane, same text) as moves; report the rest."""
        taken: set[tuple[str, str, int]] = set()  # (lane, old column, i)
        moves: dict[tuple[str, str, int], tuple[str, int, Any]] = {}  # (lane, new column, j) -> (old column, i, item)
        for target in pending:
            for j, item in target.added:
                for source in pending:
                    if source.lane != target.lane or source.column == target.column:
                        continue
                    match = next((i for i, old_item in source.removed if (source.lane, source.column, i) not in taken
                                  and _text(old_item) == _text(item)), None)
                    if match is not None:
                        taken.add((source.lane, source.column, match))
                        moves[(target.lane, target.column, j)] = (source.column, match, dict(source.removed)[match])
                        break
        for lanes in pending:
            where: dict[str, Any] = {"stage": lanes.stage, "step": lanes.step, "lane": lanes.lane}
            lane, column = lanes.lane, lanes.column
            if lanes.listed:
                old_ids = [i for i, _ in lanes.removed]
                for i, item in lanes.removed:
                    if (lane, column, i) in taken:
                        continue
                    verb = spec(lane).removed
                    self.add(Change(REMOVED, ("item", column, lane, i), "item", verb, old=_text(item),
                                    label=_text(item), position=_item_position(i, old_ids, lanes.new_len),
                                    detail=_item_detail(item), **where))
            for j, item in lanes.added:
                key: Key = ("item", column, lane, j)
                move = moves.get((lane, column, j))
                if move is None:
                    if lanes.listed:
                        self.add(Change(ADDED, key, "item", "added", new=_text(item), label=_text(item),
                                        detail=_item_detail(item), **where))
                    continue
                from_column, i, old_item = move
                old_key: Key = ("item", from_column, lane, i)
                self.add(Change(MOVED, key, "item", "moved", old=from_column, new=column, old_key=old_key,
                                label=_text(item), detail=self.quote_column(from_column), **where))
                self.item_fields(key, old_key, old_item, item, where)

    def item_fields(self, key: Key, old_key: Key, before: Any, after: Any, where: dict[str, Any]) -> None:
        label = _text(after)
        common = {"old_key": old_key, "label": label, **where}
        if isinstance(after, Kpi) and isinstance(before, Kpi):
            self.kpi_fields(key, before, after, common)
        if isinstance(after, StoryboardImage) and isinstance(before, StoryboardImage):
            self.storyboard_fields(key, before, after, common)
        for name in spec(str(where["lane"])).fields:
            a, b = getattr(before, name, ""), getattr(after, name, "")
            if a != b:
                verb = "changed"
                if name == "severity":
                    verb = "worse" if _SEVERITY_RANK.get(b, 1) > _SEVERITY_RANK.get(a, 1) else "eased"
                self.add(Change(CHANGED, key, "item", verb, field=name, old=a or None, new=b or None, **common))
        self.evidence(key, "item", getattr(before, "evidence", ()), getattr(after, "evidence", ()), common)

    def storyboard_fields(self, key: Key, before: StoryboardImage, after: StoryboardImage,
                          common: dict[str, Any]) -> None:
        """A storyboard picture's file and alt text (its caption is its text; jmap.model.lanes has the rest)."""
        a, b = _relative(before.image, self.old.source), _relative(after.image, self.new.source)
        if a != b:
            self.add(Change(CHANGED, key, "item", "changed", field="image", old=a, new=b, **common))
        if before.alt != after.alt and (before.caption or after.caption):  # else the alt text is the text
            self.add(Change(CHANGED, key, "item", "changed", field="alt_text", old=before.alt, new=after.alt,
                            **common))

    def kpi_fields(self, key: Key, before: Kpi, after: Kpi, common: dict[str, Any]) -> None:
        if before.value != after.value:
            up = after.value > before.value
            better = up if after.better == "higher" else not up
            self.add(Change(CHANGED, key, "item", "improved" if better else "worsened", field="value",
                            old=before.value, new=after.value, detail=_kpi_note(after), **common))
        for name in ("target", "unit", "better"):
            a, b = getattr(before, name), getattr(after, name)
            if a != b:
                self.add(Change(CHANGED, key, "item", "changed", field=name, old=a, new=b,
                                detail=after.unit if name == "target" else "", **common))

    def emotion(self, stage: str, step: str | None, before: StageOrStep, after: StageOrStep) -> None:
        old, new = dict(before.emotion), dict(after.emotion)
        order = [p for p, _ in after.emotion] + [p for p, _ in before.emotion if p not in new]
        for persona in order:
            a, b = old.get(persona), new.get(persona)
            if a == b:
                continue
            key: Key = ("emotion", after.id, persona)
            where: dict[str, Any] = {"stage": stage, "step": step, "lane": "emotion", "field": persona,
                     "label": self.persona_label(persona)}
            if a is None:
                self.add(Change(ADDED, key, "emotion", "added", new=b, **where))
            elif b is None:
                self.add(Change(REMOVED, key, "emotion", "removed", old=a, **where))
            else:
                self.add(Change(CHANGED, key, "emotion", "rose" if b > a else "fell", old=a, new=b, **where))

    def persona_label(self, persona: str) -> str:
        if persona == ANONYMOUS_PERSONA and persona not in self.persona_names:
            return "the customer"
        return self.persona_names.get(persona, persona)


# --- matching -------------------------------------------------------------------------------------


def _match(before: list[str], after: list[str]) -> list[tuple[int, int, str]]:
    """Pair old and new texts: (i, j, how) with how in same, moved, reworded, added (i=-1), removed (j=-1)."""
    pairs: list[tuple[int, int, str]] = []
    free_old: list[int] = []
    free_new: list[int] = []
    matcher = SequenceMatcher(None, before, after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pairs.extend((i1 + k, j1 + k, "same") for k in range(i2 - i1))
        else:
            free_old.extend(range(i1, i2))
            free_new.extend(range(j1, j2))
    for i in list(free_old):  # the same text elsewhere in the lane: moved
        j = next((j for j in free_new if after[j] == before[i]), None)
        if j is not None:
            pairs.append((i, j, "moved"))
            free_old.remove(i)
            free_new.remove(j)
    candidates = []
    for i in free_old:
        for j in free_new:
            ratio = similarity(before[i], after[j])
            if ratio >= REWORD_RATIO:
                candidates.append((-ratio, abs(i - j), i, j))
    for _, _, i, j in sorted(candidates):
        if i in free_old and j in free_new:
            pairs.append((i, j, "reworded"))
            free_old.remove(i)
            free_new.remove(j)
    pairs.extend((i, -1, "removed") for i in free_old)
    pairs.extend((-1, j, "added") for j in free_new)
    return sorted(pairs, key=lambda p: (p[1] if p[1] >= 0 else p[0], p[1] < 0))


def similarity(a: str, b: str) -> float:
    """How alike two texts are, 0..1: difflib's ratio over their words (case-blind).

    Short texts (under three words) are compared letter by letter instead, so that a
    corrected typo still reads as the same item reworded.
    """
    words_a = [t for t in _TOKEN.findall(a.casefold()) if not t.isspace()]
    words_b = [t for t in _TOKEN.findall(b.casefold()) if not t.isspace()]
    if min(len(words_a), len(words_b)) < 3:
        return SequenceMatcher(None, a.casefold(), b.casefold(), autojunk=False).ratio()
    return SequenceMatcher(None, words_a, words_b, autojunk=False).ratio()


def _moved_ids(old: Sequence[str], new: Sequence[str]) -> list[str]:
    """Ids in both lists whose relative order changed (those outside the longest common run)."""
    common = set(old) & set(new)
    a = [x for x in old if x in common]
    b = [x for x in new if x in common]
    if a == b:
        return []
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    kept = {b[j + k] for _, j, size in matcher.get_matching_blocks() for k in range(size)}
    return [x for x in b if x not in kept]


def _ghost_position(index: int, old: Sequence[str], new: Sequence[str]) -> int:
    """Where an element removed from `old` would stand in `new`: after its nearest surviving predecessor."""
    for previous in reversed(old[:index]):
        if previous in new:
            return list(new).index(previous) + 1
    return 0


def _item_position(index: int, removed: Sequence[int], new_len: int) -> int:
    """Where a removed item would stand in the new lane (its old index minus the removals before it)."""
    return min(new_len, index - sum(1 for r in removed if r < index))


def _neighbour(ids: Sequence[str], item: str, names: dict[str, str]) -> str:
    index = list(ids).index(item)
    if index == 0:
        return "first" if len(ids) > 1 else ""
    return f"after {names.get(ids[index - 1], ids[index - 1])}"


_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\uff00-\uffef"
_TOKEN = re.compile(rf"[{_CJK}]|[^\W{_CJK}]+|\s+|[^\w\s]", re.UNICODE)


def word_ops(old: str, new: str) -> WordOps:
    """The word-level change from `old` to `new` (CJK text counts each character as a word)."""
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    raw: list[tuple[str, str, str]] = []  # (tag, old part, new part)
    for opcode, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        raw.append(("=" if opcode == "equal" else "x", "".join(a[i1:i2]), "".join(b[j1:j2])))
    # A run of changes separated only by spaces reads better as one change: [-a b-]{+c d+}.
    merged: list[list[str]] = []
    for index, (tag, before, after) in enumerate(raw):
        between = (tag == "=" and not before.strip() and 0 < index < len(raw) - 1 and raw[index - 1][0] == "x"
                   and raw[index + 1][0] == "x")
        if tag == "x" or between:
            if merged and merged[-1][0] == "x":
                merged[-1][1] += before
                merged[-1][2] += after
            else:
                merged.append(["x", before, after])
        else:
            merged.append(["=", before, after])
    ops: list[tuple[str, str]] = []
    for tag, before, after in merged:
        if tag == "=":
            ops.append(("=", before))
            continue
        if before:
            ops.append(("-", before))
        if after:
            ops.append(("+", after))
    return tuple(ops)


def words_text(ops: WordOps) -> str:
    return "".join(text if tag == "=" else f"[-{text}-]" if tag == "-" else f"{{+{text}+}}" for tag, text in ops)


# --- helpers on the model ---------------------------------------------------------------------


def _text(item: Any) -> str:
    return str(item.name if isinstance(item, (Touchpoint, Kpi)) else item.text)


def _text_field(item: Any) -> str:
    if isinstance(item, StoryboardImage):
        return "caption" if item.caption else "alt_text"
    return "name" if isinstance(item, (Touchpoint, Kpi)) else "text"


def _item_detail(item: Any) -> str:
    if isinstance(item, PainPoint) and item.severity != "medium":
        return f"{item.severity} severity"
    if isinstance(item, Opportunity):
        parts = [f"{item.priority} priority"] if item.priority != "medium" else []
        if item.owner:
            parts.append(item.owner)
        return ", ".join(parts)
    if isinstance(item, Kpi):
        return _kpi_value(item.value, item.unit) + (f", target {_kpi_value(item.target, item.unit)}"
                                                    if item.target is not None else "")
    if isinstance(item, Touchpoint) and item.channel != "other":
        return item.channel
    if isinstance(item, Quote) and item.persona:
        return f"said by {item.persona}"
    if isinstance(item, StoryboardImage):
        return os.path.basename(item.image)
    return ""


def _kpi_note(kpi: Kpi) -> str:
    """The unit, and whether the target is met: "%|target 3% met"."""
    if kpi.target is None:
        return kpi.unit
    return f"{kpi.unit}|target {_kpi_value(kpi.target, kpi.unit)} {'met' if kpi.met else 'not met'}"


def _kpi_value(value: float | None, unit: str) -> str:
    if value is None:
        return "none"
    text = _number(value)
    if not unit:
        return text
    return f"{text}{unit}" if unit in ("%",) else f"{text} {unit}"


def _number(value: float) -> str:
    if isinstance(value, float) and value.is_integer() and math.isfinite(value):
        return str(int(value))
    return str(value)


def score_text(value: float) -> str:
    """An emotion score with its sign: +1, -0.5, 0."""
    text = _number(value)
    return f"+{text}" if value > 0 else text


def _contents(column: StageOrStep) -> str:
    """What a column held, in a few words: "3 actions, 1 pain point"."""
    parts = []
    for lane in ITEM_LANES:
        count = len(column.lanes.items(lane))
        if count:
            parts.append(count_words(count, *LANE_NOUNS[lane]))
    if isinstance(column, Stage) and column.steps:
        parts.append(count_words(len(column.steps), "step", "steps"))
    return ", ".join(parts)


def count_words(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _relative(path: str, source: str) -> str:
    if not path:
        return ""
    base = os.path.dirname(source) if source else "."
    return os.path.relpath(path, base).replace(os.sep, "/")


def _default_lanes(journey: Journey) -> tuple[Lane, ...]:
    return default_lanes(journey.stages)


def _item_lanes(old: Journey, new: Journey) -> list[str]:
    custom: list[str] = []
    for journey in (new, old):
        for lane in journey.lanes:
            if lane.custom and lane.id not in custom:
                custom.append(lane.id)
        for stage in journey.stages:
            for column in stage.self_and_steps:
                for lane_id, _ in column.lanes.custom:
                    if lane_id not in custom:
                        custom.append(lane_id)
    return [*ITEM_LANES, *custom]


# --- words --------------------------------------------------------------------------------------


class Style:
    """How user text and emphasis are written: plain text (the base), markdown, or rich markup."""

    limit = 160

    def text(self, value: str, limit: int | None = 160) -> str:
        """A user value, bounded and safe for the medium."""
        return bounded(value, limit)

    def quoted(self, value: str) -> str:
        return f'"{self.text(value)}"'

    def old(self, value: str) -> str:
        return self.quoted(value)

    def new(self, value: str) -> str:
        return self.quoted(value)

    def words(self, ops: WordOps) -> str:
        return words_text(tuple((tag, clip(text, self.limit)) for tag, text in ops))

    def code(self, value: str) -> str:
        return self.text(value)


def bounded(value: object, limit: int | None) -> str:
    return str(value) if limit is None else clip(str(value), limit)


PLAIN = Style()


def describe(change: Change, style: Style = PLAIN, *, with_lane: bool = True) -> str:
    """One change in words; `with_lane` names the lane ("pain point resolved: ...") for use outside a lane group."""
    s = style
    what = change.what
    if what == "map":
        return _describe_map(change, s)
    if what == "emotion":
        who = s.text(change.label)
        if change.kind == ADDED:
            text = f"{who}: scored {score_text(change.new)}"
        elif change.kind == REMOVED:
            text = f"{who}: score removed (was {score_text(change.old)})"
        else:
            delta = change.new - change.old
            word = "up" if delta > 0 else "down"
            text = f"{who}: {score_text(change.old)} → {score_text(change.new)} ({word} {_number(abs(delta))})"
        return f"emotion of {text}" if with_lane else text
    if what == "item":
        return _describe_item(change, s, with_lane)
    noun = {"stage": "stage", "step": "step", "persona": "persona", "research": "research source",
            "chapter": "chapter", "lane": "lane"}[what]
    name = s.quoted(change.label)
    if change.field is None:
        if change.kind == ADDED:
            extra = f" ({s.text(change.detail)})" if change.detail else ""
            return f"{noun} added: {name}{extra}"
        if change.kind == REMOVED:
            extra = f" (it held {s.text(change.detail)})" if change.detail and what in ("stage", "step") else ""
            return f"{noun} removed: {name}{extra}"
        if what == "step" and isinstance(change.old, str):
            return f"{noun} moved: {name}, from stage {s.quoted(change.detail)}"
        return f"{noun} moved: {name}, now {s.text(change.detail)}" if change.detail else f"{noun} moved: {name}"
    if change.kind == RENAMED:
        return f"{noun} renamed: {s.old(change.old)} → {s.new(change.new)}"
    return f"{noun} {name}: {_describe_field(change, s)}"


def _describe_map(change: Change, s: Style) -> str:
    name = change.field or ""
    if name == "tags":
        return f"tag added: {s.quoted(change.new)}" if change.kind == ADDED else f"tag removed: {s.quoted(change.old)}"
    if name == "theme":
        return f"theme: {s.code(change.old)} → {s.code(change.new)}"
    if name == "font_size":
        return f"theme font size: {_opt(change.old)} → {_opt(change.new)}"
    if name.startswith("colors."):
        return f"theme colour {name[7:]}: {s.code(_opt(change.old))} → {s.code(_opt(change.new))}"
    if change.kind == ADDED and change.field is None:
        return f"map added: {s.quoted(change.label)}"
    if change.kind == REMOVED and change.field is None:
        return f"map deleted: {s.quoted(change.label)}"
    return _describe_field(change, s)


def _opt(value: Any) -> str:
    return "default" if value is None else _number(value) if isinstance(value, float) else str(value)


def _describe_field(change: Change, s: Style) -> str:
    name = (change.field or "").replace("_", " ")
    if change.field == "moment_of_truth":
        if change.kind == ADDED:
            return "now a moment of truth" + (f": {s.quoted(change.new)}" if change.new != "yes" else "")
        if change.kind == REMOVED:
            return "no longer a moment of truth"
        return f"moment-of-truth question: {s.old(change.old)} → {s.new(change.new)}"
    if change.field == "evidence":
        return f"evidence added: {s.code(change.new)}" if change.new else f"evidence removed: {s.code(change.old)}"
    if change.field == "stages":
        return f"stages {', '.join(change.old)} → {', '.join(change.new)}"
    if change.field in _PERSONA_LISTS:
        noun = _PERSONA_LIST_NOUNS[change.field]
        if change.kind == ADDED:
            return f"{noun} added: {s.quoted(change.new)}"
        if change.kind == REMOVED:
            return f"{noun} removed: {s.quoted(change.old)}"
        if change.kind == MOVED:
            return f"{noun} moved: {s.quoted(change.detail)}"
        return f"{noun} reworded: {s.words(change.word_ops or ())}"
    if change.kind == ADDED:
        return f"{name} added: {s.quoted(str(change.new))}"
    if change.kind == REMOVED:
        return f"{name} removed (was {s.quoted(str(change.old))})"
    long_text = isinstance(change.old, str) and (len(change.old) > 40 or change.field == "title")
    if change.word_ops is not None and long_text:
        return f"{name} changed: {s.words(change.word_ops)}"
    old = s.old(str(change.old)) if isinstance(change.old, str) else _opt(change.old)
    new = s.new(str(change.new)) if isinstance(change.new, str) else _opt(change.new)
    return f"{name}: {old} → {new}"


def _describe_item(change: Change, s: Style, with_lane: bool) -> str:
    lane = change.lane or ""
    one = LANE_NOUNS.get(lane, ("item", "items"))[0]
    if lane not in LANE_NOUNS:
        one = f"item of lane {lane}" if with_lane else "item"
    name = s.quoted(change.label)
    detail = f" ({s.text(change.detail)})" if change.detail and change.kind in (ADDED, REMOVED) else ""
    if change.kind == ADDED:
        text = f"added: {name}{detail}"
    elif change.kind == REMOVED:
        text = f"{change.verb}: {name}{detail}"
    elif change.kind == MOVED:
        if change.detail:
            text = f"moved here from {s.quoted(change.detail)}: {name}"
        else:
            text = f"moved from position {change.old + 1} to {change.new + 1}: {name}"
    elif change.verb == "reworded":
        text = f"reworded: {s.words(change.word_ops or ())}"
    else:
        text = f"{name}: {_describe_item_field(change, s)}"
    return f"{one} {text}" if with_lane else text[:1].upper() + text[1:]


def _describe_item_field(change: Change, s: Style) -> str:
    name = (change.field or "").replace("_", " ")
    if change.field == "evidence":
        return f"evidence added: {s.code(change.new)}" if change.new else f"evidence removed: {s.code(change.old)}"
    if change.field in ("value", "target"):
        unit, _, target = change.detail.partition("|")
        values = f"{_kpi_value(change.old, unit)} → {_kpi_value(change.new, unit)}"
        if change.field == "target":
            return f"target {values}"
        return f"{values} ({change.verb}{'; ' + s.text(target) if target else ''})"
    if change.field == "severity":
        return f"severity {change.old} → {change.new}"
    if change.field == "note":
        if change.old is None:
            return "note added"
        return "note removed" if change.new is None else "note changed"
    return f"{name} {s.text(_opt(change.old) or 'none')} → {s.text(_opt(change.new) or 'none')}"


# --- grouping and counting -----------------------------------------------------------------------


def _groups(result: DiffResult) -> list[tuple[str, list[Change]]]:
    """Map-level sections first, then one group per stage in the new map's order (removed ones in place).

    Inside a stage group, the stage's own changes come first, then each step's, each sorted by lane.
    """
    old, new = result.old, result.new
    names = {s.id: s.name for j in (old, new) if j for s in j.stages}
    new_ids = [s.id for s in new.stages] if new else []
    removed = [c for c in result.changes if c.what == "stage" and c.kind == REMOVED]
    order: list[str] = []
    for index, stage_id in enumerate([*new_ids, None]):
        order.extend(str(c.stage) for c in removed if c.position == index)
        if stage_id is not None:
            order.append(stage_id)
    order.extend(str(c.stage) for c in removed if str(c.stage) not in order)
    step_rank = {c.id: i for j in (old, new) if j for s in j.stages for i, c in enumerate(s.steps)}
    lane_rank = {lane: i for i, lane in enumerate([*ITEM_LANES, "emotion"])}
    sections: dict[str, list[Change]] = {"Map": [], "Lanes": [], "Chapters": [], "Personas": [], "Research": []}
    section_of = {"map": "Map", "lane": "Lanes", "chapter": "Chapters", "persona": "Personas", "research": "Research"}
    by_stage: dict[str, list[Change]] = {}
    for change in result.changes:
        if change.stage is None:
            sections[section_of.get(change.what, "Map")].append(change)
        else:
            by_stage.setdefault(change.stage, []).append(change)
            if change.stage not in order:
                order.append(change.stage)
    groups = [(title, changes) for title, changes in sections.items() if changes]
    for stage_id in order:
        changes = by_stage.get(stage_id)
        if not changes:
            continue
        changes.sort(key=lambda c: (-1 if c.step is None else step_rank.get(c.step, 0), c.step or "",
                                    c.lane is not None, lane_rank.get(c.lane or "", len(lane_rank)), _index(c),
                                    c.kind != REMOVED))
        groups.append((f"Stage {names.get(stage_id, stage_id)}", changes))
    return groups


def _index(change: Change) -> int:
    """Where an item change sits in its lane (removed items where they would stand)."""
    if change.what != "item":
        return -1
    if change.kind == REMOVED and change.position is not None:
        return change.position
    return int(change.key[3])


def _summary(changes: Sequence[Change], lane_names: dict[str, str] | None = None) -> list[str]:
    phrases: list[str] = []

    def add(keys: Iterable[Any], one: str, many: str, verb: str) -> None:
        n = len(set(keys))
        if n:
            phrases.append(f"{count_words(n, one, many)} {verb}")

    for change in changes:
        if change.what == "map" and change.field is None:
            phrases.append("map added" if change.kind == ADDED else "map deleted")
    for what, one, many in (("stage", "stage", "stages"), ("step", "step", "steps")):
        mine = [c for c in changes if c.what == what]
        for verb in ("added", "removed", "moved"):
            add((c.key for c in mine if c.verb == verb and c.field is None), one, many, verb)
        add((c.key for c in mine if c.kind == RENAMED), one, many, "renamed")
        add((c.key for c in mine if c.field not in (None, "name")), one, many, "changed")
    lanes = list(dict.fromkeys(str(c.lane) for c in changes if c.what == "item"))
    lanes.sort(key=lambda lane: ITEM_LANES.index(lane) if lane in ITEM_LANES else len(ITEM_LANES))
    verbs = {"added": "added", "resolved": "resolved", "removed": "removed", "reworded": "reworded",
             "moved": "moved", "improved": "improved", "worsened": "worsened", "worse": "more severe",
             "eased": "less severe"}
    for lane in lanes:
        custom = (lane_names or {}).get(lane, lane)
        one, many = LANE_NOUNS.get(lane, (f"item in {custom}", f"items in {custom}"))
        items = [c for c in changes if c.what == "item" and c.lane == lane]
        for verb, words in verbs.items():
            add((c.key for c in items if c.verb == verb), one, many, words)
        told = {c.key for c in items if c.verb != "changed"}
        add((c.key for c in items if c.verb == "changed" and c.key not in told), one, many, "changed")
    emotion = [c for c in changes if c.what == "emotion"]
    for verb in ("fell", "rose"):
        columns = {(c.stage, c.step) for c in emotion if c.verb == verb}
        if columns:
            stages = sum(1 for _, step in columns if step is None)
            where = [count_words(n, one, many) for n, one, many in
                     ((stages, "stage", "stages"), (len(columns) - stages, "step", "steps")) if n]
            phrases.append(f"emotion {verb} in {' and '.join(where)}")
    add((c.key for c in emotion if c.kind == ADDED), "emotion score", "emotion scores", "added")
    add((c.key for c in emotion if c.kind == REMOVED), "emotion score", "emotion scores", "removed")
    for what, one, many in (("persona", "persona", "personas"), ("research", "research source", "research sources"),
                            ("chapter", "chapter", "chapters"), ("lane", "lane", "lanes")):
        mine = [c for c in changes if c.what == what]
        for verb in ("added", "removed", "moved"):
            add((c.key for c in mine if c.kind == verb and c.field is None), one, many, verb)
        add((c.key for c in mine if c.kind == RENAMED), one, many, "renamed")
        add((c.key[:2] for c in mine if c.field is not None and c.kind != RENAMED), one, many, "changed")
    for change in changes:
        if change.what == "map" and change.field:
            theme = change.field in ("font_size", "theme") or change.field.startswith("colors.")
            name = "theme" if theme else change.field
            phrase = f"{name} changed"
            if phrase not in phrases:
                phrases.append(phrase)
    return phrases


# --- both sides from files or from git ----------------------------------------------------------


def load_journey(path: Path, *, max_bytes: int, root: Path | None = None) -> tuple[Journey | None, list[Diagnostic]]:
    """The model of a valid map, or None with its errors."""
    from jmap.loading.load import load
    from jmap.validation.validate import validate

    try:
        doc = load(path, max_bytes=max_bytes, root=root)
    except JmapError as error:
        return None, error.diagnostics
    diagnostics = validate(doc)
    errors = [d for d in diagnostics if d.severity is Severity.ERROR]
    if errors:
        return None, errors
    from jmap.model.normalize import to_model

    return to_model(doc), []


def diff_files(old_path: str | os.PathLike[str], new_path: str | os.PathLike[str], *,
               max_bytes: int = DEFAULT_MAX_BYTES) -> DiffResult:
    """Compare two map files."""
    old_file, new_file = Path(old_path), Path(new_path)
    old, old_errors = load_journey(old_file, max_bytes=max_bytes)
    new, new_errors = load_journey(new_file, max_bytes=max_bytes)
    old_label, new_label = display_path(old_file), display_path(new_file)
    if old is None or new is None:
        return DiffResult(None, None, old_label=old_label, new_label=new_label, diagnostics=[*old_errors, *new_errors])
    return diff(old, new, old_label=old_label, new_label=new_label)


def diff_revisions(spec: str, paths: Sequence[str] = (), *, cwd: str | os.PathLike[str] | None = None,
                   max_bytes: int = DEFAULT_MAX_BYTES) -> list[DiffResult]:
    """Compare maps between git revisions: `REV` (working tree against REV), `A..B` or `A...B`.

    With no paths, every map that changed between the two sides; a folder limits the
    search to it; a file is compared even when unchanged. Raises GitError when git fails.
    """
    from contextlib import nullcontext

    from jmap.review import gitrev

    here = Path(cwd or os.getcwd()).resolve()
    revs = gitrev.parse_range(spec, here)
    top = gitrev.repo_root(here)
    files: list[tuple[str, bool]] = []  # repository path, named explicitly
    folders = []
    for path in paths:
        if (here / path).is_dir():
            folders.append(path)
        else:
            files.append((gitrev.relative_to_repo(path, here), True))
    if folders or not paths:
        files.extend((name, False) for name in gitrev.changed_maps(revs, folders, here))
    seen: set[str] = set()
    results: list[DiffResult] = []
    with gitrev.snapshot(revs.old, here, max_bytes) as old_side, \
            (gitrev.snapshot(revs.new, here, max_bytes) if revs.new else nullcontext(None)) as new_side:
        for name, explicit in files:
            if name in seen:
                continue
            seen.add(name)
            result = _diff_revision(name, explicit, revs, old_side, new_side, top, max_bytes)
            if result is not None:
                results.append(result)
    return results


def _diff_revision(name: str, explicit: bool, revs: Any, old_side: Any, new_side: Any, top: Path,
                   max_bytes: int) -> DiffResult | None:
    from jmap.review import gitrev

    working = top / name
    old_label = f"{revs.label_old}:{name}"
    new_label = display_path(working) if new_side is None else f"{revs.label_new}:{name}"
    sides: list[Journey | None] = []
    errors: list[Diagnostic] = []
    for side, label in ((old_side, old_label), (new_side, new_label)):
        try:
            if side is None:
                if not working.is_file():
                    sides.append(None)
                    continue
                if not explicit and not _is_map(working.read_bytes()):
                    return None
                journey, found = load_journey(working, max_bytes=max_bytes)
            else:
                if not side.exists(name):
                    sides.append(None)
                    continue
                if not explicit and not _is_map(side.read(name)):
                    return None
                mirrored = side.mirror(name)
                journey, found = load_journey(mirrored, max_bytes=max_bytes, root=side.project_root(name))
                found = [_relabel(d, side.folder, label, name) for d in found]
        except gitrev.GitError as error:
            journey, found = None, [Diagnostic("E100", str(error), Span(label, 0, 0))]
        sides.append(journey)
        errors.extend(found)
    if errors:
        return DiffResult(None, None, old_label=old_label, new_label=new_label, diagnostics=errors)
    if sides[0] is None and sides[1] is None:
        return DiffResult(None, None, old_label=old_label, new_label=new_label, diagnostics=[Diagnostic(
            "E100", f"the map exists neither at {revs.label_old} nor in {revs.label_new}", Span(name, 0, 0))])
    return diff(sides[0], sides[1], old_label=old_label, new_label=new_label)


def _is_map(data: bytes) -> bool:
    """A journey map (not a persona library or other YAML): a `jmap:` line and a `stages:` line."""
    lines = data[:64_000].splitlines()
    return any(line.startswith(b"jmap:") for line in lines) and any(line.startswith(b"stages:") for line in lines)


def _relabel(diagnostic: Diagnostic, folder: Path, label: str, name: str) -> Diagnostic:
    """Name a file of the temporary mirror as `REV:path`."""
    path = diagnostic.span.path
    absolute = Path(path) if os.path.isabs(path) else Path.cwd() / path
    try:
        inside = absolute.resolve().relative_to(folder)
    except (ValueError, OSError):
        return diagnostic
    rev = label.rsplit(":", 1)[0] if inside.as_posix() == name else label.split(":", 1)[0]
    return diagnostic._replace(span=diagnostic.span._replace(path=f"{rev}:{inside.as_posix()}"))


# --- output ---------------------------------------------------------------------------------------


def exit_code(results: Sequence[DiffResult]) -> int:
    """2 when a map could not be compared, 1 when any differs, 0 when all are equal (as diff(1))."""
    if any(r.failed for r in results):
        return 2
    return 1 if any(r.changes for r in results) else 0
