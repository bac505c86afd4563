"""The typed, immutable journey model that layout, render, fmt and diff read.

Short forms of the YAML format are expanded here, so later stages never see a
plain string where an item is expected. Every object keeps its source span for
diagnostics raised after validation.

The records are `typing.NamedTuple`s, not frozen dataclasses: a dataclass costs about
0.5 ms per class at import (and `dataclasses` itself ~10 ms), which every short
`jmap build` process pays. Change one with `record._replace(field=value)`. The annotations
are evaluated (no `from __future__ import annotations`): NamedTuple turns string
annotations into ForwardRefs, compiling each one, a third of this module's import time.
"""

from typing import Any, NamedTuple

from jmap.diagnostics import Span
from jmap.model.lanes import ITEM_LANES, LANES

NO_SPAN = Span("", 0, 0)

#: Built-in lanes in their default order (jmap.model.lanes describes each).
BUILTIN_LANES: tuple[str, ...] = tuple(lane.id for lane in LANES)

LANE_TITLES: dict[str, str] = {lane.id: lane.title for lane in LANES}

#: The lanes of a service blueprint, drawn below the line of visibility (but frontstage).
BLUEPRINT_LANES = ("frontstage", "backstage", "support")

#: The personas key used when a map declares no persona.
ANONYMOUS_PERSONA = "customer"


class TextItem(NamedTuple):
    """A line of content in a lane: an action, thought, feeling, blueprint row..."""

    text: str
    evidence: tuple[str, ...] = ()
    note: str = ""
    span: Span = NO_SPAN


class Touchpoint(NamedTuple):
    channel: str
    name: str
    evidence: tuple[str, ...] = ()
    note: str = ""
    span: Span = NO_SPAN

    @property
    def text(self) -> str:
        return self.name


class PainPoint(NamedTuple):
    text: str
    severity: str = "medium"
    evidence: tuple[str, ...] = ()
    note: str = ""
    span: Span = NO_SPAN


class Opportunity(NamedTuple):
    text: str
    priority: str = "medium"
    owner: str = ""
    evidence: tuple[str, ...] = ()
    note: str = ""
    span: Span = NO_SPAN


class Quote(NamedTuple):
    """A customer's words, verbatim, and the persona who said them ("" when unknown)."""

    text: str
    persona: str = ""
    evidence: tuple[str, ...] = ()
    note: str = ""
    span: Span = NO_SPAN


class Kpi(NamedTuple):
    name: str
    value: float
    target: float | None = None
    unit: str = ""
    better: str = "higher"
    evidence: tuple[str, ...] = ()
    span: Span = NO_SPAN

    @property
    def text(self) -> str:
        return self.name

    @property
    def met(self) -> bool | None:
        """Whether the target is met; None when there is no target."""
        if self.target is None:
            return None
        if self.better == "lower":
            return self.value <= self.target
        return self.value >= self.target


class StoryboardImage(NamedTuple):
    """A picture of a stage or step (screenshot, photo, sketch): checked like an avatar, drawn scaled."""

    #: Absolute path of the image, resolved and confined by the loader.
    image: str
    #: What the image shows, in words (the SVG <title>, the HTML alt text).
    alt: str
    caption: str = ""
    note: str = ""
    #: Pixel size from the file's header (read when the map is loaded; 0 when it cannot be read), for the layout.
    width: int = 0
    height: int = 0
    span: Span = NO_SPAN
    evidence: tuple[str, ...] = ()  # none: pictures cite no research; kept for the lane-generic code

    @property
    def text(self) -> str:
        """The words that stand for the picture: its caption, else its alt text (diff, tooltips)."""
        return self.caption or self.alt


