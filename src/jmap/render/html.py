"""The interactive HTML map: one self-contained page that opens from disk.

The page holds the map's SVG inline, with jmap's own stylesheet and script, the
bundled fonts reduced to the characters the map uses (as `data:` URIs: chunks of
Inter made ahead of time, exact subsets of the others), and the text the tooltips
show as a JSON island. Nothing is fetched from anywhere.

Safety with hostile maps rests on four rules:

* map text reaches the page only through the shared Jinja environment (autoescape
  on) or through the JSON island, where `<`, `>`, `&`, U+2028 and U+2029 are
  escaped, so no text can close the `<script>` element or break out of JSON;
* the stylesheet and the script are jmap's own files; the stylesheet gets only
  colours that pass the `#rrggbb` check again here, never map text;
* links are emitted only for `http`, `https` and `mailto` URLs;
* a Content-Security-Policy allows exactly the inline script and styles, by the
  SHA-256 of their bytes, and no network access at all.

The output is deterministic: the same map gives the same bytes.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from markupsafe import Markup

from jmap.model.lanes import spec
from jmap.model.model import LANE_TITLES, Journey, Kpi, Research, StageOrStep
from jmap.resources import data_dir

if TYPE_CHECKING:
    from jmap.layout.geometry import Layout
    from jmap.model.themes import ResolvedTheme

TEMPLATE = "map.html.j2"

_HEX = re.compile(r"#[0-9a-fA-F]{6}")
_SAFE_URL = re.compile(r"(?:https?://|mailto:)[^\s\"<>\\`\x00-\x1f\x7f]+", re.IGNORECASE)
_STYLE_ELEMENT = re.compile(r"<style\b[^>]*>(.*?)</style\s*>", re.DOTALL | re.IGNORECASE)

#: The bundled fonts, by CSS family and weight range; the families of `FONT_STACK`.
#: Semibold Arabic and Hebrew are drawn with the Bold files (as the metrics assume).
FONT_FACES: tuple[tuple[str, str, str], ...] = (
    ("Inter", "100 500", "Inter-Regular.otf"),
    ("Inter", "600 900", "Inter-SemiBold.otf"),
    ("Noto Sans Arabic", "100 500", "NotoSansArabic-Regular.ttf"),
    ("Noto Sans Arabic", "600 900", "NotoSansArabic-Bold.ttf"),
    ("Noto Sans Hebrew", "100 500", "NotoSansHebrew-Regular.ttf"),
    ("Noto Sans Hebrew", "600 900", "NotoSansHebrew-Bold.ttf"),
)

#: Characters every page gets besides printable ASCII: what the script and the map's
#: labels draw (separators, quotes, minus, KPI targets), so that most maps in one
#: language share one subset (and its cache entry).
_UI_CHARS = "\u00a0\u00b7\u2026\u2013\u2014\u201c\u201d\u2018\u2019\u2212\u203a\u2264\u2265"

#: Theme colour -> CSS variable of the page around the map.
_PAGE_COLORS = (
    ("--bg", "background"),
    ("--map-bg", "background"),
    ("--surface", "surface"),
    ("--fg", "text"),
    ("--muted", "text_muted"),
    ("--accent", "accent"),
    ("--on-accent", "on_accent"),
    ("--focus", "accent"),
    ("--line", "grid"),
    ("--card", "card"),
    ("--card-border", "card_border"),
)

_KIND_LABELS = {
    "usability-test": "Usability test",
    "social-media": "Social media",
    "support-tickets": "Support tickets",
}
_CHANNEL_LABELS = {"mobile-app": "Mobile app", "word-of-mouth": "Word of mouth", "sms": "SMS"}


# --- public API -----------------------------------------------------------------------


def render_html(journey: Journey) -> str:
    """The interactive map of a journey as one self-contained HTML page."""
    from jmap.layout.engine import layout
    from jmap.model.themes import resolve_theme
    from jmap.render.svg import avatar_images, render_layout_svg

    theme = resolve_theme(journey.theme)
    avatars = avatar_images(journey)
    positioned = layout(journey, avatars)
    dark_theme = None
    dark_rules: dict[str, str] = {}
    if follows_os(journey):
        dark_journey = journey._replace(theme=journey.theme._replace(name="dark"))
        positioned, dark_rules = with_dark_rules(positioned, layout(dark_journey, avatars))
        # Without dark colours for the map (layouts that do not line up), the page stays light.
        dark_theme = resolve_theme(dark_journey.theme) if dark_rules else None
    svg = render_layout_svg(positioned)
    cards = card_data(journey, positioned)
    return render_page(journey, svg, cards, theme, dark_theme, dark_rules, avatars)


def follows_os(journey: Journey) -> bool:
    """Whether the page follows the reader's light or dark preference.

    Only the default theme does, and only without colour overrides: a map that
    names a theme, or picks its own colours, keeps the look it asked for.
    """
    return journey.theme.name == "default" and not journey.theme.colors


def render_page(
    journey: Journey,
    svg: str,
    cards: Mapping[str, Mapping[str, Any]],
    theme: ResolvedTheme,
    dark_theme: ResolvedTheme | None = None,
    dark_rules: Mapping[str, str] | None = None,
    avatars: Mapping[str, str] | None = None,
) -> str:
    """The page around an already rendered SVG, with the tooltip data of its cards.

    `dark_theme` is the theme of the page when the reader prefers dark colours (None: the
    page keeps `theme`); `dark_rules` are the CSS rules (selector -> declaration) that give
    the SVG its dark colours (`with_dark_rules`); `avatars` the checked avatar images
    (persona id -> data URI) that the persona cards below the map show again.
    """
    from jmap.render.env import get_env

    context = page_context(journey, theme, dark_theme, avatars or {})
    dark_rules = {**(dark_rules or {}), **context.pop("dark_rules")}
    data = {"cards": dict(cards), "sources": _source_data(journey)}
    data_json = json_island(data)
    svg = inline_svg(svg)
    script = _static("jmap.js")
    base_css = theme_css(theme, dark_theme, dark_rules) + _static("jmap.css")

    def page(css: str) -> str:
        return get_env().get_template(TEMPLATE).render(
            css=Markup(css),
            js=Markup(script),
            svg=Markup(svg),
            data_json=Markup(data_json),
            **context,
        )

    # Render once without fonts to learn every character the page can show, then
    # embed the fonts subset to exactly those characters.
    draft = page(base_css)
    css = font_css(page_chars(draft)) + base_css
    context["page"]["csp"] = content_security_policy(script, [css, *svg_styles(svg)])
    return page(css)


# --- security helpers ----------------------------------------------------------------


def json_island(data: Any) -> str:
    """JSON for `<script type="application/json">`: deterministic and unable to end the element.

    `<`, `>` and `&` become `\\u003c`, `\\u003e` and `\\u0026` (so no `</script>` or
    `<!--` can appear), and U+2028/U+2029 are escaped for old JavaScript parsers.
    """
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for char, escaped in _JSON_ESCAPES:
        text = text.replace(char, escaped)
    return text


_JSON_ESCAPES = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))


def safe_url(url: str) -> str:
    """The URL when it is a plain http, https or mailto link; "" otherwise."""
    return url if _SAFE_URL.fullmatch(url) else ""


#: Avatars up to this size are shown again in the persona cards below the map (larger
#: ones only in the map, so the page does not carry them twice).
MAX_REPEATED_AVATAR = 64 * 1024
_AVATAR_URI = re.compile(r"data:image/(?:png|jpeg);base64,[A-Za-z0-9+/]+={0,2}")


def safe_avatar(uri: str) -> str:
    """A checked avatar's data URI when it is a small PNG or JPEG; "" otherwise."""
    return uri if len(uri) <= MAX_REPEATED_AVATAR and _AVATAR_URI.fullmatch(uri) else ""


