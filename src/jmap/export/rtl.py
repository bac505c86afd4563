"""Text for rasterisers that do not shape: visual order, joined Arabic, a font per run.

This serves the reference path (cairosvg). The default PNG/PDF path, jmap.export.raster, shapes
with HarfBuzz instead and draws the glyphs with cairo, which keeps the PDF's real text;
it uses only `_levels` from here.

cairo (through cairosvg) draws a `<text>` one character after another, left to
right, with the *first* family of `font-family` only and no font fallback. Left
alone it draws Arabic and Hebrew backwards with unjoined letters, and every
character Inter lacks (Arabic, Hebrew, CJK) as a box. So, before conversion, every
line of jmap's SVG that needs it is rewritten into what cairo can draw as is:

1. Arabic is joined: arabic_reshaper turns letters into their presentation forms
   (initial, medial, final, isolated; lam-alef ligatures), the forms the metrics in
   `jmap.layout.text` are measured with. Harakat are dropped (cairo cannot place them).
2. The line is put in visual order with the Unicode Bidirectional Algorithm (levels
   from python-bidi), mirroring brackets in right-to-left runs ("(" drawn as ")").
3. Each character gets the first family of the text's `font-family` stack that has a
   glyph for it, as a browser picks it; characters no family covers get a font that
   fontconfig finds for them, or are reported (they would be drawn as boxes).
4. Consecutive characters with the same font form a run; each run becomes a `<tspan>`
   with an explicit `x`, measured with the advances cairo itself will use, so the
   line keeps the place `text-anchor` and `direction` give it in a browser:
   `start` is the right edge of right-to-left text, `end` its left edge.

Lines that Inter draws entirely and that are left-to-right are left untouched.
The fonts are asked through a `FontProbe` (jmap.export.export implements it with cairo),
so this module does no I/O and can be tested without cairo.

Why not shape with HarfBuzz into glyph outlines instead? It would give perfect
shaping, but the PDF would lose its text (no search, no copy, no screen reader)
and grow by a path per glyph; cairo's own text keeps real, selectable text with
subset fonts, and the layout's metrics already assume this unshaped drawing.
"""

from __future__ import annotations

import re
import unicodedata
import xml.etree.ElementTree as ET
from functools import lru_cache
from typing import NamedTuple, Protocol

from jmap.records import SlotsRecord

__all__ = ["FontProbe", "TextReport", "has_rtl", "prepare_text", "visual_order"]

SVG_NS = "http://www.w3.org/2000/svg"
_TEXT = f"{{{SVG_NS}}}text"
_TSPAN = f"{{{SVG_NS}}}tspan"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"

_INHERITED = ("font-family", "font-weight", "font-size", "text-anchor", "direction", "letter-spacing")
_DEFAULTS = {"font-family": "sans-serif", "font-weight": "normal", "font-size": "16", "text-anchor": "start",
             "direction": "ltr", "letter-spacing": "0"}
# Attributes of a line that its runs do not take over (each run has its own x and anchor; ids stay unique).
_NOT_COPIED = frozenset(("x", "dx", "text-anchor", "direction", "id"))
_SPACES = re.compile(r"[ \t\r\n]+")
_NUMBER = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(px)?\s*$")


class FontProbe(Protocol):
    """What the rewrite needs to know about fonts, as the rasteriser will use them."""

    def covers(self, family: str, bold: bool, char: str) -> bool:
        """Whether `family` (as the rasteriser resolves it) has a glyph for `char`."""
        ...

    def advance(self, family: str, bold: bool, char: str) -> float:
        """The advance width of `char` in `family`, in em."""
        ...

    def fallback(self, char: str, bold: bool) -> str | None:
        """A family that has a glyph for `char` when none of the stack does, or None."""
        ...


