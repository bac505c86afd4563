"""The positioned layout: golden JSON per example, and geometry that holds for any map.

Geometry rules checked on every example and on generated maps: no text line is wider
than its box, no two items overlap, items stay inside their cells, every point and
control point of the emotion curve lies inside the scale band, every cell of a column
shares its x and width, every cell of a row shares its y, and layout is deterministic.
"""

from __future__ import annotations

import json
import os
import re
from collections import defaultdict
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jmap.api import check
from jmap.layout import text as tx
from jmap.layout.engine import layout, monotone_curve
from jmap.layout.geometry import Box, Group, Layout, Text, fmt
from jmap.layout.geometry import Path as SvgPath
from jmap.model.model import (
    Chapter,
    Journey,
    Kpi,
    Lane,
    Lanes,
    Opportunity,
    PainPoint,
    Persona,
    Research,
    Stage,
    Step,
    TextItem,
    Theme,
    Touchpoint,
)

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(p for p in (ROOT / "examples").glob("*.yaml"))
GOLDEN = Path(__file__).resolve().parent / "golden"
EPS = 0.01


@cache
def example(path: Path) -> Journey:
    return check(path).journey()


def assert_golden(name: str, got: str) -> None:
    """Compare with tests/golden/<name>.exp; write <name>.got on mismatch; JMAP_ACCEPT=1 accepts."""
    expected_path = GOLDEN / f"{name}.exp"
    got_path = GOLDEN / f"{name}.got"
    if os.environ.get("JMAP_ACCEPT") == "1":
        GOLDEN.mkdir(exist_ok=True)
        expected_path.write_text(got, encoding="utf-8", newline="\n")
        got_path.unlink(missing_ok=True)
        return
    expected = expected_path.read_text(encoding="utf-8") if expected_path.exists() else None
    if got == expected:
        got_path.unlink(missing_ok=True)
        return
    got_path.write_text(got, encoding="utf-8", newline="\n")
    what = "is missing" if expected is None else "differs"
    pytest.fail(f"{expected_path.name} {what}: see {got_path.name} (JMAP_ACCEPT=1 accepts it)", pytrace=False)


# --- geometry checks, shared by examples and generated maps ---------------------------


def classes(group: Group) -> set[str]:
    return set(group.cls.split())


def groups(lay: Layout, cls: str) -> list[Group]:
    return lay.groups(cls)


def texts_in(node: Group) -> list[Text]:
    return [n for n in node.walk() if isinstance(n, Text)]


def overlapping(boxes: list[tuple[str, Box]]) -> list[tuple[str, str]]:
    """Pairs of boxes that share area (sweep over x, so large maps stay fast)."""
    found = []
    ordered = sorted(boxes, key=lambda item: item[1].x)
    active: list[tuple[str, Box]] = []
    for name, box in ordered:
        active = [(n, b) for n, b in active if b.right > box.x + EPS]
        found.extend((n, name) for n, b in active if b.overlaps(box))
        active.append((name, box))
    return found


def check_text_fits(lay: Layout) -> None:
    for node in lay.walk():
        if not isinstance(node, Text):
            continue
        weight = "semibold" if node.weight >= 600 else "regular"
        for line in node.lines:
            width = tx.measure(line.text, node.size, weight)
            single = len(line.text) <= 2  # one character (or "…") may be wider than a tiny box
            assert single or width <= node.w + EPS, f"{line.text!r} is {width:.2f} px in a {node.w:.2f} px box"
        assert node.h >= len(node.lines) * tx.line_height(node.size) - EPS


