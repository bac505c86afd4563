"""PNG and PDF drawn straight from jmap's own SVG with pycairo, text shaped with HarfBuzz.

jmap's SVG uses a small, fixed vocabulary (see jmap/render): `rect`, `path`,
`circle`, `text`/`tspan`, `g` (class, opacity), `use` of icons with
translate/scale, one `clipPath` of a circle and an `image` with a checked PNG
data URI. This module draws exactly that vocabulary and nothing else: any other
element, attribute value or paint raises `Unsupported`, and jmap.export.export then takes
the reference path (cairosvg), which draws any SVG. So the fast path can only be
faster, never draw something else.

Why not cairosvg for everything: it walks the SVG in Python through cairocffi,
whose import alone parses cairo's C headers (~0.7 s); drawing took ~2 s and
cairo's PNG encoder ~1.2 s for 22 megapixels. Here pycairo (a C extension,
imported in 0.01 s) draws, and the PNG is encoded row band by row band with zlib.

Text: every line is split into runs of one bidi level and one font (the first
family of `font-family` with a glyph, as a browser picks it; marks stay with their
base), each run is shaped by HarfBuzz from the very font file cairo draws with
(fontconfig is asked which file that is), and drawn with cairo `show_glyphs`, so
Arabic is joined with its vowel marks, kerning and ligatures are applied as in a
browser, and a PDF keeps real, selectable text with embedded font subsets.

Safety: the SVG has passed jmap.export.export's checks (no DTD, references only to
fragments and checked data URIs); this module reads nothing else: no file, no
network. Images are decoded from those checked bytes only.
"""

from __future__ import annotations

import io
import math
import re
import struct
import sys
import unicodedata
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from jmap.export import fontconfig
from jmap.export.rtl import SVG_NS, _levels
from jmap.images import ImageError, check_data_uri, inspect_image

__all__ = ["Drawn", "Unsupported", "draw_pdf", "draw_png", "font_problems", "preload"]

_NS = f"{{{SVG_NS}}}"
_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_PATH_TOKEN = re.compile(r"[MmLlHhVvCcSsQqTtAaZz]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_TRANSFORM = re.compile(r"(translate|scale|rotate|matrix)\s*\(([^)]*)\)")
_SPACES = re.compile(r"[ \t\r\n]+")
_NAMED = {"black": (0.0, 0.0, 0.0), "white": (1.0, 1.0, 1.0)}
#: Rows encoded at a time (a band of the ARGB surface turned into PNG rows).
BAND_ROWS = 256
#: Level of the PNG's deflate stream. With zlib-ng, 2 compresses online-shop's 22 megapixels in ~0.04 s
#: (stdlib zlib's level 1: ~0.15 s) and a little smaller than zlib's level 1 (docs/performance.md).
PNG_LEVEL = 2

# Elements drawn, elements skipped (metadata), attributes understood per kind of element.
_SKIPPED = frozenset(("title", "desc", "metadata"))
_PAINT = frozenset(("fill", "stroke", "stroke-width", "stroke-dasharray", "stroke-linecap", "stroke-linejoin",
                    "font-family", "font-size", "font-weight", "text-anchor", "direction"))
_IGNORED = frozenset(("class", "id", "role", "aria-labelledby", "aria-label", "data-theme"))
_ALLOWED = {
    "svg": _PAINT | {"width", "height", "viewBox", "preserveAspectRatio", "text-rendering", "version"},
    "g": _PAINT | {"opacity"},
    "rect": _PAINT | {"x", "y", "width", "height", "rx", "ry"},
    "circle": _PAINT | {"cx", "cy", "r"},
    "path": _PAINT | {"d"},
    "use": _PAINT | {"href", _XLINK_HREF, "transform"},
    "text": _PAINT | {"x", "y"},
    "tspan": _PAINT | {"x", "y"},
    "image": {"x", "y", "width", "height", "href", _XLINK_HREF, "preserveAspectRatio", "clip-path"},
}


class Unsupported(Exception):
    """The SVG uses something this drawer does not know: draw it with cairosvg instead."""


class Drawn:
    """What drawing found out, for jmap.export.export's warnings."""

    __slots__ = ("missing",)

    def __init__(self) -> None:
        #: Characters no font has (drawn as boxes), in the order met.
        self.missing: dict[str, None] = {}


# --- cairo and fonts ---------------------------------------------------------------


@lru_cache(maxsize=1)
def _cairo() -> Any:
    """pycairo, with fontconfig reading jmap's fonts.conf (it reads it once, at the first font)."""
    try:
        with fontconfig.activated():
            import cairo

            context = cairo.Context(cairo.ImageSurface(cairo.FORMAT_A8, 1, 1))
            context.select_font_face("Inter")
            context.text_extents("x")
    except (ImportError, OSError) as error:
        raise Unsupported(f"pycairo is not usable: {error}") from None
    return cairo


