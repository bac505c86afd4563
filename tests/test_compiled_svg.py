"""The SVG template compiled ahead of time (`jmap.render._map_svg`) is map.svg.j2, to the byte.

Checked here: the committed module equals a fresh run of tools/gen_templates.py; the
compiled path and Jinja give the same bytes for every example, every visual-diff case,
generated maps and hostile values; missing names and attributes raise as under
StrictUndefined; an edited template falls back to Jinja; the generator refuses code the
runtime cannot run; rendering SVG imports no jinja2.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import jinja2
import markupsafe
import pytest
from generators import load_generator
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import Markup
from test_layout import EXAMPLES, journeys
from test_svg import hostile_journey

from jmap.api import check
from jmap.layout.diffmarks import diff_view
from jmap.layout.engine import layout
from jmap.layout.geometry import Layout, fmt
from jmap.model.model import Journey, Stage
from jmap.render import _map_svg, _runtime
from jmap.render import svg as svg_module
from jmap.render.env import get_env
from jmap.render.filters import num
from jmap.render.svg import avatar_images, events, render_compiled, render_with_jinja
from jmap.review.diff import diff, diff_files

ROOT = Path(__file__).resolve().parent.parent
DIFF_CASES = ROOT / "tests" / "cases" / "diff"
DIFF_PAIRS = sorted(p.name.removesuffix(".old.yaml") for p in DIFF_CASES.glob("*.old.yaml"))


def _generator() -> ModuleType:
    return load_generator("gen_templates")


def both(positioned: Layout) -> tuple[str, str]:
    """The SVG of a layout through the compiled module and through Jinja."""
    variables = {"layout": positioned, "events": list(events(positioned.nodes))}
    return render_compiled(**variables), render_with_jinja(**variables)


def assert_same(positioned: Layout) -> None:
    compiled, jinja = both(positioned)
    assert compiled.encode() == jinja.encode()


# --- the module is the template ---------------------------------------------------------------


def test_generated_module_is_fresh() -> None:
    """src/jmap/render/_map_svg.py equals a fresh compile of templates/map.svg.j2.

    Never skipped: the test extra pins the Jinja the module was compiled with.
    """
    committed = (ROOT / "src" / "jmap" / "render" / "_map_svg.py").read_text(encoding="utf-8")
    assert committed == _generator().generate(), "run: python tools/gen_templates.py"


def test_module_keeps_the_template_it_was_compiled_from() -> None:
    assert (ROOT / "templates" / "map.svg.j2").read_text(encoding="utf-8") == _map_svg.SOURCE
    assert svg_module.compiled_is_current()


def test_generator_refuses_what_the_runtime_lacks(monkeypatch: pytest.MonkeyPatch) -> None:
    """A template that needs a filter, a global, a loop variable or an inline if without else is refused."""
    gen = _generator()
    env = get_env()
    for source, needs in [
        ("{{ x|upper }}", "filters"),
        ("{{ range }}", "globals"),
        ("{% for a in b %}{{ loop.index }}{% endfor %}", "runtime names"),
        ("{{ a if b }}", "inline if"),
        ("{% if a is defined %}{% endif %}", "environment attributes"),
    ]:
        monkeypatch.setattr(env.loader, "get_source", lambda *_, s=source: (s, "t.j2", None))
        with pytest.raises(SystemExit, match=needs):
            gen.generate()


# --- both paths give the same bytes -----------------------------------------------------------


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_examples_render_the_same(path: Path) -> None:
    journey = check(path).journey()
    assert_same(layout(journey, avatar_images(journey)))


@pytest.mark.parametrize("name", DIFF_PAIRS)
def test_visual_diffs_render_the_same(name: str) -> None:
    journey, marks = diff_view(diff_files(DIFF_CASES / f"{name}.old.yaml", DIFF_CASES / f"{name}.new.yaml"))
    assert_same(layout(journey, None, marks))


@given(journeys())
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
def test_generated_maps_render_the_same(journey: Journey) -> None:
    assert_same(layout(journey))


@given(journeys(max_stages=3, max_personas=2), journeys(max_stages=3, max_personas=2))
@settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck))
def test_generated_diffs_render_the_same(old: Journey, new: Journey) -> None:
    journey, marks = diff_view(diff(old, new))
    assert_same(layout(journey, None, marks))


def test_hostile_maps_render_the_same() -> None:
    assert_same(layout(hostile_journey()))
    assert_same(layout(Journey(title="A\ufffeB\x01C", stages=(Stage(id="a", name="x\uffffy"),))))


NASTY = "</text><script>alert(1)</script> & \"quotes\" 'apos' <!-- --> ]]> {{ 7*7 }} {% if %} \x00\x08\ud800\uffff"
#: Values the template never gets from a layout, to compare escaping and finalize on their own.
VALUES: list[Any] = [NASTY, Markup("<b>safe & sound</b>"), Markup("\x01kept"), 7, -0.0, 2.5, None, True, "",
                     "\t\n\r", "é😀\u2028"]


def hostile_layout(value: Any) -> SimpleNamespace:
    """Every node kind with `value` in every printed text field, and numbers where `num` needs them."""
    def node(**fields: Any) -> SimpleNamespace:
        return SimpleNamespace(**fields)

    shape = {"cls": value, "fill": value, "stroke": value, "stroke_width": 1.5, "dash": value}
    line = node(text=value, x=1.234, y=-0.001)
    nodes = [
        ("open", node(id=value, cls=value, data=((value, value), ("k", value)), title=value)),
        ("text", node(cls=value, lines=[line, line], x=0, y=0, size=12, weight=value, color=value, anchor=value,
                      rtl=value, truncated=value, full=value)),
        ("text", node(cls="", lines=[], x=3.333, y=4, size=9.999, weight=400, color=value, anchor="start",
                      rtl=False, truncated=False, full="")),
        ("rect", node(x=0.005, y=1e6, w=2, h=3, rx=4, **shape)),
        ("path", node(d=value, **shape)),
        ("icon", node(name=value, x=1, y=2, scale=0.5, fill=value, color=value, stroke_width=2)),
        ("image", node(clip_id=value, cx=10, cy=10.5, r=3.25, href=value)),
        ("circle", node(cx=1, cy=2, r=3, **shape)),
        ("close", node()),
        ("open", {"id": value, "cls": "diff-ghost", "data": (), "title": ""}),  # items, not attributes
        ("close", {}),
    ]
    icons = [node(name=value, paths=[value, "M0 0"])]
    return node(width=100, height=50.5, font_family=value, theme=value, title=value, desc=value, icons=icons,
                background=value, nodes=nodes)


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_escaping_and_finalize_are_jinjas(value: Any) -> None:
    lay = hostile_layout(value)
    compiled = render_compiled(layout=lay, events=lay.nodes)
    assert compiled == render_with_jinja(layout=lay, events=lay.nodes)
    if value == NASTY:
        assert "<script>" not in compiled and "\x00" not in compiled and "{{ 7*7 }}" in compiled


class _Text(str):
    """A str subclass: escape() must convert it, not pass it as safe."""


class _Safe(Markup):
    """A Markup subclass: safe as it is."""


@given(st.text())
def test_escape_is_markupsafes(text: str) -> None:
    for value in (text, Markup(text), _Text(text), _Safe(text)):
        ours = _runtime.escape(value)
        assert ours == markupsafe.escape(value) and type(ours) is Markup


def test_escape_of_other_values_is_markupsafes() -> None:
    class Html:
        def __html__(self) -> str:
            return "<b>"

    for value in (None, 7, -0.0, 1e300, True, Html(), ("<", 1)):
        assert _runtime.escape(value) == markupsafe.escape(value)


@given(st.one_of(st.integers(-10**20, 10**20), st.floats(-1e15, 1e15), st.booleans(),
                 st.sampled_from([0, -0.0, 0.0, 1, 1.0, True, 0.005, -0.005, 2.675])))
def test_num_prints_any_number_as_fmt_does(value: float) -> None:
    """The cached `num` filter (equal numbers share an entry: 1, 1.0 and True) prints as fmt does."""
    assert num(value) == fmt(value) and type(num(value)) is Markup


# --- StrictUndefined --------------------------------------------------------------------------


def failures(**variables: Any) -> tuple[BaseException, BaseException]:
    """What each path raises for these variables."""
    raised = []
    for render in (render_compiled, render_with_jinja):
        with pytest.raises(Exception) as info:
            render(**variables)
        raised.append(info.value)
    return raised[0], raised[1]


def test_a_missing_name_raises() -> None:
    ours, jinjas = failures(layout=hostile_layout("x"))
    assert isinstance(ours, _runtime.UndefinedError) and isinstance(jinjas, jinja2.UndefinedError)
    assert str(ours) == str(jinjas) == "'events' is undefined"


@pytest.mark.parametrize("missing", ["fill", "cls", "d", "stroke"])
def test_a_missing_attribute_raises_never_prints_empty(missing: str) -> None:
    lay = hostile_layout("x")
    path = vars(lay.nodes[4][1]).copy()
    del path[missing]
    events = [("path", SimpleNamespace(**path))]
    ours, jinjas = failures(layout=lay, events=events)
    assert type(ours).__name__ == type(jinjas).__name__ == "UndefinedError"
    assert str(ours) == str(jinjas) == f"'types.SimpleNamespace object' has no attribute '{missing}'"


def test_a_missing_number_raises() -> None:
    """`num` (its cache hashes the value) fails on an undefined number under either path."""
    lay = hostile_layout("x")
    events = [("circle", SimpleNamespace(cls="", cx=1, cy=2, fill="#000000", stroke="none"))]
    ours, jinjas = failures(layout=lay, events=events)
    assert type(ours).__name__ == type(jinjas).__name__ == "UndefinedError"
    assert str(ours) == str(jinjas) == "'types.SimpleNamespace object' has no attribute 'r'"


def test_a_missing_item_raises() -> None:
    """`n.lines[0]` on lines without an item 0: the lookup's undefined fails at `.x`."""
    lay = hostile_layout("x")
    events = [("text", SimpleNamespace(**{**vars(lay.nodes[1][1]), "lines": {"a": 1}}))]
    ours, jinjas = failures(layout=lay, events=events)
    assert type(ours).__name__ == type(jinjas).__name__ == "UndefinedError"
    assert str(ours) == str(jinjas) == "dict object has no element 0"