def check_items(lay: Layout) -> None:
    items = groups(lay, "item")
    for item in items:
        assert item.box is not None, item.id
        for text in texts_in(item):
            assert item.box.contains(text.box), f"text of {item.id} leaves its card"
    assert not overlapping([(i.id, i.box) for i in items if i.box]), "items overlap"
    cells = groups(lay, "cell")
    for cell in cells:
        assert cell.box is not None
        for item in (n for n in cell.walk() if isinstance(n, Group) and "item" in classes(n)):
            assert item.box is not None and cell.box.contains(item.box), f"{item.id} leaves {cell.id}"
    assert not overlapping([(c.id, c.box) for c in cells if c.box]), "cells overlap"
    for kind in ("stage-header", "step-header", "lane-label", "persona", "source", "legend-block"):
        boxes = [(g.id or g.title, g.box) for g in groups(lay, kind) if g.box]
        assert not overlapping(boxes), f"{kind}s overlap"


def check_inside_canvas(lay: Layout) -> None:
    canvas = Box(0, 0, lay.width, lay.height)
    for node in lay.walk():
        box = getattr(node, "box", None)
        if isinstance(box, Box):
            assert canvas.contains(box), f"{type(node).__name__} {box} leaves the canvas"


_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def path_points(d: str) -> list[tuple[float, float]]:
    """The (x, y) pairs of an absolute M/C path (as the curve is written)."""
    numbers = [float(n) for n in _NUMBER.findall(d)]
    return list(zip(numbers[0::2], numbers[1::2], strict=True))


def check_curve(lay: Layout) -> None:
    for band in groups(lay, "emotion"):
        assert band.box is not None
        for curve in (n for n in band.walk() if isinstance(n, Group) and "curve" in classes(n)):
            line = next(n for n in curve.children if getattr(n, "cls", "") == "curve-line")
            for x, y in path_points(line.d):  # type: ignore[union-attr]
                assert band.box.y - EPS <= y <= band.box.bottom + EPS, f"curve leaves the scale at y={y}"
                assert band.box.x - EPS <= x <= band.box.right + EPS


def check_curve_labels(lay: Layout) -> None:
    """Each persona's curve ends in a name tag: inside the emotion row, clear of every point and of each other."""
    labels = groups(lay, "curve-label")
    for band in groups(lay, "emotion"):
        assert band.box is not None
        curves = [n for n in band.walk() if isinstance(n, Group) and "curve" in classes(n)
                  and "old-curve" not in classes(n)]  # a visual diff's curve from before gets no tag
        points = [n for n in band.walk() if isinstance(n, Group) and "point" in classes(n)]
        mine = [g for g in labels if g in band.children]
        named = {dict(c.data)["persona"] for c in curves} - {"customer"}
        assert sorted(dict(g.data)["persona"] for g in mine) == sorted(named)
        boxes = [(dict(g.data)["persona"], g.box) for g in mine if g.box]
        assert len(boxes) == len(mine)
        assert not overlapping(boxes), "curve labels overlap"
        for name, box in boxes:
            assert box.x >= band.box.x and box.right <= band.box.right + EPS, f"label {name} leaves the band"
            for point in points:
                assert point.box is not None
                assert not box.overlaps(point.box), f"label {name} covers a point of {dict(point.data)['persona']}"
            label = next(g for g in mine if dict(g.data)["persona"] == name)
            for text in texts_in(label):
                assert box.contains(text.box), f"the text of label {name} leaves its tag"


