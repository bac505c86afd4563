"""The interactive HTML page, without a browser: self-contained, locked down by CSP, deterministic, escaped.

The browser half (tooltips, toggles, print, hostile payloads actually not running) is
in test_browser.py.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest

from jmap import api
from jmap.render import html as page_html
from jmap.render.html import json_island, render_html, safe_color, safe_url

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(p for p in (ROOT / "examples").glob("*.yaml") if api.declares_format(p))
HOSTILE = ROOT / "tests" / "cases" / "xss" / "hostile.yaml"
PAYLOAD_MARKUP = (
    "<script>window.__xss",
    "<img src=x",
    "<svg onload",
    "<svg/onload",
    "<iframe",
    "</style><script>",
    "</script><script>",
    "<a href=\"javascript:",
    "<style>*{",
    "<b>x</b>",
    "<b>%</b>",
    ">" + "<i><",
)

WriteMap = Callable[..., Path]


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    """The HTML page of every example and of the hostile map, rendered once for the module."""
    return {path.stem: render_html(api.model(path)) for path in [*EXAMPLES, HOSTILE]}


# --- a small HTML reader ------------------------------------------------------------------


class Page(HTMLParser):
    """Elements with their attributes, and the text of every <script> and <style>."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.scripts: list[tuple[dict[str, str], str]] = []
        self.styles: list[str] = []
        self._raw: tuple[str, dict[str, str]] | None = None
        self._buffer: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        self.elements.append((tag, attributes))
        if tag in ("script", "style"):
            self._raw = (tag, attributes)
            self._buffer = []

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {name: value or "" for name, value in attrs}))

    def handle_data(self, data: str) -> None:
        if self._raw is not None:
            self._buffer.append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._raw is not None and tag == self._raw[0]:
            text = "".join(self._buffer)
            if tag == "script":
                self.scripts.append((self._raw[1], text))
            else:
                self.styles.append(text)
            self._raw = None

    def attributes(self, name: str) -> list[tuple[str, str]]:
        return [(tag, attrs[name]) for tag, attrs in self.elements if name in attrs]


def raw_blocks(text: str, tag: str) -> list[str]:
    """The exact text between <tag ...> and </tag> (what CSP hashes), in page order."""
    return re.findall(rf"<{tag}(?:\s[^>]*)?>(.*?)</{tag}>", text, re.DOTALL)


def csp_of(text: str) -> dict[str, list[str]]:
    match = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', text)
    assert match, "the page has no Content-Security-Policy meta tag"
    policy: dict[str, list[str]] = {}
    for directive in html.unescape(match.group(1)).split(";"):
        name, *values = directive.split()
        policy[name] = values
    return policy


def sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def island(text: str) -> str:
    match = re.search(r'<script type="application/json" id="jmap-data">(.*?)</script>', text, re.DOTALL)
    assert match
    return match.group(1)


# --- one self-contained file ----------------------------------------------------------------


@pytest.mark.parametrize("name", [p.stem for p in EXAMPLES] + ["hostile"])
def test_page_is_self_contained(pages: dict[str, str], name: str) -> None:
    text = pages[name]
    page = Page(text)
    source = HOSTILE if name == "hostile" else ROOT / "examples" / f"{name}.yaml"
    research = {s.url for s in api.model(source).research}
    tags = {tag for tag, _ in page.elements}
    assert not tags & {"link", "iframe", "object", "embed", "frame", "base", "form", "audio", "video"}
    for attr in ("src", "srcset", "action", "formaction", "poster", "data", "background"):
        for tag, value in page.attributes(attr):
            assert value.startswith("data:"), f"<{tag} {attr}={value!r}> loads a file"
    for tag, value in page.attributes("href") + page.attributes("xlink:href"):
        if tag in ("use", "image"):
            assert value.startswith(("#", "data:")), f"<{tag} href={value!r}> loads a file"
        elif not value.startswith("#"):
            assert tag == "a" and value in research and re.match(r"(https?://|mailto:)", value), value
    for style in page.styles:
        assert "@import" not in style
        for url in re.findall(r"url\(\s*['\"]?([^'\")]*)", style):
            assert url.startswith("data:"), url
    for _, script in page.scripts:
        network = r"fetch\(|XMLHttpRequest|WebSocket|EventSource|sendBeacon|import\(|innerHTML|eval\("
        assert not re.search(network, script)


