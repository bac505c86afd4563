"""PNG and PDF from jmap's own SVG: jmap.export.raster by default, cairosvg as the reference path.

    svg_to_png(svg, scale=2.0)        -> PNG bytes
    svg_to_pdf(svg, page_size="fit")  -> PDF bytes ("fit", or a paper size: "a4-landscape", "a3", "letter", ...)

Before conversion the SVG is checked and prepared (`_Prepared`):

- it must be jmap's kind of SVG: no DTD or entities, and every reference a fragment
  (`#id`) or a PNG/JPEG `data:` URI that passes jmap.images' checks. cairosvg runs
  without `unsafe` and with a URL fetcher that serves those data URIs only (after
  checking them again) and refuses everything else, so no file or network is read;
- text is rewritten for cairo (jmap.export.rtl): Arabic joined, right-to-left text in
  visual order, a font per run; fonts come from jmap's fonts.conf (jmap.export.fontconfig),
  so the bundled Inter draws the text whatever the machine has;
- unhinted text metrics (`TEXT_RENDERING`), so cairo advances text by the same
  widths the layout measured, at every scale.

Both paths share the checks below and the limits. By default jmap.export.raster draws (pycairo,
text shaped by HarfBuzz, PNG encoded in bands: about 4x faster than cairosvg, half its
memory); it hands the SVG back (raster.Unsupported) for anything beyond jmap's own
vocabulary, and then cairosvg draws, as it does with JMAP_RASTER=cairosvg. The rest of
this note describes the cairosvg path.

The same SVG gives the same bytes every time: cairo writes no time into a PNG, and
the PDF's creation date is SOURCE_DATE_EPOCH when set, else left out.

cairo cannot draw a canvas wider or taller than 32767 pixels: a map too large for
the asked scale is scaled down with a warning (W510), and refused (E414) when it
would have to shrink below a quarter of its size. cairosvg is imported only here
and only when asked for (its import alone takes over 200 ms).
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import re
import signal
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

from jmap.diagnostics import Diagnostic, JmapError, Span, clip
from jmap.export import fontconfig
from jmap.export.rtl import SVG_NS, TextReport, prepare_text
from jmap.images import ImageError, check_data_uri

if TYPE_CHECKING:
    from jmap.model.model import Journey

__all__ = [
    "EXPORT_CODES", "MAX_PIXELS", "MAX_SIDE", "MIN_SCALE", "PAGE_SIZES", "Extent", "journey_extent", "page_points",
    "preload", "svg_to_pdf", "svg_to_png", "too_large",
]

#: Diagnostics only PNG and PDF export produces (as jmap.project.builder.BUILD_CODES; images use E410-E413).
EXPORT_CODES = {
    "E414": "A map is too large to draw as PNG or PDF.",
    "E415": "The cairo graphics library, which PNG and PDF need, is not installed.",
    "E416": "The SVG given for PNG or PDF is not jmap's own (it is broken or refers to outside files).",
    "W510": "A map was scaled down to fit the size limits of PNG or PDF.",
    "W511": "Some characters have no font on this machine: PNG and PDF show them as boxes.",
    "W512": "PNG and PDF text is drawn with another font than the bundled one.",
    "W513": "PNG or PDF was drawn by the slower reference path (cairosvg), whose text differs slightly.",
}

#: cairo's largest image surface side, in pixels.
MAX_SIDE = 32767
#: Largest PNG jmap draws (4 bytes a pixel in memory: 256 MB).
MAX_PIXELS = 64_000_000
#: Largest PDF page side in points (200 inches; the limit of Acrobat and most viewers).
MAX_PDF_SIDE = 14400.0
#: Below this, a map scaled down to fit is unreadable: refused instead.
MIN_SCALE = 0.25
_MM = 72 / 25.4
#: Paper sizes, portrait (width, height) in points. A page size is a name, optionally with
#: "-landscape" or "-portrait"; a bare name takes the orientation that draws the map larger.
PAGE_SIZES: dict[str, tuple[float, float]] = {
    **{f"a{n}": (round(w * _MM, 2), round(h * _MM, 2)) for n, (w, h) in enumerate(
        ((841, 1189), (594, 841), (420, 594), (297, 420), (210, 297), (148, 210), (105, 148)))},
    **{f"b{n}": (round(w * _MM, 2), round(h * _MM, 2)) for n, (w, h) in enumerate(
        ((1000, 1414), (707, 1000), (500, 707), (353, 500), (250, 353), (176, 250), (125, 176)))},
    "letter": (612.0, 792.0),
    "legal": (612.0, 1008.0),
    "tabloid": (792.0, 1224.0),
}
PAGE_MARGIN = 24.0  # points, about 8.5 mm, kept around the map on paper sizes

_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
_PT_PER_PX = 0.75
_UNITS = {"": 1.0, "px": 1.0, "pt": 4 / 3, "pc": 16.0, "mm": 96 / 25.4, "cm": 96 / 2.54, "in": 96.0}
_LENGTH = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([a-z]*)\s*$")
# Presentation attributes that can point at a resource with url(...).
_URL_ATTRIBUTES = frozenset(("style", "fill", "stroke", "clip-path", "mask", "filter", "marker-start", "marker-mid",
                             "marker-end", "marker", "cursor", "src", "background"))
_URL = re.compile(r"url\(\s*['\"]?([^'\")]*)", re.IGNORECASE)
_CJK = re.compile("[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef\U00020000-\U0003ffff]")

# jmap's SVG is written back with the usual prefixes (no ns0:); registering them is harmless elsewhere.
ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")

Warn = Callable[[Diagnostic], None]
_log = logging.getLogger("jmap.export.export")

NO_CAIRO = ("PNG and PDF need the cairo graphics library, which is not installed: "
            "run `sudo apt-get install libcairo2` (Debian/Ubuntu) or `brew install cairo` (macOS); "
            "on Windows install the GTK3 runtime and add its bin folder to PATH")


def _default_warn(diagnostic: Diagnostic) -> None:
    _log.warning("%s%s", diagnostic, f" (hint: {diagnostic.hint})" if diagnostic.hint else "")


def _error(code: str, message: str, source: str, hint: str = "") -> JmapError:
    return JmapError([Diagnostic(code, message, Span(source, 0, 0), hint)])


# --- too large (E414) --------------------------------------------------------------


class Extent(NamedTuple):
    """Where a map's size comes from, for E414: the `stages:` key, its stages, and its columns
    (a stage with steps is a column per step)."""

    span: Span
    stages: int
    columns: int


def journey_extent(journey: Journey, stages_key: Span | None = None) -> Extent:
    """The Extent of a journey; `stages_key` is the `stages:` key's span (default: the first stage's)."""
    stages = journey.stages
    fallback = stages[0].span if stages and stages[0].span.line else Span(journey.source or "<svg>", 0, 0)
    return Extent(stages_key or fallback, len(stages), sum(max(1, len(stage.steps)) for stage in stages))


def too_large(output: str, width: float, height: float, source: str, extent: Extent | None, *,
              scale: float = 1.0) -> JmapError:
    """E414: the map cannot be drawn as PNG (at `scale`) or PDF ("page"); said at the `stages:` line
    when the extent is known, with what makes it large and the fixes. Every PNG/PDF drawer uses it.

    `width` and `height` are the map's size in SVG pixels.
    """
    if output == "png":
        largest = min(MAX_SIDE / width, MAX_SIDE / height, math.sqrt(MAX_PIXELS / (width * height)))
        # the widest map that draws at this scale without shrinking (stages add width, not height)
        wide_enough = min(MAX_SIDE / scale, MAX_PIXELS / (height * scale * scale))
        limit = f"PNG at scale {_fmt(scale)}"
        fixes = [f"a smaller --scale (at most {math.floor(largest * 100) / 100:g})"] if largest >= 0.1 else []
    else:
        largest = MAX_PDF_SIDE / (max(width, height) * _PT_PER_PX)
        wide_enough = MAX_PDF_SIDE / _PT_PER_PX
        limit = f"a PDF page (at most {MAX_PDF_SIDE / 72:.0f} inches a side)"
        fixes = ["a paper size (--page-size a3-landscape), which scales the map onto the page"]
    size = f"{width:,.0f} x {height:,.0f} px"
    if extent is None or not extent.stages:
        message = f"the map is too large for {limit} ({size}): it would have to shrink to {largest:.0%} of its size"
        return _error("E414", message, source, hint="use " + ", ".join([*fixes, "or build SVG or HTML"]))
    stages = f"{extent.stages} stage{'s' if extent.stages != 1 else ''}"
    if extent.columns != extent.stages:
        stages += f" ({extent.columns} columns with their steps)"
    per_map = math.floor(extent.stages * wide_enough / width)
    if width >= height and per_map >= 1:
        cause = f"the map's {stages} make it {width:,.0f} px wide"
        fixes.append(f"fewer stages per map (about {per_map} fit: split it into several maps)")
    else:
        cause = f"the map is {height:,.0f} px tall, with {stages}"
    message = (f"{cause}: too large for {limit}, it would have to shrink to {largest:.0%} of its size "
               f"(jmap draws no smaller than {MIN_SCALE:.0%})")
    hint = "use " + ", ".join(fixes) + ", or build SVG or HTML, which have no size limit"
    return JmapError([Diagnostic("E414", message, extent.span, hint)])


# --- loading cairo ---------------------------------------------------------------


def _load_cairosvg() -> Any:
    """cairosvg's surface module, with fontconfig reading jmap's fonts.conf; one clear error without cairo."""
    if _loaded:
        return _loaded[0]
    try:
        with fontconfig.activated():
            from cairosvg import surface  # type: ignore[import-untyped]

            # fontconfig reads FONTCONFIG_FILE once, when cairo first resolves a font: make that happen now.
            context = surface.cairo.Context(surface.cairo.ImageSurface(surface.cairo.FORMAT_A8, 1, 1))
            context.select_font_face("Inter")
            context.text_extents("x")
    except OSError:  # cairocffi could not open the cairo shared library
        raise JmapError([Diagnostic("E415", NO_CAIRO, Span("jmap", 0, 0),
                                    hint="see docs/export.md; SVG and HTML need no cairo")]) from None
    except ImportError as error:
        raise JmapError([Diagnostic("E415", f"PNG and PDF need the cairosvg package ({clip(str(error), 80)}): "
                                    "run `pip install cairosvg`", Span("jmap", 0, 0))]) from None
    _register_text_rendering(surface)
    _loaded.append(surface)
    return surface


_loaded: list[Any] = []


#: The `text-rendering` value jmap puts on the SVG root for cairosvg (see _register_text_rendering).
TEXT_RENDERING = "jmap-unhinted"


def _register_text_rendering(surface: Any) -> None:
    """Teach cairosvg one more `text-rendering` value: grey antialiasing, no hinting, unhinted advances.

    cairosvg sets cairo's font options from `text-rendering` only. Its `geometricPrecision`
    has the unhinted metrics jmap needs (advances that add up to what the layout
    measured, at any scale) but asks for ANTIALIAS_BEST, which cairo 1.16 draws as
    broken glyphs. The default hints advances to whole pixels, so lines grow or shrink
    by a few pixels depending on the scale. The tables are cairosvg's module
    dictionaries; adding a key changes nothing else.
    """
    cairo = surface.cairo
    tables = (("TEXT_ANTIALIAS", cairo.ANTIALIAS_GRAY), ("TEXT_HINT_STYLE", cairo.HINT_STYLE_NONE),
              ("TEXT_HINT_METRICS", cairo.HINT_METRICS_OFF))
    for name, value in tables:
        table = getattr(surface, name, None)
        if isinstance(table, dict):
            table.setdefault(TEXT_RENDERING, value)


def preload() -> None:
    """Point fontconfig at jmap's fonts and load the drawer now (before forking workers, say):
    jmap.export.raster's pycairo, or cairosvg when that is the path taken.

    Raises JmapError (E415) when cairo is missing.
    """
    if RASTER != "cairosvg":
        from jmap.export import raster

        try:
            raster.preload()
            return
        except raster.Unsupported:
            pass
    _fonts()


class _CairoFonts:
    """jmap.export.rtl.FontProbe answered by cairo itself: the fonts and advances cairosvg will draw with."""

    EM = 1000.0

    def __init__(self, cairo: Any) -> None:
        self.cairo = cairo
        self.context = cairo.Context(cairo.ImageSurface(cairo.FORMAT_ARGB32, 1, 1))
        options = cairo.FontOptions()
        options.set_hint_metrics(cairo.HINT_METRICS_OFF)
        options.set_hint_style(cairo.HINT_STYLE_NONE)
        self.context.set_font_options(options)
        self._face: tuple[str, bool] | None = None
        self._covers: dict[tuple[str, bool, str], bool] = {}
        self._advances: dict[tuple[str, bool, str], float] = {}

    def _select(self, family: str, bold: bool) -> None:
        if self._face != (family, bold):
            cairo = self.cairo
            self.context.select_font_face(family, cairo.FONT_SLANT_NORMAL,
                                          cairo.FONT_WEIGHT_BOLD if bold else cairo.FONT_WEIGHT_NORMAL)
            self.context.set_font_size(self.EM)
            self._face = (family, bold)

    def covers(self, family: str, bold: bool, char: str) -> bool:
        key = (family, bold, char)
        found = self._covers.get(key)
        if found is None:
            self._select(family, bold)
            glyphs = self.context.get_scaled_font().text_to_glyphs(0, 0, char, False)
            found = self._covers[key] = bool(glyphs) and all(glyph[0] != 0 for glyph in glyphs)
        return found

    def advance(self, family: str, bold: bool, char: str) -> float:
        key = (family, bold, char)
        found = self._advances.get(key)
        if found is None:
            self._select(family, bold)
            found = self._advances[key] = self.context.text_extents(char)[4] / self.EM
        return found

    def fallback(self, char: str, bold: bool) -> str | None:
        return fontconfig.family_for(char, bold)


@lru_cache(maxsize=1)
def _fonts() -> _CairoFonts:
    return _CairoFonts(_load_cairosvg().cairo)


@lru_cache(maxsize=1)
def _bundled_font_problem() -> str | None:
    """Whether cairo draws the bundled families with the bundled files (their advances must match)."""
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

    probes = (("Inter", False, "Inter-Regular.otf", "Hamburgefonstiv 0123"),
              ("Inter", True, "Inter-SemiBold.otf", "Hamburgefonstiv 0123"),
              ("Noto Sans Arabic", False, "NotoSansArabic-Regular.ttf", "\ufe8d\ufe91\ufee3\u0661"),
              ("Noto Sans Hebrew", False, "NotoSansHebrew-Regular.ttf", "\u05d0\u05d1\u05e9\u05ea"))
    fonts = _fonts()
    for family, bold, file, sample in probes:
        with TTFont(fontconfig.bundled_dir() / file, lazy=True) as font:
            cmap, upem = font.getBestCmap(), font["head"].unitsPerEm
            widths = {char: font["hmtx"][cmap[ord(char)]][0] / upem for char in sample}
        for char, expected in widths.items():
            if not fonts.covers(family, bold, char) or abs(fonts.advance(family, bold, char) - expected) > 1e-3:
                return f"{family}{' SemiBold' if bold and family == 'Inter' else ''}"
    return None


# --- the SVG, checked and prepared -----------------------------------------------


def _length(value: str | None) -> float | None:
    if value is None:
        return None
    match = _LENGTH.match(value)
    if not match or match.group(2) not in _UNITS:
        return None
    return float(match.group(1)) * _UNITS[match.group(2)]


class _Prepared:
    """jmap's SVG parsed, its references checked, its size known."""

    def __init__(self, svg: str, source: str) -> None:
        self.source = source
        head = svg[:4096]
        if "<!DOCTYPE" in head or "<!ENTITY" in svg:
            raise self.bad("it declares a DTD or entities")
        try:
            self.root = ET.fromstring(svg)
        except ET.ParseError as error:
            raise self.bad(f"it is not well-formed XML ({error})") from None
        if self.root.tag != f"{{{SVG_NS}}}svg":
            raise self.bad("its root element is not <svg>")
        self.viewbox = self._viewbox()
        width = _length(self.root.get("width"))
        height = _length(self.root.get("height"))
        if width is None or height is None:
            if self.viewbox is None:
                raise self.bad("it has neither a size nor a viewBox")
            width, height = width or self.viewbox[2], height or self.viewbox[3]
        if not (0 < width < math.inf and 0 < height < math.inf):
            raise self.bad("its size is not a positive number")
        self.width, self.height = width, height
        self._check_references()

    def bad(self, why: str) -> JmapError:
        return _error("E416", f"jmap cannot turn this SVG into PNG or PDF: {why}", self.source,
                      hint="PNG and PDF are made from jmap's own SVG only; if jmap wrote it, this is a bug")

    def _viewbox(self) -> tuple[float, float, float, float] | None:
        raw = self.root.get("viewBox")
        if not raw:
            return None
        try:
            numbers = tuple(float(v) for v in raw.replace(",", " ").split())
        except ValueError:
            return None
        if len(numbers) != 4 or numbers[2] <= 0 or numbers[3] <= 0:
            return None
        return numbers[0], numbers[1], numbers[2], numbers[3]

    def _check_references(self) -> None:
        """Fragments and checked PNG/JPEG data URIs only: nothing outside this SVG can be read.

        Links (`<a href>`) are never fetched, and attributes that cannot load anything
        (titles, data-*, aria-*) may hold any text a map has.
        """
        for element in self.root.iter():
            link = element.tag == f"{{{SVG_NS}}}a"
            for name, value in element.attrib.items():
                if name in ("href", _XLINK_HREF):
                    if not link:
                        self._check_target(value.strip())
                elif name in _URL_ATTRIBUTES and "url(" in value.lower():
                    for target in _URL.findall(value):
                        self._check_target(target.strip())
            if element.tag == f"{{{SVG_NS}}}style" and element.text:
                if "@import" in element.text.lower():
                    raise self.bad("its stylesheet imports another file")
                for target in _URL.findall(element.text):
                    self._check_target(target.strip())

    def _check_target(self, target: str) -> None:
        if target.startswith("#"):
            return
        if target.lower().startswith("data:"):
            try:
                check_data_uri(target)
            except ImageError as error:
                raise _error(error.code, f"an image in the map cannot be drawn: {error.message}", self.source,
                             hint=error.hint) from None
            return
        raise self.bad(f"it refers to '{clip(target, 60)}' outside itself")

    def prepare_text(self, warn: Warn) -> TextReport:
        report = prepare_text(self.root, _fonts())
        problem = _bundled_font_problem()
        _text_warnings(self.source, [problem] if problem else [], report.missing, warn)
        return report

    def resize(self, width: float, height: float, viewbox: tuple[float, float, float, float]) -> None:
        """Give the root a new size (in px) and viewBox: cairosvg scales the drawing to fit."""
        self.width, self.height, self.viewbox = width, height, viewbox
        self.root.set("width", _fmt(width))
        self.root.set("height", _fmt(height))
        self.root.set("viewBox", " ".join(_fmt(v) for v in viewbox))
        self.root.set("preserveAspectRatio", "xMidYMid meet")

    def content_box(self) -> tuple[float, float, float, float]:
        return self.viewbox or (0.0, 0.0, self.width, self.height)

    def to_bytes(self) -> bytes:
        self.root.set("text-rendering", TEXT_RENDERING)
        return bytes(ET.tostring(self.root, encoding="utf-8"))