def check_alignment(lay: Layout) -> None:
    cells = groups(lay, "cell")
    by_column: dict[tuple[str, str], set[tuple[float, float]]] = defaultdict(set)
    by_row: dict[tuple[str, str], set[float]] = defaultdict(set)
    row_tops: dict[str, set[float]] = defaultdict(set)
    full_heights: dict[str, set[float]] = defaultdict(set)
    for cell in cells:
        assert cell.box is not None
        data = dict(cell.data)
        key = next(c for c in classes(cell) if c.startswith("cell-"))
        by_column[(data["stage"], data.get("step", ""))].add((round(cell.box.x, 2), round(cell.box.w, 2)))
        by_row[(data["lane"], key)].add(round(cell.box.y, 2))
        if key in ("cell-full", "cell-span"):
            row_tops[data["lane"]].add(round(cell.box.y, 2))
        if key == "cell-full":
            full_heights[data["lane"]].add(round(cell.box.h, 2))
    for column, spans in by_column.items():
        assert len(spans) == 1, f"column {column} is not aligned: {spans}"
    for row, tops in by_row.items():
        assert len(tops) == 1, f"row {row} is not aligned: {tops}"
    for lane, tops in row_tops.items():
        assert len(tops) == 1, f"lane {lane} cells start at different heights: {tops}"
    for lane, heights in full_heights.items():
        assert len(heights) == 1, f"lane {lane} cells differ in height: {heights}"
    headers = {dict(g.data)["stage"]: g.box for g in groups(lay, "stage-header") if g.box}
    step_headers = {dict(g.data)["step"]: g.box for g in groups(lay, "step-header") if g.box}
    for (stage, step), spans in by_column.items():
        ((x, w),) = spans
        header = step_headers[step] if step else headers[stage]
        assert header is not None and abs(header.x - 4 - x) < EPS and abs(header.w + 8 - w) < EPS
    tops = {round(b.y, 2) for b in headers.values() if b}
    assert len(tops) <= 1, "stage headers are not aligned"


def check_layout(lay: Layout) -> None:
    check_text_fits(lay)
    check_items(lay)
    check_inside_canvas(lay)
    check_curve(lay)
    check_curve_labels(lay)
    check_alignment(lay)


# --- examples ---------------------------------------------------------------------------


@cache
def layout_of(path: Path) -> Layout:
    return layout(example(path))


@pytest.fixture(params=EXAMPLES, ids=[p.stem for p in EXAMPLES])
def example_layout(request: pytest.FixtureRequest) -> tuple[str, Layout]:
    path: Path = request.param
    return path.stem, layout_of(path)


def test_examples_exist() -> None:
    assert len(EXAMPLES) >= 3


def test_layout_golden(example_layout: tuple[str, Layout]) -> None:
    name, lay = example_layout
    assert_golden(f"{name}.layout.json", lay.to_json())


def test_example_geometry(example_layout: tuple[str, Layout]) -> None:
    check_layout(example_layout[1])


def test_layout_is_deterministic() -> None:
    journey = example(ROOT / "examples" / "online-shop.yaml")
    assert layout(journey).to_json() == layout_of(ROOT / "examples" / "online-shop.yaml").to_json()


def test_json_rounds_floats_and_sorts_keys() -> None:
    text = layout(example(ROOT / "examples" / "minimal.yaml")).to_json()
    assert not re.search(r"\d\.\d{3,}", text)
    assert "-0," not in text and "-0\n" not in text
    assert text.endswith("\n")
    assert '"kind":"group"' in text and json.loads(text)["nodes"]


def test_fmt_prints_at_most_two_decimals() -> None:
    assert fmt(1.0) == "1"
    assert fmt(-0.001) == "0"
    assert fmt(-0.0) == "0"
    assert fmt(2.345678) == "2.35"
    assert fmt(10.5) == "10.5"
    assert fmt(-3.1) == "-3.1"


def _fmt_by_rounding(value: float) -> str:
    """`fmt` as first written: round, then print (the fast path must agree with it)."""
    rounded = round(value, 2)
    whole = int(rounded)
    if rounded == whole:
        return str(whole)
    return f"{rounded:.2f}".rstrip("0")


_TIES = [n / 1000 for n in range(-3005, 3006, 5)]  # x.xx5: exact and inexact halves
_EDGES = [0.0, -0.0, 1e13, -1e13, 9.999999e12 + 0.005, 7e13 + 0.5, 1e15 + 0.375, 2.0**53, 1e300, 12, -7, True]


def test_fmt_agrees_with_rounding_first_at_ties_and_edges() -> None:
    for value in [*_TIES, *_EDGES]:
        assert fmt(value) == _fmt_by_rounding(value), value