class _Font:
    """One family and weight: the cairo face that draws it and the HarfBuzz font that shapes for it."""

    def __init__(self, family: str, bold: bool) -> None:
        import uharfbuzz as hb  # type: ignore[import-untyped]

        cairo = _cairo()
        self.family, self.bold = family, bold
        self.face = cairo.ToyFontFace(family, cairo.FONT_SLANT_NORMAL,
                                      cairo.FONT_WEIGHT_BOLD if bold else cairo.FONT_WEIGHT_NORMAL)
        found = fontconfig.font_file(family, bold)
        if found is None:
            raise Unsupported(f"fontconfig does not say which file draws {family}")
        self.path, index, self.matched = found
        blob = hb.Blob.from_file_path(self.path)
        self.hb_face = hb.Face(blob, index)
        self.hb = hb.Font(self.hb_face)
        self.upem = self.hb_face.upem
        # A family not on this machine matches another font: skipped, as a browser skips it (generic names match).
        self.present = (family.lower() in ("sans-serif", "serif", "monospace")
                        or family.lower() in (name.lower() for name in self.matched))
        self._covers: dict[str, bool] = {}
        self._checked = False
        self._problem = ""

    def covers(self, char: str) -> bool:
        found = self._covers.get(char)
        if found is None:
            found = self._covers[char] = self.present and self.hb.get_nominal_glyph(ord(char)) is not None
        return found

    def check(self, text: str) -> None:
        """cairo must draw with the file HarfBuzz shapes with: compare glyph ids and advances once."""
        if self._checked:
            if self._problem:
                raise Unsupported(self._problem)
            return
        cairo = _cairo()
        sample = "".join(dict.fromkeys(c for c in text if not c.isspace() and self.covers(c)))[:12]
        if not sample:
            return
        self._checked = True
        try:
            self._compare(cairo, sample)
        except Unsupported as why:
            self._problem = str(why)  # remembered: every later map and format falls back too, not only the first
            raise

    def _compare(self, cairo: Any, sample: str) -> None:
        scaled = cairo.ScaledFont(self.face, cairo.Matrix(xx=1000, yy=1000), cairo.Matrix(), _font_options())
        glyphs = scaled.text_to_glyphs(0, 0, sample, False)
        ids = [glyph[0] for glyph in glyphs]
        expected = [self.hb.get_nominal_glyph(ord(c)) for c in sample]
        if ids != expected:
            raise Unsupported(f"cairo draws {self.family} from another file than {self.path}")
        for char, gid in zip(sample, expected, strict=True):
            advance = scaled.text_extents(char)[4]
            if abs(advance - self.hb.get_glyph_h_advance(gid) * 1000 / self.upem) > 0.5:
                raise Unsupported(f"cairo's advances for {self.family} are not the font file's")


@lru_cache(maxsize=1)
def _font_options() -> Any:
    cairo = _cairo()
    options = cairo.FontOptions()
    options.set_antialias(cairo.ANTIALIAS_GRAY)
    options.set_hint_style(cairo.HINT_STYLE_NONE)
    options.set_hint_metrics(cairo.HINT_METRICS_OFF)
    return options


@lru_cache(maxsize=64)
def _font(family: str, bold: bool) -> _Font:
    return _Font(family, bold)


def preload() -> None:
    """Load pycairo and the bundled fonts now; Unsupported when this path cannot draw here."""
    _cairo()
    font_problems()


def font_problems() -> list[str]:
    """Bundled families that this machine's fontconfig resolves to another file (W512)."""
    bundled = fontconfig.bundled_dir()
    problems = []
    for family, bold in (("Inter", False), ("Inter", True), ("Noto Sans Arabic", False), ("Noto Sans Hebrew", False)):
        font = _font(family, bold)
        try:
            inside = fontconfig.is_inside(font.path, bundled)
        except OSError:
            inside = False
        if not inside:
            problems.append(f"{family}{' SemiBold' if bold and family == 'Inter' else ''}")
    return problems


# --- style -------------------------------------------------------------------------


class _Style:
    """The inherited presentation properties jmap's SVG uses, with SVG's initial values."""

    __slots__ = ("anchor", "dash", "direction", "family", "fill", "linecap", "linejoin", "size", "stroke",
                 "stroke_width", "weight")

    def __init__(self) -> None:
        self.fill: tuple[float, float, float] | None = (0.0, 0.0, 0.0)
        self.stroke: tuple[float, float, float] | None = None
        self.stroke_width = 1.0
        self.dash: tuple[float, ...] = ()
        self.linecap = "butt"
        self.linejoin = "miter"
        self.family = "sans-serif"
        self.size = 16.0
        self.weight = "normal"
        self.anchor = "start"
        self.direction = "ltr"

    def derive(self, element: ET.Element, tag: str) -> _Style:
        allowed = _ALLOWED.get(tag)
        if allowed is None:
            raise Unsupported(f"element <{tag}>")
        attrib = element.attrib
        for name in attrib:
            if name not in allowed and name not in _IGNORED and not name.startswith("data-"):
                raise Unsupported(f"attribute {name} on <{tag}>")
        if not any(name in _PAINT for name in attrib):
            return self
        style = _Style.__new__(_Style)
        for slot in _Style.__slots__:
            setattr(style, slot, getattr(self, slot))
        get = attrib.get
        if (value := get("fill")) is not None:
            style.fill = _color(value)
        if (value := get("stroke")) is not None:
            style.stroke = _color(value)
        if (value := get("stroke-width")) is not None:
            style.stroke_width = _float(value)
        if (value := get("stroke-dasharray")) is not None:
            dash = tuple(_float(v) for v in _NUMBER.findall(value)) if value.strip() != "none" else ()
            style.dash = dash * 2 if len(dash) % 2 else dash
        if (value := get("stroke-linecap")) is not None:
            style.linecap = _choice(value, ("butt", "round", "square"))
        if (value := get("stroke-linejoin")) is not None:
            style.linejoin = _choice(value, ("miter", "round", "bevel"))
        if (value := get("font-family")) is not None:
            style.family = value
        if (value := get("font-size")) is not None:
            style.size = _float(value.removesuffix("px"))
        if (value := get("font-weight")) is not None:
            style.weight = value
        if (value := get("text-anchor")) is not None:
            style.anchor = _choice(value, ("start", "middle", "end"))
        if (value := get("direction")) is not None:
            style.direction = _choice(value, ("ltr", "rtl"))
        return style


