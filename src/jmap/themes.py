"""Themes: the colours, type sizes and line weights a map is drawn with.

A theme is a folder ``jmap/themes/<name>/`` holding a ``theme.toml`` manifest::

    name = "dark"
    extends = "default"          # optional: start from another theme

    [colors]                     # "#rrggbb"; see COLOR_KEYS for the meaning of each
    background = "#0f172a"

    [type]                       # font sizes in px
    body = 13

    [strokes]                    # line widths in px
    card_border = 1

    [palettes]
    personas = ["#0072b2", ...]  # persona curves, when a persona has no colour
    persona_dashes = ["", "6 3"] # SVG dash arrays per persona ("" = solid)
    chapters = ["#e9eef6", ...]  # chapter header tints, cycled

A manifest is read with ``tomllib`` once per process. ``extends`` may chain
(print -> default) and a cycle is an error. :func:`resolve_theme` then applies
what a map asks for in ``theme:`` (a font size, a few colour overrides).

The records are NamedTuples (with evaluated annotations, see jmap.model) and
``tomllib`` is imported when a manifest is first read: this module is imported by
every build, and a dataclass or an eager import costs milliseconds there.
"""

import re
from collections.abc import Mapping
from functools import cache, lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

from jmap.diagnostics import clip
from jmap.model import Theme

DEFAULT_THEME = "default"

#: Every colour a theme provides, with what the renderer uses it for.
COLOR_KEYS: dict[str, str] = {
    "background": "The page behind everything.",
    "surface": "Panels on the page: the header, persona cards, the legend.",
    "text": "Body text: card text, lane labels, stage names on tints.",
    "text_muted": "Secondary text: descriptions, durations, owners, sources, units.",
    "accent": "The timeline, stage headers, headings and highlights.",
    "on_accent": "Text and icons drawn on an accent fill (stage header labels).",
    "grid": "Lane and column lines.",
    "card": "The fill of an item card (action, touchpoint, thought ...).",
    "card_border": "The outline of an item card.",
    "lane_label_bg": "The fill of the lane-label column on the left.",
    "severity_low_bg": "Pain point card fill, severity low.",
    "severity_low_fg": "Pain point border, icon and badge text, severity low.",
    "severity_medium_bg": "Pain point card fill, severity medium.",
    "severity_medium_fg": "Pain point border, icon and badge text, severity medium.",
    "severity_high_bg": "Pain point card fill, severity high.",
    "severity_high_fg": "Pain point border, icon and badge text, severity high.",
    "severity_critical_bg": "Pain point card fill, severity critical.",
    "severity_critical_fg": "Pain point border, icon and badge text, severity critical.",
    "priority_low_bg": "Opportunity card fill, priority low.",
    "priority_low_fg": "Opportunity border, icon and badge text, priority low.",
    "priority_medium_bg": "Opportunity card fill, priority medium.",
    "priority_medium_fg": "Opportunity border, icon and badge text, priority medium.",
    "priority_high_bg": "Opportunity card fill, priority high.",
    "priority_high_fg": "Opportunity border, icon and badge text, priority high.",
    "kpi_met": "A KPI value that meets its target (text and marker).",
    "kpi_missed": "A KPI value that misses its target (text and marker).",
    "thought_bg": "The fill of a thought bubble.",
    "emotion_positive_bg": "Tint of the emotion band above the neutral line (scores > 0).",
    "emotion_negative_bg": "Tint of the emotion band below the neutral line (scores < 0).",
    "neutral_line": "The zero line of the emotion curve.",
    "assumption": "Dashed outline of an item that cites no evidence.",
    "visibility_line": "The line of visibility of a service blueprint (dashed).",
    "moment_of_truth": "The star that marks a moment of truth.",
    "diff_added": "`jmap diff`: something added.",
    "diff_removed": "`jmap diff`: something removed or resolved.",
    "diff_changed": "`jmap diff`: something changed.",
}

#: The colours a map may override in `theme: {colors: ...}` (as the schema allows).
OVERRIDABLE_COLORS: tuple[str, ...] = ("background", "text", "accent", "card", "grid")

SEVERITIES: tuple[str, ...] = ("low", "medium", "high", "critical")
PRIORITIES: tuple[str, ...] = ("low", "medium", "high")