@given(st.floats(allow_nan=False, allow_infinity=False) | st.integers(-10**20, 10**20)
       | st.integers(-10**9, 10**9).map(lambda n: n / 1000))
def test_fmt_agrees_with_rounding_first(value: float) -> None:
    assert fmt(value) == _fmt_by_rounding(value)


@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan")])
def test_fmt_refuses_what_is_not_a_number(value: float) -> None:
    with pytest.raises((OverflowError, ValueError)):
        fmt(value)


def test_every_card_has_a_title_with_its_full_text() -> None:
    journey = example(ROOT / "examples" / "online-shop.yaml")
    lay = layout_of(ROOT / "examples" / "online-shop.yaml")
    titles = " ".join(g.title for g in groups(lay, "item"))
    for stage in journey.stages:
        for item in stage.lanes.pain_points:
            assert item.text in titles


def test_moment_of_truth_is_marked_in_header_and_curve() -> None:
    lay = layout_of(ROOT / "examples" / "online-shop.yaml")
    assert any("moment-of-truth" in classes(g) for g in groups(lay, "step-header"))
    assert [g for g in groups(lay, "moment-of-truth") if dict(g.data).get("column") == "size"]


def test_research_is_numbered_in_map_order() -> None:
    journey = example(ROOT / "examples" / "online-shop.yaml")
    lay = layout_of(ROOT / "examples" / "online-shop.yaml")
    numbers = [dict(g.data)["number"] for g in groups(lay, "source")]
    assert numbers == [str(i + 1) for i in range(len(journey.research))]


def test_line_of_visibility_sits_above_backstage() -> None:
    lay = layout_of(ROOT / "examples" / "commuter.yaml")
    line = groups(lay, "line-of-visibility")[0]
    backstage = next(g for g in groups(lay, "lane-label") if dict(g.data)["lane"] == "backstage")
    assert line.box is not None and backstage.box is not None
    assert abs(line.box.bottom - backstage.box.y) < EPS


# --- the curve ---------------------------------------------------------------------------


@given(st.lists(st.floats(-2, 2, allow_nan=False), min_size=1, max_size=12))
@settings(max_examples=60, deadline=None)
def test_monotone_curve_never_overshoots(scores: list[float]) -> None:
    points = [(i * 100.0, 100 - s * 25) for i, s in enumerate(scores)]
    for i, (x, y) in enumerate(path_points(monotone_curve(points))):
        assert 50 - EPS <= y <= 150 + EPS
        assert 0 - EPS <= x <= (len(scores) - 1) * 100 + EPS, i


def test_monotone_curve_control_points_stay_between_neighbours() -> None:
    pts = path_points(monotone_curve([(0, 0), (10, 50), (20, 50), (30, -10)]))
    segments = [pts[i:i + 4] for i in range(0, len(pts) - 1, 3)]
    for p0, c1, c2, p3 in segments:
        low, high = min(p0[1], p3[1]), max(p0[1], p3[1])
        assert low - EPS <= c1[1] <= high + EPS and low - EPS <= c2[1] <= high + EPS


# --- generated maps ------------------------------------------------------------------------

WORDS = [
    "Sees", "an", "ad", "checkout", "Kundenzufriedenheitsbefragungsergebnis", "予約を確認する", "مرحبا", "بالعالم",
    "שלום", "😀", "é", "<b>&amp;", "'quoted'", "\"double\"", "x" * 60, "a-very-long-hyphenated-compound-word",
    "/path/like/text", "10%", "…", "👩‍👩‍👧",
]
# Texts are picked from a fixed pool (cheap to draw): every word alone, runs of words, and long texts.
TEXTS = [*WORDS, *(" ".join(WORDS[i:i + n]) for n in (3, 7) for i in range(0, len(WORDS), 2)),
         " ".join(WORDS * 3), "مرحبا بالعالم " * 12, "予約を確認する" * 20, "word " * 300]
