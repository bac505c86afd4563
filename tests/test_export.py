"""PNG and PDF export (jmap.export.export, jmap.export.rtl, jmap.export.fontconfig) on small hand-written SVGs.

No renderer needed: the SVGs here look like jmap's own (the font stack on the root,
one <tspan> per line, right-to-left lines with direction="rtl").
"""

from __future__ import annotations

import base64
import io
import json
import os
import re
import shutil
import subprocess
import sys
import time
import types
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PIL import Image

from jmap.diagnostics import Diagnostic, JmapError
from jmap.export import export, fontconfig
from jmap.export.rtl import SVG_NS, TextReport, prepare_text, visual_order

IMAGES = Path(__file__).parent / "cases" / "images"
FONT_STACK = "Inter, 'Noto Sans Arabic', 'Noto Sans Hebrew', 'Noto Sans CJK JP', 'Noto Sans CJK SC', sans-serif"


def svg(body: str, width: float = 400, height: float = 100) -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" '
            f'xmlns:xlink="http://www.w3.org/1999/xlink" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" font-family="{FONT_STACK}"><title>Test map</title>'
            f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>{body}</svg>')


def line(text: str, x: float, y: float = 40, size: float = 16, **attributes: str) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{v}"' for k, v in attributes.items())
    return (f'<text x="{x}" y="{y}" font-size="{size}" fill="#000000"{extra}>'
            f'<tspan x="{x}" y="{y}">{text}</tspan></text>')


def pixels(png: bytes) -> Image.Image:
    return Image.open(io.BytesIO(png)).convert("RGB")


def ink(png: bytes) -> tuple[int, int, int, int] | None:
    """Bounding box of everything that is not white."""
    grey = pixels(png).convert("L").point(lambda v: 255 if v < 200 else 0)
    return grey.getbbox()


def collect() -> tuple[list[Diagnostic], export.Warn]:
    found: list[Diagnostic] = []
    return found, found.append


# --- PNG and PDF basics ----------------------------------------------------------------


def test_png_scale_and_determinism() -> None:
    doc = svg(line("Kundenreise: Straßenbahn", 10))
    first = export.svg_to_png(doc)
    assert first[:8] == b"\x89PNG\r\n\x1a\n"
    assert pixels(first).size == (800, 200)
    assert pixels(export.svg_to_png(doc, scale=1)).size == (400, 100)
    assert export.svg_to_png(doc) == first


def test_pdf_is_deterministic_and_dated_only_by_source_date_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    doc = svg(line("Checkout", 10))
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    first = export.svg_to_pdf(doc)
    time.sleep(1.1)  # a clock date would differ now
    assert export.svg_to_pdf(doc) == first
    assert b"/CreationDate" not in first
    assert b"/Title (Test map)" in first
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    dated = export.svg_to_pdf(doc)
    assert b"/CreationDate (D:20231114221320Z)" in dated
    assert_xref_valid(dated)
    assert export.svg_to_pdf(doc) == dated


def assert_xref_valid(pdf: bytes) -> None:
    """Every object the cross-reference table lists is where it says."""
    start = int(re.search(rb"startxref\n(\d+)", pdf).group(1))  # type: ignore[union-attr]
    assert pdf[start:start + 4] == b"xref"
    rows = pdf[start:].split(b"\n")
    first, count = (int(v) for v in rows[1].split())
    for number, row in enumerate(rows[2:2 + count], start=first):
        offset, _, kind = row.split()
        if kind == b"n":
            assert pdf[int(offset):].startswith(b"%d 0 obj" % number)


