"""Themes: manifests load (built-in ones parsed ahead), extend, keep their contrast promises, take overrides."""

from __future__ import annotations

import copy
import shutil
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from generators import load_generator

from jmap import resources
from jmap.model import _themes, themes
from jmap.model.model import Theme
from jmap.model.themes import (
    COLOR_KEYS,
    CONTRAST_PAIRS,
    OVERRIDABLE_COLORS,
    PRIORITIES,
    SEVERITIES,
    ThemeError,
    contrast_ratio,
    relative_luminance,
    resolve_theme,
    theme_names,
)

ROOT = Path(__file__).resolve().parent.parent
BUILT_IN = ["dark", "default", "high-contrast", "print"]
SCHEMA_THEME = resources.schema()["$defs"]["theme"]


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    themes.clear_cache()
    yield
    themes.clear_cache()


def resolved(name: str) -> themes.ResolvedTheme:
    return resolve_theme(Theme(name=name))


def write_theme(root: Path, name: str, text: str) -> None:
    (root / name).mkdir(parents=True, exist_ok=True)
    (root / name / "theme.toml").write_text(text, encoding="utf-8")


# --- the built-in themes ------------------------------------------------------------


def test_theme_names_are_the_schemas() -> None:
    assert theme_names() == BUILT_IN
    assert sorted(resources.schema()["$defs"]["theme_name"]["enum"]) == BUILT_IN


def test_schema_overridable_colours_match() -> None:
    overridable = SCHEMA_THEME["oneOf"][1]["properties"]["colors"]["properties"]
    assert set(overridable) == set(OVERRIDABLE_COLORS)
    assert set(OVERRIDABLE_COLORS) <= set(COLOR_KEYS)


@pytest.mark.parametrize("name", BUILT_IN)
def test_every_theme_loads_with_every_colour(name: str) -> None:
    theme = resolved(name)
    assert theme.name == name
    assert set(theme.colors) == set(resolved("default").colors) == set(COLOR_KEYS)
    for key, value in theme.colors.items():
        assert relative_luminance(value) >= 0, key  # a parseable colour
    assert 8 <= len(theme.personas) <= 16
    assert len(set(theme.personas)) == len(theme.personas)
    assert theme.chapters
    sizes = theme.font_sizes
    assert sizes.small < sizes.body < sizes.heading < sizes.title


@pytest.mark.parametrize("name", [n for n in BUILT_IN if n != "default"])
def test_every_theme_sets_its_own_colours(name: str) -> None:
    """A theme that inherits a colour by accident would clash (dark text on dark slate)."""
    manifest = themes._manifest(themes._package_dir(), name)
    assert manifest.extends == "default"
    assert {key for key, _ in manifest.colors} == set(COLOR_KEYS)


def test_default_body_size_is_13() -> None:
    assert resolved("default").font_sizes.body == 13


@pytest.mark.parametrize("name", BUILT_IN)
@pytest.mark.parametrize(("fg", "bg", "minimum"), CONTRAST_PAIRS)
def test_contrast_pairs(name: str, fg: str, bg: str, minimum: float) -> None:
    colors = resolved(name).colors
    ratio = contrast_ratio(colors[fg], colors[bg])
    assert ratio >= minimum, f"{name}: {fg} on {bg} is {ratio:.2f}:1, needs {minimum}:1"


@pytest.mark.parametrize("name", BUILT_IN)
def test_body_text_meets_wcag_aa(name: str) -> None:
    """The pairs the brief names explicitly, whatever CONTRAST_PAIRS says."""
    c = resolved(name).colors
    backgrounds = ["background", "card", "thought_bg"]
    backgrounds += [f"severity_{s}_bg" for s in SEVERITIES] + [f"priority_{p}_bg" for p in PRIORITIES]
    for bg in backgrounds:
        assert contrast_ratio(c["text"], c[bg]) >= 4.5, f"{name}: text on {bg}"
    assert contrast_ratio(c["text_muted"], c["background"]) >= 4.5
    for tint in resolved(name).chapters:
        assert contrast_ratio(c["text"], tint) >= 4.5, f"{name}: text on chapter {tint}"


@pytest.mark.parametrize("name", BUILT_IN)
def test_persona_palette_is_visible(name: str) -> None:
    theme = resolved(name)
    checked = {bg for palette, bg, _ in themes.PALETTE_CONTRAST if palette == "personas"}
    assert {"background", "surface", "emotion_positive_bg", "emotion_negative_bg"} <= checked
    misses = [m for m in themes.contrast_misses(theme) if m.fg.startswith("personas[")]
    assert misses == [], f"{name}: {misses}"


@pytest.mark.parametrize("name", BUILT_IN)
def test_every_theme_keeps_every_contrast_promise(name: str) -> None:
    """The one list the map check (W505) also uses: CONTRAST_PAIRS and the palettes."""
    assert themes.contrast_misses(resolved(name)) == []