texts = st.sampled_from(TEXTS)
short_texts = st.sampled_from(TEXTS[: len(WORDS) + 10])
SEVERITY = ["low", "medium", "high", "critical"]
PRIORITY = ["low", "medium", "high"]
CHANNELS = ["website", "mobile-app", "email", "social", "store", "phone", "chat", "other", "kiosk"]
ALL_LANES = ["actions", "touchpoints", "thoughts", "feelings", "emotion", "pain_points", "opportunities", "kpis",
             "frontstage", "backstage", "support", "evidence"]


@st.composite
def journeys(draw: st.DrawFn, max_stages: int = 5, max_personas: int = 3) -> Journey:
    personas = tuple(
        Persona(id=f"p{i}", name=draw(short_texts), role=draw(st.sampled_from(["", "Nurse", "مهندس"])),
                quote=draw(st.sampled_from(["", "I want it now."])),
                goals=tuple(draw(st.lists(short_texts, max_size=3))),
                initials="AB", color=draw(st.sampled_from(["", "#2563eb"])))
        for i in range(draw(st.integers(0, max_personas)))
    )
    research = tuple(Research(id=f"r{i}", kind="survey", title=draw(short_texts), summary=draw(texts))
                     for i in range(draw(st.integers(0, 3))))
    evidence = st.lists(st.sampled_from([r.id for r in research]), max_size=2, unique=True).map(tuple) \
        if research else st.just(())
    pids = [p.id for p in personas] or ["customer"]

    def column_lanes() -> Lanes:
        n = st.integers(0, 2)
        return Lanes(
            actions=tuple(TextItem(draw(texts)) for _ in range(draw(n))),
            touchpoints=tuple(Touchpoint(draw(st.sampled_from(CHANNELS)), draw(short_texts), draw(evidence))
                              for _ in range(draw(n))),
            thoughts=tuple(TextItem(draw(texts), draw(evidence)) for _ in range(draw(n))),
            feelings=tuple(TextItem(draw(short_texts)) for _ in range(draw(n))),
            pain_points=tuple(PainPoint(draw(texts), draw(st.sampled_from(SEVERITY)), draw(evidence))
                              for _ in range(draw(n))),
            opportunities=tuple(Opportunity(draw(texts), draw(st.sampled_from(PRIORITY)), draw(short_texts))
                                for _ in range(draw(n))),
            kpis=tuple(Kpi(draw(short_texts), draw(st.floats(-1e6, 1e9, allow_nan=False)),
                           draw(st.one_of(st.none(), st.floats(0, 100))), draw(st.sampled_from(["", "%", "min"])),
                           draw(st.sampled_from(["higher", "lower"])), draw(evidence)) for _ in range(draw(n))),
            backstage=tuple(TextItem(draw(texts)) for _ in range(draw(n))),
            custom=(("notes", tuple(TextItem(draw(short_texts)) for _ in range(draw(n)))),),
        )

    def emotion() -> tuple[tuple[str, float], ...]:
        return tuple((p, draw(st.floats(-2, 2))) for p in pids if draw(st.booleans()))

    stages = []
    for s in range(draw(st.integers(1, max_stages))):
        steps = tuple(
            Step(id=f"s{s}-t{t}", name=draw(short_texts), duration=draw(st.sampled_from(["", "5 min"])),
                 lanes=column_lanes(), emotion=emotion(), moment_of_truth=draw(st.sampled_from(["", "yes", "Why?"])),
                 evidence=draw(evidence))
            for t in range(draw(st.integers(0, 3)))
        )
        stages.append(Stage(id=f"s{s}", name=draw(short_texts), description=draw(st.sampled_from(["", "Does X."])),
                            duration=draw(st.sampled_from(["", "1-3 days", "ein sehr langer Zeitraum von Wochen"])),
                            lanes=column_lanes(), emotion=emotion(), evidence=draw(evidence),
                            moment_of_truth=draw(st.sampled_from(["", "yes"])), steps=steps))
    lane_ids = draw(st.lists(st.sampled_from(ALL_LANES), unique=True, max_size=len(ALL_LANES)))
    lanes = [Lane(lane, lane.replace("_", " ").capitalize()) for lane in lane_ids]
    if draw(st.booleans()):
        lanes.append(Lane("notes", draw(short_texts), custom=True, style=draw(st.sampled_from(["text", "cards"]))))
    chapters = (Chapter("c0", draw(short_texts), (stages[0].id,)),) if draw(st.booleans()) else ()
    return Journey(
        title=draw(texts), description=draw(st.sampled_from(["", "A description."])), owner="CX",
        tags=tuple(draw(st.lists(st.sampled_from(["b2b", "مرحبا", "予約"]), unique=True))),
        theme=Theme(name=draw(st.sampled_from(["default", "dark", "print", "high-contrast"])),
                    font_size=draw(st.sampled_from([None, 9, 18]))),
        personas=personas, research=research, chapters=chapters, lanes=tuple(lanes), stages=tuple(stages),
    )