#: (foreground, background, minimum WCAG contrast ratio) that every theme keeps.
#: 4.5 for text (WCAG AA), 3.0 for lines and markers (WCAG 1.4.11 non-text contrast).
CONTRAST_PAIRS: tuple[tuple[str, str, float], ...] = (
    ("text", "background", 4.5),
    ("text", "surface", 4.5),
    ("text", "card", 4.5),
    ("text", "lane_label_bg", 4.5),
    ("text", "thought_bg", 4.5),
    ("text", "emotion_positive_bg", 4.5),
    ("text", "emotion_negative_bg", 4.5),
    *(("text", f"severity_{s}_bg", 4.5) for s in SEVERITIES),
    *(("text", f"priority_{p}_bg", 4.5) for p in PRIORITIES),
    ("text_muted", "background", 4.5),
    ("text_muted", "surface", 4.5),
    ("text_muted", "card", 4.5),
    ("text_muted", "lane_label_bg", 4.5),
    ("accent", "background", 4.5),
    ("accent", "surface", 4.5),
    ("on_accent", "accent", 4.5),
    *(("severity_" + s + "_fg", f"severity_{s}_bg", 4.5) for s in SEVERITIES),
    *(("priority_" + p + "_fg", f"priority_{p}_bg", 4.5) for p in PRIORITIES),
    ("kpi_met", "card", 4.5),
    ("kpi_missed", "card", 4.5),
    ("neutral_line", "background", 3.0),
    ("assumption", "card", 3.0),
    ("visibility_line", "background", 3.0),
    ("moment_of_truth", "background", 3.0),
    ("moment_of_truth", "card", 3.0),
    ("diff_added", "background", 3.0),
    ("diff_removed", "background", 3.0),
    ("diff_changed", "background", 3.0),
)

_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")
_HEX = re.compile(r"#[0-9a-fA-F]{6}")
_SHORT_HEX = re.compile(r"#[0-9a-fA-F]{3}")
_DASH = re.compile(r"(?:\d+(?:\.\d+)?(?: \d+(?:\.\d+)?)*)?")
_TABLES = frozenset({"colors", "type", "strokes", "palettes"})
_TOP_KEYS = frozenset({"name", "extends", "description"}) | _TABLES
_COLOR_PALETTES = ("personas", "chapters")
_PALETTES = (*_COLOR_PALETTES, "persona_dashes")
_MAX_PALETTE = 16
_MAX_CHAIN = 8


class ThemeError(ValueError):
    """A theme that cannot be used: unknown, malformed, or extending itself."""


class TypeSizes(NamedTuple):
    """Font sizes in px."""

    body: float = 13.0
    small: float = 11.0
    heading: float = 16.0
    title: float = 28.0

    def scaled(self, factor: float) -> "TypeSizes":
        return TypeSizes(*(round(size * factor, 2) for size in self))


class Strokes(NamedTuple):
    """Line widths in px."""

    card_border: float = 1.0
    grid: float = 1.0
    curve: float = 2.5
    icon: float = 1.75


class ResolvedTheme(NamedTuple):
    """Everything the renderer needs to colour and size a map."""

    name: str
    colors: Mapping[str, str]
    font_sizes: TypeSizes
    strokes: Strokes
    #: Persona curve colours, used in order for personas that have no colour.
    personas: tuple[str, ...]
    #: SVG stroke-dasharray per persona index ("" = solid), cycled; may be empty.
    persona_dashes: tuple[str, ...]
    #: Chapter header tints, cycled.
    chapters: tuple[str, ...]

    def color(self, key: str) -> str:
        try:
            return self.colors[key]
        except KeyError:
            raise KeyError(f"theme {self.name!r} has no colour {key!r}") from None

    def persona_color(self, index: int) -> str:
        return self.personas[index % len(self.personas)]

    def persona_dash(self, index: int) -> str:
        return self.persona_dashes[index % len(self.persona_dashes)] if self.persona_dashes else ""

    def chapter_bg(self, index: int) -> str:
        return self.chapters[index % len(self.chapters)]

    def severity(self, level: str) -> tuple[str, str]:
        """(fill, border/text) of a pain point card."""
        level = level if level in SEVERITIES else "medium"
        return self.colors[f"severity_{level}_bg"], self.colors[f"severity_{level}_fg"]

    def priority(self, level: str) -> tuple[str, str]:
        """(fill, border/text) of an opportunity card."""
        level = level if level in PRIORITIES else "medium"
        return self.colors[f"priority_{level}_bg"], self.colors[f"priority_{level}_fg"]


# --- colour maths ---------------------------------------------------------------