class TextReport(SlotsRecord):
    """What prepare_text did (a plain class with slots: no dataclass import for one record)."""

    __slots__ = ("lines", "missing")

    def __init__(self, lines: int = 0, missing: dict[str, None] | None = None) -> None:
        #: Lines rewritten.
        self.lines = lines
        #: Characters that no font on this machine draws (they come out as boxes), in the order met.
        self.missing: dict[str, None] = {} if missing is None else missing


def has_rtl(text: str) -> bool:
    """Whether text holds a right-to-left character (Hebrew, Arabic and the like)."""
    return any(unicodedata.bidirectional(c) in ("R", "AL", "RLE", "RLO", "RLI") for c in text)


def _has_arabic(text: str) -> bool:
    return any(unicodedata.bidirectional(c) == "AL" for c in text)


@lru_cache(maxsize=1)
def _reshaper():  # type: ignore[no-untyped-def]
    import arabic_reshaper  # type: ignore[import-untyped]

    # The defaults: harakat dropped, lam-alef and the Allah ligature; every form
    # they produce is in the bundled Noto Sans Arabic (tests check this).
    return arabic_reshaper.ArabicReshaper()


def _levels(text: str, rtl: bool) -> list[int] | None:
    """Resolved bidi embedding levels per character, from python-bidi's Rust implementation.

    python-bidi returns the display string only; its debug form carries the levels
    (one per UTF-8 byte). None when that form is not what this code expects.
    """
    from bidi import get_display  # type: ignore[import-untyped]

    try:
        info = get_display(text, base_dir="R" if rtl else "L", debug=True)
    except Exception:  # noqa: BLE001 - any change in python-bidi: use the fallback
        return None
    if not isinstance(info, str):
        return None
    section = re.search(r"levels: \[(.*?)\n    \]", info, re.S)
    if not section:
        return None
    per_byte = [int(v) for v in re.findall(r"Level\(\s*(\d+)", section.group(1))]
    if len(per_byte) != len(text.encode("utf-8")):
        return None
    levels, offset = [], 0
    for char in text:
        levels.append(per_byte[offset])
        offset += len(char.encode("utf-8"))
    return levels


def visual_order(text: str, rtl: bool) -> str:
    """`text` (one line, logical order) as cairo must draw it: joined, in visual order, mirrored."""
    if _has_arabic(text):
        try:
            text = _reshaper().reshape(text)
        except IndexError:  # arabic_reshaper fails on some joiner sequences (e.g. ZWJ before lam-alef)
            text = _reshaper().reshape(text.replace("\u200d", ""))
    if not rtl and not has_rtl(text):
        return _drop_controls(text)
    levels = _levels(text, rtl)
    if levels is None:  # python-bidi's pure-Python algorithm: older rules, but a whole answer
        from bidi.algorithm import get_display as python_display  # type: ignore[import-untyped]

        return _drop_controls(str(python_display(text, base_dir="R" if rtl else "L")))
    from bidi.mirror import MIRRORED  # type: ignore[import-untyped]

    base = 1 if rtl else 0
    # L1: whitespace at the end of the line takes the paragraph level.
    end = len(text)
    while end and (text[end - 1].isspace() or unicodedata.bidirectional(text[end - 1]) in ("WS", "S", "B")):
        end -= 1
        levels[end] = base
    # L2: from the highest level down to the lowest odd one, reverse every run at that level or higher.
    order = list(range(len(text)))
    highest = max(levels, default=0)
    lowest_odd = min((lv for lv in levels if lv % 2), default=highest + 1)
    for level in range(highest, lowest_odd - 1, -1):
        i = 0
        while i < len(order):
            if levels[order[i]] >= level:
                j = i
                while j < len(order) and levels[order[j]] >= level:
                    j += 1
                order[i:j] = order[i:j][::-1]
                i = j
            else:
                i += 1
    # L4: characters at odd (right-to-left) levels are drawn with their mirrored glyph.
    chars = [MIRRORED.get(text[i], text[i]) if levels[i] % 2 else text[i] for i in order]
    return _drop_controls("".join(chars))