_FACE = re.compile(r'@font-face \{ font-family: "([^"]+)"; font-style: normal; font-weight: ([0-9 ]+); '
                   r'font-display: block; src: url\("data:font/(woff2?);base64,([^"]+)"\) format\("(woff2?)"\);'
                   r'(?: unicode-range: ([^;]+);)? \}')


def font_faces(css: str) -> list[tuple[str, str, str, bytes, str]]:
    """(family, weight, format, font bytes, unicode-range) of each @font-face rule, checked to be well formed."""
    faces = [(family, weight, kind, base64.b64decode(data), extent or "")
             for family, weight, kind, data, declared, extent in _FACE.findall(css) if kind == declared]
    assert len(faces) == css.count("@font-face")
    return faces


def unicode_range(extent: str) -> set[int]:
    out: set[int] = set()
    for part in extent.split(", "):
        first, _, last = part.removeprefix("U+").partition("-")
        out.update(range(int(first, 16), int(last or first, 16) + 1))
    return out


def test_fonts_are_embedded_and_subset(pages: dict[str, str]) -> None:
    from fontTools.ttLib import TTFont

    css = Page(pages["kundenreise-de"]).styles[0]
    faces = font_faces(css)
    assert {family for family, *_ in faces} == {"Inter"}
    for weight in ("100 500", "600 900"):
        chunks = [(TTFont(io.BytesIO(data)).getBestCmap(), extent) for _, w, _, data, extent in faces if w == weight]
        assert len(chunks) in (1, 2)  # Latin, and Latin Extended-A for a Polish name
        drawn = set().union(*(cmap for cmap, _ in chunks))
        assert all(ord(c) in drawn for c in "Kundenreiseäöüß")
        for cmap, extent in chunks:
            assert set(cmap) == unicode_range(extent)  # each chunk draws exactly the characters it claims
            assert len(cmap) < 400  # a chunk, not the whole font (Inter has over 2,000 characters)
    assert len(pages["online-shop"]) < 600_000


def test_pages_embed_only_the_chunks_their_characters_touch(write_map: WriteMap) -> None:
    """Latin only: one chunk per weight; a Polish "ł" adds Latin Extended-A, Greek adds Greek."""
    def chunks_of(title: str) -> list[str]:
        css = Page(render_html(api.model(write_map(f"jmap: 1\ntitle: {title}\nstages:\n  - id: a\n    name: A\n"
                                                   "    emotion: 0\n")))).styles[0]
        faces = font_faces(css)
        assert {kind for _, _, kind, _, _ in faces} == {"woff2"}
        ranges = [unicode_range(extent) for *_, extent in faces]
        assert all(ranges)
        return sorted(next(name for name, first in page_html_chunk_names().items() if first in r) for r in ranges)

    assert chunks_of("Plain") == ["latin", "latin"]
    assert chunks_of("Łódź") == ["latin", "latin", "latin-ext-a", "latin-ext-a"]
    assert chunks_of("Ωmega") == ["greek", "greek", "latin", "latin"]


def page_html_chunk_names() -> dict[str, int]:
    """Chunk name -> its first codepoint, from the manifest."""
    manifest = json.loads((FONTS / "chunks" / "manifest.json").read_text(encoding="utf-8"))
    return {chunk["name"]: int(chunk["ranges"].split()[0].split("-")[0], 16)
            for chunk in manifest["fonts"]["Inter-Regular.otf"]["chunks"]}


FONTS = Path(__file__).resolve().parent.parent / "src" / "jmap" / "fonts"