def safe_color(color: str, fallback: str = "#777777") -> str:
    """A `#rrggbb` colour, or the fallback: nothing else reaches CSS or an attribute."""
    return color.lower() if isinstance(color, str) and _HEX.fullmatch(color) else fallback


def csp_hash(text: str) -> str:
    """The CSP source expression allowing an inline element with exactly this text."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def content_security_policy(script: str, styles: Iterable[str]) -> str:
    """The page's policy: its own inline script and styles by hash, fonts and images as data, no network."""
    style_hashes = " ".join(sorted({csp_hash(style) for style in styles}))
    return (
        "default-src 'none'; "
        f"script-src {csp_hash(script)}; "
        f"style-src {style_hashes}; "
        "img-src data:; font-src data:; connect-src 'none'; "
        "base-uri 'none'; form-action 'none'"
    )


def inline_svg(svg: str) -> str:
    """The SVG document as an element to place in HTML.

    Without the XML declaration, and with `role="group"` instead of `role="img"` on the
    root: an image's content is hidden from assistive technology, and the page's cards
    inside it are focusable and described.
    """
    svg = svg.strip()
    if svg.startswith("<?xml"):
        svg = svg[svg.index("?>") + 2 :].lstrip()
    head_end = svg.index(">")
    head = svg[:head_end].replace(' role="img"', ' role="group"', 1)
    return head + svg[head_end:]


