"""The fast PNG/PDF path (jmap.export.raster) against the reference path (cairosvg) and a browser.

The fast path must draw the same picture as the reference path (shapes exactly, text
within the kerning HarfBuzz adds), be at least as close to Chromium's picture of the
SVG, keep Arabic vowel marks and real PDF text, be deterministic, and hand anything
outside jmap's SVG vocabulary to cairosvg. The thresholds are documented in
docs/export.md ("How close PNG is to the SVG").
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageChops, ImageStat

from jmap.api import model, render_svg
from jmap.diagnostics import Diagnostic
from jmap.export import export, raster

ROOT = Path(__file__).resolve().parent.parent
MAPS = [*sorted((ROOT / "examples").glob("*.yaml")), ROOT / "tests" / "maps" / "mixed-scripts.yaml"]
FONT_STACK = "Inter, 'Noto Sans Arabic', 'Noto Sans Hebrew', 'Noto Sans CJK JP', 'Noto Sans CJK SC', sans-serif"
#: Mean absolute difference per channel (0-255) allowed between the fast and the reference PNG.
#: Shapes are pixel-identical; text moves by HarfBuzz's kerning (measured: 0.05-1.43 at scale 1).
MAX_FROM_REFERENCE = 2.0
#: Allowed between the fast PNG and Chromium's screenshot of the SVG (measured: 0.21-1.61 at scale 1,
#: where cairosvg's PNG is 0.24-2.16 from it).
MAX_FROM_CHROMIUM = 2.0

sys.path.insert(0, str(ROOT / "tools"))


def difference(first: bytes, second: bytes) -> float:
    a, b = Image.open(io.BytesIO(first)).convert("RGB"), Image.open(io.BytesIO(second)).convert("RGB")
    assert a.size == b.size
    return float(sum(ImageStat.Stat(ImageChops.difference(a, b)).mean) / 3)


def reference_png(svg: str, scale: float = 1) -> bytes:
    saved, export.RASTER = export.RASTER, "cairosvg"
    try:
        return export.svg_to_png(svg, scale=scale, warn=lambda d: None)
    finally:
        export.RASTER = saved


@pytest.fixture
def no_cairosvg(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast path must not need cairosvg: loading it fails the test."""
    monkeypatch.setattr(export, "_load_cairosvg", _refuse)
    monkeypatch.setattr(export, "RASTER", "fast")


@pytest.fixture(scope="module")
def svgs() -> dict[str, str]:
    return {path.name: render_svg(model(path)) for path in MAPS}


def svg(body: str, width: float = 400, height: float = 100, background: bool = True) -> str:
    ground = f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>' if background else ""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" font-family="{FONT_STACK}"><title>Test map</title>{ground}{body}</svg>')


def _refuse() -> Any:
    raise AssertionError("the reference path (cairosvg) was taken")


@pytest.mark.parametrize("name", [path.name for path in MAPS])
def test_every_example_draws_as_the_reference_path_does(name: str, svgs: dict[str, str]) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(export, "_load_cairosvg", _refuse)
        patch.setattr(export, "RASTER", "fast")
        fast = export.svg_to_png(svgs[name], scale=1, warn=lambda d: None)
    assert Image.open(io.BytesIO(fast)).mode == "RGB"
    assert difference(fast, reference_png(svgs[name])) < MAX_FROM_REFERENCE


def test_shapes_are_the_reference_paths_pixel_for_pixel() -> None:
    body = ('<rect x="10" y="10" width="120" height="60" rx="8" fill="#1e40af" stroke="#111111" stroke-width="2"/>'
            '<circle cx="200" cy="50" r="30" fill="none" stroke="#dc2626" stroke-width="3" stroke-dasharray="6 4"/>'
            '<path d="M250 20h60a10 10 0 0 1 10 10v40l-20-10z" fill="#15803d"/>'
            '<g opacity="0.4"><rect x="330" y="20" width="50" height="50" fill="#000000"/></g>')
    fast = export.svg_to_png(svg(body), scale=2, warn=lambda d: None)
    assert difference(fast, reference_png(svg(body), scale=2)) < 0.05