@given(journeys())
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
def test_generated_maps_keep_the_geometry_rules(journey: Journey) -> None:
    lay = layout(journey)
    check_layout(lay)
    assert lay.to_json() == layout(journey).to_json()


@given(journeys(max_stages=4, max_personas=8))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
def test_generated_maps_label_every_curve_without_overlap(journey: Journey) -> None:
    check_curve_labels(layout(journey))


def test_eight_curves_ending_at_one_score_get_eight_separate_labels() -> None:
    people = tuple(Persona(id=f"p{i}", name=f"Persona {i}") for i in range(8))
    stages = tuple(Stage(id=f"s{s}", name=f"Stage {s}", emotion=tuple((p.id, 2.0 if s == 2 else 0.0) for p in people))
                   for s in range(3))
    for theme in ("default", "dark", "print", "high-contrast"):
        lay = layout(Journey(title="Eight", stages=stages, personas=people, theme=Theme(theme),
                             lanes=(Lane("emotion", "Emotion"),)))
        check_layout(lay)
        labels = groups(lay, "curve-label")
        assert [dict(g.data)["persona"] for g in labels] == [p.id for p in people]
        assert [t.lines[0].text for g in labels for t in texts_in(g)] == [p.name for p in people]
        # all eight end at the same place, so their markers' path data compare as shapes
        ends = [c for g in groups(lay, "point") if dict(g.data)["stage"] == "s2" for c in g.children]
        assert all(isinstance(c, SvgPath) for c in ends) and len(ends) == 8
        assert len({c.d for c in ends}) == 8, f"{theme}: two personas share a marker shape"  # type: ignore[union-attr]
        assert len({c.fill for c in ends}) == 8, f"{theme}: two personas share a colour"  # type: ignore[union-attr]


def test_right_to_left_name_is_set_right_to_left_in_its_tag() -> None:
    """Time runs left to right in every map, so the tag stays right of the curve's end; the name reads RTL."""
    people = (Persona(id="a", name="مريم الحسن"), Persona(id="b", name="Maya"))
    stages = tuple(Stage(id=f"s{s}", name=f"Stage {s}", emotion=(("a", 1.0), ("b", 1.0))) for s in range(2))
    lay = layout(Journey(title="RTL", stages=stages, personas=people, lanes=(Lane("emotion", "Emotion"),)))
    check_layout(lay)
    tag = next(g for g in groups(lay, "curve-label") if dict(g.data)["persona"] == "a")
    (text,) = texts_in(tag)
    end = max(g.box.right for g in groups(lay, "point") if g.box)  # type: ignore[union-attr]
    assert text.rtl and tag.box is not None and tag.box.x >= end
    assert abs(text.lines[0].x - text.box.right) < EPS  # hangs from the tag's right edge, as RTL text does


