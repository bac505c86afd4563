"""The visual diff (`jmap diff -o`): the new map with its changes marked.

Checked here: the diff layout keeps the map's geometry rules (the checks of
test_layout.py), added / changed / removed marks sit on the right cards, headers and
columns and read without colour (outline pattern and badge shape differ), removed
items and stages are drawn as ghosts in place, the old emotion curve is drawn dashed
under the new one, the legend names every mark, the output is deterministic, and the
command writes its files and exits 1 when the maps differ.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from test_layout import check_layout, journeys, texts_in
from typer.testing import CliRunner

from jmap.cli.cli import app
from jmap.layout.diffmarks import ADDED, CHANGED, DASHES, GHOST, REMOVED, DiffHighlights, badge, diff_view, merge
from jmap.layout.engine import layout
from jmap.layout.geometry import Circle, Group, Layout, Rect
from jmap.layout.geometry import Path as PathNode
from jmap.model.model import Journey
from jmap.render.svg import render_diff_svg, render_layout_svg, render_svg
from jmap.review.diff import DiffResult, diff, diff_files

CASES = Path(__file__).resolve().parent / "cases" / "diff"
PAIRS = ["checkout", "stages", "steps", "items", "emotion", "personas", "anonymous"]
SVG = "{http://www.w3.org/2000/svg}"


@cache
def result(name: str) -> DiffResult:
    return diff_files(CASES / f"{name}.old.yaml", CASES / f"{name}.new.yaml")


@cache
def view(name: str) -> tuple[Layout, DiffHighlights]:
    journey, marks = diff_view(result(name))
    return layout(journey, None, marks), marks


def by_id(lay: Layout) -> dict[str, Group]:
    return {n.id: n for n in lay.walk() if isinstance(n, Group) and n.id}


def classes(group: Group) -> set[str]:
    return set(group.cls.split())


def words(group: Group) -> str:
    return " ".join(line.text for t in texts_in(group) for line in t.lines)


def legend_words(lay: Layout) -> str:
    (legend,) = lay.groups("legend")
    return words(legend)


# --- geometry -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PAIRS)
def test_diff_layout_keeps_the_geometry_rules(name: str) -> None:
    check_layout(view(name)[0])


EDGE_OLD = """\
jmap: 1
title: Edge cases
personas:
  - {id: ana, name: Ana}
  - {id: ben, name: Ben Okafor}
lanes: [actions, emotion, pain_points, {id: systems, name: Systems}]
stages:
  - id: find
    name: Find
    emotion: {ana: 1, ben: 0}
    actions: [Searches]
    pain_points: [Slow search, Ads everywhere]
    custom: {systems: [Search index]}
  - id: choose
    name: Choose
    steps:
      - {id: compare, name: Compares, emotion: {ana: -1, ben: 1}, actions: [Opens two tabs]}
      - {id: ask, name: Asks support, emotion: {ana: -2}, pain_points: [Long wait on the phone]}
  - id: buy
    name: Buy
    emotion: {ana: 2, ben: 1}
    actions: [Pays]
"""
EDGE_NEW = """\
jmap: 1
title: Edge cases
personas:
  - {id: ana, name: Ana}
lanes: [actions, emotion]
stages:
  - id: find
    name: Find
    emotion: {ana: 1}
    actions: [Searches, Filters by price]
  - id: buy
    name: Buy
    emotion: {ana: 1}
    steps:
      - {id: compare, name: Compares, emotion: {ana: 0}, actions: [Opens two tabs]}
      - {id: pay, name: Pays, emotion: {ana: 1}}
