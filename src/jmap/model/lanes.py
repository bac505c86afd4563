"""The lane registry: every built-in lane described once, for model, validation, layout, fmt, diff and HTML.

The schema (schemas/journey.schema.json) stays the source of truth for the format; this table
says what jmap does with each lane, and tests/test_lanes.py holds the two in step (every lane
key a stage or step may hold is here, with the schema's item type, and the reverse). A custom
lane (the map's `lanes: [{id, name}]`) is a `text_item` lane: `spec` describes it from its id.

Adding a lane of an existing item type: one `LaneSpec` below and the lane in the schema
(stage, step and the `lane` enum); a new item type also needs its record (jmap.model.model), its
reading (jmap.model.normalize) and its drawing (jmap.layout.cards).

The records are NamedTuples, like the model's (no dataclasses on the plain build path).
"""

from typing import NamedTuple


class Fact(NamedTuple):
    """A line of an item's HTML tooltip: a label and the item field it shows."""

    label: str
    field: str
    #: How the value reads: "level" (capitalised word), "text" (as written), "channel" (the channel's label),
    #: "persona" (the persona's name).
    how: str = "text"


class LaneSpec(NamedTuple):
    """What jmap knows of one lane."""

    id: str
    #: The lane's label when the map does not name it.
    title: str
    #: The key of the title in a translation catalogue (for the localisation work).
    title_key: str
    #: The schema's `$defs` name of one item ("" for the emotion and evidence lanes, which hold no items).
    item: str
    #: One item in words, in messages (W501, W504, schema errors).
    noun: str
    #: One item and many, in diff summaries ("3 pain points").
    nouns: tuple[str, str]
    #: The CSS class of the lane's cards.
    css: str
    #: The icon beside the lane's label ("" for none).
    icon: str = ""
    #: Items cite research; on a map that lists research, an item citing none is an assumption (W501).
    evidenced: bool = False
    #: fmt's short form: the field a plain string stands for, and the defaults it implies.
    short: tuple[str, tuple[tuple[str, str], ...]] | None = None
    #: The item field that holds its words (what diff matches and rewords).
    text_field: str = "text"
    #: The other fields diff compares, in the order it reports them (evidence is always compared).
    fields: tuple[str, ...] = ("note",)
    #: The facts of an item's HTML tooltip.
    facts: tuple[Fact, ...] = ()
    #: Whether the HTML map offers a checkbox to hide the lane.
    toggle: bool = True
    #: Removing an item of this lane is reported with this verb.
    removed: str = "removed"
    #: Shown when the map has no `lanes` and the lane holds content (evidence: on request only).
    default: bool = True
    #: The service-blueprint line drawn above the lane ("" for none).
    divider: str = ""
    #: (lane id, label): the line is named `label` instead when that lane is not shown above.
    divider_without: tuple[str, str] = ("", "")


def _lane(id: str, title: str, item: str, noun: str, plural: str = "", *, css: str = "", icon: str = "",
          evidenced: bool = False, short: tuple[str, tuple[tuple[str, str], ...]] | None = None,
          text_field: str = "text", fields: tuple[str, ...] = ("note",), facts: tuple[Fact, ...] = (),
          removed: str = "removed", default: bool = True, divider: str = "",
          divider_without: tuple[str, str] = ("", "")) -> LaneSpec:
    return LaneSpec(id, title, f"lane.{id}", item, noun, (noun, plural or noun + "s"), css or id.replace("_", "-"),
                    icon, evidenced, short, text_field, fields, facts, True, removed, default, divider,
                    divider_without)


_TEXT = ("text", ())

#: The built-in lanes, in their default order.
LANES: tuple[LaneSpec, ...] = (
    _lane("storyboard", "Storyboard", "storyboard_image", "storyboard image", icon="picture",
          text_field="caption", fields=("note",), facts=(Fact("Alt text", "alt"),)),
    _lane("actions", "Actions", "text_item", "action", css="action", short=_TEXT),
    _lane("touchpoints", "Touchpoints", "touchpoint", "touchpoint", css="touchpoint", icon="website",
          short=("name", (("channel", "other"),)), text_field="name", fields=("channel", "note"),
          facts=(Fact("Channel", "channel", "channel"),)),
    _lane("thoughts", "Thoughts", "text_item", "thought", css="thought", icon="thought", evidenced=True,
          short=_TEXT),
    _lane("feelings", "Feelings", "text_item", "feeling", css="feeling", icon="face-neutral", evidenced=True,
          short=_TEXT),
    _lane("quotes", "Quotes", "quote", "quote", icon="word-of-mouth", evidenced=True, short=_TEXT,
          fields=("persona", "note"), facts=(Fact("Speaker", "persona", "persona"),)),
    _lane("emotion", "Emotion", "", "emotion score", icon="face-happy"),
    _lane("pain_points", "Pain points", "pain_point", "pain point", css="pain-point", icon="severity",
          evidenced=True, short=("text", (("severity", "medium"),)), fields=("severity", "note"),
          facts=(Fact("Severity", "severity", "level"),), removed="resolved"),
    _lane("opportunities", "Opportunities", "opportunity", "opportunity", "opportunities", css="opportunity",
          icon="opportunity", evidenced=True, short=("text", (("priority", "medium"),)),
          fields=("priority", "owner", "note"), facts=(Fact("Priority", "priority", "level"), Fact("Owner", "owner"))),
    _lane("kpis", "KPIs", "kpi", "KPI", css="kpi", icon="kpi", evidenced=True, text_field="name", fields=()),
    _lane("frontstage", "Frontstage", "text_item", "frontstage item", short=_TEXT, divider="Line of interaction"),
    _lane("backstage", "Backstage", "text_item", "backstage item", short=_TEXT, divider="Line of visibility"),
    _lane("support", "Support processes", "text_item", "support item", short=_TEXT,
          divider="Line of internal interaction", divider_without=("backstage", "Line of visibility"))._replace(
        nouns=("support process", "support processes")),
    _lane("evidence", "Evidence", "", "research source", icon="evidence", default=False),
)

BY_ID: dict[str, LaneSpec] = {lane.id: lane for lane in LANES}
#: The built-in lanes that hold items (as `jmap.model.model.Lanes` has them), in their default order.
ITEM_LANES: tuple[str, ...] = tuple(lane.id for lane in LANES if lane.item)
#: The lanes whose items count as assumptions when they cite no research.
EVIDENCED_LANES: tuple[str, ...] = tuple(lane.id for lane in LANES if lane.evidenced)


def spec(lane_id: str) -> LaneSpec:
    """The description of a built-in lane, or of a custom lane (text items, drawn with its id as class)."""
    return BY_ID.get(lane_id) or _lane(lane_id, lane_id, "text_item", "item", short=_TEXT)