def _float(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise Unsupported(f"number {value[:20]!r}") from None
    if not math.isfinite(number):
        raise Unsupported("a number that is not finite")
    return number


def _choice(value: str, choices: tuple[str, ...]) -> str:
    value = value.strip().lower()
    if value not in choices:
        raise Unsupported(f"value {value[:20]!r}")
    return value


@lru_cache(maxsize=512)
def _color(value: str) -> tuple[float, float, float] | None:
    value = value.strip().lower()
    if value == "none":
        return None
    if value in _NAMED:
        return _NAMED[value]
    if re.fullmatch(r"#[0-9a-f]{6}", value):
        return tuple(int(value[i:i + 2], 16) / 255 for i in (1, 3, 5))  # type: ignore[return-value]
    if re.fullmatch(r"#[0-9a-f]{3}", value):
        return tuple(int(c * 2, 16) / 255 for c in value[1:])  # type: ignore[return-value]
    raise Unsupported(f"paint {value[:20]!r}")


def _families(value: str) -> tuple[str, ...]:
    families = tuple(f.strip().strip("'\"").strip() for f in value.split(","))
    return tuple(f for f in families if f) or ("sans-serif",)


def _is_bold(weight: str) -> bool:
    """Bold as the layout and cairosvg decide it: `bold`, or a number of 550 and more."""
    weight = weight.strip().lower()
    return weight == "bold" or (weight.isdigit() and int(weight) >= 550)


# --- geometry ----------------------------------------------------------------------


def _transform(value: str) -> list[tuple[str, list[float]]]:
    steps = []
    rest = _TRANSFORM.sub("", value).replace(",", " ").strip()
    if rest:
        raise Unsupported(f"transform {value[:30]!r}")
    for name, arguments in _TRANSFORM.findall(value):
        steps.append((name, [_float(v) for v in _NUMBER.findall(arguments)]))
    return steps


def _apply_transform(context: Any, value: str) -> None:
    cairo = _cairo()
    for name, args in _transform(value):
        if name == "translate" and len(args) in (1, 2):
            context.translate(args[0], args[1] if len(args) == 2 else 0.0)
        elif name == "scale" and len(args) in (1, 2):
            context.scale(args[0], args[1] if len(args) == 2 else args[0])
        elif name == "rotate" and len(args) == 1:
            context.rotate(math.radians(args[0]))
        elif name == "matrix" and len(args) == 6:
            context.transform(cairo.Matrix(*args))
        else:
            raise Unsupported(f"transform {name}")


def _path(context: Any, d: str) -> None:
    """Append SVG path data to cairo's current path (all commands, arcs included)."""
    tokens = _PATH_TOKEN.findall(d)
    if _PATH_TOKEN.sub("", d).replace(",", "").strip():
        raise Unsupported("path data")
    i, command = 0, ""
    x = y = start_x = start_y = 0.0
    last_control: tuple[float, float] | None = None
    last_quad: tuple[float, float] | None = None

    def numbers(count: int) -> list[float]:
        nonlocal i
        if i + count > len(tokens) or any(t.isalpha() for t in tokens[i:i + count]):
            raise Unsupported("path data")
        values = [float(t) for t in tokens[i:i + count]]
        i += count
        return values

    while i < len(tokens):
        if tokens[i].isalpha():
            command = tokens[i]
            i += 1
        elif not command:
            raise Unsupported("path data")
        relative = command.islower()
        op = command.upper()
        dx, dy = (x, y) if relative else (0.0, 0.0)
        control: tuple[float, float] | None = None
        quad: tuple[float, float] | None = None
        if op == "Z":
            context.close_path()
            x, y = start_x, start_y
            command = ""
        elif op == "M":
            px, py = numbers(2)
            x, y = px + dx, py + dy
            start_x, start_y = x, y
            context.move_to(x, y)
            command = "l" if relative else "L"
        elif op == "L":
            px, py = numbers(2)
            x, y = px + dx, py + dy
            context.line_to(x, y)
        elif op == "H":
            x = numbers(1)[0] + dx
            context.line_to(x, y)
        elif op == "V":
            y = numbers(1)[0] + dy
            context.line_to(x, y)
        elif op in ("C", "S"):
            if op == "C":
                x1, y1, x2, y2, px, py = numbers(6)
                x1, y1 = x1 + dx, y1 + dy
            else:
                x2, y2, px, py = numbers(4)
                x1, y1 = (2 * x - last_control[0], 2 * y - last_control[1]) if last_control else (x, y)
            x2, y2, px, py = x2 + dx, y2 + dy, px + dx, py + dy
            context.curve_to(x1, y1, x2, y2, px, py)
            control, (x, y) = (x2, y2), (px, py)
        elif op in ("Q", "T"):
            if op == "Q":
                qx, qy, px, py = numbers(4)
                qx, qy = qx + dx, qy + dy
            else:
                px, py = numbers(2)
                qx, qy = (2 * x - last_quad[0], 2 * y - last_quad[1]) if last_quad else (x, y)
            px, py = px + dx, py + dy
            context.curve_to(x + 2 / 3 * (qx - x), y + 2 / 3 * (qy - y),
                             px + 2 / 3 * (qx - px), py + 2 / 3 * (qy - py), px, py)
            quad, (x, y) = (qx, qy), (px, py)
        elif op == "A":
            rx, ry, rotation, large, sweep, px, py = numbers(7)
            px, py = px + dx, py + dy
            _arc(context, x, y, abs(rx), abs(ry), rotation, large != 0, sweep != 0, px, py)
            x, y = px, py
        else:
            raise Unsupported(f"path command {command}")
        last_control, last_quad = control, quad


def _arc(context: Any, x1: float, y1: float, rx: float, ry: float, rotation: float, large: bool, sweep: bool,
         x2: float, y2: float) -> None:
    """SVG's endpoint arc as cairo's centre arc (SVG 1.1, appendix F.6)."""
    if (x1, y1) == (x2, y2):
        return
    if rx == 0 or ry == 0:
        context.line_to(x2, y2)
        return
    phi = math.radians(rotation % 360)
    cos, sin = math.cos(phi), math.sin(phi)
    hx, hy = (x1 - x2) / 2, (y1 - y2) / 2
    xp, yp = cos * hx + sin * hy, -sin * hx + cos * hy
    scale = (xp * xp) / (rx * rx) + (yp * yp) / (ry * ry)
    if scale > 1:
        rx, ry = rx * math.sqrt(scale), ry * math.sqrt(scale)
    numerator = rx * rx * ry * ry - rx * rx * yp * yp - ry * ry * xp * xp
    factor = math.sqrt(max(0.0, numerator / (rx * rx * yp * yp + ry * ry * xp * xp)))
    if large == sweep:
        factor = -factor
    cxp, cyp = factor * rx * yp / ry, -factor * ry * xp / rx
    cx, cy = cos * cxp - sin * cyp + (x1 + x2) / 2, sin * cxp + cos * cyp + (y1 + y2) / 2
    start = math.atan2((yp - cyp) / ry, (xp - cxp) / rx)
    end = math.atan2((-yp - cyp) / ry, (-xp - cxp) / rx)
    context.save()
    context.translate(cx, cy)
    context.rotate(phi)
    context.scale(rx, ry)
    if sweep:
        context.arc(0, 0, 1, start, end)
    else:
        context.arc_negative(0, 0, 1, start, end)
    context.restore()


class DamagedImage(Exception):
    """An image whose headers pass jmap.images' checks but whose pixel data cannot be decoded."""


def _picture(data: bytes) -> Any:
    """A cairo surface of a checked PNG (cairo decodes it) or JPEG (Pillow, which cairosvg also uses, decodes it)."""
    cairo = _cairo()
    if data.startswith(b"\x89PNG"):
        try:
            return cairo.ImageSurface.create_from_png(io.BytesIO(data))
        except (cairo.Error, MemoryError) as error:  # cairo says "out of memory" for a broken zlib stream too
            raise DamagedImage(str(error)) from None
    try:
        from PIL import Image
    except ImportError:
        raise Unsupported("a JPEG image without Pillow") from None
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in ("JPEG", "MPO"):  # MPO: a camera's JPEG with extra frames; the first is drawn
                raise Unsupported("an image that is neither PNG nor JPEG")
            rgb = image.convert("RGB").tobytes()
            width, height = image.size
    except (OSError, SyntaxError, ValueError) as error:  # PIL.UnidentifiedImageError is an OSError
        raise DamagedImage(str(error)) from None
    pixels = bytearray(4 * width * height)  # cairo's RGB24: little-endian BGRx
    pixels[0::4], pixels[1::4], pixels[2::4] = rgb[2::3], rgb[1::3], rgb[0::3]
    stride = cairo.ImageSurface.format_stride_for_width(cairo.FORMAT_RGB24, width)
    if stride != 4 * width:
        raise Unsupported("an unusual image stride")
    return cairo.ImageSurface.create_for_data(pixels, cairo.FORMAT_RGB24, width, height, stride)


def _number(element: ET.Element, name: str, default: float = 0.0) -> float:
    value = element.get(name)
    return default if value is None else _float(value.removesuffix("px"))


# --- the drawer --------------------------------------------------------------------


class _Drawer:
    def __init__(self, root: ET.Element, drawn: Drawn, text_clusters: bool = False) -> None:
        self.root = root
        self.text_clusters = text_clusters
        self.drawn = drawn
        self.ids = {e.get("id"): e for e in root.iter() if e.get("id")}
        self.cairo = _cairo()
        #: Pictures shrunk to the device pixels they cover, by (data URI, size): the recording keeps
        #: every source it paints, so full-size decoded images (64 MB for 4096 x 4096) must not reach it.
        self.pictures: dict[tuple[str, int, int], Any] = {}

    def draw(self, context: Any) -> None:
        style = _Style().derive(self.root, "svg")
        aspect = (self.root.get("preserveAspectRatio") or "xMidYMid meet").split()
        if aspect not in (["xMidYMid"], ["xMidYMid", "meet"]):
            raise Unsupported("preserveAspectRatio on the root")
        context.set_miter_limit(4)
        self.children(context, self.root, style)

    def children(self, context: Any, element: ET.Element, style: _Style) -> None:
        for child in element:
            if not isinstance(child.tag, str) or not child.tag.startswith(_NS):
                raise Unsupported("an element outside the SVG namespace")
            tag = child.tag[len(_NS):]
            if tag in _SKIPPED or tag in ("defs", "clipPath"):
                continue
            self.element(context, child, tag, style)

    def element(self, context: Any, element: ET.Element, tag: str, inherited: _Style) -> None:
        style = inherited.derive(element, tag)
        if tag == "g":
            opacity = element.get("opacity")
            if opacity is not None:
                alpha = _float(opacity)
                context.push_group()
                self.children(context, element, style)
                context.pop_group_to_source()
                context.paint_with_alpha(min(1.0, max(0.0, alpha)))
            else:
                self.children(context, element, style)
        elif tag == "rect":
            self.rect(context, element)
            self.paint(context, style)
        elif tag == "circle":
            r = _number(element, "r")
            if r > 0:
                context.new_sub_path()
                context.arc(_number(element, "cx"), _number(element, "cy"), r, 0, 2 * math.pi)
                context.close_path()
                self.paint(context, style)
        elif tag == "path":
            _path(context, element.get("d", ""))
            self.paint(context, style)
        elif tag == "use":
            self.use(context, element, style)
        elif tag == "text":
            self.text(context, element, style)
        elif tag == "image":
            self.image(context, element)
        else:
            raise Unsupported(f"element <{tag}>")

    def rect(self, context: Any, element: ET.Element) -> None:
        x, y = _number(element, "x"), _number(element, "y")
        w, h = _number(element, "width"), _number(element, "height")
        if w <= 0 or h <= 0:
            return
        rx_raw, ry_raw = element.get("rx"), element.get("ry")
        rx = _float(rx_raw) if rx_raw is not None else None
        ry = _float(ry_raw) if ry_raw is not None else None
        rx = rx if rx is not None else ry or 0.0
        ry = ry if ry is not None else rx
        rx, ry = min(max(rx, 0.0), w / 2), min(max(ry, 0.0), h / 2)
        if rx == 0 or ry == 0:
            context.rectangle(x, y, w, h)
            return
        context.new_sub_path()
        context.save()
        context.translate(x, y)
        context.scale(rx, ry)
        sw, sh = w / rx, h / ry
        context.arc(sw - 1, 1, 1, -math.pi / 2, 0)
        context.arc(sw - 1, sh - 1, 1, 0, math.pi / 2)
        context.arc(1, sh - 1, 1, math.pi / 2, math.pi)
        context.arc(1, 1, 1, math.pi, 3 * math.pi / 2)
        context.restore()
        context.close_path()

    def paint(self, context: Any, style: _Style) -> None:
        if style.fill is not None:
            context.set_source_rgb(*style.fill)
            if style.stroke is not None and style.stroke_width > 0:
                context.fill_preserve()
            else:
                context.fill()
        if style.stroke is not None and style.stroke_width > 0:
            cairo = self.cairo
            context.set_source_rgb(*style.stroke)
            context.set_line_width(style.stroke_width)
            context.set_line_cap({"butt": cairo.LINE_CAP_BUTT, "round": cairo.LINE_CAP_ROUND,
                                  "square": cairo.LINE_CAP_SQUARE}[style.linecap])
            context.set_line_join({"miter": cairo.LINE_JOIN_MITER, "round": cairo.LINE_JOIN_ROUND,
                                   "bevel": cairo.LINE_JOIN_BEVEL}[style.linejoin])
            context.set_dash(style.dash if style.dash and sum(style.dash) > 0 else ())
            context.stroke()
        context.new_path()

    def use(self, context: Any, element: ET.Element, style: _Style) -> None:
        href = element.get("href") or element.get(_XLINK_HREF) or ""
        target = self.ids.get(href[1:]) if href.startswith("#") else None
        if target is None or target.tag != f"{_NS}g" or target.find(f".//{_NS}use") is not None:
            raise Unsupported("a <use> that is not of an icon")  # an icon holds no <use>: no loops
        context.save()
        _apply_transform(context, element.get("transform", ""))
        self.children(context, target, style.derive(target, "g"))
        context.restore()

    def image(self, context: Any, element: ET.Element) -> None:
        href = element.get("href") or element.get(_XLINK_HREF) or ""
        try:
            data = check_data_uri(href)
        except ImageError:
            raise Unsupported("an image that is not a checked data URI") from None  # cairosvg reports it
        x, y = _number(element, "x"), _number(element, "y")
        w, h = _number(element, "width"), _number(element, "height")
        info = inspect_image(data)  # the header's size: decoding waits until the drawn size is known
        iw, ih = info.width, info.height
        if iw <= 0 or ih <= 0 or w <= 0 or h <= 0:
            return
        aspect = (element.get("preserveAspectRatio") or "xMidYMid meet").split()
        if aspect[0] != "xMidYMid" or (len(aspect) > 1 and aspect[1] not in ("meet", "slice")) or len(aspect) > 2:
            raise Unsupported("preserveAspectRatio")
        fit = max if len(aspect) > 1 and aspect[1] == "slice" else min
        scale = fit(w / iw, h / ih)
        picture = self.picture(context, href, data, iw * scale, ih * scale)
        context.save()
        clip = element.get("clip-path")
        if clip:
            self.clip(context, clip)
        context.rectangle(x, y, w, h)
        context.clip()
        context.translate(x + (w - iw * scale) / 2, y + (h - ih * scale) / 2)
        context.scale(scale * iw / picture.get_width(), scale * ih / picture.get_height())  # the same box
        context.set_source_surface(picture, 0, 0)
        context.get_source().set_filter(self.cairo.FILTER_GOOD)
        context.paint()
        context.restore()

    def picture(self, context: Any, href: str, data: bytes, width: float, height: float) -> Any:
        """The decoded picture, shrunk (never enlarged) to the device pixels its box of width x height covers."""
        dw, dh = (abs(v) for v in context.user_to_device_distance(width, height))
        info = inspect_image(data)
        iw, ih = info.width, info.height
        size = (min(iw, max(1, math.ceil(dw))), min(ih, max(1, math.ceil(dh))))
        key = (href, *size)
        found = self.pictures.get(key)
        if found is None:
            decoded = _picture(data)
            if size == (iw, ih):
                found = decoded
            else:
                found = self.cairo.ImageSurface(self.cairo.FORMAT_ARGB32, *size)
                shrink = self.cairo.Context(found)
                shrink.scale(size[0] / iw, size[1] / ih)
                shrink.set_source_surface(decoded, 0, 0)
                shrink.get_source().set_filter(self.cairo.FILTER_GOOD)
                shrink.paint()
                found.flush()
            self.pictures[key] = found
        return found

    def clip(self, context: Any, value: str) -> None:
        match = re.fullmatch(r"url\(#([^)]+)\)", value.strip())
        target = self.ids.get(match.group(1)) if match else None
        if target is None or target.tag != f"{_NS}clipPath" or target.attrib.keys() - {"id"}:
            raise Unsupported("clip-path")
        for shape in target:
            if shape.tag == f"{_NS}circle" and not shape.attrib.keys() - {"cx", "cy", "r"}:
                context.new_sub_path()
                context.arc(_number(shape, "cx"), _number(shape, "cy"), _number(shape, "r"), 0, 2 * math.pi)
            elif shape.tag == f"{_NS}rect" and not shape.attrib.keys() - {"x", "y", "width", "height", "rx", "ry"}:
                self.rect(context, shape)
            else:
                raise Unsupported("clip-path shape")
        context.clip()

    # --- text ---

    def text(self, context: Any, element: ET.Element, style: _Style) -> None:
        # A shortened text carries its full wording as a <title> (a tooltip): nothing to draw.
        parts = [child for child in element if child.tag != f"{_NS}title" or (child.tail or "").strip()]
        tspans = [child for child in parts if child.tag == f"{_NS}tspan"]
        if len(tspans) != len(parts):
            raise Unsupported("text with other children than tspans")
        if tspans:
            if (element.text or "").strip():
                raise Unsupported("text mixed with tspans")
            for tspan in tspans:
                if len(tspan) or (tspan.tail or "").strip():
                    raise Unsupported("nested tspans")
                line_style = style.derive(tspan, "tspan")
                x = _number(tspan, "x", _number(element, "x"))
                y = _number(tspan, "y", _number(element, "y"))
                self.line(context, tspan.text or "", x, y, line_style)
        else:
            self.line(context, element.text or "", _number(element, "x"), _number(element, "y"), style)

    def line(self, context: Any, raw: str, x: float, y: float, style: _Style) -> None:
        text = _SPACES.sub(" ", raw).strip(" ")
        if not text or style.fill is None:
            return
        if style.stroke is not None:
            raise Unsupported("stroked text")
        rtl = style.direction == "rtl"
        runs = self.runs(text, rtl, _families(style.family), _is_bold(style.weight))
        size = style.size
        shaped = []
        width = 0.0
        for font, chars, level in runs:
            font.check(chars)
            glyphs, advance, clusters = _shape(font, chars, level % 2 == 1)
            shaped.append((font, chars, glyphs, clusters, level % 2 == 1, width))
            width += advance * size / font.upem
        anchor = style.anchor
        if rtl and anchor != "middle":
            anchor = "end" if anchor == "start" else "start"
        left = x - width if anchor == "end" else x - width / 2 if anchor == "middle" else x
        context.set_source_rgb(*style.fill)
        context.set_font_options(_font_options())
        for font, chars, glyphs, clusters, backward, offset in shaped:
            k = size / font.upem
            context.set_font_face(font.face)
            context.set_font_size(size)
            origin = left + offset
            placed = [(gid, origin + gx * k, y - gy * k) for gid, gx, gy in glyphs]
            if self.text_clusters and clusters:  # PDF: the glyphs carry their text (search, copy, screen readers)
                cairo = self.cairo
                flags = cairo.TextClusterFlags.BACKWARD if backward else cairo.TextClusterFlags(0)
                context.show_text_glyphs(chars, [cairo.Glyph(*g) for g in placed],
                                         [cairo.TextCluster(*c) for c in clusters], flags)
            else:
                context.show_glyphs(placed)

    def runs(self, text: str, rtl: bool, stack: tuple[str, ...], bold: bool) -> list[tuple[_Font, str, int]]:
        """The line in visual order as runs of (font, characters in logical order, bidi level)."""
        fonts = [_font(family, bold) for family in stack]
        chosen: list[_Font] = []
        for char in text:
            category = unicodedata.category(char)
            if chosen and (category in ("Mn", "Me", "Cf") or char in "\u200c\u200d"):
                previous = chosen[-1]
                if previous.covers(char) or category == "Cf":
                    chosen.append(previous)
                    continue
            font = next((f for f in fonts if f.covers(char)), None)
            if font is None:
                fallback = fontconfig.family_for(char, bold) if not char.isspace() else None
                candidate = _font(fallback, bold) if fallback else None
                if candidate is not None and candidate.covers(char):
                    font = candidate
                else:
                    if not char.isspace() and category != "Cf":
                        self.drawn.missing.setdefault(char)
                    font = chosen[-1] if chosen else fonts[0]
            chosen.append(font)
        levels = _bidi_levels(text, rtl)
        runs: list[tuple[_Font, str, int]] = []
        start = 0
        for i in range(1, len(text) + 1):
            if i == len(text) or chosen[i] is not chosen[start] or levels[i] != levels[start]:
                runs.append((chosen[start], text[start:i], levels[start]))
                start = i
        # Unicode bidi L2 on runs: from the highest level down to the lowest odd one, reverse runs at or above it.
        highest = max(level for _, _, level in runs)
        lowest_odd = min((level for _, _, level in runs if level % 2), default=highest + 1)
        for level in range(highest, lowest_odd - 1, -1):
            i = 0
            while i < len(runs):
                if runs[i][2] >= level:
                    j = i
                    while j < len(runs) and runs[j][2] >= level:
                        j += 1
                    runs[i:j] = runs[i:j][::-1]
                    i = j
                else:
                    i += 1
        return runs


def _bidi_levels(text: str, rtl: bool) -> list[int]:
    base = 1 if rtl else 0
    if not rtl and not any(unicodedata.bidirectional(c) in ("R", "AL", "RLE", "RLO", "RLI", "AN") for c in text):
        return [0] * len(text)
    levels = _levels(text, rtl)
    if levels is None:
        raise Unsupported("bidi levels")
    end = len(text)  # L1: whitespace at the end of the line takes the paragraph level
    while end and (text[end - 1].isspace() or unicodedata.bidirectional(text[end - 1]) in ("WS", "S", "B")):
        end -= 1
        levels[end] = base
    return levels


@lru_cache(maxsize=8192)
def _shape(font: _Font, text: str, rtl: bool) -> tuple[tuple[tuple[int, float, float], ...], float,
                                                       tuple[tuple[int, int], ...] | None]:
    """HarfBuzz's glyphs for one run, (glyph id, x, y) in font units from the run's start, its advance,
    and cairo's text clusters (UTF-8 bytes, glyphs) mapping the glyphs back to the text (None if unsure)."""
    import uharfbuzz as hb

    buffer = hb.Buffer()
    buffer.add_str(text)
    buffer.guess_segment_properties()
    buffer.direction = "rtl" if rtl else "ltr"
    hb.shape(font.hb, buffer, {})
    glyphs = []
    pen = 0.0
    for info, position in zip(buffer.glyph_infos, buffer.glyph_positions, strict=True):
        glyphs.append((info.codepoint, pen + position.x_offset, float(position.y_offset)))
        pen += position.x_advance
    return tuple(glyphs), pen, _clusters([info.cluster for info in buffer.glyph_infos], text, rtl)


def _clusters(clusters: list[int], text: str, rtl: bool) -> tuple[tuple[int, int], ...] | None:
    """cairo's (bytes, glyphs) clusters from HarfBuzz's per-glyph cluster (a character index).

    Always in text order; for right-to-left runs, whose glyphs come last character first,
    cairo's BACKWARD flag says the clusters take the glyphs from the end of the array.
    """
    offsets = [0]
    for char in text:
        offsets.append(offsets[-1] + len(char.encode("utf-8")))
    logical = clusters[::-1] if rtl else clusters
    if not logical or logical[0] != 0 or any(b < a for a, b in zip(logical, logical[1:], strict=False)):
        return None
    starts = sorted(set(logical))
    ends = {start: end for start, end in zip(starts, [*starts[1:], len(text)], strict=True)}
    result: list[list[int]] = []
    previous = -1
    for cluster in logical:
        if cluster == previous:
            result[-1][1] += 1
        else:
            result.append([offsets[ends[cluster]] - offsets[cluster], 1])
            previous = cluster
    return tuple((size, count) for size, count in result)


# --- surfaces ----------------------------------------------------------------------


def _setup(context: Any, scale: float, viewbox: tuple[float, float, float, float] | None,
           width: float, height: float) -> None:
    """Map the SVG's user space onto the surface: `scale` px per SVG px, the viewBox fitted (xMidYMid meet)."""
    context.scale(scale, scale)
    if viewbox is not None:
        vx, vy, vw, vh = viewbox
        fit = min(width / vw, height / vh)
        context.translate((width - vw * fit) / 2, (height - vh * fit) / 2)
        context.scale(fit, fit)
        context.translate(-vx, -vy)


def _record(root: ET.Element, drawn: Drawn, scale: float, viewbox: tuple[float, float, float, float] | None,
            width: float, height: float) -> Any:
    """The drawing in device pixels, recorded: bands replay it with a whole-pixel translation only
    (cairo 1.16 leaves the last row and column of a *scaled* recording pattern empty)."""
    cairo = _cairo()
    recording = cairo.RecordingSurface(cairo.CONTENT_COLOR_ALPHA, None)
    context = cairo.Context(recording)
    _setup(context, scale, viewbox, width, height)
    _Drawer(root, drawn).draw(context)
    return recording


def draw_png(root: ET.Element, width: float, height: float, viewbox: tuple[float, float, float, float] | None,
             scale: float) -> tuple[bytes, Drawn]:
    """PNG bytes of the SVG tree at `scale`, drawn and encoded a band of rows at a time.

    The drawing is recorded once (a cairo recording surface), then replayed into a
    surface BAND_ROWS high for each band, whose rows are turned into PNG scanlines and
    compressed at once: memory holds one band, not the 22 megapixels of a whole map.
    RGB while every pixel is opaque (jmap's maps have a background); when a band is
    not (no background, or the last column only partly covered at a fractional
    scale), the picture is encoded again as RGBA.
    """
    if sys.byteorder != "little":
        raise Unsupported("a big-endian machine (cairo's pixels are native-endian)")
    drawn = Drawn()
    pixel_width, pixel_height = max(1, round(width * scale)), max(1, round(height * scale))
    # At a scale that gives no whole number of pixels (W510's), draw a hair larger than asked rather than leave
    # the last column or row partly transparent: the picture keeps its proportions and covers every pixel.
    scale = max(pixel_width / width, pixel_height / height)
    recording = _record(root, drawn, scale, viewbox, width, height)
    encoded = _encode(recording, pixel_width, pixel_height, alpha=False)
    if encoded is None:
        encoded = _encode(recording, pixel_width, pixel_height, alpha=True)
    assert encoded is not None
    return encoded, drawn


def _encode(recording: Any, pixel_width: int, pixel_height: int, alpha: bool) -> bytes | None:
    """The PNG file, or None when `alpha` is False and a pixel is not opaque."""
    cairo = _cairo()
    band_surface = cairo.ImageSurface(cairo.FORMAT_ARGB32, pixel_width, min(BAND_ROWS, pixel_height))
    stride = band_surface.get_stride()
    compressor = _deflate().compressobj(PNG_LEVEL)
    opaque = b"\xff" * (pixel_width * BAND_ROWS)
    chunks: list[bytes] = []
    for top in range(0, pixel_height, BAND_ROWS):
        count = min(BAND_ROWS, pixel_height - top)
        context = cairo.Context(band_surface)
        context.set_operator(cairo.OPERATOR_CLEAR)
        context.paint()
        context.set_operator(cairo.OPERATOR_OVER)
        context.set_source_surface(recording, 0, -top)
        context.paint()
        del context
        band_surface.flush()
        band = bytes(band_surface.get_data())[:stride * count]
        if stride != 4 * pixel_width:
            band = b"".join(band[r * stride:r * stride + 4 * pixel_width] for r in range(count))
        if not alpha and band[3::4] != (opaque if count == BAND_ROWS else b"\xff" * (pixel_width * count)):
            return None  # a comparison (memcmp) is ~1/3 faster than counting the 255s
        chunks.extend(compressor.compress(part) for part in _png_rows(band, pixel_width, alpha))
    chunks.append(compressor.flush())
    header = struct.pack(">IIBBBBB", pixel_width, pixel_height, 8, 6 if alpha else 2, 0, 0, 0)
    return b"".join((b"\x89PNG\r\n\x1a\n", _chunk(b"IHDR", header), _chunk(b"IDAT", b"".join(chunks)),
                     _chunk(b"IEND", b"")))


_PARTIAL = re.compile(rb"[\x01-\xfe]")


def _png_rows(band: bytes, width: int, alpha: bool) -> Iterator[bytes | memoryview]:
    """PNG scanlines (filter type 0) of a band of cairo ARGB32 pixels (little-endian, premultiplied BGRA).

    The channel shuffles are strided slice copies (C speed); only partly transparent
    pixels are un-premultiplied one by one (found with a regular expression, also C speed).
    """
    channels = 4 if alpha else 3
    line = channels * width
    pixels = bytearray(len(band) // 4 * channels)
    pixels[0::channels], pixels[1::channels], pixels[2::channels] = band[2::4], band[1::4], band[0::4]
    if alpha:
        alphas = band[3::4]
        pixels[3::4] = alphas
        for match in _PARTIAL.finditer(alphas):
            i = match.start()
            a = alphas[i]
            for c in range(4 * i, 4 * i + 3):
                pixels[c] = min(255, (pixels[c] * 255 + a // 2) // a)
    view = memoryview(pixels)
    for r in range(len(band) // (4 * width)):
        yield b"\x00"
        yield view[r * line:(r + 1) * line]


@lru_cache(maxsize=1)
def _deflate() -> Any:
    """zlib-ng's zlib module (the same deflate format, 3-4x faster at low levels), else stdlib zlib."""
    try:
        from zlib_ng import zlib_ng
    except ImportError:  # pragma: no cover - a dependency; stdlib zlib gives a valid, larger, slower PNG
        return zlib
    return zlib_ng


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def draw_pdf(root: ET.Element, width: float, height: float, viewbox: tuple[float, float, float, float] | None,
             metadata: dict[str, str]) -> tuple[bytes, Drawn]:
    """PDF bytes of the SVG tree: one page of width x height px (0.75 pt each), text as real text."""
    cairo = _cairo()
    drawn = Drawn()
    output = io.BytesIO()
    pdf = cairo.PDFSurface(output, width * 0.75, height * 0.75)
    for key, value in metadata.items():
        pdf.set_metadata(getattr(cairo, f"PDF_METADATA_{key}"), value)
    context = cairo.Context(pdf)
    _setup(context, 0.75, viewbox, width, height)
    _Drawer(root, drawn, text_clusters=True).draw(context)
    pdf.finish()
    return output.getvalue(), drawn