def test_arabic_vowel_marks_are_drawn(no_cairosvg: None) -> None:
    """HarfBuzz places harakat; the reference path drops them (arabic_reshaper cannot place them)."""
    def draw(text: str) -> bytes:
        return export.svg_to_png(svg(f'<text x="380" y="60" font-size="28" direction="rtl" fill="#000000">'
                                     f'<tspan x="380" y="60">{text}</tspan></text>'), warn=lambda d: None)

    assert draw("كَتَبَ") != draw("كتب")


def test_right_to_left_text_ends_at_its_x(no_cairosvg: None) -> None:
    png = export.svg_to_png(svg('<text x="300" y="60" font-size="20" direction="rtl" fill="#000000">'
                                '<tspan x="300" y="60">שלום עולם</tspan></text>'), scale=1, warn=lambda d: None)
    box = ImageChops.invert(Image.open(io.BytesIO(png)).convert("L")).getbbox()
    assert box is not None and 295 <= box[2] <= 301 and box[0] > 150


def test_png_and_pdf_are_the_same_bytes_every_time(svgs: dict[str, str], no_cairosvg: None) -> None:
    text = svgs["ja-onboarding.yaml"]
    assert export.svg_to_png(text, warn=lambda d: None) == export.svg_to_png(text, warn=lambda d: None)
    assert export.svg_to_pdf(text, warn=lambda d: None) == export.svg_to_pdf(text, warn=lambda d: None)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is installed by .ci/run")
def test_pdf_text_stays_real_text(svgs: dict[str, str], no_cairosvg: None, tmp_path: Path) -> None:
    pdf = tmp_path / "map.pdf"
    pdf.write_bytes(export.svg_to_pdf(svgs["online-shop.yaml"], warn=lambda d: None))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "First order at an online fashion shop" in text
    pdf.write_bytes(export.svg_to_pdf(svgs["ja-onboarding.yaml"], warn=lambda d: None))
    info = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "Inter" in info and "NotoSansCJK" in info.replace(" ", "")
    pdf.write_bytes(export.svg_to_pdf(svgs["mixed-scripts.yaml"], warn=lambda d: None))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "رحلة العميل" in text  # the letters themselves (cairo text clusters), not presentation forms


def test_anything_outside_jmaps_vocabulary_takes_the_reference_path() -> None:
    text = svg('<ellipse cx="200" cy="50" rx="100" ry="30" fill="#000000"/>')
    with pytest.raises(raster.Unsupported):
        raster.draw_png(export._Prepared(text, "x").root, 400, 100, None, 1.0)
    png = export.svg_to_png(text, scale=1, warn=lambda d: None)  # drawn by cairosvg instead
    assert Image.open(io.BytesIO(png)).convert("L").getpixel((200, 50)) == 0


def test_a_transparent_map_keeps_its_alpha(no_cairosvg: None) -> None:
    png = export.svg_to_png(svg('<rect x="0" y="0" width="10" height="10" fill="#ff0000"/>', background=False),
                            scale=1, warn=lambda d: None)
    image = Image.open(io.BytesIO(png))
    assert image.mode == "RGBA" and image.getpixel((5, 5)) == (255, 0, 0, 255) and image.getpixel((50, 50))[3] == 0


def test_missing_characters_are_reported_on_the_fast_path(no_cairosvg: None) -> None:
    seen: list[Diagnostic] = []
    export.svg_to_png(svg('<text x="10" y="50" font-size="16"><tspan x="10" y="50">a \U000f0001 b</tspan></text>'),
                      warn=seen.append)
    assert [d.code for d in seen] == ["W511"]


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    from compare_raster import Browser

    try:
        browser = Browser()
    except Exception as error:  # noqa: BLE001 - reported as a failure: CI installs Chromium (.ci/run)
        pytest.fail(f"Chromium could not be started: {error}")
    yield browser
    browser.close()


@pytest.mark.browser
@pytest.mark.parametrize("name", ["online-shop.yaml", "ja-onboarding.yaml", "kundenreise-de.yaml",
                                  "mixed-scripts.yaml"])