def test_undefined_values_fail_on_every_use() -> None:
    undefined = _runtime.StrictUndefined(name="x")
    uses = [str, bool, len, iter, hash, lambda u: u == 1, lambda u: u + 1, lambda u: u.attr, lambda u: u[0],
            lambda u: 1 in u, lambda u: u < 1, _runtime.escape]
    for use in uses:
        with pytest.raises(_runtime.UndefinedError, match="'x' is undefined"):
            use(undefined)


# --- an edited template ----------------------------------------------------------------------


@pytest.fixture
def edited_templates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """jmap's templates folder, copied and with map.svg.j2 edited, as the one jmap reads."""
    folder = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", folder)
    template = folder / "map.svg.j2"
    template.write_text(template.read_text(encoding="utf-8").replace("<defs>", "<defs><!-- edited -->"),
                        encoding="utf-8")
    import jmap.resources

    monkeypatch.setattr(jmap.resources, "_PACKAGE", tmp_path)
    get_env.cache_clear()
    yield template
    get_env.cache_clear()


def test_an_edited_template_renders_through_jinja(edited_templates: Path) -> None:
    journey = check(EXAMPLES[0]).journey()
    positioned = layout(journey, avatar_images(journey))  # fonts and images before the templates move
    assert not svg_module.compiled_is_current()
    svg = svg_module.render_layout_svg(positioned)
    assert "<defs><!-- edited -->" in svg
    edited_templates.write_text(_map_svg.SOURCE, encoding="utf-8")
    assert svg_module.compiled_is_current()  # read again at every render: `jmap watch` sees the change
    assert "<!-- edited -->" not in svg_module.render_layout_svg(positioned)


