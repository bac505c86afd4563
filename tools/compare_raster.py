"""How close jmap's PNG is to a browser's picture of the same SVG, and to cairosvg's.

    python tools/compare_raster.py                 # every examples/*.yaml, scale 1
    python tools/compare_raster.py --out /tmp/cmp  # also write the three PNGs and a diff per map

For each map the SVG is built, then drawn three ways at the same size:

- `fast`: jmap.export.export.svg_to_png (jmap.export.raster: pycairo, HarfBuzz), the default path;
- `cairosvg`: the same with JMAP_RASTER=cairosvg, the reference path;
- `chromium`: Debian's headless Chromium (as tests/test_browser.py drives it) showing
  the SVG in a page whose @font-face rules load jmap's bundled fonts, so the browser
  draws with the fonts the layout measured (Noto Sans CJK comes from the system).

It prints the mean absolute difference per channel (0-255, over all pixels) between
each pair as a Markdown table; docs/performance.md and docs/export.md quote it.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

CHROMIUM = os.environ.get("JMAP_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
FACES = (("Inter", 400, "Inter-Regular.otf"), ("Inter", 600, "Inter-SemiBold.otf"),
         ("Noto Sans Arabic", 400, "NotoSansArabic-Regular.ttf"), ("Noto Sans Arabic", 700, "NotoSansArabic-Bold.ttf"),
         ("Noto Sans Hebrew", 400, "NotoSansHebrew-Regular.ttf"), ("Noto Sans Hebrew", 700, "NotoSansHebrew-Bold.ttf"))


def mean_difference(first: bytes, second: bytes) -> float:
    """Mean absolute difference of two PNGs of one size, per RGB channel, 0-255."""
    from PIL import Image, ImageChops, ImageStat

    a = Image.open(io.BytesIO(first)).convert("RGB")
    b = Image.open(io.BytesIO(second)).convert("RGB")
    if a.size != b.size:
        raise ValueError(f"sizes differ: {a.size} and {b.size}")
    return float(sum(ImageStat.Stat(ImageChops.difference(a, b)).mean) / 3)


def page(svg: str) -> str:
    """An HTML page showing the SVG at its size, with jmap's bundled fonts loaded by @font-face."""
    from jmap.export.fontconfig import bundled_dir

    faces = "".join(f"@font-face{{font-family:'{family}';font-weight:{weight};"
                    f"src:url('{(bundled_dir() / file).as_uri()}')}}" for family, weight, file in FACES)
    body = svg.split("?>", 1)[-1] if svg.startswith("<?xml") else svg
    return (f"<!doctype html><html><head><meta charset='utf-8'><style>{faces}"
            f"html,body{{margin:0;padding:0}}svg{{display:block}}</style></head><body>{body}</body></html>")


class Browser:
    """One headless Chromium for many screenshots."""

    def __init__(self) -> None:
        from playwright.sync_api import sync_playwright

        self.playwright = sync_playwright().start()
        self.browser = self.playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        self.folder = tempfile.TemporaryDirectory()

    def screenshot(self, svg: str, width: int, height: int) -> bytes:
        path = Path(self.folder.name) / "page.html"
        path.write_text(page(svg), encoding="utf-8")
        tab = self.browser.new_page(viewport={"width": width, "height": height}, device_scale_factor=1)
        try:
            tab.goto(path.as_uri())
            tab.evaluate("document.fonts.ready")
            return bytes(tab.screenshot(full_page=False))
        finally:
            tab.close()

    def close(self) -> None:
        self.browser.close()
        self.playwright.stop()
        self.folder.cleanup()


def compare(maps: list[Path], out: Path | None = None) -> list[dict[str, Any]]:
    from jmap.api import model, render_svg
    from jmap.export import export

    browser = Browser()
    rows = []
    try:
        for path in maps:
            svg = render_svg(model(path))
            prepared = export._Prepared(svg, str(path))
            width, height = round(prepared.width), round(prepared.height)
            fast = export.svg_to_png(svg, scale=1, warn=lambda d: None)
            saved, export.RASTER = export.RASTER, "cairosvg"
            try:
                reference = export.svg_to_png(svg, scale=1, warn=lambda d: None)
            finally:
                export.RASTER = saved
            shot = browser.screenshot(svg, width, height)
            row = {"map": path.name, "fast-chromium": mean_difference(fast, shot),
                   "cairosvg-chromium": mean_difference(reference, shot),
                   "fast-cairosvg": mean_difference(fast, reference)}
            rows.append(row)
            if out is not None:
                out.mkdir(parents=True, exist_ok=True)
                for name, data in (("fast", fast), ("cairosvg", reference), ("chromium", shot)):
                    (out / f"{path.stem}.{name}.png").write_bytes(data)
    finally:
        browser.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("maps", nargs="*", type=Path)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    maps = args.maps or sorted((ROOT / "examples").glob("*.yaml"))
    rows = compare(maps, args.out)
    print("| map | fast vs Chromium | cairosvg vs Chromium | fast vs cairosvg |")
    print("|---|---|---|---|")
    for row in rows:
        print(f"| {row['map']} | {row['fast-chromium']:.2f} | {row['cairosvg-chromium']:.2f} | "
              f"{row['fast-cairosvg']:.2f} |")


if __name__ == "__main__":
    main()