def big_journey(stages: int = 30, personas: int = 6) -> Journey:
    people = tuple(Persona(id=f"p{i}", name=f"Persona {i}", role="Role", quote="A quote.",
                           goals=("One goal",), frustrations=("One frustration",)) for i in range(personas))
    research = (Research(id="r0", kind="survey", title="A survey", summary="It found things."),)
    out = []
    for s in range(stages):
        steps = tuple(Step(id=f"s{s}-{t}", name=f"Step {t}", emotion=tuple(
            (p.id, ((s + t + i) % 5) - 2.0) for i, p in enumerate(people))) for t in range(s % 3))
        out.append(Stage(
            id=f"s{s}", name=f"Stage {s}", duration="2 days", steps=steps,
            moment_of_truth="yes" if s % 7 == 3 else "",
            emotion=tuple((p.id, ((s * (i + 1)) % 5) - 2.0) for i, p in enumerate(people)),
            lanes=Lanes(actions=(TextItem(f"Action in stage {s}"),),
                        pain_points=(PainPoint(f"Pain {s}", SEVERITY[s % 4], ("r0",) if s % 2 else ()),),
                        touchpoints=(Touchpoint(CHANNELS[s % len(CHANNELS)], f"Touchpoint {s}"),),
                        kpis=(Kpi("Conversion", s * 1.5, 20.0, "%"),))))
    lanes = tuple(Lane(lane, lane.capitalize()) for lane in ("actions", "touchpoints", "emotion", "pain_points",
                                                              "kpis"))
    return Journey(title="Thirty stages", stages=tuple(out), personas=people, research=research, lanes=lanes)


def test_thirty_stages_six_personas() -> None:
    journey = big_journey()
    lay = layout(journey)
    check_layout(lay)
    assert lay.width > 30 * 200
    assert len(groups(lay, "curve")) == 6


def test_one_stage_one_lane() -> None:
    journey = Journey(title="One", stages=(Stage(id="a", name="A", lanes=Lanes(actions=(TextItem("Do it"),))),),
                      lanes=(Lane("actions", "Actions"),))
    lay = layout(journey)
    check_layout(lay)
    assert len(groups(lay, "item")) == 1


def test_long_text_is_capped_and_recorded() -> None:
    long = " ".join(["word"] * 400)
    journey = Journey(title="Long", stages=(Stage(id="a", name="A", lanes=Lanes(actions=(TextItem(long),))),),
                      lanes=(Lane("actions", "Actions"),))
    lay = layout(journey)
    (item,) = groups(lay, "item")
    (text,) = texts_in(item)
    assert text.truncated and text.full == long and text.lines[-1].text.endswith("\u2026")
    assert len(text.lines) == 8 and item.title.startswith(long)
    assert dict(lay.meta)["truncated"] == 1


def test_rtl_text_hangs_from_the_right_edge() -> None:
    journey = Journey(title="RTL", stages=(Stage(id="a", name="A", lanes=Lanes(actions=(TextItem("مرحبا بالعالم"),))),),
                      lanes=(Lane("actions", "Actions"),))
    (item,) = groups(layout(journey), "item")
    (text,) = texts_in(item)
    assert text.rtl and all(abs(line.x - (text.x + text.w)) < EPS for line in text.lines)


def _stage_ids(nodes: Iterable[Group]) -> list[str]:
    return [dict(g.data)["stage"] for g in nodes]


def test_reading_order_follows_the_journey() -> None:
    journey = example(ROOT / "examples" / "online-shop.yaml")
    lay = layout_of(ROOT / "examples" / "online-shop.yaml")
    stages = [n for n in lay.nodes if isinstance(n, Group) and "stage" in classes(n)]
    assert _stage_ids(stages) == [s.id for s in journey.stages]