def _text_warnings(source: str, substituted: list[str], missing: dict[str, None], warn: Warn) -> None:
    """W512 for bundled families drawn from other files, W511 for characters no font has."""
    if substituted:
        problem = substituted[0]
        warn(Diagnostic("W512", f"PNG and PDF text is drawn with another font than the bundled {problem}, "
                        "so it may not fit its cards", Span(source, 0, 0),
                        hint="jmap's fonts are in the jmap/fonts folder of the installed package; install "
                        "them on this machine, or see docs/export.md"))
    if missing:
        shown = "".join(list(missing)[:12])
        cjk = bool(_CJK.search("".join(missing)))
        hint = ("install Noto Sans CJK: `sudo apt-get install fonts-noto-cjk` (Debian/Ubuntu), "
                "`brew install --cask font-noto-sans-cjk` (macOS)" if cjk
                else "install a font for this script (for example from the Noto family)")
        warn(Diagnostic("W511", f"no font on this machine has {len(missing)} of the map's characters "
                        f"({clip(shown, 30)}): PNG and PDF show them as boxes", Span(source, 0, 0), hint))


# --- the fast path (jmap.export.raster) ----------------------------------------------------

#: Which drawer PNG and PDF take: "fast" (jmap.export.raster: pycairo and HarfBuzz), or "cairosvg", the reference
#: path that draws any SVG. The environment variable JMAP_RASTER sets it; "fast" falls back to cairosvg
#: by itself for an SVG that uses more than jmap's own vocabulary.
RASTER = os.environ.get("JMAP_RASTER", "fast").strip().lower() or "fast"


