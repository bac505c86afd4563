"""cairosvg against resvg for PNG: how fast, and whether they draw the same picture.

    python benchmarks/bench_raster.py                  # examples/online-shop.yaml and ja-onboarding.yaml
    python benchmarks/bench_raster.py --runs 5 --out /tmp/raster   # also write the PNGs to look at

For each SVG (rendered from an example map when the renderer is there, otherwise a
synthetic map of cards in several scripts) it times, at scale 2:

- `cairosvg`: cairosvg.svg2png on the SVG as it is (what jmap would do without its preparation),
- `jmap`: jmap.export.export.svg_to_png (checks, text rewritten for cairo, bundled fonts),
- `resvg`: the `resvg` package (resvg 0.47 through PyO3), with the bundled fonts and
  Noto Sans CJK loaded explicitly and nothing else, so it cannot pick other fonts,

(median CPU seconds of --runs runs) and, with --out, writes the three PNGs and a
multilingual test card drawn by each, to compare by eye. Prints a Markdown table
(pasted into docs/export.md).
"""

from __future__ import annotations

import argparse
import glob
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FONT_STACK = "Inter, 'Noto Sans Arabic', 'Noto Sans Hebrew', 'Noto Sans CJK JP', 'Noto Sans CJK SC', sans-serif"
CJK_FONTS = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
             "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc")

LINES = [
    ("Checkout — Kundenreise für Zürich", "ltr", "start"),
    ("مرحبا بالعالم، الدفع عبر التطبيق", "rtl", "start"),
    ("تطبيق (iOS) بسعر 25 دولار.", "rtl", "start"),
    ("שלום עולם, תשלום באפליקציה (3 שלבים)", "rtl", "start"),
    ("お客様の旅：アプリで支払い (iOS)", "ltr", "start"),
    ("客户旅程：在应用中付款", "ltr", "start"),
]


def multilingual_card() -> str:
    body = []
    for i, (text, direction, anchor) in enumerate(LINES):
        x = 460 if direction == "rtl" else 20
        y = 40 + 34 * i
        weight = ' font-weight="600"' if i % 2 else ""
        rtl = ' direction="rtl"' if direction == "rtl" else ""
        body.append(f'<text x="{x}" y="{y}" font-size="16"{weight} fill="#111" text-anchor="{anchor}"{rtl}>'
                    f'<tspan x="{x}" y="{y}">{text}</tspan></text>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="480" height="240" viewBox="0 0 480 240" '
            f'font-family="{FONT_STACK}"><rect width="480" height="240" fill="#fff"/>'
            '<line x1="460" y1="0" x2="460" y2="240" stroke="#e33" stroke-width="0.5"/>' + "".join(body) + "</svg>")


def synthetic_map(stages: int = 8, rows: int = 6) -> str:
    """Cards with wrapped text in a grid, about the size and text density of a real map."""
    parts, width, height = [], 40 + stages * 260, 80 + rows * 190
    for column in range(stages):
        for row in range(rows):
            x, y = 20 + column * 260, 60 + row * 190
            text, direction, _ = LINES[(column + row) % len(LINES)]
            parts.append(f'<rect x="{x}" y="{y}" width="240" height="170" rx="8" fill="#f4f6f8" stroke="#ccd"/>')
            tx = x + 228 if direction == "rtl" else x + 12
            lines = "".join(f'<tspan x="{tx}" y="{y + 28 + 20 * k}">{text[:24]}</tspan>' for k in range(6))
            rtl = ' direction="rtl"' if direction == "rtl" else ""
            parts.append(f'<text x="{tx}" y="{y + 28}" font-size="13" fill="#223"{rtl}>{lines}</text>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
            f'font-family="{FONT_STACK}"><rect width="{width}" height="{height}" fill="#fff"/>{"".join(parts)}</svg>')


def example_svgs() -> dict[str, str]:
    try:
        from jmap.api import check
        from jmap.render.svg import render_svg
    except ImportError:
        return {"synthetic 8x6 cards": synthetic_map()}
    found = {}
    for name in ("online-shop", "ja-onboarding"):
        try:
            result = check(ROOT / "examples" / f"{name}.yaml")
            if not result.errors:
                found[name] = render_svg(result.journey())
        except Exception as error:  # noqa: BLE001 - a renderer in the making: measure the synthetic map
            print(f"({name}: {type(error).__name__}: {error}; using a synthetic map)", file=sys.stderr)
    return found or {"synthetic 8x6 cards": synthetic_map()}


def resvg_renderer() -> Callable[[str, float], bytes] | None:
    try:
        from resvg import render, usvg
    except ImportError:
        return None
    from jmap.export.fontconfig import bundled_dir

    options = usvg.Options.default()
    options.load_fonts_dir(str(bundled_dir()))
    for path in CJK_FONTS:
        if Path(path).exists():
            options.load_font_file(path)

    def draw(svg: str, scale: float) -> bytes:
        tree = usvg.Tree.from_str(svg, options)
        width, height = tree.int_size()
        size = (round(width * scale), round(height * scale))
        return bytes(render(tree, (scale, 0, 0, 0, scale, 0), bg_size=size))

    return draw


def timed(function: Callable[[], bytes], runs: int) -> tuple[float, bytes]:
    """Median CPU time of this process (steadier than wall time on a busy machine; all three draw on one thread)."""
    function()  # warm: imports, font loading, fontconfig caches
    times, result = [], b""
    for _ in range(runs):
        start = time.process_time()
        result = function()
        times.append(time.process_time() - start)
    return statistics.median(times), result


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--scale", type=float, default=2.0)
    parser.add_argument("--out", type=Path, help="write the PNGs here")
    args = parser.parse_args(argv)

    import cairosvg

    from jmap.export import export

    draw_resvg = resvg_renderer()
    svgs = example_svgs()
    svgs["multilingual card"] = multilingual_card()
    print(f"{platform.platform()}, Python {platform.python_version()}, {args.runs} runs, scale {args.scale}\n")
    print("| SVG | size (px) | cairosvg as is | jmap (cairosvg, prepared) | resvg |")
    print("|---|---|---|---|---|")
    for name, svg in svgs.items():
        backends: dict[str, Callable[[], bytes]] = {
            "cairosvg": lambda svg=svg: cairosvg.svg2png(bytestring=svg.encode(), scale=args.scale),
            "jmap": lambda svg=svg: export.svg_to_png(svg, scale=args.scale, warn=lambda d: None),
        }
        if draw_resvg:
            backends["resvg"] = lambda svg=svg: draw_resvg(svg, args.scale)
        results = {key: timed(function, args.runs) for key, function in backends.items()}
        prepared = export._Prepared(svg, name)
        cells = [f"{results[key][0]:.2f} s" if key in results else "not installed"
                 for key in ("cairosvg", "jmap", "resvg")]
        print(f"| {name} | {prepared.width:.0f} x {prepared.height:.0f} | " + " | ".join(cells) + " |")
        if args.out:
            args.out.mkdir(parents=True, exist_ok=True)
            stem = name.replace(" ", "-")
            for key, (_, png) in results.items():
                (args.out / f"{stem}.{key}.png").write_bytes(png)
    if args.out:
        print(f"\nPNGs in {args.out}: " + ", ".join(sorted(Path(p).name for p in glob.glob(str(args.out / "*.png")))))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    raise SystemExit(main(sys.argv[1:]))