class Lanes(NamedTuple):
    """The content of one column (a stage or a step), lane by lane."""

    storyboard: tuple[StoryboardImage, ...] = ()
    actions: tuple[TextItem, ...] = ()
    touchpoints: tuple[Touchpoint, ...] = ()
    thoughts: tuple[TextItem, ...] = ()
    feelings: tuple[TextItem, ...] = ()
    quotes: tuple[Quote, ...] = ()
    pain_points: tuple[PainPoint, ...] = ()
    opportunities: tuple[Opportunity, ...] = ()
    kpis: tuple[Kpi, ...] = ()
    frontstage: tuple[TextItem, ...] = ()
    backstage: tuple[TextItem, ...] = ()
    support: tuple[TextItem, ...] = ()
    #: Custom lane id -> items, in the order of the map's `lanes`.
    custom: tuple[tuple[str, tuple[TextItem, ...]], ...] = ()

    def items(self, lane: str) -> tuple[Any, ...]:
        """The items of a built-in or custom lane (empty when it has none)."""
        if lane in _ITEM_LANES:
            return getattr(self, lane)  # type: ignore[no-any-return]
        for lane_id, items in self.custom:
            if lane_id == lane:
                return items
        return ()


_ITEM_LANES = frozenset(ITEM_LANES)


NO_LANES = Lanes()


class Step(NamedTuple):
    id: str
    name: str
    description: str = ""
    duration: str = ""
    lanes: Lanes = NO_LANES
    #: Persona id -> score in -2..2.
    emotion: tuple[tuple[str, float], ...] = ()
    #: "" when not a moment of truth; the question asked, or "yes".
    moment_of_truth: str = ""
    evidence: tuple[str, ...] = ()
    span: Span = NO_SPAN


class Stage(NamedTuple):
    """A stage: the fields of a Step (repeated: a NamedTuple cannot inherit fields), then its steps."""

    id: str
    name: str
    description: str = ""
    duration: str = ""
    lanes: Lanes = NO_LANES
    emotion: tuple[tuple[str, float], ...] = ()
    moment_of_truth: str = ""
    evidence: tuple[str, ...] = ()
    span: Span = NO_SPAN
    steps: tuple[Step, ...] = ()

    @property
    def columns(self) -> "tuple[StageOrStep, ...]":
        """The columns this stage occupies: its steps, or itself."""
        return self.steps or (self,)

    @property
    def self_and_steps(self) -> "tuple[StageOrStep, ...]":
        """This stage, then its steps: every object that holds lanes and an emotion."""
        return (self, *self.steps)


#: One column of the map: a step, or a stage that has no steps.
StageOrStep = Step | Stage


class Persona(NamedTuple):
    id: str
    name: str
    role: str = ""
    age: int | None = None
    location: str = ""
    quote: str = ""
    goals: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()
    expectations: tuple[str, ...] = ()
    frustrations: tuple[str, ...] = ()
    #: Absolute path of the avatar image, resolved and confined by the loader.
    avatar: str = ""
    initials: str = ""
    color: str = ""
    span: Span = NO_SPAN


class Research(NamedTuple):
    id: str
    kind: str
    title: str
    date: str = ""
    summary: str = ""
    sample_size: int | None = None
    url: str = ""
    span: Span = NO_SPAN


class Chapter(NamedTuple):
    id: str
    name: str
    stages: tuple[str, ...]
    span: Span = NO_SPAN


class Lane(NamedTuple):
    """A lane (row) the map shows: built-in or custom."""

    id: str
    name: str
    custom: bool = False
    style: str = "text"


class Theme(NamedTuple):
    name: str = "default"
    font_size: float | None = None
    #: Colour overrides: key -> "#rrggbb".
    colors: tuple[tuple[str, str], ...] = ()


class Journey(NamedTuple):
    title: str
    stages: tuple[Stage, ...]
    description: str = ""
    owner: str = ""
    tags: tuple[str, ...] = ()
    theme: Theme = Theme()
    personas: tuple[Persona, ...] = ()
    research: tuple[Research, ...] = ()
    chapters: tuple[Chapter, ...] = ()
    #: The lanes to draw, in order. When the map has no `lanes`, every
    #: built-in lane that holds content anywhere, in the default order.
    lanes: tuple[Lane, ...] = ()
    #: The file the map was loaded from.
    source: str = ""
    #: The map's `language:` (BCP 47), "" when it names none: text then wraps by UAX #14 alone.
    language: str = ""

    @property
    def persona_ids(self) -> tuple[str, ...]:
        """Ids of the curves drawn: the personas, or one anonymous customer."""
        return tuple(p.id for p in self.personas) or (ANONYMOUS_PERSONA,)

    def research_by_id(self, research_id: str) -> Research | None:
        return next((r for r in self.research if r.id == research_id), None)