"""


@pytest.fixture
def edge(tmp_path: Path) -> tuple[Path, Path]:
    old, new = tmp_path / "edge.old.yaml", tmp_path / "edge.yaml"
    old.write_text(EDGE_OLD, encoding="utf-8")
    new.write_text(EDGE_NEW, encoding="utf-8")
    return old, new


def test_removed_lanes_stages_and_moved_steps(edge: tuple[Path, Path]) -> None:
    journey, marks = diff_view(diff_files(*edge))
    lay = layout(journey, None, marks)
    check_layout(lay)
    # The ghost stage sits where it stood; its step that moved to Buy is drawn there only.
    assert [s.id for s in journey.stages] == ["find", "choose", "buy"]
    assert [s.id for s in journey.stages[1].steps] == ["ask"]
    assert [s.id for s in journey.stages[2].steps] == ["compare", "pay"]
    # Lanes the new map dropped come back, where they stood, to hold their ghosts.
    assert [lane.id for lane in journey.lanes] == ["actions", "emotion", "pain_points", "systems"]
    ids = by_id(lay)
    assert {"diff-removed", "item"} <= classes(ids["item-systems-find-0"])
    assert "Ben Okafor" in legend_words(lay) and "Removed" in legend_words(lay)  # nowhere else to show him
    assert "2 stages" in words(ids["header"])  # the header counts the new map, not its ghosts
    # The old curve keeps its old points: Buy's +2 (a stage without steps then) at Buy's middle.
    (old,) = lay.groups("old-curve")
    assert len([n for n in old.children if isinstance(n, Circle)]) == 4


# --- marks on the right elements -------------------------------------------------------------


def test_checkout_marks() -> None:
    lay, _ = view("checkout")
    ids = by_id(lay)
    added = ids["item-opportunities-pay-0"]
    assert {"diff-added", "item", "card", "opportunity"} <= classes(added)
    assert dict(added.data)["diff"] == ADDED
    resolved = [ids["item-pain_points-pay-0"], ids["item-pain_points-pay-1"]]
    assert [words(g) for g in resolved] == ["High Forced account creation before payment",
                                           "Medium Shipping cost shown only at the last step"]
    for ghost in resolved:
        assert "diff-removed" in classes(ghost)
        assert any(isinstance(c, Group) and c.cls == GHOST for c in ghost.children)  # drawn faded
        assert any(isinstance(c, PathNode) and c.cls == "diff-strike" for c in ghost.children)
        assert ghost.title.startswith("Pain point resolved")
    kept = ids["item-pain_points-pay-2"]
    assert "diff" not in dict(kept.data) and words(kept).endswith("hidden behind a link")
    assert "diff-changed" in classes(ids["item-kpis-pay-0"])
    assert "Reviews the cart" in words(ids["item-actions-cart-0"])
    assert "diff" not in dict(ids["item-actions-cart-0"].data)
    stage = ids["stage-track"]
    assert "diff-added" in classes(stage)
    assert [c for c in stage.children if isinstance(c, Rect) and c.cls == "diff-column"]
    assert lay.groups("diff-badge")
    # Cards in an added stage are not marked one by one: the framed column says it.
    assert "diff" not in dict(ids["item-pain_points-track-0"].data)


def test_ghost_stage_is_a_hatched_column_in_place() -> None:
    lay, marks = view("stages")
    ids = by_id(lay)
    assert marks.stages["wait"] == REMOVED
    stages = [dict(g.data)["stage"] for g in lay.nodes if isinstance(g, Group) and "stage" in classes(g)]
    assert stages == ["discover", "buy", "wait", "compare", "use", "recommend"]
    ghost = ids["stage-wait"]
    assert "diff-removed" in classes(ghost)
    assert [c for c in ghost.children if isinstance(c, PathNode) and c.cls == "diff-hatch"]
    header = ids["stage-header-wait"]
    assert any(isinstance(c, Group) and c.cls == GHOST for c in header.children)
    # Its action moved to another stage: drawn there (changed), not again as a ghost.
    assert not [g for g in lay.groups("item") if dict(g.data).get("stage") == "wait"]
    assert "diff-changed" in classes(ids["item-actions-use-0"])
    for renamed in ("stage-header-buy", "stage-header-compare"):
        assert "diff-changed" in classes(ids[renamed])
    assert "diff" not in dict(ids["stage-header-discover"].data)


def test_steps_added_removed_and_moved() -> None:
    lay, _ = view("steps")
    ids = by_id(lay)
    assert "diff-removed" in classes(ids["step-ask"])
    assert "diff-added" in classes(ids["step-confirm"])
    assert "diff-changed" in classes(ids["step-compare"])  # moved to another stage
    assert "diff-changed" in classes(ids["step-search"])  # renamed
    assert "diff" not in dict(ids["step-cart"].data)
    research = [dict(g.data).get("step") for g in lay.groups("step-header") if dict(g.data)["stage"] == "research"]
    assert research == ["read", "search", "ask"]


def test_items_reworded_moved_and_in_custom_lanes() -> None:
    lay, marks = view("items")
    ids = by_id(lay)
    assert "diff-removed" in classes(ids["item-actions-browse-3"])  # "Saves two pairs", where it stood
    assert "diff-added" in classes(ids["item-actions-browse-4"])
    assert "diff-changed" in classes(ids["item-actions-browse-2"])  # reworded
    assert "diff-removed" in classes(ids["item-pain_points-pay-0"])  # resolved, appended where it stood
    assert "diff-changed" in classes(ids["item-pain_points-pay-1"])  # moved here from Browse
    assert "diff-added" in classes(ids["item-systems-browse-1"])  # a custom text lane
    assert set(marks.items.values()) == {ADDED, CHANGED, REMOVED}


def test_a_new_map_marks_every_stage_added() -> None:
    journey = diff_view(result("checkout"))[0]
    marks = diff_view(diff(None, journey, new_label="checkout.yaml"))[1]
    assert set(marks.stages.values()) == {ADDED}


# --- the emotion curve ------------------------------------------------------------------------


def test_old_curve_is_dashed_under_the_new_one() -> None:
    lay, _ = view("emotion")
    (band,) = lay.groups("emotion")
    curves = [g for g in band.children if isinstance(g, Group) and "curve" in classes(g)]
    old = [g for g in curves if "old-curve" in classes(g)]
    assert [dict(g.data)["persona"] for g in old] == ["maya", "jon"]
    assert curves.index(old[-1]) < min(curves.index(g) for g in curves if "old-curve" not in classes(g))
    for curve in old:
        (line,) = [n for n in curve.children if isinstance(n, PathNode) and n.cls == "curve-line"]
        assert line.dash and line.stroke_width < 2.5
    rings = lay.groups("diff-point")
    assert {(dict(g.data)["persona"], dict(g.data)["column"], dict(g.data)["diff"]) for g in rings} == {
        ("maya", "find", CHANGED), ("maya", "buy", CHANGED), ("jon", "buy", CHANGED), ("jon", "use", ADDED)}


def test_no_old_curve_when_emotion_did_not_change() -> None:
    lay, _ = view("items")
    assert not lay.groups("old-curve")
    assert "Before the change" not in legend_words(lay)


# --- legend, colour-blind safety, determinism -----------------------------------------------------


def test_legend_names_the_marks() -> None:
    text = legend_words(view("checkout")[0])
    for label in ("CHANGES", "Added", "Changed", "Removed or resolved", "Added stage or step", "Before the change",
                  "Score changed"):
        assert label in text
    assert "Removed stage or step" in legend_words(view("stages")[0])
    assert "Persona \u201cAli Demir\u201d" in legend_words(view("personas")[0])


def test_marks_differ_by_shape_and_pattern_not_only_hue() -> None:
    assert len(set(DASHES.values())) == 3
    assert DASHES[CHANGED] != "5 3"  # assumptions are outlined "5 3" already
    colors = {"diff_added": "#000000", "diff_changed": "#000000", "diff_removed": "#000000", "card": "#ffffff"}
    shapes = {kind: type(badge(kind, 0, 0, colors).children[0]) for kind in (ADDED, CHANGED, REMOVED)}
    glyphs = {kind: getattr(badge(kind, 0, 0, colors).children[1], "d", "") for kind in (ADDED, CHANGED, REMOVED)}
    assert shapes == {ADDED: Circle, CHANGED: PathNode, REMOVED: Rect}
    assert len(set(glyphs.values())) == 3


def test_output_is_deterministic_and_well_formed() -> None:
    svg = render_diff_svg(result("stages"))
    assert svg == render_diff_svg(diff_files(CASES / "stages.old.yaml", CASES / "stages.new.yaml"))
    root = ET.fromstring(svg.encode("utf-8"))
    ghosts = [g for g in root.iter(f"{SVG}g") if g.get("class") == GHOST]
    assert ghosts and all(g.get("opacity") == "0.4" for g in ghosts)
    assert all(g.get("opacity") is None for g in root.iter(f"{SVG}g") if g.get("class") != GHOST)


def test_the_plain_map_is_unchanged() -> None:
    journey = result("checkout").new
    assert journey is not None
    assert render_layout_svg(layout(journey, None, None)) == render_svg(journey)
    assert "diff" not in render_svg(journey)


def test_merge_keeps_order_and_positions() -> None:
    merged, new_at, ghost_at = merge(["a", "b"], [(0, "x"), (2, "y"), (9, "z"), (0, "w")])
    assert merged == ["x", "w", "a", "b", "y", "z"]
    assert new_at == [2, 3] and ghost_at == [0, 4, 5, 1]


@given(journeys(max_stages=4, max_personas=2), journeys(max_stages=4, max_personas=2))
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
def test_generated_diffs_keep_the_geometry_rules(old: Journey, new: Journey) -> None:
    journey, marks = diff_view(diff(old, new))
    lay = layout(journey, None, marks)
    check_layout(lay)
    assert lay.to_json() == layout(journey, None, marks).to_json()


def test_png_of_a_visual_diff() -> None:
    from jmap.export.export import svg_to_png

    png = svg_to_png(render_diff_svg(result("checkout")), scale=1)
    assert png.startswith(b"\x89PNG")


# --- the command ------------------------------------------------------------------------------


def run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def test_cli_writes_the_visual_diff_into_the_folder(tmp_path: Path) -> None:
    old, new = str(CASES / "checkout.old.yaml"), str(CASES / "checkout.new.yaml")
    out = tmp_path / "review"
    result = run("diff", old, new, "-o", str(out), "-f", "svg,html", "--format", "json")
    assert result.exit_code == 1, result.output
    assert sorted(p.name for p in out.iterdir()) == ["checkout.new.diff.html", "checkout.new.diff.svg"]
    svg = (out / "checkout.new.diff.svg").read_text(encoding="utf-8")
    assert svg == render_diff_svg(diff_files(old, new))
    assert "diff-ghost" in (out / "checkout.new.diff.html").read_text(encoding="utf-8")
    assert '"equal": false' in result.stdout  # the report still goes to stdout


def test_cli_render_writes_into_build_diff(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           edge: tuple[Path, Path]) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("diff", str(edge[0]), str(edge[1]), "--render")
    assert result.exit_code == 1
    assert (tmp_path / "build" / "diff" / "edge.diff.svg").is_file()
    same = run("diff", str(edge[1]), str(edge[1]), "--render")
    assert same.exit_code == 0
    assert "No changes in meaning" in (tmp_path / "build" / "diff" / "edge.diff.svg").read_text(encoding="utf-8")


def test_cli_refuses_unknown_formats(tmp_path: Path) -> None:
    old, new = str(CASES / "checkout.old.yaml"), str(CASES / "checkout.new.yaml")
    result = run("diff", old, new, "-o", str(tmp_path), "-f", "gif")
    assert result.exit_code == 2
    assert "unknown format 'gif'" in result.output
    assert not list(tmp_path.iterdir())
