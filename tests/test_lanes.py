"""The lane registry (jmap.model.lanes) and the schema describe the same lanes."""

from __future__ import annotations

from typing import Any

import pytest

from jmap.model import lanes
from jmap.model.model import BUILTIN_LANES, LANE_TITLES, Lanes
from jmap.resources import schema


def _lane_keys(definition: dict[str, Any]) -> dict[str, str]:
    """The keys of a stage or step that hold a lane's items, with the `$defs` name of one item."""
    out: dict[str, str] = {}
    for key, value in definition["properties"].items():
        ref = value.get("items", {}).get("$ref", "") if value.get("type") == "array" else ""
        item = ref.rpartition("/")[2]
        if key not in ("steps",) and item:
            out[key] = item
    return out


@pytest.mark.parametrize("where", ["stage", "step"])
def test_every_lane_key_of_the_schema_is_in_the_registry_with_its_item_type(where: str) -> None:
    keys = _lane_keys(schema()["$defs"][where])
    registered = {lane.id: lane.item for lane in lanes.LANES if lane.item}
    assert keys == registered


def test_the_lane_enum_of_the_schema_is_the_registry_in_its_order() -> None:
    builtin = schema()["$defs"]["lane"]["oneOf"][0]["enum"]
    assert builtin == [lane.id for lane in lanes.LANES] == list(BUILTIN_LANES)


def test_lanes_without_items_are_keys_of_their_own() -> None:
    stage = schema()["$defs"]["stage"]["properties"]
    for lane in lanes.LANES:
        if not lane.item:
            assert lane.id in stage  # emotion: the score; evidence: the column's research


def test_the_model_holds_a_field_per_item_lane() -> None:
    assert [f for f in Lanes._fields if f != "custom"] == list(lanes.ITEM_LANES)
    assert set(LANE_TITLES) == set(BUILTIN_LANES)


def test_short_forms_and_facts_name_fields_of_the_item() -> None:
    defs = schema()["$defs"]
    for lane in lanes.LANES:
        if not lane.item:
            continue
        full = next(v for v in defs[lane.item].get("oneOf", [defs[lane.item]]) if v.get("type") == "object")
        fields = set(full["properties"])
        assert lane.text_field in fields
        assert set(lane.fields) <= fields
        assert {fact.field for fact in lane.facts} <= fields
        if lane.short:
            assert lane.short[0] in fields and {k for k, _ in lane.short[1]} <= fields
        if lane.evidenced:
            assert "evidence" in fields


def test_a_custom_lane_is_described_from_its_id() -> None:
    legal = lanes.spec("legal_checks")
    assert (legal.item, legal.css, legal.icon, legal.evidenced) == ("text_item", "legal-checks", "", False)
    assert lanes.spec("pain_points") is lanes.BY_ID["pain_points"]


def test_icons_exist_and_blueprint_lines_are_named() -> None:
    from jmap.icons import ICONS

    for lane in lanes.LANES:
        assert not lane.icon or lane.icon in ICONS, lane.id
    assert [lane.id for lane in lanes.LANES if lane.divider] == ["frontstage", "backstage", "support"]
    assert [lane.id for lane in lanes.LANES if not lane.default] == ["evidence"]