def svg_styles(svg: str) -> list[str]:
    """The text of `<style>` elements inside the SVG, as the browser hashes it.

    Inside inline SVG a `<style>` is parsed as foreign content, so character
    references in it are decoded before the browser computes its hash.
    """
    return [html.unescape(match) for match in _STYLE_ELEMENT.findall(svg)]


# --- colours -------------------------------------------------------------------------


def theme_css(theme: ResolvedTheme, dark_theme: ResolvedTheme | None, dark_rules: Mapping[str, str]) -> str:
    """CSS variables of the page in the map's theme, and the dark variant when the page follows the OS."""
    lines = [":root {" + _variables(theme) + " }"]
    if dark_theme is not None:
        rules = [":root {" + _variables(dark_theme) + " }"]
        rules += [f"{selector} {{ {declaration} }}" for selector, declaration in sorted(dark_rules.items())]
        lines.append("@media screen and (prefers-color-scheme: dark) {\n" + "\n".join(rules) + "\n}")
    return "\n".join(lines) + "\n"


def _variables(theme: ResolvedTheme) -> str:
    return " ".join(f"{name}: {safe_color(theme.colors[key])};" for name, key in _PAGE_COLORS)


_COLOR_FIELDS = {"rect": ("fill", "stroke"), "circle": ("fill", "stroke"), "path": ("fill", "stroke")}


class _Mismatch(Exception):
    """The light and the dark layout do not line up node for node."""


def with_dark_rules(light: Layout, dark: Layout) -> tuple[Layout, dict[str, str]]:
    """The light layout with a class on every node whose colour differs in the dark layout.

    Both layouts come from the same map in the default and the dark theme, so they
    hold the same nodes in the same order and differ only in colours. Each class
    (`jd-f-0f172a`: fill #0f172a) sets the dark colour from a media query, since CSS
    overrides the SVG's presentation attributes. Icons have no class and are matched
    by their stroke colour. Returns the layout and CSS rules (selector -> declaration);
    when the two layouts do not line up, the page stays light rather than guess.
    """
    from jmap.layout.geometry import Group, Icon, Text

    rules: dict[str, str] = {}
    icon_rules: dict[str, str] = {}

    def pairs(light_node: Any, dark_node: Any) -> list[tuple[str, str, str]]:
        if isinstance(light_node, Text):
            return [("fill", light_node.color, dark_node.color)]
        if isinstance(light_node, Icon):
            return [("stroke", light_node.color, dark_node.color), ("fill", light_node.fill, dark_node.fill)]
        fields = _COLOR_FIELDS.get(light_node.kind, ())  # images have no colour
        return [(attr, getattr(light_node, attr), getattr(dark_node, attr)) for attr in fields]

    def mark(light_node: Any, dark_node: Any) -> Any:
        if type(light_node) is not type(dark_node):
            raise _Mismatch
        if isinstance(light_node, Group):
            if len(light_node.children) != len(dark_node.children):
                raise _Mismatch
            children = tuple(mark(a, b) for a, b in zip(light_node.children, dark_node.children, strict=True))
            return light_node._replace(children=children)
        added = []
        for attr, before, after in pairs(light_node, dark_node):
            if before == after:
                continue
            color = safe_color(after, "")
            if not color or not safe_color(before, ""):
                raise _Mismatch
            if isinstance(light_node, Icon):
                icon_rules.setdefault(f'.viewport use[{attr}="{before}"]', f"{attr}: {color};")
                continue
            name = f"jd-{attr[0]}-{color[1:]}"
            rules[f".{name}"] = f"{attr}: {color};"
            added.append(name)
        if not added:
            return light_node
        return light_node._replace(cls=" ".join(filter(None, (light_node.cls, *added))))

    try:
        if len(light.nodes) != len(dark.nodes):
            raise _Mismatch
        nodes = tuple(mark(a, b) for a, b in zip(light.nodes, dark.nodes, strict=True))
    except _Mismatch:
        return light, {}
    background = safe_color(dark.background, "")
    if background and background != light.background:
        rules[".viewport svg > rect.background"] = f"fill: {background};"
    rules.update(icon_rules)
    return light._replace(nodes=nodes), rules


