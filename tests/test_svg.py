"""The SVG renderer: golden files per example, well-formed and accessible XML, safe templates."""

from __future__ import annotations

import re
import sys
import xml.etree.ElementTree as ET
from functools import cache
from pathlib import Path

import jinja2
import pytest
from hypothesis import HealthCheck, given, settings
from test_layout import EXAMPLES, assert_golden, big_journey, journeys

from jmap.api import check
from jmap.layout import text as tx
from jmap.layout.engine import layout
from jmap.model.model import Journey, Lane, Lanes, PainPoint, Persona, Stage, TextItem
from jmap.render.env import get_env
from jmap.render.filters import _NOT_XML, xml_safe
from jmap.render.svg import render_layout_svg, render_svg

SVG = "{http://www.w3.org/2000/svg}"


@cache
def example(path: Path) -> Journey:
    return check(path).journey()


@cache
def example_svg(path: Path) -> str:
    return render_svg(example(path))


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg.encode("utf-8"))


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_svg_golden(path: Path) -> None:
    svg = example_svg(path)
    parse(svg)
    assert_golden(f"{path.stem}.svg", svg)


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_svg_is_accessible(path: Path) -> None:
    journey = example(path)
    root = parse(example_svg(path))
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "title desc"
    assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"
    assert root.get("font-family") == tx.FONT_STACK
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and title.get("id") == "title" and title.text == journey.title
    assert desc is not None and desc.get("id") == "desc" and journey.stages[0].name in (desc.text or "")
    texts = " ".join("".join(t.itertext()) for t in root.iter(f"{SVG}text"))
    for stage in journey.stages:
        assert stage.name.split()[0] in texts  # real, selectable text


def test_reading_order_is_stage_by_stage() -> None:
    journey = example(EXAMPLES[0])
    root = parse(example_svg(EXAMPLES[0]))
    order = [g.get("data-stage") for g in root.iter(f"{SVG}g") if (g.get("class") or "") == "stage"]
    assert order == [s.id for s in journey.stages]


def test_render_is_deterministic() -> None:
    journey = example(EXAMPLES[0])
    assert render_svg(journey).encode() == render_svg(journey).encode()


def test_no_negative_zero_and_at_most_two_decimals() -> None:
    svg = example_svg(EXAMPLES[0])
    numbers = re.findall(r'="(-?\d+\.?\d*)"', svg)
    assert numbers and not [n for n in numbers if n in ("-0", "-0.0") or re.search(r"\.\d{3,}", n)]


def test_hooks_for_interactivity() -> None:
    root = parse(example_svg(Path(__file__).resolve().parent.parent / "examples" / "online-shop.yaml"))
    cards = [g for g in root.iter(f"{SVG}g") if "pain-point" in (g.get("class") or "").split()]
    assert cards
    assert all(g.get("data-lane") == "pain_points" and g.get("data-stage") and g.get("id") for g in cards)
    assert any("severity-critical" in (g.get("class") or "") for g in cards)


def hostile_journey() -> Journey:
    nasty = "</text><script>alert(1)</script> & \"quotes\" 'apos' <!-- --> ]]> {{ 7*7 }} {% if %}"
    return Journey(
        title=nasty, description=nasty, owner=nasty, tags=(nasty,),
        personas=(Persona(id="p", name=nasty, quote=nasty, goals=(nasty,), initials="<&"),),
        stages=(Stage(id="a", name=nasty, duration=nasty, moment_of_truth=nasty,
                      lanes=Lanes(actions=(TextItem(nasty, note=nasty),), pain_points=(PainPoint(nasty),)),
                      emotion=(("p", 1.0),)),),
        lanes=(Lane("actions", "Actions"), Lane("pain_points", "Pain points"), Lane("emotion", "Emotion"),
               Lane("x", nasty, custom=True)),
    )


def test_user_text_is_escaped_and_never_run() -> None:
    svg = render_svg(hostile_journey())
    root = parse(svg)
    assert not list(root.iter(f"{SVG}script")) and not list(root.iter(f"{SVG}style"))
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "{{ 7*7 }}" in svg and "{% if %}" in svg  # user text is data, never compiled as a template
    assert root.find(f"{SVG}title").text.startswith("</text><script>")  # type: ignore[union-attr]


def test_characters_xml_cannot_hold_are_dropped() -> None:
    journey = Journey(title="A\ufffeB\x01C", stages=(Stage(id="a", name="x\uffffy"),))
    root = parse(render_svg(journey))
    assert root.find(f"{SVG}title").text == "ABC"  # type: ignore[union-attr]


def test_xml_safe_drops_exactly_what_xml_cannot_hold() -> None:
    """Printable text passes as it is (no regex compiled); anything else goes through the pattern."""
    for c in range(sys.maxunicode + 1):
        text = f"a{chr(c)}b\n"
        assert xml_safe(text) == re.sub(_NOT_XML, "", text), hex(c)
    assert xml_safe("\x01\ud800\ufffe\uffff\x08") == "" and xml_safe("\t\n\r") == "\t\n\r"
    value = "Plain text, é 日本 😀"
    assert xml_safe(value) is value


def test_environment_is_safe() -> None:
    env = get_env()
    assert env.autoescape is True
    assert env.undefined is jinja2.StrictUndefined
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ missing }}").render()
    assert env.from_string("{{ x }}").render(x="<a>") == "&lt;a&gt;"


def test_rtl_text_is_marked_for_the_browser() -> None:
    journey = Journey(title="RTL", stages=(Stage(id="a", name="A", lanes=Lanes(actions=(TextItem("שלום עולם"),))),),
                      lanes=(Lane("actions", "Actions"),))
    root = parse(render_svg(journey))
    rtl = [t for t in root.iter(f"{SVG}text") if t.get("direction") == "rtl"]
    assert rtl and all(t.get("text-anchor") is None for t in rtl)  # "start" = the right edge when rtl


def test_truncated_text_keeps_its_full_text_in_a_title() -> None:
    long = "very long text " * 100
    journey = Journey(title="T", stages=(Stage(id="a", name="A", lanes=Lanes(actions=(TextItem(long),))),),
                      lanes=(Lane("actions", "Actions"),))
    root = parse(render_svg(journey))
    titles = [t.find(f"{SVG}title") for t in root.iter(f"{SVG}text")]
    assert any(t is not None and t.text == long.strip() or (t is not None and t.text == long) for t in titles)


def test_icons_are_defined_once_and_used() -> None:
    root = parse(example_svg(EXAMPLES[0]))
    defs = {g.get("id") for g in root.find(f"{SVG}defs")}  # type: ignore[union-attr]
    used = {u.get("href") for u in root.iter(f"{SVG}use")}
    assert used and {h[1:] for h in used} <= defs


@given(journeys())
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
def test_generated_maps_render_well_formed_svg(journey: Journey) -> None:
    svg = render_layout_svg(layout(journey))
    parse(svg)


def test_thirty_stages_six_personas_render() -> None:
    root = parse(render_svg(big_journey()))
    curves = [g for g in root.iter(f"{SVG}g") if (g.get("class") or "") == "curve"]
    assert len(curves) == 6


def test_avatar_image_is_embedded_as_checked_data_uri_and_clipped() -> None:
    from jmap.api import check
    from jmap.render.svg import render_svg

    root = Path(__file__).resolve().parent.parent
    svg = render_svg(check(root / "examples" / "online-shop.yaml").journey())
    assert '<image href="data:image/png;base64,' in svg
    assert 'clip-path="url(#avatar-maya)"' in svg
    assert 'class="avatar has-image"' in svg