def _fast(draw: Callable[[Any], tuple[bytes, Any]], source: str, warn: Warn) -> bytes | None:
    """The result of a jmap.export.raster drawer, or None when the reference path must draw instead."""
    if RASTER == "cairosvg":
        return None
    try:
        from jmap.export import raster
    except ImportError as error:  # pycairo or uharfbuzz missing: the reference path
        _fell_back(source, f"{error.name or 'pycairo or uharfbuzz'} is not installed", warn)
        return None
    try:
        result, drawn = draw(raster)
        substituted = raster.font_problems() if result else []
    except raster.Unsupported as why:
        _fell_back(source, str(why), warn)
        return None
    except raster.DamagedImage:
        raise _error("E413", "an image in the map is damaged: its pixel data cannot be read", source,
                     hint="open the image and save it again as PNG or JPEG") from None
    except (RecursionError, ArithmeticError) as error:  # an SVG that is not jmap's own: let cairosvg try
        _fell_back(source, f"the drawer could not draw this SVG ({type(error).__name__})", warn)
        return None
    except MemoryError:
        raise _error("E414", "the map is too large to draw as PNG or PDF on this machine (out of memory)", source,
                     hint="build SVG or HTML for maps this large") from None
    _text_warnings(source, substituted, drawn.missing, warn)
    return result