# --- fonts ---------------------------------------------------------------------------


def page_chars(page: str) -> str:
    """Every character a page can show, sorted: its text, the JSON island and printable ASCII."""
    chars = set(html.unescape(page)) | set(map(chr, range(0x20, 0x7F))) | set(_UI_CHARS)
    return "".join(sorted(c for c in chars if c.isprintable() or c == " "))


def font_css(chars: str) -> str:
    """`@font-face` rules for the bundled fonts, each reduced to the characters it can draw.

    Inter comes as the WOFF2 chunks tools/gen_font_chunks.py cut ahead of time (subsetting
    Inter here took 2.5 s a page): the page embeds each chunk that holds one of its
    characters, with that chunk's `unicode-range`. The small Noto fonts, and Inter when its
    chunks were not made from the font file shipped (a replaced font), are subset to exactly
    the page's characters here, as WOFF.
    """
    rules = []
    for family, weight, file in FONT_FACES:
        cmap = _cmap(file)
        used = "".join(c for c in chars if ord(c) in cmap and not c.isspace())
        # The Noto fonts are there for Arabic and Hebrew only; Inter draws everything else.
        if not used or (file.startswith("Noto") and not any(ord(c) > 0x7F for c in used)):
            continue
        codepoints = set(map(ord, used))
        chunks = [chunk for chunk in _chunks(file) or () if not chunk.codepoints.isdisjoint(codepoints)]
        texts = [_chunk_data(chunk) for chunk in chunks]
        if chunks and all(texts):
            sources = [("woff2", text, chunk.unicode_range) for chunk, text in zip(chunks, texts, strict=True)]
        else:  # no chunks for this font, or not from the font shipped, or a chunk file changed
            sources = [("woff", _base64(subset_font(file, used)), "")]
        for kind, data, unicode_range in sources:
            extent = f" unicode-range: {unicode_range};" if unicode_range else ""
            rules.append(
                f'@font-face {{ font-family: "{family}"; font-style: normal; font-weight: {weight}; '
                f'font-display: block; src: url("data:font/{kind};base64,{data}") format("{kind}");{extent} }}'
            )
    return "\n".join(rules) + "\n"


def _base64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


class FontChunk(NamedTuple):
    """One chunk of a font made ahead of time: its characters, as a set and as CSS; its file and digest."""

    codepoints: frozenset[int]
    unicode_range: str
    file: str
    sha256: str