def media_box(pdf: bytes) -> tuple[float, float]:
    match = re.search(rb"/MediaBox \[\s*([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert match
    return float(match.group(3)), float(match.group(4))


@pytest.mark.parametrize(("page", "size"), [
    ("fit", (300, 75)),  # 400 x 100 px at 0.75 pt a pixel
    ("a4-landscape", (841.89, 595.28)),
    ("a3-landscape", (1190.55, 841.89)),
    ("letter-landscape", (792, 612)),
    ("a4", (841.89, 595.28)),  # a wide map: a bare paper size turns to landscape
    ("a4-portrait", (595.28, 841.89)),
    ("tabloid", (1224, 792)),
])
def test_pdf_page_sizes(page: str, size: tuple[float, float]) -> None:
    pdf = export.svg_to_pdf(svg(line("Checkout", 10)), page_size=page)
    assert media_box(pdf) == pytest.approx(size, abs=0.01)


def test_unknown_page_sizes_are_refused() -> None:
    for page in ("a9", "a4-sideways", "huge"):
        with pytest.raises(ValueError, match="page size"):
            export.svg_to_pdf(svg(""), page_size=page)


def test_the_map_is_centred_on_paper_with_a_margin() -> None:
    pdf = export.svg_to_pdf(svg('<rect x="0" y="0" width="400" height="100" fill="#000000"/>'),
                            page_size="a4-landscape")
    done = subprocess.run(["pdftoppm", "-r", "72", "-png", "-singlefile", "-"], input=pdf,
                          capture_output=True, check=False) if shutil.which("pdftoppm") else None
    if done is None or done.returncode:
        pytest.skip("poppler's pdftoppm is not installed")
    box = ink(done.stdout)
    assert box is not None
    left, top, right, bottom = box
    assert left == pytest.approx(24, abs=1) and right == pytest.approx(842 - 24, abs=1)  # 24 pt margins
    assert (top + bottom) / 2 == pytest.approx(595.28 / 2, abs=1)  # centred


def test_pdf_keeps_real_text() -> None:
    pdf = export.svg_to_pdf(svg(line("Kundenreise", 10)))
    assert b"/FontFile" in pdf and b"Inter" in pdf  # the bundled font, embedded as a subset


# --- too large for cairo ---------------------------------------------------------------


def test_a_very_wide_map_is_scaled_down_with_a_warning() -> None:
    found, warn = collect()
    png = export.svg_to_png(svg(line("wide", 10), width=100_000, height=40), scale=2, warn=warn)
    assert [d.code for d in found] == ["W510"]
    width, height = pixels(png).size
    assert width <= export.MAX_SIDE and width == 32767 and height == 13


def test_a_map_too_large_even_scaled_down_is_refused() -> None:
    with pytest.raises(JmapError) as caught:
        export.svg_to_png(svg("", width=1_000_000, height=40))
    assert caught.value.diagnostics[0].code == "E414"
    assert "too large" in caught.value.diagnostics[0].message


def test_the_pixel_budget_caps_square_maps() -> None:
    found, warn = collect()
    assert export._fit_png(10_000, 10_000, 2.0, "map.yaml", warn) == pytest.approx(0.8)
    assert found[0].code == "W510" and str(found[0].span) == "map.yaml"
    assert export._fit_png(1000, 500, 2.0, "map.yaml", warn) == 2.0


def test_pdf_pages_stay_within_viewer_limits() -> None:
    found, warn = collect()
    pdf = export.svg_to_pdf(svg(line("wide", 10), width=30_000, height=100), warn=warn)
    assert [d.code for d in found] == ["W510"]
    assert media_box(pdf)[0] == pytest.approx(export.MAX_PDF_SIDE, abs=0.1)


# --- no cairo ------------------------------------------------------------------------


class _NoCairo(types.ModuleType):
    def __getattr__(self, name: str) -> object:
        raise OSError("no library called \"cairo-2\" was found\ncannot load library 'libcairo.so.2'")


def test_a_missing_cairo_library_is_one_clear_line(monkeypatch: pytest.MonkeyPatch) -> None:
    from jmap.export import raster

    monkeypatch.setitem(sys.modules, "cairosvg", _NoCairo("cairosvg"))
    monkeypatch.setitem(sys.modules, "cairo", None)  # pycairo, the fast path's cairo: `import cairo` fails too
    raster._cairo.cache_clear()
    monkeypatch.setattr(export, "_loaded", [])  # as in a process that has not loaded cairo yet
    for convert in (export.svg_to_png, export.svg_to_pdf):
        export._pdf_surface_class.cache_clear()
        with pytest.raises(JmapError) as caught:
            convert(svg(""))
        [diagnostic] = caught.value.diagnostics
        assert diagnostic.code == "E415"
        assert "\n" not in diagnostic.message
        assert "apt-get install libcairo2" in diagnostic.message and "brew install cairo" in diagnostic.message
    export._pdf_surface_class.cache_clear()
    raster._cairo.cache_clear()


# --- nothing outside the SVG is read -------------------------------------------------------


def image(href: str) -> str:
    return f'<image x="0" y="0" width="4" height="4" href="{href}"/>'


def data_uri(name: str, mime: str = "image/png") -> str:
    return f"data:{mime};base64,{base64.b64encode((IMAGES / name).read_bytes()).decode()}"


@pytest.mark.parametrize(("body", "code"), [
    (image("file:///etc/passwd"), "E416"),
    (image("../../secret.png"), "E416"),
    (image("http://example.com/a.png"), "E416"),
    ('<image width="4" height="4" xlink:href="//example.com/a.png"/>', "E416"),
    ('<use href="other.svg#icon"/>', "E416"),
    ('<rect width="4" height="4" fill="url(http://example.com/p.svg#g)"/>', "E416"),
    ('<style>@import url("x.css");</style>', "E416"),
    ('<rect width="4" height="4" style="fill: url(file:///etc/passwd)"/>', "E416"),
    (image(data_uri("svg-renamed.png", "image/svg+xml")), "E410"),
    (image(data_uri("gif-renamed.png")), "E410"),
    (image(data_uri("bomb.png")), "E412"),
])
def test_references_outside_the_svg_are_refused(body: str, code: str) -> None:
    for convert in (export.svg_to_png, export.svg_to_pdf):
        with pytest.raises(JmapError) as caught:
            convert(svg(body))
        assert caught.value.diagnostics[0].code == code


def test_links_and_text_that_mention_urls_are_not_references() -> None:
    body = ('<a href="https://example.com/research"><text x="10" y="20" data-note="url(http://x)">'
            '<tspan x="10" y="20">see url(file:///etc/passwd)</tspan></text></a>')
    assert export.svg_to_png(svg(body))[:8] == b"\x89PNG\r\n\x1a\n"


def test_dtds_and_entities_are_refused() -> None:
    doc = ('<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x "y">]>'
           '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>')
    with pytest.raises(JmapError) as caught:
        export.svg_to_png(doc)
    assert caught.value.diagnostics[0].code == "E416"


def test_cairosvg_itself_gets_a_fetcher_that_refuses_files() -> None:
    """Even an SVG that skipped jmap's checks cannot make cairo read a file."""
    surface = export._load_cairosvg()
    raw = svg(image("file:///etc/hostname")).encode()
    with pytest.raises(JmapError) as caught:
        export._convert(surface.PNGSurface, raw, "map.yaml")
    assert caught.value.diagnostics[0].code == "E416"
    with pytest.raises(export._Refused):
        export._refuse_all("https://example.com/", "image/*")


def test_checked_avatars_are_drawn() -> None:
    png = export.svg_to_png(svg(image(data_uri("avatar.png")).replace('width="4" height="4"',
                                                                         'width="40" height="40"')), scale=1)
    picture = pixels(png)
    assert picture.getpixel((20, 5)) == (255, 0, 0)  # the red top half
    red, green, blue = picture.getpixel((20, 35))  # the blue bottom half (smoothed when scaled up)
    assert blue == 255 and red < 40 and green < 40
    jpeg = export.svg_to_png(svg(image(data_uri("avatar.jpg", "image/jpeg"))), scale=1)
    assert pixels(jpeg).getpixel((2, 2))[1] > 120  # green


# --- right-to-left text ------------------------------------------------------------------


def test_visual_order_reverses_rtl_runs_and_mirrors_brackets() -> None:
    assert visual_order("שלום (abc) עולם", rtl=True) == "םלוע (abc) םולש"
    assert visual_order("Order via שלום app (v2)", rtl=False) == "Order via םולש app (v2)"
    assert visual_order("ab [שלום] 12", rtl=False) == "ab [םולש] 12"
    assert visual_order("Straße", rtl=False) == "Straße"


def test_arabic_is_joined_and_reversed() -> None:
    visual = visual_order("مرحبا بالعالم", rtl=True)
    assert all(not ("\u0600" <= c <= "\u06ff") for c in visual)  # all letters in presentation forms
    assert visual == "\ufee2\ufedf\ufe8e\ufecc\ufedf\ufe8e\ufe91 \ufe8e\ufe92\ufea3\ufeae\ufee3"


def test_the_bidi_fallback_gives_the_same_order(monkeypatch: pytest.MonkeyPatch) -> None:
    from jmap.export import rtl

    samples = [("תשלום באפליקציה (3 שלבים)", True), ("تطبيق iOS بسعر 25 دولار", True), ("Order via שלום app", False)]
    expected = [visual_order(text, direction) for text, direction in samples]
    monkeypatch.setattr(rtl, "_levels", lambda text, rtl: None)
    assert [visual_order(text, direction) for text, direction in samples] == expected


def test_every_reshaped_form_is_in_the_bundled_arabic_font() -> None:
    from arabic_reshaper.letters import LETTERS_ARABIC
    from fontTools.ttLib import TTFont

    from jmap.export.rtl import _reshaper

    for name in ("NotoSansArabic-Regular.ttf", "NotoSansArabic-Bold.ttf"):
        with TTFont(fontconfig.bundled_dir() / name, lazy=True) as font:
            cmap = font.getBestCmap()
        for letter in LETTERS_ARABIC:
            for word in (letter, "ب" + letter, letter + "ب", "ب" + letter + "ب", "ل" + letter, "الله"):
                assert all(ord(c) in cmap for c in _reshaper().reshape(word)), (name, word)


class FakeFonts:
    """Inter covers ASCII, Hebrew covers Hebrew; every character is 0.5 em wide."""

    def covers(self, family: str, bold: bool, char: str) -> bool:
        if family == "Inter":
            return char.isascii()
        return family == "Noto Sans Hebrew" and ("\u0590" <= char <= "\u05ff" or char == " ")

    def advance(self, family: str, bold: bool, char: str) -> float:
        return 0.5

    def fallback(self, char: str, bold: bool) -> str | None:
        return None


def rewrite(body: str) -> tuple[ET.Element, TextReport]:
    root = ET.fromstring(svg(body))
    return root, prepare_text(root, FakeFonts())


def runs(root: ET.Element) -> list[tuple[str, str, str]]:
    ns = {"s": SVG_NS}
    return [(t.get("x", ""), t.get("style", ""), t.text or "") for t in root.iterfind(".//s:text/s:tspan", ns)]


def test_lines_are_split_into_positioned_runs_of_one_font() -> None:
    # 8 characters of 0.5 em at 16 px: 64 px; "start" of right-to-left text is its right edge.
    # The spaces are Inter's (the first family that has them), as in a browser.
    root, report = rewrite(line("אב cd גד", 300, direction="rtl"))
    assert report.lines == 1 and not report.missing
    assert runs(root) == [("236", "font-family:Noto Sans Hebrew", "דג"),
                          ("260", "font-family:Inter", "cd"),
                          ("284", "font-family:Noto Sans Hebrew", "בא")]
    assert all(t.get("text-anchor") == "start" for t in root.iter(f"{{{SVG_NS}}}tspan"))
    assert root.find(f"{{{SVG_NS}}}text").get("direction") is None  # type: ignore[union-attr]


@pytest.mark.parametrize(("attributes", "left"), [
    ({"direction": "rtl"}, 236),                          # right edge at x
    ({"direction": "rtl", "text_anchor": "end"}, 300),    # left edge at x, as browsers draw it
    ({"text_anchor": "end"}, 236),
    ({"text_anchor": "middle", "direction": "rtl"}, 268),
])
def test_anchors_follow_the_direction_as_in_browsers(attributes: dict[str, str], left: float) -> None:
    root, _ = rewrite(line("אב cd גד", 300, **attributes))
    assert float(runs(root)[0][0]) == left


def test_lines_without_a_position_are_rewritten_in_place() -> None:
    body = '<text x="300" y="40" font-size="16" direction="rtl"><tspan>אבג cd</tspan></text>'
    root, report = rewrite(body)
    tspan = root.find(f".//{{{SVG_NS}}}tspan")
    assert tspan is not None and tspan.text == "cd גבא" and tspan.get("text-anchor") == "end"
    assert list(report.missing) == ["c", "d"]  # drawn with the Hebrew font, which lacks them: said, not hidden


def test_latin_lines_are_left_alone_and_missing_glyphs_reported() -> None:
    root, report = rewrite(line("Kundenreise", 10))
    assert report.lines == 0 and runs(root) == [("10", "", "Kundenreise")]
    _, report = rewrite(line("日本", 10))
    assert list(report.missing) == ["日", "本"]


# --- drawn by cairo -----------------------------------------------------------------------


def test_rtl_lines_end_where_the_browser_ends_them() -> None:
    found, warn = collect()
    for text in ("שלום עולם, תשלום באפליקציה", "مرحبا بالعالم، الدفع عبر التطبيق"):
        box = ink(export.svg_to_png(svg(line(text, 380, direction="rtl")), scale=1, warn=warn))
        assert box is not None and 375 <= box[2] <= 381  # the right edge at x
        box = ink(export.svg_to_png(svg(line(text, 20, direction="rtl", text_anchor="end")), scale=1, warn=warn))
        assert box is not None and 19 <= box[0] <= 24  # the left edge at x
    assert found == []


def test_latin_text_is_drawn_with_the_bundled_inter() -> None:
    from fontTools.ttLib import TTFont

    text = "Hamburgefonstiv Kundenreise"
    with TTFont(fontconfig.bundled_dir() / "Inter-Regular.otf", lazy=True) as font:
        cmap, hmtx, upem = font.getBestCmap(), font["hmtx"], font["head"].unitsPerEm
        advance = sum(hmtx[cmap[ord(c)]][0] for c in text) / upem * 20
    box = ink(export.svg_to_png(svg(line(text, 10, size=20)), scale=1))
    assert box is not None
    assert advance - 4 <= box[2] - box[0] <= advance  # ink spans the advances less the side bearings
    assert export._bundled_font_problem() is None


def test_cjk_is_drawn_when_a_cjk_font_is_installed() -> None:
    if fontconfig.family_for("あ") is None:
        pytest.skip("no CJK font on this machine (Debian: apt-get install fonts-noto-cjk)")
    found, warn = collect()
    for text in ("お客様の旅：アプリで支払い", "客户旅程：在应用中付款"):
        assert ink(export.svg_to_png(svg(line(text, 10)), scale=1, warn=warn)) is not None
    assert found == []


FAKE_SYSTEM = """
import json, sys
from jmap.export import export, fontconfig
fontconfig.SYSTEM_FONT_DIRS = (sys.argv[1],)
found = []
latin = export.svg_to_png(sys.argv[2], scale=1, warn=found.append)
export.svg_to_png(sys.argv[3], scale=1, warn=found.append)
sys.stdout.buffer.write(json.dumps([d.code for d in found]).encode() + b"\\n" + latin)
"""

CONTROL = """
import os, sys
conf = os.path.join(sys.argv[1], "only.conf")
open(conf, "w").write('<?xml version="1.0"?><fontconfig><dir>%s</dir><cachedir>%s</cachedir></fontconfig>'
                      % (sys.argv[1], sys.argv[1]))
os.environ["FONTCONFIG_FILE"] = conf
import cairosvg
sys.stdout.buffer.write(cairosvg.svg2png(bytestring=sys.argv[2].encode(), scale=1))
"""


def test_bundled_fonts_win_over_whatever_the_machine_has(tmp_path: Path) -> None:
    """A fresh process (fontconfig reads its configuration once) on a machine whose only "Inter" is an impostor.

    The impostor is the bundled Noto Sans Arabic renamed "Inter": no Latin letters. jmap
    must still draw Latin with the bundled Inter (the PNG is the one this process draws),
    and warn about Japanese text that no font there covers.
    """
    from fontTools.ttLib import TTFont

    system = tmp_path / "system-fonts"
    system.mkdir()
    with TTFont(fontconfig.bundled_dir() / "NotoSansArabic-Regular.ttf") as impostor:
        for record in impostor["name"].names:
            if record.nameID in (1, 4, 16):
                record.string = "Inter"
        impostor.save(system / "Impostor.ttf")
    latin = svg(line("Hamburgefonstiv Kundenreise", 10, size=20))
    japanese = svg(line("お客様の旅", 10))
    env = dict(os.environ, JMAP_CACHE_DIR=str(tmp_path / "cache"), XDG_CACHE_HOME=str(tmp_path / "xdg"))
    env.pop("FONTCONFIG_FILE", None)
    done = subprocess.run([sys.executable, "-c", FAKE_SYSTEM, str(system), latin, japanese],
                          capture_output=True, env=env, timeout=120, check=True)
    codes, png = done.stdout.split(b"\n", 1)
    assert json.loads(codes) == ["W511"]
    assert png == export.svg_to_png(latin, scale=1)
    # Control: without jmap's fonts.conf, cairo takes the impostor and the picture changes.
    control = subprocess.run([sys.executable, "-c", CONTROL, str(system), latin],
                             capture_output=True, env=env, timeout=120, check=True)
    assert control.stdout[:8] == b"\x89PNG\r\n\x1a\n" and control.stdout != png


def test_fonts_conf_is_deterministic_and_puts_the_bundled_fonts_first(tmp_path: Path) -> None:
    bundled = tmp_path / "fonts"
    bundled.mkdir()
    (bundled / "Inter-Regular.otf").write_bytes(b"")
    first = fontconfig.fonts_conf(bundled, ("/usr/share/fonts",), tmp_path)
    assert first == fontconfig.fonts_conf(bundled, ("/usr/share/fonts",), tmp_path)
    assert first.index(f"<dir>{bundled}</dir>") < first.index("<dir>/usr/share/fonts</dir>")
    assert f'<patelt name="file"><string>{bundled / "Inter-Regular.otf"}</string>' in first
    assert Path(fontconfig.configure()).read_text().startswith("<?xml")


def test_fontconfig_file_is_set_only_while_cairo_loads() -> None:
    export.preload()
    assert os.environ.get("FONTCONFIG_FILE") != str(fontconfig.configure())  # a browser started later is unaffected


def test_joiner_sequences_that_crash_the_reshaper_still_draw() -> None:
    from jmap.export.rtl import visual_order

    # arabic_reshaper raises IndexError on a ZWJ before lam-alef; jmap must not.
    assert visual_order("\u200d\u200dلآ", True)


# --- E414 names what makes the map large ----------------------------------------------------


def _wide_map(stages: int, steps: int) -> str:
    lines = ["jmap: 1", "title: Wide", "# the stages", "stages:"]
    for i in range(stages):
        lines += [f"  - id: s{i}", f"    name: Stage {i}", "    emotion: 0", "    steps:"]
        lines += [f"      - {{id: s{i}-{j}, name: Step {j}}}" for j in range(steps)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("fmt, fix", [("png", "a smaller --scale (at most 0.24)"),
                                      ("pdf", "a paper size (--page-size a3-landscape)")])
def test_too_large_names_the_stages_line_their_count_and_the_fixes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                   fmt: str, fix: str) -> None:
    from typer.testing import CliRunner

    from jmap.cli.cli import app

    (tmp_path / "jmap.toml").write_text("")
    (tmp_path / "map.yaml").write_text(_wide_map(20, 30))
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["build", "-f", fmt, "-o", "out", "map.yaml"])
    assert result.exit_code == 1
    head, source, caret, hint = result.stderr.split("\n")[:4]
    assert head.startswith("map.yaml:4:1: error[E414]: the map's 20 stages (600 columns with their steps) make it "
                           "134,624 px wide: too large for ")
    assert source.endswith("| stages:")
    assert fix in hint and "fewer stages per map (about 2 fit" in hint and "or build SVG or HTML" in hint
    assert not (tmp_path / "out").exists()  # nothing half-written


def test_too_large_is_one_function_any_drawer_can_call() -> None:
    from jmap.diagnostics import Span

    extent = export.Extent(Span("map.yaml", 3, 1), stages=90, columns=90)
    [diagnostic] = export.too_large("png", 200_000, 900, "map.yaml", extent, scale=2).diagnostics
    assert (diagnostic.code, str(diagnostic.span)) == ("E414", "map.yaml:3:1")
    assert diagnostic.message.startswith("the map's 90 stages make it 200,000 px wide: too large for PNG at scale 2")
    tall = export.too_large("pdf", 1000, 200_000, "map.yaml", extent).diagnostics[0]
    assert tall.message.startswith("the map is 200,000 px tall, with 90 stages: too large for a PDF page")
    assert "fewer stages" not in tall.hint  # stages add width: splitting would not help
    unknown = export.too_large("png", 200_000, 900, "<svg>", None, scale=1).diagnostics[0]
    assert str(unknown.span) == "<svg>" and "200,000 x 900 px" in unknown.message