def _drop_controls(text: str) -> str:
    """Format characters (bidi controls, ZWJ/ZWNJ, soft hyphen) have done their work; cairo would box them."""
    return "".join(c for c in text if unicodedata.category(c) != "Cf")


# --- the SVG rewrite -------------------------------------------------------------


def _declarations(style: str) -> dict[str, str]:
    found = {}
    for item in style.split(";"):
        name, sep, value = item.partition(":")
        if sep:
            found[name.strip().lower()] = value.strip()
    return found


def _properties(element: ET.Element, inherited: dict[str, str]) -> dict[str, str]:
    own = {name: value for name in _INHERITED if (value := element.get(name)) is not None}
    own.update({k: v for k, v in _declarations(element.get("style", "")).items() if k in _INHERITED})
    if not own:
        return inherited
    merged = dict(inherited)
    merged.update({k: v for k, v in own.items() if v not in ("inherit", "")})
    return merged


def _number(value: str | None) -> float | None:
    if value is None:
        return None
    match = _NUMBER.match(value)
    return float(match.group(1)) if match else None


def _families(value: str) -> list[str]:
    families = [f.strip().strip("'\"").strip() for f in value.split(",")]
    return [f for f in families if f] or ["sans-serif"]


def _is_bold(weight: str) -> bool:
    """Bold as cairosvg decides it: `bold`, or a number of 550 and more."""
    weight = weight.strip().lower()
    return weight == "bold" or (weight.isdigit() and int(weight) >= 550)


def _fmt(value: float) -> str:
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


class _Line(NamedTuple):
    node: ET.Element  # the <tspan> (or <text>) that holds the line's characters
    props: dict[str, str]