def test_contrast_misses_name_palette_entries() -> None:
    theme = resolve_theme(Theme("default", colors=(("background", "#1a1a1a"),)))
    misses = {(m.fg, m.bg) for m in themes.contrast_misses(theme)}
    assert ("text", "background") in misses
    assert ("personas[5]", "background") in misses  # the indigo persona on a near-black page
    light = resolve_theme(Theme("default", colors=(("text", "#cccccc"),)))
    assert ("text", "chapters[0]") in {(m.fg, m.bg) for m in themes.contrast_misses(light)}


@pytest.mark.parametrize("name", BUILT_IN)
def test_eight_personas_differ_in_colour_and_marker(name: str) -> None:
    """Persona 6 used to repeat persona 1's marker; every persona up to 8 is told apart twice over."""
    from jmap.layout.shapes import MARKER_SHAPES, marker_path

    theme = resolved(name)
    colours = [theme.persona_color(i) for i in range(8)]
    shapes = [marker_path(i, 0, 0, 5) for i in range(8)]
    assert len(set(colours)) == 8, colours
    assert len(set(shapes)) == 8 and len(MARKER_SHAPES) >= 8
    assert len(set(zip(colours, shapes, strict=True))) == 8


def test_high_contrast_reaches_aaa() -> None:
    c = resolved("high-contrast").colors
    for fg, bg, minimum in CONTRAST_PAIRS:
        needed = 7.0 if minimum >= 4.5 else 4.5
        assert contrast_ratio(c[fg], c[bg]) >= needed, f"{fg} on {bg}"
    assert c["text"] == "#000000" and c["background"] == "#ffffff"
    assert resolved("high-contrast").strokes.card_border >= 2


def test_dark_is_dark() -> None:
    c = resolved("dark").colors
    assert relative_luminance(c["background"]) < 0.02
    assert relative_luminance(c["text"]) > 0.7


@pytest.mark.parametrize("kind", ["severity", "priority"])
def test_print_levels_differ_in_lightness(kind: str) -> None:
    """On a greyscale print, low .. critical must still read as low .. critical."""
    theme = resolved("print")
    levels = SEVERITIES if kind == "severity" else PRIORITIES
    pairs = [getattr(theme, kind)(level) for level in levels]
    fills = [relative_luminance(bg) for bg, _ in pairs]
    inks = [relative_luminance(fg) for _, fg in pairs]
    for lighter, darker in zip(fills, fills[1:], strict=False):
        assert (lighter + 0.05) / (darker + 0.05) >= 1.15, fills
    for lighter, darker in zip(inks, inks[1:], strict=False):
        assert lighter > darker, inks


def test_print_personas_differ_by_dash_or_lightness() -> None:
    theme = resolved("print")
    styles = {(theme.persona_dash(i), round(relative_luminance(c), 2)) for i, c in enumerate(theme.personas)}
    assert len(styles) == len(theme.personas)
    assert len(set(theme.persona_dashes)) == len(theme.persona_dashes) >= len(theme.personas)


def test_default_severity_fills_darken_with_severity() -> None:
    theme = resolved("default")
    fills = [relative_luminance(theme.severity(s)[0]) for s in SEVERITIES]
    assert fills == sorted(fills, reverse=True)


# --- the API ----------------------------------------------------------------------


def test_contrast_ratio() -> None:
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert contrast_ratio("#ffffff", "#000000") == pytest.approx(21)
    assert contrast_ratio("#fff", "#000") == pytest.approx(21)
    assert contrast_ratio("#777777", "#777777") == pytest.approx(1)
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    with pytest.raises(ValueError):
        contrast_ratio("red", "#ffffff")


def test_helpers_cycle_and_fall_back() -> None:
    theme = resolved("default")
    n = len(theme.personas)
    assert theme.persona_color(n) == theme.persona_color(0)
    assert theme.chapter_bg(len(theme.chapters)) == theme.chapter_bg(0)
    assert theme.persona_dash(3) == ""
    assert theme.severity("unknown") == theme.severity("medium")
    assert theme.priority("high") == (theme.colors["priority_high_bg"], theme.colors["priority_high_fg"])
    with pytest.raises(KeyError, match="no colour"):
        theme.color("sparkle")
    with pytest.raises(TypeError):
        theme.colors["text"] = "#000000"  # type: ignore[index]


def test_resolve_is_cached() -> None:
    assert resolve_theme(Theme("dark")) is resolve_theme(Theme("dark"))