def test_stage_content_spans_its_steps() -> None:
    lay = layout_of(ROOT / "examples" / "online-shop.yaml")
    steps = [g.box for g in groups(lay, "step-header") if dict(g.data)["stage"] == "consideration" and g.box]
    span = next(g.box for g in groups(lay, "cell-span") if dict(g.data) == {"lane": "thoughts",
                                                                             "stage": "consideration"})
    assert span is not None and len(steps) == 3
    assert abs(span.x - (min(b.x for b in steps) - 4)) < EPS
    assert abs(span.right - (max(b.right for b in steps) + 4)) < EPS


def test_assumptions_and_footnotes() -> None:
    lay = layout_of(ROOT / "examples" / "online-shop.yaml")
    by_id = {g.id: g for g in groups(lay, "item")}
    cited = by_id["item-pain_points-awareness-0"]  # cites ga-2026q3, the first source
    assert "assumption" not in classes(cited)
    assert [t.lines[0].text for t in texts_in(cited) if t.cls == "refs"] == ["1"]
    assert "assumption" not in classes(by_id["item-feelings-awareness-0"])  # backed by its stage's evidence
    assert "assumption" not in classes(by_id["item-actions-awareness-0"])  # actions are never assumptions


ASSUMPTION_MAP = """\
jmap: 1
title: Assumptions
research:
  - {id: survey, kind: survey, title: Survey}
stages:
  - id: backed
    name: Backed
    evidence: [survey]
    feelings: [Calm]
    emotion: 0
  - id: guessed
    name: Guessed
    feelings: [Worried]
    pain_points: [{text: Slow, evidence: [survey]}]
    emotion: -1
"""


def test_items_without_evidence_are_drawn_as_assumptions(tmp_path: Path) -> None:
    path = tmp_path / "assumptions.yaml"
    path.write_text(ASSUMPTION_MAP, encoding="utf-8")
    lay = layout(check(path).journey())
    by_id = {g.id: g for g in groups(lay, "item")}
    assert "assumption" not in classes(by_id["item-feelings-backed-0"])  # its stage cites research
    assert "assumption" in classes(by_id["item-feelings-guessed-0"])  # nothing cites research
    assert "assumption" not in classes(by_id["item-pain_points-guessed-0"])  # it cites research itself
    (legend,) = groups(lay, "legend")
    assert any(line.text.startswith("Assumption") for t in texts_in(legend) for line in t.lines)
    plain = check(path).journey()._replace(research=())
    assert not layout(plain).groups("assumption")  # a map without research marks no assumptions


def test_legend_keys_what_the_map_uses() -> None:
    lay = layout_of(ROOT / "examples" / "online-shop.yaml")
    (legend,) = groups(lay, "legend")
    words = {line.text for t in texts_in(legend) for line in t.lines}
    assert {"Maya Keller", "Jon Berger", "Social media", "Critical", "High priority"} <= words


# --- import cost ----------------------------------------------------------------------


def test_layout_modules_import_no_dataclasses() -> None:
    """Every build imports the layout: its records are NamedTuples (defining a dataclass costs ~0.5 ms each,
    and `dataclasses` itself pulls in inspect and ast). text.py is measured apart."""
    import ast

    paths = [p for p in sorted((ROOT / "src" / "jmap" / "layout").glob("*.py")) if p.name != "text.py"]
    assert len(paths) > 10
    for path in paths:
        for node in ast.parse(path.read_text(encoding="utf-8")).body:  # module level only
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert "dataclasses" not in names, f"{path.name} imports dataclasses"


def test_a_plain_layout_loads_no_diff_marks() -> None:
    """The visual diff's marks are imported only to draw a diff."""
    import subprocess
    import sys

    code = ("import sys; from jmap.api import check; from jmap.layout.engine import layout; "
            "layout(check(sys.argv[1]).journey()); print('jmap.layout.diffmarks' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code, str(ROOT / "examples" / "online-shop.yaml")],
                         capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False"]