def test_png_is_as_close_to_chromium_as_the_reference_or_closer(name: str, svgs: dict[str, str],
                                                                 chromium: Any) -> None:
    text = svgs[name]
    prepared = export._Prepared(text, name)
    shot = chromium.screenshot(text, round(prepared.width), round(prepared.height))
    fast = export.svg_to_png(text, scale=1, warn=lambda d: None)
    ours = difference(fast, shot)
    assert ours < MAX_FROM_CHROMIUM
    assert ours <= difference(reference_png(text), shot)


def test_a_fractional_scale_leaves_no_transparent_edge(no_cairosvg: None) -> None:
    """At W510's scales (1.99...) the last row and column are covered, so the PNG stays opaque RGB."""
    png = export.svg_to_png(svg("", width=401, height=103), scale=1.333, warn=lambda d: None)
    image = Image.open(io.BytesIO(png))
    assert image.mode == "RGB" and image.size == (535, 137)
    assert image.getpixel((534, 136)) == (255, 255, 255)


def test_pdf_takes_a_paper_size_on_the_fast_path(svgs: dict[str, str], no_cairosvg: None) -> None:
    pdf = export.svg_to_pdf(svgs["minimal.yaml"], page_size="a4-landscape", warn=lambda d: None)
    assert b"/MediaBox [ 0 0 841.8" in pdf