class _Rewriter:
    def __init__(self, fonts: FontProbe) -> None:
        self.fonts = fonts
        self.report = TextReport()
        self._font_for: dict[tuple[tuple[str, ...], bool, str], str | None] = {}

    def walk(self, element: ET.Element, inherited: dict[str, str]) -> None:
        props = _properties(element, inherited)
        if element.tag == _TEXT:
            self.text(element, props)
            return
        for child in list(element):
            self.walk(child, props)

    def text(self, element: ET.Element, props: dict[str, str]) -> None:
        tspans = [child for child in element if child.tag == _TSPAN]
        lines = [_Line(t, _properties(t, props)) for t in tspans if len(t) == 0]
        if not tspans and (element.text or "").strip():
            lines = [_Line(element, props)]
        rewritten = False
        for line in lines:
            rewritten |= self.line(element, line)
        if rewritten and element.get("direction"):
            del element.attrib["direction"]  # the characters are in visual order now

    def font(self, stack: tuple[str, ...], bold: bool, char: str) -> str | None:
        key = (stack, bold, char)
        if key not in self._font_for:
            found = next((f for f in stack if self.fonts.covers(f, bold, char)), None)
            if found is None and not char.isspace():
                candidate = self.fonts.fallback(char, bold)
                if candidate and self.fonts.covers(candidate, bold, char):
                    found = candidate
            self._font_for[key] = found
        return self._font_for[key]

    def line(self, text_element: ET.Element, line: _Line) -> bool:
        node, props = line.node, line.props
        preserve = node.get(_XML_SPACE) == "preserve" or text_element.get(_XML_SPACE) == "preserve"
        logical = (node.text or "").replace("\n", " ") if preserve else _SPACES.sub(" ", node.text or "").strip(" ")
        if not logical:
            return False
        stack = tuple(_families(props["font-family"]))
        bold = _is_bold(props["font-weight"])
        rtl = props["direction"].strip().lower() == "rtl"
        if not rtl and not has_rtl(logical) and all(self.fonts.covers(stack[0], bold, c) for c in set(logical)):
            return False
        visual = visual_order(logical, rtl)
        runs: list[tuple[str, str]] = []  # (family, characters)
        for char in visual:
            family = self.font(stack, bold, char)
            if family is None:
                if not char.isspace():
                    self.report.missing.setdefault(char)
                family = runs[-1][0] if runs else stack[0]
            if runs and runs[-1][0] == family:
                runs[-1] = (family, runs[-1][1] + char)
            else:
                runs.append((family, char))
        self.report.lines += 1
        anchor = props["text-anchor"].strip().lower()
        if rtl and anchor in ("start", "end"):  # the start of right-to-left text is its right edge
            anchor = "end" if anchor == "start" else "start"
        size = _number(props["font-size"])
        x = _number(node.get("x"))
        spacing = _number(props["letter-spacing"]) or 0.0
        if size is None or x is None or len(runs) == 1:
            self.in_place(node, visual, runs, anchor, bold)
            return True
        self.split(text_element, node, runs, anchor, x, size, bold, spacing)
        return True

    def in_place(self, node: ET.Element, visual: str, runs: list[tuple[str, str]], anchor: str, bold: bool) -> None:
        """One font (or no position to compute from): rewrite the characters, keep the node."""
        counts: dict[str, int] = {}
        for family, chars in runs:
            counts[family] = counts.get(family, 0) + len(chars.strip())
        family = max(counts, key=lambda f: counts[f])
        for other, chars in runs:
            if other != family:  # drawn with `family` after all: say so where it has no glyph
                for char in chars:
                    if not char.isspace() and not self.fonts.covers(family, bold, char):
                        self.report.missing.setdefault(char)
        node.text = visual
        _set_style(node, "font-family", family)
        node.set("text-anchor", anchor)
        node.attrib.pop("direction", None)

    def split(self, text_element: ET.Element, node: ET.Element, runs: list[tuple[str, str]], anchor: str,
              x: float, size: float, bold: bool, spacing: float) -> None:
        """Several fonts: one <tspan> per run, each at its measured place."""
        widths = [sum(self.fonts.advance(f, bold, c) * size + spacing for c in chars) for f, chars in runs]
        total = sum(widths) - spacing
        left = x - total if anchor == "end" else x - total / 2 if anchor == "middle" else x
        pieces: list[ET.Element] = []
        for (family, chars), width in zip(runs, widths, strict=True):
            lead = len(chars) - len(chars.lstrip(" "))
            visible = chars.strip(" ")
            if visible:
                offset = sum(self.fonts.advance(family, bold, " ") * size + spacing for _ in range(lead))
                dropped = _NOT_COPIED if not pieces else _NOT_COPIED | {"dy"}  # a relative move happens once
                piece = ET.Element(_TSPAN, {k: v for k, v in node.attrib.items() if k not in dropped})
                piece.set("x", _fmt(left + offset))
                piece.set("text-anchor", "start")
                _set_style(piece, "font-family", family)
                piece.text = visible
                pieces.append(piece)
            left += width
        if node is text_element:
            node.text = None
            position = next((i for i, child in enumerate(node) if child.tag == _TSPAN), len(node))
            for i, piece in enumerate(pieces):
                node.insert(position + i, piece)
            return
        index = list(text_element).index(node)
        text_element.remove(node)
        for i, piece in enumerate(pieces):
            text_element.insert(index + i, piece)
        if pieces:
            pieces[-1].tail = node.tail


def _set_style(element: ET.Element, name: str, value: str) -> None:
    """Set a property in the style attribute (it wins over stylesheets and attributes)."""
    declarations = _declarations(element.get("style", ""))
    declarations[name] = value.replace(";", "").replace("'", "").replace('"', "")
    element.set("style", ";".join(f"{k}:{v}" for k, v in declarations.items()))


def prepare_text(root: ET.Element, fonts: FontProbe) -> TextReport:
    """Rewrite, in place, every text line of an SVG tree that cairo would draw wrongly."""
    rewriter = _Rewriter(fonts)
    rewriter.walk(root, dict(_DEFAULTS))
    return rewriter.report