def test_a_crlf_checkout_of_the_template_is_current(edited_templates: Path) -> None:
    """Git for Windows may check the template out with CRLF; Jinja reads it as the same template."""
    edited_templates.write_bytes(_map_svg.SOURCE.replace("\n", "\r\n").encode("utf-8"))
    assert svg_module.compiled_is_current()


def test_other_environment_options_send_rendering_to_jinja(monkeypatch: pytest.MonkeyPatch) -> None:
    """The compiled code depends on the environment's options too (env.py edited, not regenerated)."""
    assert svg_module.compiled_is_current()
    monkeypatch.setitem(svg_module.TEMPLATE_OPTIONS, "trim_blocks", False)
    assert not svg_module.compiled_is_current()


def test_a_current_template_never_reaches_jinja(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(**_: Any) -> str:
        raise AssertionError("rendered by Jinja")

    monkeypatch.setattr(svg_module, "render_with_jinja", refuse)
    svg_module.render_svg(check(EXAMPLES[0]).journey())


# --- no jinja2 -------------------------------------------------------------------------------


def test_rendering_svg_imports_no_jinja() -> None:
    code = ("import sys; from jmap.api import check; from jmap.render.svg import render_svg; "
            "svg = render_svg(check(sys.argv[1]).journey()); assert svg.startswith('<?xml'); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'jinja2' or m == 'jmap.render.env'))")
    out = subprocess.run([sys.executable, "-c", code, str(ROOT / "examples" / "online-shop.yaml")],
                         capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