def _fell_back(source: str, why: str, warn: Warn) -> None:
    """W513: the reference path draws instead; its text is shaped differently, so say so (and why)."""
    _log.debug("PNG/PDF through cairosvg: %s", why)
    warn(Diagnostic("W513", f"PNG/PDF drawn by the slower reference path (cairosvg): {clip(why, 100)}",
                    Span(source, 0, 0), hint="see docs/export.md, which path draws"))


def _fmt(value: float) -> str:
    return f"{value:.4f}".rstrip("0").rstrip(".")


def _refuse_all(url: str, resource_type: str) -> bytes:
    """cairosvg's URL fetcher: checked PNG/JPEG data URIs only; never a file, never the network."""
    if url.startswith("data:"):
        try:
            return check_data_uri(url)
        except ImageError as error:
            raise _Refused(error.code, error.message) from None
    raise _Refused("E416", f"jmap does not let cairo read '{clip(url, 60)}'")


class _Refused(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@contextlib.contextmanager
def _ctrl_c_kept() -> Any:
    """Keep a Ctrl-C that lands in cairo's write callback, which swallows exceptions: it is
    raised as KeyboardInterrupt once cairo has finished drawing.

    Without this, the KeyboardInterrupt became "Exception ignored ... Traceback" on stderr, the map
    failed as a bug in jmap (E900, an OSError from cairo) and the build went on with the next map.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGINT)
    if previous in (signal.SIG_IGN, None):
        yield
        return
    caught: list[int] = []

    def handler(signum: int, frame: Any) -> None:
        caught.append(signum)
        if len(caught) > 1:  # the first stops after this drawing (a second or two), a second at once
            raise KeyboardInterrupt

    signal.signal(signal.SIGINT, handler)
    try:
        yield
    except BaseException:
        if caught:
            raise KeyboardInterrupt from None
        raise
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught:
        raise KeyboardInterrupt


def _convert(surface_class: Any, data: bytes, source: str, **options: Any) -> bytes:
    try:
        with _ctrl_c_kept():
            result = surface_class.convert(bytestring=data, unsafe=False, url_fetcher=_refuse_all, **options)
    except _Refused as refused:
        raise _error(refused.code, f"an image in the map cannot be drawn: {refused.message}", source) from None
    except MemoryError:
        raise _error("E414", "the map is too large to draw as PNG or PDF on this machine (out of memory)", source,
                     hint="build SVG or HTML for maps this large") from None
    return bytes(result)


# --- PNG -------------------------------------------------------------------------


def _fit_png(width: float, height: float, scale: float, source: str, warn: Warn,
             extent: Extent | None = None) -> float:
    fit = min(scale, MAX_SIDE / width, MAX_SIDE / height, math.sqrt(MAX_PIXELS / (width * height)))
    if fit >= scale:
        return scale
    if fit < MIN_SCALE:
        raise too_large("png", width, height, source, extent, scale=scale)
    warn(Diagnostic("W510", f"the map is too large for PNG at scale {_fmt(scale)}; drawn at scale {fit:.2f} instead "
                    f"({round(width * fit)} x {round(height * fit)} pixels)", Span(source, 0, 0),
                    hint=f"cairo draws at most {MAX_SIDE} pixels a side and jmap at most {MAX_PIXELS // 10**6} "
                    "million pixels; use a smaller --scale to silence this"))
    return fit


def svg_to_png(svg: str, *, scale: float = 2.0, warn: Warn | None = None, source: str = "<svg>",
               extent: Extent | None = None) -> bytes:
    """PNG bytes of jmap's SVG, `scale` pixels per SVG pixel (scaled down to cairo's limits, with a warning).

    `warn` receives warnings (W510-W512) as diagnostics; by default they are logged.
    Raises JmapError (E414-E416, E410-E413 for images) with a clear message; `extent`
    (journey_extent) lets E414 point at the map's `stages:` line.
    """
    if not (isinstance(scale, int | float) and 0 < scale < math.inf):
        raise ValueError(f"scale must be a positive number, not {scale!r}")
    warn = warn or _default_warn
    prepared = _Prepared(svg, source)
    fit = _fit_png(prepared.width, prepared.height, scale, source, warn, extent)
    fast = _fast(lambda raster: raster.draw_png(prepared.root, prepared.width, prepared.height, prepared.viewbox, fit),
                 source, warn)
    if fast is not None:
        return fast
    surface = _load_cairosvg()
    prepared.prepare_text(warn)
    return _convert(surface.PNGSurface, prepared.to_bytes(), source, scale=fit)


# --- PDF -------------------------------------------------------------------------


def _pdf_date() -> str:
    """The PDF creation date: SOURCE_DATE_EPOCH when set, else none (empty: cairo then writes no date)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        return ""
    try:
        seconds = int(epoch)
        moment = time.gmtime(max(0, seconds))
    except (ValueError, OverflowError, OSError):  # not a number, or beyond what the C library handles
        return ""
    if moment.tm_year > 9999:  # a PDF date has four digits for the year
        return ""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", moment)