def test_font_chunks_are_fresh() -> None:
    """src/jmap/fonts/chunks/ was made by tools/gen_font_chunks.py from exactly the bundled fonts.

    Never skipped: the digests of the fonts and the chunks, the chunk plan and each chunk's
    character map are compared (`python tools/gen_font_chunks.py --check` also compares bytes).
    """
    from fontTools.ttLib import TTFont
    from generators import load_generator

    tool = load_generator("gen_font_chunks")
    manifest = json.loads((FONTS / "chunks" / "manifest.json").read_text(encoding="utf-8"))
    assert sorted(manifest["fonts"]) == sorted(path.name for path in FONTS.glob("*.[ot]tf"))
    listed = set()
    for file, entry in manifest["fonts"].items():
        assert entry["sha256"] == hashlib.sha256((FONTS / file).read_bytes()).hexdigest(), \
            f"{file} changed: run python tools/gen_font_chunks.py"
        cmap = tool.cmap_of(file)
        assert entry["cmap"] == tool.to_ranges(cmap)
        if file not in tool.CHUNKED:
            assert "chunks" not in entry
            continue
        planned = [(name, tool.to_ranges(codepoints)) for name, codepoints in tool.plan(cmap)]
        assert [(chunk["name"], chunk["ranges"]) for chunk in entry["chunks"]] == planned
        for chunk in entry["chunks"]:
            data = (FONTS / "chunks" / chunk["file"]).read_bytes()
            assert hashlib.sha256(data).hexdigest() == chunk["sha256"]
            assert set(TTFont(io.BytesIO(data)).getBestCmap()) == tool.parse_ranges(chunk["ranges"])
            listed.add(chunk["file"])
    assert sorted(listed) == sorted(path.name for path in (FONTS / "chunks").glob("*.woff2"))


def test_plan_covers_every_character_once() -> None:
    from generators import load_generator

    tool = load_generator("gen_font_chunks")
    for file in tool.CHUNKED:
        cmap = tool.cmap_of(file)
        chunks = [codepoints for _, codepoints in tool.plan(cmap)]
        assert set().union(*chunks) == cmap and sum(map(len, chunks)) == len(cmap)


def test_a_latin_page_is_built_without_fonttools() -> None:
    """The point of the chunks: no subsetting (nor fontTools' import) while building a page."""
    code = ("import sys; from jmap import api; from jmap.render.html import render_html; "
            "page = render_html(api.model(sys.argv[1])); "
            "print('fontTools' in sys.modules, page.count('unicode-range: U+20-7E'))")
    out = subprocess.run([sys.executable, "-c", code, str(ROOT / "examples" / "online-shop.yaml")],
                         capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "2"]


def test_chunks_are_used_only_while_they_match_the_font(monkeypatch: pytest.MonkeyPatch, write_map: WriteMap) -> None:
    """A font replaced without regenerating the chunks: the page gets exact subsets of the font
    shipped, as before the chunks existed, never chunks of another font."""
    from fontTools.ttLib import TTFont

    manifest = json.loads((FONTS / "chunks" / "manifest.json").read_text(encoding="utf-8"))["fonts"]
    stale = {file: {**entry, "sha256": "0" * 64} for file, entry in manifest.items()}
    cached = (page_html._manifest, page_html._prepared, page_html._chunks, page_html._cmap)
    for function in cached:
        function.cache_clear()
    monkeypatch.setattr(page_html, "_manifest", lambda: stale)
    try:
        css = Page(render_html(api.model(write_map("jmap: 1\ntitle: Łódź\nstages:\n  - id: a\n    name: A\n"
                                                   "    emotion: 0\n")))).styles[0]
    finally:
        for function in cached[1:]:
            function.cache_clear()
    faces = font_faces(css)
    assert [(kind, extent) for _, _, kind, _, extent in faces] == [("woff", ""), ("woff", "")]
    for _, _, _, data, _ in faces:
        cmap = TTFont(io.BytesIO(data)).getBestCmap()
        assert ord("Ł") in cmap and ord("ź") in cmap and ord("Ω") not in cmap and len(cmap) < 150


def test_arabic_and_hebrew_fonts_only_when_the_map_needs_them(write_map: WriteMap) -> None:
    path = write_map("jmap: 1\ntitle: مرحبا שלום\nstages:\n  - id: a\n    name: A\n    emotion: 0\n")
    css = Page(render_html(api.model(path))).styles[0]
    assert '"Noto Sans Arabic"' in css and '"Noto Sans Hebrew"' in css
    assert all(ord(c) <= 0x7E or c in "·…–—“”‘’−›\u00a0" for c in "".join(Page(render_html(api.model(
        write_map("jmap: 1\ntitle: Plain\nstages:\n  - id: a\n    name: A\n    emotion: 0\n")))).styles))


# --- the Content-Security-Policy -------------------------------------------------------------