def test_font_size_scales_every_size() -> None:
    base = resolved("default").font_sizes
    big = resolve_theme(Theme("default", font_size=19.5)).font_sizes
    assert big.body == 19.5
    factor = 19.5 / base.body
    assert big.small == pytest.approx(base.small * factor, abs=0.01)
    assert big.heading == pytest.approx(base.heading * factor, abs=0.01)
    assert big.title == pytest.approx(base.title * factor, abs=0.01)
    assert resolve_theme(Theme("default", font_size=13)).font_sizes == base


def test_colour_overrides_apply() -> None:
    theme = resolve_theme(
        Theme("default", colors=(("accent", "#0F766E"), ("background", "#fffbeb"), ("grid", "#e5e7eb")))
    )
    assert theme.colors["accent"] == "#0f766e"
    assert theme.colors["background"] == "#fffbeb"
    assert theme.colors["grid"] == "#e5e7eb"
    assert theme.colors["text"] == resolved("default").colors["text"]
    assert resolved("default").colors["accent"] != "#0f766e"  # the base is untouched


def test_a_light_accent_gets_dark_text_on_it() -> None:
    theme = resolve_theme(Theme("default", colors=(("accent", "#fde68a"),)))
    assert contrast_ratio(theme.colors["on_accent"], theme.colors["accent"]) >= 4.5
    dark = resolve_theme(Theme("dark", colors=(("accent", "#1e3a8a"),)))
    assert contrast_ratio(dark.colors["on_accent"], dark.colors["accent"]) >= 4.5


def test_low_contrast_reports_a_bad_override() -> None:
    theme = resolve_theme(Theme("default", colors=(("text", "#cccccc"),)))
    misses = themes.low_contrast(theme)
    assert ("text", "background") in {(fg, bg) for fg, bg, _, _ in misses}
    assert themes.low_contrast(resolved("default")) == []


@pytest.mark.parametrize(
    ("theme", "message"),
    [
        (Theme("neon"), "there is no theme 'neon'"),
        (Theme("../default"), "there is no theme"),
        (Theme("default", colors=(("severity_low_bg", "#ffffff"),)), "cannot be overridden"),
        (Theme("default", colors=(("accent", "blue"),)), "must be a colour"),
        (Theme("default", font_size=0), "font_size"),
    ],
)
def test_bad_requests_raise_clear_errors(theme: Theme, message: str) -> None:
    with pytest.raises(ThemeError, match=message.replace("(", r"\(")):
        resolve_theme(theme)


# --- manifests and extends --------------------------------------------------------

FULL = "\n".join(f'{key} = "#808080"' for key in COLOR_KEYS)
PALETTES = '[palettes]\npersonas = ["#000000"]\nchapters = ["#eeeeee"]\n'


def test_extends_chain(tmp_path: Path) -> None:
    write_theme(tmp_path, "base", f'name = "base"\n[colors]\n{FULL}\n[type]\nbody = 10\nsmall = 8\n{PALETTES}')
    write_theme(tmp_path, "mid", 'extends = "base"\n[colors]\ntext = "#111111"\n[type]\nbody = 12\n')
    write_theme(tmp_path, "top", 'extends = "mid"\n[colors]\naccent = "#222222"\n[strokes]\ngrid = 2\n')
    theme = resolve_theme(Theme("top"), tmp_path)
    assert theme.colors["text"] == "#111111"
    assert theme.colors["accent"] == "#222222"
    assert theme.colors["background"] == "#808080"
    assert theme.font_sizes.body == 12 and theme.font_sizes.small == 8
    assert theme.strokes.grid == 2
    assert theme.personas == ("#000000",)
    assert theme_names(tmp_path) == ["base", "mid", "top"]


def test_extends_cycle_is_a_clear_error(tmp_path: Path) -> None:
    write_theme(tmp_path, "a", f'extends = "b"\n[colors]\n{FULL}\n{PALETTES}')
    write_theme(tmp_path, "b", 'extends = "c"\n')
    write_theme(tmp_path, "c", 'extends = "a"\n')
    with pytest.raises(ThemeError, match=r"extends itself in a cycle: a -> b -> c -> a"):
        resolve_theme(Theme("a"), tmp_path)
    write_theme(tmp_path, "self", 'extends = "self"\n')
    themes.clear_cache()  # the folder list is read once per process
    with pytest.raises(ThemeError, match=r"cycle: self -> self"):
        resolve_theme(Theme("self"), tmp_path)