@lru_cache(maxsize=1)
def _pdf_surface_class() -> Any:
    surface = _load_cairosvg()
    cairo = surface.cairo

    class DatedPDFSurface(surface.PDFSurface):  # type: ignore[misc, name-defined]
        """cairosvg's PDF surface with fixed metadata: no clock time in the file."""

        title = ""

        def _create_surface(self, width: float, height: float) -> tuple[Any, float, float]:
            pdf = cairo.PDFSurface(self.output, width, height)
            if hasattr(pdf, "set_metadata"):
                pdf.set_metadata(cairo.PDF_METADATA_CREATE_DATE, _pdf_date())
                pdf.set_metadata(cairo.PDF_METADATA_CREATOR, "jmap")
                if DatedPDFSurface.title:
                    pdf.set_metadata(cairo.PDF_METADATA_TITLE, DatedPDFSurface.title)
            return pdf, width, height

    return DatedPDFSurface


def _fix_pdf_date(pdf: bytes) -> bytes:
    """cairo 1.16 writes `/CreationDate (2021...)` without the `D:` the PDF standard asks for: add it.

    Inserting two bytes moves every later object, so the cross-reference table is
    rewritten too. Files without the fault (other cairo versions) are left alone.
    """
    match = re.search(rb"/CreationDate \((\d{14}Z)\)", pdf)
    if not match:
        return pdf
    at = match.start(1)
    fixed = pdf[:at] + b"D:" + pdf[at:]
    xref = fixed.rfind(b"\nxref\n")
    startxref = fixed.rfind(b"startxref\n")
    if xref < 0 or startxref < xref:
        return pdf

    def shift(entry: re.Match[bytes]) -> bytes:
        offset = int(entry.group(1))
        return b"%010d" % (offset + 2 if offset > at else offset) + entry.group(2)

    table = re.sub(rb"(\d{10})( \d{5} n)", shift, fixed[xref:startxref])
    tail = re.sub(rb"startxref\n(\d+)", lambda m: b"startxref\n%d" % (int(m.group(1)) + 2), fixed[startxref:], count=1)
    return fixed[:xref] + table + tail