def _rgb(color: str) -> tuple[int, int, int]:
    if _SHORT_HEX.fullmatch(color):
        color = "#" + "".join(c * 2 for c in color[1:])
    if not _HEX.fullmatch(color):
        raise ValueError(f"not a colour: {color!r} (expected #rrggbb)")
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def relative_luminance(color: str) -> float:
    """WCAG 2.x relative luminance of an sRGB colour, 0 (black) .. 1 (white)."""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in _rgb(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(fg: str, bg: str) -> float:
    """WCAG 2.x contrast ratio of two colours, 1 .. 21 (order does not matter)."""
    a, b = relative_luminance(fg), relative_luminance(bg)
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


def low_contrast(theme: ResolvedTheme) -> list[tuple[str, str, float, float]]:
    """The CONTRAST_PAIRS a theme misses: (fg key, bg key, ratio, minimum)."""
    misses = []
    for fg, bg, minimum in CONTRAST_PAIRS:
        ratio = contrast_ratio(theme.colors[fg], theme.colors[bg])
        if ratio < minimum:
            misses.append((fg, bg, round(ratio, 2), minimum))
    return misses


# --- manifests --------------------------------------------------------------------


class _Manifest(NamedTuple):
    name: str
    extends: str | None
    colors: tuple[tuple[str, str], ...]
    sizes: tuple[tuple[str, float], ...]
    strokes: tuple[tuple[str, float], ...]
    palettes: tuple[tuple[str, tuple[str, ...]], ...]


def _package_dir() -> Path:
    return Path(__file__).parent / "themes"


def theme_names(themes_dir: Path | None = None) -> list[str]:
    """The names of the available themes, sorted."""
    return list(_names(themes_dir or _package_dir()))


@cache
def _names(root: Path) -> tuple[str, ...]:
    if not root.is_dir():
        return ()
    return tuple(
        sorted(
            entry.name
            for entry in root.iterdir()
            if entry.is_dir() and _NAME.fullmatch(entry.name) and (entry / "theme.toml").is_file()
        )
    )


def _number(value: Any, where: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise ThemeError(f"{where} must be a number from {low:g} to {high:g}, not {clip(value)}")
    return float(value)


def _color(value: Any, where: str) -> str:
    if not isinstance(value, str) or not _HEX.fullmatch(value):
        raise ThemeError(f'{where} must be a colour like "#1f2937", not {clip(value)!r}')
    return value.lower()


def _table(data: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    table = data.get(key, {})
    if not isinstance(table, dict):
        raise ThemeError(f"{where}: [{key}] must be a table")
    return table


@cache
def _manifest(root: Path, name: str) -> _Manifest:
    if not _NAME.fullmatch(name) or name not in _names(root):
        known = ", ".join(_names(root)) or "none"
        raise ThemeError(f"there is no theme {clip(name)!r}; the themes are: {known}")
    import tomllib

    path = root / name / "theme.toml"
    where = f"theme {name!r} ({path})"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ThemeError(f"{where} is not valid TOML: {exc}") from None
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise ThemeError(f"{where} has unknown keys: {', '.join(unknown)}")
    if data.get("name", name) != name:
        raise ThemeError(f"{where} says name = {data['name']!r}; it must match its folder")
    extends = data.get("extends")
    if extends is not None and (not isinstance(extends, str) or not _NAME.fullmatch(extends)):
        raise ThemeError(f"{where}: extends must be a theme name, not {extends!r}")

    colors = _table(data, "colors", where)
    for key in colors:
        if key not in COLOR_KEYS:
            raise ThemeError(f"{where}: unknown colour {key!r}")
    size_names = set(TypeSizes._fields)
    sizes = _table(data, "type", where)
    stroke_names = set(Strokes._fields)
    strokes = _table(data, "strokes", where)
    for table, allowed, label in ((sizes, size_names, "type"), (strokes, stroke_names, "strokes")):
        for key in table:
            if key not in allowed:
                raise ThemeError(f"{where}: unknown [{label}] key {key!r}; use {', '.join(sorted(allowed))}")
    palettes = _table(data, "palettes", where)
    parsed_palettes: list[tuple[str, tuple[str, ...]]] = []
    for key, values in palettes.items():
        if key not in _PALETTES:
            raise ThemeError(f"{where}: unknown palette {key!r}; use {', '.join(_PALETTES)}")
        if not isinstance(values, list) or len(values) > _MAX_PALETTE:
            raise ThemeError(f"{where}: palette {key!r} must be a list of at most {_MAX_PALETTE} entries")
        if key in _COLOR_PALETTES:
            if not values:
                raise ThemeError(f"{where}: palette {key!r} is empty")
            parsed_palettes.append((key, tuple(_color(v, f"{where}: {key}") for v in values)))
        else:
            for v in values:
                if not isinstance(v, str) or not _DASH.fullmatch(v):
                    raise ThemeError(f'{where}: {key} entries are dash arrays like "6 3", not {v!r}')
            parsed_palettes.append((key, tuple(values)))

    return _Manifest(
        name=name,
        extends=extends,
        colors=tuple((k, _color(v, f"{where}: colors.{k}")) for k, v in colors.items()),
        sizes=tuple((k, _number(v, f"{where}: type.{k}", 6, 96)) for k, v in sizes.items()),
        strokes=tuple((k, _number(v, f"{where}: strokes.{k}", 0, 12)) for k, v in strokes.items()),
        palettes=tuple(parsed_palettes),
    )


def _chain(root: Path, name: str) -> list[_Manifest]:
    """The manifests from the root ancestor down to `name`."""
    chain: list[_Manifest] = []
    seen: list[str] = []
    current: str | None = name
    while current is not None:
        if current in seen:
            loop = " -> ".join([*seen[seen.index(current) :], current])
            raise ThemeError(f"theme {name!r} extends itself in a cycle: {loop}")
        if len(seen) >= _MAX_CHAIN:
            raise ThemeError(f"theme {name!r} extends more than {_MAX_CHAIN} themes deep")
        if seen and current not in _names(root):
            raise ThemeError(f"theme {seen[-1]!r} extends {current!r}, which does not exist")
        seen.append(current)
        manifest = _manifest(root, current)
        chain.append(manifest)
        current = manifest.extends
    return chain[::-1]


@cache
def _base(root: Path, name: str) -> ResolvedTheme:
    colors: dict[str, str] = {}
    sizes = TypeSizes()
    strokes = Strokes()
    palettes: dict[str, tuple[str, ...]] = {}
    for manifest in _chain(root, name):
        colors.update(manifest.colors)
        sizes = sizes._replace(**dict(manifest.sizes))
        strokes = strokes._replace(**dict(manifest.strokes))
        palettes.update(manifest.palettes)
    missing = [key for key in COLOR_KEYS if key not in colors]
    if missing:
        raise ThemeError(f"theme {name!r} does not define the colours: {', '.join(missing)}")
    for key in _COLOR_PALETTES:
        if key not in palettes:
            raise ThemeError(f"theme {name!r} has no {key} palette")
    return ResolvedTheme(
        name=name,
        colors=MappingProxyType({key: colors[key] for key in COLOR_KEYS}),
        font_sizes=sizes,
        strokes=strokes,
        personas=palettes["personas"],
        persona_dashes=palettes.get("persona_dashes", ()),
        chapters=palettes["chapters"],
    )


@lru_cache(maxsize=128)
def resolve_theme(theme: Theme, themes_dir: Path | None = None) -> ResolvedTheme:
    """The theme a map asks for: the named theme (with what it extends), then its overrides.

    ``font_size`` sets the body size and scales the other sizes with it; colour
    overrides replace background, text, accent, card or grid. When the accent
    changes, ``on_accent`` becomes white or black, whichever reads better on it.
    Raises :class:`ThemeError` for an unknown theme or a bad override.
    """
    base = _base(themes_dir or _package_dir(), theme.name)
    if theme.font_size is None and not theme.colors:
        return base
    sizes = base.font_sizes
    if theme.font_size is not None:
        size = _number(theme.font_size, "theme font_size", 6, 96)
        sizes = sizes.scaled(size / sizes.body)
        sizes = sizes._replace(body=size)
    colors = dict(base.colors)
    for key, value in theme.colors:
        if key not in OVERRIDABLE_COLORS:
            raise ThemeError(f"the colour {clip(key)!r} cannot be overridden; use {', '.join(OVERRIDABLE_COLORS)}")
        colors[key] = _color(value, f"theme colour {key}")
    if dict(theme.colors).get("accent"):
        accent = colors["accent"]
        if contrast_ratio(colors["on_accent"], accent) < 4.5:
            colors["on_accent"] = max(("#ffffff", "#000000"), key=lambda c: contrast_ratio(c, accent))
    return base._replace(colors=MappingProxyType(colors), font_sizes=sizes)


def clear_cache() -> None:
    """Forget loaded manifests (for tests and `jmap watch` during theme development)."""
    for function in (_names, _manifest, _base, resolve_theme):
        function.cache_clear()


__all__ = [
    "COLOR_KEYS",
    "CONTRAST_PAIRS",
    "DEFAULT_THEME",
    "OVERRIDABLE_COLORS",
    "PRIORITIES",
    "SEVERITIES",
    "ResolvedTheme",
    "Strokes",
    "ThemeError",
    "TypeSizes",
    "clear_cache",
    "contrast_ratio",
    "low_contrast",
    "relative_luminance",
    "resolve_theme",
    "theme_names",
]