@pytest.mark.parametrize("name", ["avatar.png", "avatar.jpg"])
def test_avatars_are_drawn_as_the_reference_draws_them(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import base64

    data = (ROOT / "tests" / "cases" / "images" / name).read_bytes()
    mime = "image/png" if name.endswith(".png") else "image/jpeg"
    body = (f'<clipPath id="c"><circle cx="60" cy="50" r="40"/></clipPath><image x="20" y="10" width="80" height="80" '
            f'href="data:{mime};base64,{base64.b64encode(data).decode()}" preserveAspectRatio="xMidYMid slice" '
            'clip-path="url(#c)"/>')
    reference = reference_png(svg(body), scale=2)
    monkeypatch.setattr(export, "_load_cairosvg", _refuse)
    fast = export.svg_to_png(svg(body), scale=2, warn=lambda d: None)
    assert difference(fast, reference) < 0.5
    assert difference(fast, export.svg_to_png(svg(""), scale=2, warn=lambda d: None)) > 1  # the avatar is there


def test_preload_and_a_png_do_not_import_cairosvg(tmp_path: Path) -> None:
    """cairocffi's import alone took 0.4-0.7 s: the default path must not pay it."""
    code = ("import sys; from jmap.export import export; export.preload(); "
            "export.svg_to_png(open(sys.argv[1]).read(), scale=0.5, warn=lambda d: None); "
            "print('cairosvg' in sys.modules, 'cairocffi' in sys.modules)")
    with_text = ROOT / "tests" / "maps" / "mixed-scripts.yaml"
    svg_file = tmp_path / "map.svg"
    svg_file.write_text(render_svg(model(with_text)), encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", code, str(svg_file)], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "False"]


def test_a_use_that_refers_to_itself_goes_to_the_reference_path() -> None:
    text = svg('<defs><g id="loop"><use href="#loop"/></g></defs><use href="#loop"/>')
    with pytest.raises(raster.Unsupported):
        raster.draw_png(export._Prepared(text, "x").root, 400, 100, None, 1.0)


def test_png_is_deflated_by_zlib_ng_with_the_same_pixels_as_stdlib_zlib(svgs: dict[str, str], no_cairosvg: None,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """zlib-ng makes the PNG's deflate stream 3-4x faster (docs/performance.md); the picture is the same."""
    import zlib

    from zlib_ng import zlib_ng

    assert raster._deflate() is zlib_ng
    fast = export.svg_to_png(svgs["online-shop.yaml"], scale=1, warn=lambda d: None)
    monkeypatch.setattr(raster, "_deflate", lambda: zlib)
    plain = export.svg_to_png(svgs["online-shop.yaml"], scale=1, warn=lambda d: None)
    assert fast != plain
    first, second = Image.open(io.BytesIO(fast)), Image.open(io.BytesIO(plain))
    assert first.mode == second.mode == "RGB" and first.tobytes() == second.tobytes()


# --- found by a second reader: fallbacks, damaged and large pictures ------------------------------


def _data_uri(data: bytes, mime: str = "image/png") -> str:
    import base64

    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def _png(size: tuple[int, int], color: tuple[int, int, int] = (200, 40, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def test_a_shortened_text_stays_on_the_fast_path(no_cairosvg: None) -> None:
    """A shortened text carries its full wording as a <title>: a tooltip, nothing to draw or fall back for."""
    body = ('<text x="10" y="50" font-size="14" fill="#111111"><title>The whole text</title>'
            '<tspan x="10" y="50">The wh…</tspan></text>')
    found: list[Diagnostic] = []
    assert export.svg_to_png(svg(body), scale=1, warn=found.append).startswith(b"\x89PNG")
    assert found == []


def test_every_fallback_to_the_reference_path_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(export, "RASTER", "fast")
    body = '<text x="10" y="50" font-size="14" fill="#111111"><desc>x</desc>Hello</text>'  # beyond the vocabulary
    found: list[Diagnostic] = []
    export.svg_to_png(svg(body), scale=1, warn=found.append)
    assert [d.code for d in found] == ["W513"] and "cairosvg" in found[0].message


def test_damaged_pixel_data_is_e413_not_a_bug(no_cairosvg: None) -> None:
    import struct
    import zlib

    good = _png((8, 8))
    start = good.index(b"IDAT") + 4
    length = struct.unpack(">I", good[start - 8:start - 4])[0]
    broken = bytes(length)  # zeros: not a zlib stream, yet the chunk's CRC is made right below
    damaged = good[:start] + broken + struct.pack(">I", zlib.crc32(b"IDAT" + broken)) + good[start + length + 4:]
    body = f'<image x="0" y="0" width="50" height="50" href="{_data_uri(damaged)}"/>'
    with pytest.raises(export.JmapError) as raised:
        export.svg_to_png(svg(body), scale=1, warn=lambda d: None)
    assert raised.value.diagnostics[0].code == "E413"


def test_a_camera_mpo_jpeg_is_drawn(no_cairosvg: None) -> None:
    out = io.BytesIO()
    first, second = Image.new("RGB", (16, 16), (0, 90, 200)), Image.new("RGB", (16, 16), (0, 0, 0))
    first.save(out, "MPO", save_all=True, append_images=[second])
    body = f'<image x="0" y="0" width="100" height="100" href="{_data_uri(out.getvalue(), "image/jpeg")}"/>'
    found: list[Diagnostic] = []
    png = export.svg_to_png(svg(body), scale=1, warn=found.append)
    assert found == []
    pixel = Image.open(io.BytesIO(png)).convert("RGB").getpixel((50, 50))
    assert isinstance(pixel, tuple) and pixel[2] > 150 and pixel[0] < 60  # the first frame's blue


def test_large_pictures_are_shrunk_to_their_box_before_they_are_recorded(tmp_path: Path) -> None:
    """Twelve different 4096 x 4096 pictures in small boxes: decoded one at a time, kept at the size drawn."""
    images = "".join(
        f'<image x="{i * 30}" y="0" width="30" height="30" href="{_data_uri(_png((4096, 4096), (i * 20, 90, 90)))}"/>'
        for i in range(12)
    )
    svg_file = tmp_path / "pictures.svg"
    svg_file.write_text(svg(images, width=400, height=40), encoding="utf-8")
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the forking process (pytest, large by then)
    code = ("import re, sys; from jmap.export import export; "
            "export.svg_to_png(open(sys.argv[1]).read(), scale=2, warn=lambda d: print(d)); "
            "print(export.__file__); "
            "print(int(re.search(r'VmHWM:\\s*(\\d+)', open('/proc/self/status').read())[1]) // 1024)")
    run = subprocess.run([sys.executable, "-c", code, str(svg_file)], capture_output=True, text=True, check=True,
                         env={"PATH": "/usr/bin:/bin", "JMAP_RASTER": "fast"}, cwd=tmp_path)
    assert "W513" not in run.stdout
    assert run.stdout.split()[-2] == export.__file__, run.stdout  # this checkout's drawer
    assert int(run.stdout.split()[-1]) < 400  # MiB; all twelve at full size are 12 x 64 MiB