def page_points(page_size: str, map_width: float = 2, map_height: float = 1) -> tuple[float, float]:
    """(width, height) in points of a paper size such as "a4", "a3-landscape" or "letter-portrait"."""
    name, _, orientation = page_size.lower().partition("-")
    if name not in PAGE_SIZES or orientation not in ("", "portrait", "landscape"):
        raise ValueError(f"page size must be 'fit' or a paper size such as a4, a3-landscape or letter "
                         f"({', '.join(PAGE_SIZES)}), not {page_size!r}")
    short, long = PAGE_SIZES[name]
    if orientation == "portrait":
        return short, long
    if orientation == "landscape":
        return long, short

    def fits(width: float, height: float) -> float:
        return min(width / map_width, height / map_height)

    return (long, short) if fits(long, short) >= fits(short, long) else (short, long)


def svg_to_pdf(svg: str, *, page_size: str = "fit", warn: Warn | None = None, source: str = "<svg>",
               extent: Extent | None = None) -> bytes:
    """PDF bytes of jmap's SVG: one page the size of the map ("fit"), or the map scaled onto a paper size
    ("a4", "a3-landscape", "letter-portrait", ...: see PAGE_SIZES and page_points)."""
    if page_size != "fit":
        page_points(page_size)  # a bad name is refused before any work
    warn = warn or _default_warn
    prepared = _Prepared(svg, source)
    box = prepared.content_box()
    if page_size == "fit":
        side = max(prepared.width, prepared.height) * _PT_PER_PX
        if side > MAX_PDF_SIDE:
            fit = MAX_PDF_SIDE / side
            if fit < MIN_SCALE:
                raise too_large("pdf", prepared.width, prepared.height, source, extent)
            warn(Diagnostic("W510", f"the map is larger than a PDF page can be ({MAX_PDF_SIDE:.0f} pt); "
                            f"drawn at {fit:.0%} of its size", Span(source, 0, 0)))
            prepared.resize(prepared.width * fit, prepared.height * fit, box)
    else:
        page_w, page_h = (v / _PT_PER_PX for v in page_points(page_size, box[2], box[3]))
        margin = PAGE_MARGIN / _PT_PER_PX
        scale = min((page_w - 2 * margin) / box[2], (page_h - 2 * margin) / box[3])
        view_w, view_h = page_w / scale, page_h / scale
        prepared.resize(page_w, page_h, (box[0] - (view_w - box[2]) / 2, box[1] - (view_h - box[3]) / 2,
                                         view_w, view_h))
    title = prepared.root.find(f"{{{SVG_NS}}}title")
    title_text = " ".join((title.text or "").split()) if title is not None else ""
    metadata = {"CREATE_DATE": _pdf_date(), "CREATOR": "jmap", **({"TITLE": title_text} if title_text else {})}
    fast = _fast(lambda raster: raster.draw_pdf(prepared.root, prepared.width, prepared.height, prepared.viewbox,
                                                metadata), source, warn)
    if fast is not None:
        return _fix_pdf_date(fast)
    surface_class = _pdf_surface_class()
    prepared.prepare_text(warn)
    surface_class.title = title_text
    return _fix_pdf_date(_convert(surface_class, prepared.to_bytes(), source))