@cache
def _manifest() -> Mapping[str, Any]:
    """src/jmap/fonts/chunks/manifest.json (tools/gen_font_chunks.py), or {} when it is missing or unreadable."""
    try:
        manifest = json.loads(_font_path("chunks/manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    fonts = manifest.get("fonts") if isinstance(manifest, dict) else None
    return fonts if isinstance(fonts, dict) else {}


@cache
def _prepared(file: str) -> Mapping[str, Any] | None:
    """The manifest's entry for a bundled font, only while it was made from exactly this font file."""
    entry = _manifest().get(file)
    if not isinstance(entry, dict) or entry.get("sha256") != hashlib.sha256(_font_path(file).read_bytes()).hexdigest():
        return None
    return entry


def _codepoints(ranges: str) -> frozenset[int]:
    """"0020-007E 00A0-00FF 0131" (the manifest's form) -> the codepoints."""
    out: set[int] = set()
    for part in ranges.split():
        first, _, last = part.partition("-")
        out.update(range(int(first, 16), int(last or first, 16) + 1))
    return frozenset(out)


def _unicode_range(ranges: str) -> str:
    """The manifest's ranges as a CSS `unicode-range` value: "U+20-7E, U+A0-FF, U+131"."""
    return ", ".join("U+" + "-".join(f"{int(end, 16):X}" for end in part.split("-")) for part in ranges.split())


@cache
def _chunks(file: str) -> tuple[FontChunk, ...] | None:
    """The chunks of a font made ahead of time, or None: none made, or not from this font file."""
    entry = _prepared(file)
    if entry is None or not isinstance(entry.get("chunks"), list):
        return None
    return tuple(
        FontChunk(_codepoints(chunk["ranges"]), _unicode_range(chunk["ranges"]), chunk["file"], chunk["sha256"])
        for chunk in entry["chunks"]
    )


@cache
def _chunk_data(chunk: FontChunk) -> str:
    """A chunk's WOFF2 as base64, or "" when its file is missing or not the one the manifest lists."""
    try:
        data = _font_path("chunks/" + chunk.file).read_bytes()
    except OSError:
        return ""
    return _base64(data) if hashlib.sha256(data).hexdigest() == chunk.sha256 else ""


@cache
def _cmap(file: str) -> frozenset[int]:
    """The characters a bundled font draws: from the manifest while it matches the font, else from the font."""
    entry = _prepared(file)
    if entry is not None and isinstance(entry.get("cmap"), str):
        return _codepoints(entry["cmap"])
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

    with TTFont(_font_path(file), lazy=True) as font:
        return frozenset(font.getBestCmap())


@lru_cache(maxsize=32)
def subset_font(file: str, chars: str) -> bytes:
    """The font `file` as WOFF holding only the glyphs for `chars` (and what its features reach).

    Deterministic: the same font and characters give the same bytes (the font's
    timestamp is kept, zlib output is stable). Cached, as most maps of one language
    need the same subset.
    """
    import io

    from fontTools import subset  # type: ignore[import-untyped]
    from fontTools.ttLib import TTFont

    options = subset_options("woff")
    out = io.BytesIO()
    with TTFont(_font_path(file), recalcTimestamp=False) as font:
        subsetter = subset.Subsetter(options)
        subsetter.populate(text=" " + chars)
        subsetter.subset(font)
        font.flavor = "woff"
        font.save(out, reorderTables=True)
    return out.getvalue()


def subset_options(flavor: str) -> Any:
    """fontTools' subsetting options for a page's fonts: the one list, also used by tools/gen_font_chunks.py."""
    from fontTools import subset

    options = subset.Options()
    options.flavor = flavor
    options.layout_features = [*options.layout_features, "tnum", "case"]
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]
    options.name_languages = [0x409]
    options.notdef_outline = True
    return options


def _font_path(file: str) -> Path:
    return data_dir("fonts") / file


# --- the page's content ----------------------------------------------------------------


@cache
def _static(name: str) -> str:
    return (data_dir("templates") / "html" / name).read_text(encoding="utf-8")


def page_context(
    journey: Journey, theme: ResolvedTheme, dark_theme: ResolvedTheme | None, avatars: Mapping[str, str]
) -> dict[str, Any]:
    """What the template shows besides the SVG: header, controls, personas, sources."""
    dark_rules: dict[str, str] = {}

    def dark_class(index: int, color: str) -> str:
        """A class giving a persona's line its dark-theme colour, where that differs."""
        if dark_theme is None:
            return ""
        dark = safe_color(journey.personas[index].color or dark_theme.persona_color(index))
        if dark == color:
            return ""
        dark_rules[f".jd-s-{dark[1:]}"] = f"stroke: {dark};"
        return f"jd-s-{dark[1:]}"

    curves = []
    for index, persona in enumerate(journey.personas):
        color = safe_color(persona.color or theme.persona_color(index))
        curves.append(
            {
                "id": persona.id,
                "name": persona.name,
                "color": color,
                "dash": _dash(theme.persona_dash(index)),
                "dark": dark_class(index, color),
            }
        )
    personas = []
    for index, persona in enumerate(journey.personas):
        color = safe_color(persona.color or theme.persona_color(index))
        age = f"{persona.age}" if persona.age is not None else ""
        who = " \u00b7 ".join(part for part in (persona.role, age, persona.location) if part)
        lists = [
            (heading, items)
            for heading, items in (
                ("Goals", persona.goals),
                ("Needs", persona.needs),
                ("Expectations", persona.expectations),
                ("Frustrations", persona.frustrations),
            )
            if items
        ]
        personas.append(
            {
                "id": persona.id,
                "name": persona.name,
                "who": who,
                "quote": persona.quote,
                "initials": persona.initials,
                "avatar": safe_avatar(avatars.get(persona.id, "")),
                "color": color,
                "dash": _dash(theme.persona_dash(index)),
                "dark": dark_class(index, color),
                "ink": _ink_on(color),
                "lists": lists,
            }
        )
    sources = [
        {
            "id": source.id,
            "title": source.title,
            "url": safe_url(source.url),
            "what": _source_what(source),
            "summary": source.summary,
        }
        for source in journey.research
    ]
    return {
        "page": {
            "title": journey.title,
            "description": journey.description,
            "owner": journey.owner,
            "tags": journey.tags,
            "theme": "auto" if dark_theme is not None else journey.theme.name,
            "color_scheme": "light dark" if dark_theme is not None else _scheme(theme),
            "source": Path(journey.source).name if journey.source else "",
            "csp": "",
        },
        "lanes": [{"id": lane.id, "name": lane.name} for lane in journey.lanes if spec(lane.id).toggle],
        "curves": curves,
        "stages": [
            {"id": stage.id, "name": stage.name, "steps": [{"id": step.id, "name": step.name} for step in stage.steps]}
            for stage in journey.stages
        ],
        "personas": personas,
        "sources": sources,
        "dark_rules": dark_rules,
    }


def _dash(dash: str) -> str:
    """An SVG dash array from the theme (numbers and spaces only), or ""."""
    return dash if re.fullmatch(r"[0-9. ]{1,40}", dash) else ""


def _scheme(theme: ResolvedTheme) -> str:
    from jmap.model.themes import relative_luminance

    return "dark" if relative_luminance(safe_color(theme.colors["background"], "#ffffff")) < 0.2 else "light"


def _ink_on(color: str) -> str:
    from jmap.model.themes import contrast_ratio

    return max(("#ffffff", "#111111"), key=lambda ink: contrast_ratio(ink, color))


def _kind(kind: str) -> str:
    return _KIND_LABELS.get(kind, kind.replace("-", " ").capitalize())


def _source_what(source: Research) -> str:
    parts = [_kind(source.kind)]
    if source.date:
        parts.append(source.date)
    if source.sample_size is not None:
        parts.append(f"n\u00a0=\u00a0{source.sample_size:,}")
    return " \u00b7 ".join(parts)


def _source_data(journey: Journey) -> dict[str, dict[str, Any]]:
    return {
        source.id: {
            "n": number,
            "title": source.title,
            "kind": _kind(source.kind),
            "date": source.date,
            "sample": f"n\u00a0=\u00a0{source.sample_size:,}" if source.sample_size is not None else "",
            "summary": source.summary,
        }
        for number, source in enumerate(journey.research, start=1)
    }


# --- tooltip data of the cards ---------------------------------------------------------


@dataclass(frozen=True)
class CardRef:
    """Where a card's content lives in the model: a column (stage or step), a lane, a position."""

    column: str
    lane: str
    index: int


def card_data(journey: Journey, positioned: Layout) -> dict[str, dict[str, Any]]:
    """Tooltip content for every card of the layout, by the card's `data-id`.

    Cards are found by structure: each cell (a group with `data-lane` and
    `data-stage`/`data-step`) holds its items' groups in the order of the model.
    """
    from jmap.layout.geometry import Group

    items = dict(model_items(journey))
    out: dict[str, dict[str, Any]] = {}
    for cell in positioned.walk():
        if not isinstance(cell, Group) or "cell" not in cell.cls.split():
            continue
        data = dict(cell.data)
        column = data.get("step") or data.get("stage", "")
        cards = [g for g in cell.children if isinstance(g, Group) and "item" in g.cls.split()]
        for index, card in enumerate(cards):
            info = items.get(CardRef(column, data.get("lane", ""), index))
            key = card_key(card)
            if info is None or not key:
                continue
            if "assumption" in card.cls.split():  # as the picture marks it
                info = {**info, "assumption": True}
            out[key] = info
    out.update(point_data(journey, positioned))
    return out


_SCORE_WORDS = {2: "very positive", 1: "positive", 0: "neutral", -1: "negative", -2: "very negative"}


def point_data(journey: Journey, positioned: Layout) -> dict[str, dict[str, Any]]:
    """Tooltips of the emotion curve's points, keyed `point:<persona>:<column>` as the script keys them."""
    from jmap.layout.geometry import Group

    personas = {p.id: p.name for p in journey.personas}
    columns: dict[str, str] = {}
    for stage in journey.stages:
        columns[stage.id] = stage.name
        for step in stage.steps:
            columns[step.id] = f"{stage.name} \u203a {step.name}"
    out: dict[str, dict[str, Any]] = {}
    for node in positioned.walk():
        if not isinstance(node, Group) or "point" not in node.cls.split():
            continue
        data = dict(node.data)
        persona, column = data.get("persona", ""), data.get("step") or data.get("stage", "")
        try:
            score = float(data.get("score", ""))
        except ValueError:
            continue
        word = _SCORE_WORDS[max(-2, min(2, round(score)))]
        name = personas.get(persona, "Customer")
        out[f"point:{persona}:{column}"] = {
            "lane": "Emotion",
            "stage": columns.get(column, column),
            "text": f"{name}: {_quantity(score, '')} ({word})",
            "evidence": [],
            "facts": [["Scale", "\u22122 (very negative) to +2 (very positive)"]],
        }
    return out


def card_key(card: Any) -> str:
    """The key of a card in the JSON island: its `data-id`, else its element id."""
    return str(dict(card.data).get("id") or card.id)


def model_items(journey: Journey) -> Iterator[tuple[CardRef, dict[str, Any]]]:
    """Every item of every column, with the text its tooltip shows."""
    lane_names = {lane.id: lane.name for lane in journey.lanes}
    for stage in journey.stages:
        columns: list[tuple[StageOrStep, str]] = [(stage, stage.name)]
        columns += [(step, f"{stage.name} \u203a {step.name}") for step in stage.steps]
        for column, where in columns:
            # Research the column (or its stage) cites backs the items that cite none themselves.
            backing = list(dict.fromkeys((*column.evidence, *stage.evidence)))
            for lane in (*LANE_TITLES, *(lane_id for lane_id, _ in column.lanes.custom)):
                name = lane_names.get(lane, LANE_TITLES.get(lane, lane))
                if lane == "evidence":
                    sources = [journey.research_by_id(e) for e in column.evidence]
                    for index, source in enumerate(s for s in sources if s is not None):
                        yield CardRef(column.id, lane, index), source_info(source, name, where)
                    continue
                for index, item in enumerate(column.lanes.items(lane)):
                    yield CardRef(column.id, lane, index), item_info(item, name, where, backing, lane, journey)


def item_info(item: Any, lane_name: str, where: str, backing: list[str] | None = None, lane: str = "",
              journey: Journey | None = None) -> dict[str, Any]:
    """The tooltip of one item: its full text, note, facts (as jmap.model.lanes lists them) and cited evidence.

    An item that cites nothing shows the research its stage cites (`backing`), marked
    as the stage's.
    """
    facts: list[list[str]] = []
    for fact in spec(lane).facts:
        value = str(getattr(item, fact.field, ""))
        if not value or value == item.text:  # e.g. a picture's alt text that stands as its text
            continue
        if fact.how == "channel":
            value = _CHANNEL_LABELS.get(value, value.replace("-", " ").capitalize())
        elif fact.how == "level":
            value = value.capitalize()
        elif fact.how == "persona":
            value = next((p.name for p in journey.personas if p.id == value), value) if journey else value
        facts.append([fact.label, value])
    if isinstance(item, Kpi):
        facts.append(["Value", _quantity(item.value, item.unit)])
        if item.target is not None:
            sign = "\u2264" if item.better == "lower" else "\u2265"
            facts.append(["Target", f"{sign} {_quantity(item.target, item.unit)}"])
            facts.append(["Status", "Target met" if item.met else "Target missed"])
    info: dict[str, Any] = {
        "lane": lane_name,
        "stage": where,
        "text": item.text,
        "evidence": list(item.evidence),
        "facts": facts,
    }
    if not item.evidence and backing:
        info["evidence"] = list(backing)
        info["inherited"] = True
    note = getattr(item, "note", "")
    if note:
        info["note"] = note
    return info


def source_info(source: Research, lane_name: str, where: str) -> dict[str, Any]:
    """The tooltip of a research source cited in the evidence lane."""
    return {"lane": lane_name, "stage": where, "text": source.title, "evidence": [source.id], "facts": []}


def _quantity(value: float, unit: str) -> str:
    if float(value).is_integer() and abs(value) < 1e15:
        number = f"{int(value):,}"
    else:
        number = f"{value:,.4f}".rstrip("0").rstrip(".")
    number = number.replace("-", "\u2212")
    if not unit:
        return number
    return f"{number}{unit}" if unit in ("%", "\u2030", "\u00b0") else f"{number} {unit}"