@pytest.mark.parametrize("name", ["online-shop", "hostile", "minimal"])
def test_csp_allows_exactly_the_inline_script_and_styles(pages: dict[str, str], name: str) -> None:
    text = pages[name]
    policy = csp_of(text)
    assert policy["default-src"] == ["'none'"]
    assert policy["connect-src"] == ["'none'"]
    assert policy["img-src"] == ["data:"]
    assert policy["font-src"] == ["data:"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["form-action"] == ["'none'"]
    page = Page(text)
    executable = [body for attrs, body in page.scripts if attrs.get("type") != "application/json"]
    assert len(executable) == 1
    assert policy["script-src"] == [sha256(executable[0])]
    assert "'unsafe-inline'" not in policy["style-src"] and "'unsafe-inline'" not in policy["script-src"]
    assert sorted(policy["style-src"]) == sorted({sha256(style) for style in page.styles})
    # What the browser hashes is the raw text between the tags.
    assert [sha256(s) for s in raw_blocks(text, "style")] == [sha256(s) for s in page.styles]
    # CSP would block inline handlers and style attributes: there are none.
    for _, attrs in page.elements:
        assert not [a for a in attrs if a.startswith("on")], attrs
        assert "style" not in attrs


def test_the_meta_policy_comes_before_any_script_or_style(pages: dict[str, str]) -> None:
    text = pages["online-shop"]
    assert text.index("Content-Security-Policy") < min(text.index("<style>"), text.index("<script"))


# --- deterministic ---------------------------------------------------------------------------


def test_same_map_same_bytes(pages: dict[str, str]) -> None:
    path = ROOT / "examples" / "online-shop.yaml"
    assert render_html(api.model(path)) == pages["online-shop"]


def test_same_bytes_in_a_fresh_process() -> None:
    """Another process (other hash seed, empty caches) writes the same page."""
    code = (
        "import sys, hashlib; from jmap import api; from jmap.render.html import render_html; "
        "sys.stdout.write(hashlib.sha256(render_html(api.model(sys.argv[1])).encode()).hexdigest())"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    here = hashlib.sha256(render_html(api.model(HOSTILE)).encode()).hexdigest()
    out = subprocess.run([sys.executable, "-c", code, str(HOSTILE)], capture_output=True, text=True, env=env,
                         check=True).stdout
    assert out == here


# --- the JSON island ---------------------------------------------------------------------------


NASTY = "</script><script>alert(1)</script> <!-- --> & \u2028\u2029 ' \" \\ {{7*7}} ]]>"


def test_json_island_cannot_end_its_element() -> None:
    text = json_island({"text": NASTY, NASTY: [NASTY]})
    for char in "<>&\u2028\u2029":
        assert char not in text
    assert "\\u003c/script\\u003e" in text
    assert json.loads(text) == {"text": NASTY, NASTY: [NASTY]}


def test_hostile_island_round_trips(pages: dict[str, str]) -> None:
    data = json.loads(island(pages["hostile"]))
    texts = [card["text"] for card in data["cards"].values()]
    assert "<script>window.__xss=1</script>" in texts
    assert any("{{7*7}}" in t for t in texts)
    assert data["sources"]["evil-source"]["title"] == "<script>window.__xss=1</script>"
    for char in "<>&\u2028\u2029":
        assert char not in island(pages["hostile"])


def test_tooltips_cover_every_card_with_full_text(pages: dict[str, str]) -> None:
    journey = api.model(ROOT / "examples" / "online-shop.yaml")
    data = json.loads(island(pages["online-shop"]))
    card_ids = re.findall(r'<g id="(item-[^"]+)"', pages["online-shop"])
    assert card_ids and set(card_ids) <= set(data["cards"])
    pain = next(c for c in data["cards"].values() if c["text"] == "Landing page takes 6 s on mobile data")
    assert pain["note"] == journey.stages[0].lanes.pain_points[0].note
    assert ["Severity", "High"] in pain["facts"] and pain["evidence"] == ["ga-2026q3"]
    owner = next(c for c in data["cards"].values() if c["text"].startswith("Guest checkout"))
    assert ["Owner", "product"] in owner["facts"]
    assert data["sources"]["ga-2026q3"]["summary"].startswith("71%")
    assert any(key.startswith("point:maya:") for key in data["cards"])


# --- hostile maps ---------------------------------------------------------------------------------


def test_hostile_payloads_are_escaped_in_html(pages: dict[str, str]) -> None:
    text = pages["hostile"]
    for markup in PAYLOAD_MARKUP:
        assert markup not in text, markup
    assert "{{7*7}}" in text  # shown as text, never evaluated
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in text
    page = Page(text)
    assert [tag for tag, _ in page.elements].count("script") == 2
    assert not [attrs for _, attrs in page.elements if any(a.startswith("on") for a in attrs)]
    for _, href in page.attributes("href"):
        assert not href.lower().lstrip().startswith(("javascript:", "data:", "vbscript:"))


def test_hostile_payloads_are_escaped_in_svg() -> None:
    svg = api.render_svg(api.model(HOSTILE))
    for markup in PAYLOAD_MARKUP:
        assert markup not in svg, markup
    root = ET.fromstring(svg)
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1]
        assert tag not in ("script", "foreignObject", "image", "iframe", "a", "style"), tag
        for name, value in element.attrib.items():
            assert not name.rsplit("}", 1)[-1].startswith("on"), name
            assert "javascript:" not in value.lower() or name.endswith("label"), (name, value)


def test_only_http_https_and_mailto_links() -> None:
    assert safe_url("https://example.com/a?b=1") == "https://example.com/a?b=1"
    assert safe_url("mailto:team@example.com") == "mailto:team@example.com"
    assert safe_url("HTTP://EXAMPLE.COM") == "HTTP://EXAMPLE.COM"
    for bad in ("javascript:alert(1)", " javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,x",
                "vbscript:x", "//example.com", "/etc/passwd", "https://a b", "https://x\n", "https://x\"y",
                "file:///etc/passwd", "java\tscript:x", ""):
        assert safe_url(bad) == "", bad


def test_only_validated_colours() -> None:
    assert safe_color("#A1b2C3") == "#a1b2c3"
    for bad in ("red;background:url(x)", "#fff", "#12345g", "expression(alert(1))", "#123456;", ""):
        assert safe_color(bad, "") == ""


@pytest.mark.parametrize(
    ("snippet", "where"),
    [
        ("research:\n  - {id: r, kind: other, title: R, url: 'javascript:window.__xss=1'}\n", "url"),
        ("research:\n  - {id: r, kind: other, title: R, url: 'JAVASCRIPT:alert(1)'}\n", "url"),
        ("research:\n  - {id: r, kind: other, title: R, url: 'https://x\"><script>'}\n", "url"),
        ("personas:\n  - {id: p, name: P, color: 'red;background:url(x)'}\n", "color"),
        ("personas:\n  - {id: p, name: P, color: '#fff\" onload=\"x'}\n", "color"),
        ("theme: {name: default, colors: {accent: 'red;}</style><script>x</script>'}}\n", "accent"),
        ("personas:\n  - {id: '\"><img src=x>', name: P}\n", "id"),
        ("personas:\n  - {id: p, name: P, avatar: 'javascript:x.png'}\n", "avatar"),
        ("theme: '</style><script>x</script>'\n", "theme"),
    ],
)
def test_schema_rejects_payloads_where_only_restricted_values_go(write_map: WriteMap, snippet: str,
                                                                  where: str) -> None:
    text = "jmap: 1\ntitle: T\n" + snippet + "stages:\n  - id: a\n    name: A\n    emotion: 0\n"
    result = api.check(write_map(text))
    assert result.errors, f"the {where} payload was accepted"


def test_schema_rejects_a_payload_channel(write_map: WriteMap) -> None:
    text = ("jmap: 1\ntitle: T\nstages:\n  - id: a\n    name: A\n    emotion: 0\n"
            "    touchpoints:\n      - {channel: '<script>x</script>', name: N}\n")
    assert api.check(write_map(text)).errors


# --- themes, personas, sources ----------------------------------------------------------------------


def test_default_theme_follows_the_os_and_named_themes_keep_theirs(write_map: WriteMap) -> None:
    base = "jmap: 1\ntitle: T\nstages:\n  - id: a\n    name: A\n    emotion: 0\n    pain_points: [P]\n"
    default = render_html(api.model(write_map(base)))
    assert "prefers-color-scheme: dark" in default and 'content="light dark"' in default
    assert 'data-theme="auto"' in default
    assert re.search(r"\.jd-f-[0-9a-f]{6}", default)  # the SVG's dark colours
    for theme, scheme in (("dark", "dark"), ("print", "light"), ("high-contrast", "light")):
        fixed = render_html(api.model(write_map(base.replace("title: T", f"title: T\ntheme: {theme}"))))
        assert "prefers-color-scheme" not in fixed, theme
        assert f'data-theme="{theme}"' in fixed and f'name="color-scheme" content="{scheme}"' in fixed
    overridden = render_html(api.model(write_map(base.replace(
        "title: T", "title: T\ntheme: {name: default, colors: {accent: '#aa0000'}}"))))
    assert "prefers-color-scheme" not in overridden and "--accent: #aa0000;" in overridden


def test_dark_mode_reaches_palette_persona_lines(write_map: WriteMap) -> None:
    text = render_html(api.model(write_map(
        "jmap: 1\ntitle: T\npersonas:\n  - {id: a, name: Ann}\n  - {id: b, name: Bob}\n"
        "stages:\n  - id: s\n    name: S\n    emotion: {a: 1, b: -1}\n")))
    dark = text.split("prefers-color-scheme: dark", 1)[1].split("\n}\n", 1)[0]
    for swatch in re.findall(r'<path d="M1 5H21"[^>]*class="(jd-s-[0-9a-f]{6})"', text):
        assert f".{swatch} {{ stroke: #{swatch[5:]}; }}" in dark


def test_layouts_that_do_not_line_up_keep_the_page_light(write_map: WriteMap) -> None:
    from jmap.layout.engine import layout

    one = api.model(write_map("jmap: 1\ntitle: T\nstages:\n  - {id: a, name: A, emotion: 0}\n", "one.yaml"))
    two = api.model(write_map("jmap: 1\ntitle: T\nstages:\n  - {id: a, name: A, emotion: 0}\n"
                              "  - {id: b, name: B, emotion: 1}\n", "two.yaml"))
    light = layout(one)
    assert page_html.with_dark_rules(light, layout(two)) == (light, {})


def test_personas_and_sources_are_html(pages: dict[str, str]) -> None:
    text = pages["online-shop"]
    sources = re.search(r'<ol class="sources">(.*?)</ol>', text, re.DOTALL)
    assert sources
    items = re.findall(r'<li id="jmap-source-([^"]+)">', sources.group(1))
    assert items == ["ga-2026q3", "interviews-oct", "returns-survey", "checkout-test", "tickets-q3"]
    assert '<a class="src" href="https://analytics.example.com/lumen-loom/reports/2026-q3"' in sources.group(1)
    assert "Nine of twelve first-time buyers" in sources.group(1)
    personas = re.findall(r'<li class="persona" id="jmap-persona-([^"]+)">', text)
    assert personas == ["maya", "jon"]
    assert text.count('<img class="avatar" src="data:image/png;base64,') == 1  # Maya's photo; Jon has initials
    assert "I shop on my phone in the twenty minutes after bedtime." in text


def test_page_has_landmarks_headings_and_labelled_controls(pages: dict[str, str]) -> None:
    page = Page(pages["online-shop"])
    tags = [tag for tag, _ in page.elements]
    for landmark in ("header", "nav", "main", "footer", "h1", "h2"):
        assert landmark in tags, landmark
    assert [attrs.get("aria-label") for tag, attrs in page.elements if tag == "nav"] == ["Map controls"]
    assert '<html lang="en"' in pages["online-shop"]
    toggles = [attrs for tag, attrs in page.elements if tag == "input"]
    assert {t["data-toggle"] for t in toggles} == {"lane", "persona"}
    assert all(t["type"] == "checkbox" for t in toggles)
    assert all(attrs.get("type") == "button" for tag, attrs in page.elements if tag == "button")
    svg_roots = [attrs for tag, attrs in page.elements if tag == "svg" and "viewbox" in attrs and "role" in attrs]
    assert svg_roots[0]["role"] == "group"  # an img role would hide the focusable cards


def test_render_page_uses_the_shared_environment() -> None:
    assert "Environment(" not in Path(page_html.__file__).read_text(encoding="utf-8")


def test_a_changed_chunk_file_is_not_embedded() -> None:
    """A chunk whose bytes are not the ones the manifest lists (or that is missing) is never embedded."""
    chunks = page_html._chunks("Inter-Regular.otf")
    assert chunks is not None
    latin = chunks[0]
    assert page_html._chunk_data(latin)  # the shipped chunk, as listed
    assert page_html._chunk_data(latin._replace(sha256="0" * 64)) == ""
    assert page_html._chunk_data(latin._replace(file="missing.woff2")) == ""