def test_extends_a_missing_theme(tmp_path: Path) -> None:
    write_theme(tmp_path, "orphan", 'extends = "ghost"\n')
    with pytest.raises(ThemeError, match="'orphan' extends 'ghost', which does not exist"):
        resolve_theme(Theme("orphan"), tmp_path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[colors]\nbackground = "#80808"\n', "must be a colour"),
        ('[colors]\nsparkle = "#808080"\n', "unknown colour 'sparkle'"),
        ("[type]\nbody = 500\n", "type.body must be a number"),
        ("[type]\nleading = 1.4\n", r"unknown \[type\] key"),
        ("[layout]\n", "unknown keys: layout"),
        ('name = "other"\n', "must match its folder"),
        ("colors = 3\n", r"\[colors\] must be a table"),
        ("[palettes]\npersonas = []\n", "palette 'personas' is empty"),
        ('[palettes]\npersona_dashes = ["6 3; x"]\n', "dash arrays"),
        ("[colors\n", "not valid TOML"),
        ("[colors]\n", "does not define the colours"),
    ],
)
def test_malformed_manifests(tmp_path: Path, text: str, message: str) -> None:
    write_theme(tmp_path, "bad", text)
    with pytest.raises(ThemeError, match=message):
        resolve_theme(Theme("bad"), tmp_path)


def test_folders_without_a_manifest_are_not_themes(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    write_theme(tmp_path, "Bad_Name", FULL)
    assert theme_names(tmp_path) == []
    assert theme_names(tmp_path / "missing") == []


# --- built-in manifests parsed ahead (jmap.model._themes) ---------------------------------


def _gen_themes() -> ModuleType:
    return load_generator("gen_themes")


@pytest.fixture
def no_tomllib(monkeypatch: pytest.MonkeyPatch) -> None:
    """`import tomllib` fails: whatever resolves now used the data parsed ahead."""
    monkeypatch.setitem(sys.modules, "tomllib", None)


def test_generated_module_is_fresh() -> None:
    """src/jmap/model/_themes.py equals a fresh run of tools/gen_themes.py over the built-in manifests."""
    committed = (ROOT / "src" / "jmap" / "model" / "_themes.py").read_text(encoding="utf-8")
    assert committed == _gen_themes().generate(), "run: python tools/gen_themes.py"
    assert sorted(_themes.SOURCES) == sorted(_themes.DATA) == BUILT_IN


@pytest.mark.parametrize("name", BUILT_IN)
def test_data_parsed_ahead_is_tomllibs(name: str) -> None:
    """Equal and of the same types (13 stays an int, 2.5 a float): what tomllib gives for the file."""
    text = (themes._package_dir() / name / "theme.toml").read_text(encoding="utf-8")
    assert _themes.SOURCES[name] == text
    assert repr(_themes.DATA[name]) == repr(tomllib.loads(text))


@pytest.mark.parametrize("name", BUILT_IN)
def test_both_paths_resolve_alike(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with monkeypatch.context() as blocked:
        blocked.setitem(sys.modules, "tomllib", None)
        ahead = resolved(name), themes._manifest(themes._package_dir(), name)
    themes.clear_cache()
    monkeypatch.setattr(_themes, "SOURCES", {})  # nothing matches: every manifest goes through tomllib
    parsed = resolved(name), themes._manifest(themes._package_dir(), name)
    assert ahead == parsed


@pytest.fixture
def copied_themes(tmp_path: Path) -> Path:
    """The built-in themes, copied to a folder of their own."""
    shutil.copytree(themes._package_dir(), tmp_path / "themes")
    return tmp_path / "themes"


def test_an_unedited_copy_uses_the_data_parsed_ahead(copied_themes: Path, no_tomllib: None) -> None:
    assert resolve_theme(Theme("print"), copied_themes) == resolved("print")


def test_an_edited_manifest_goes_through_tomllib(copied_themes: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    manifest = copied_themes / "default" / "theme.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace('accent = "#1d4f91"', 'accent = "#0f766e"'),
                        encoding="utf-8")
    with monkeypatch.context() as blocked:
        blocked.setitem(sys.modules, "tomllib", None)
        with pytest.raises(ImportError):  # the edited default needs tomllib: it is not the data parsed ahead
            resolve_theme(Theme("default"), copied_themes)
    themes.clear_cache()
    assert resolve_theme(Theme("default"), copied_themes).colors["accent"] == "#0f766e"
    assert resolve_theme(Theme("dark"), copied_themes).colors["accent"] == resolved("dark").colors["accent"]
    manifest.write_text("[colors\n", encoding="utf-8")
    themes.clear_cache()
    with pytest.raises(ThemeError, match=r"theme 'default' \(.*theme.toml\) is not valid TOML: "):
        resolve_theme(Theme("default"), copied_themes)


def test_data_parsed_ahead_is_validated(monkeypatch: pytest.MonkeyPatch, no_tomllib: None) -> None:
    """Only parsing is skipped: data parsed ahead that breaks a rule is refused as a file would be."""
    data = copy.deepcopy(_themes.DATA)
    data["default"]["colors"]["text"] = "#12345"
    monkeypatch.setattr(_themes, "DATA", data)
    with pytest.raises(ThemeError, match=r"theme 'default' .*: colors.text must be a colour"):
        resolved("default")
