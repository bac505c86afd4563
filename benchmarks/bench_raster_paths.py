"""PNG and PDF, whole process: jmap's fast path (jmap.export.raster) against its reference path (cairosvg).

    python benchmarks/bench_raster_paths.py                 # online-shop and a 30-stage, 6-persona map
    python benchmarks/bench_raster_paths.py --runs 5 --encode   # also time the PNG encoder's zlib levels

Each figure is the median of --runs runs of `python -m jmap build MAP -f FORMAT --force`
(wall seconds, and the peak memory of the process from wait4's rusage), once with
JMAP_RASTER=fast (the default) and once with JMAP_RASTER=cairosvg. Prints a Markdown
table (pasted into docs/performance.md). benchmarks/bench_formats.py puts the same
formats beside mermaid-cli's.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))


def run(map_path: Path, fmt: str, raster: str, out: Path) -> tuple[float, float]:
    """(seconds, peak MiB) of one whole `jmap build`."""
    environment = {**os.environ, "JMAP_RASTER": raster}
    command = [sys.executable, "-m", "jmap", "build", str(map_path), "-f", fmt, "-o", str(out), "--force"]
    start = time.perf_counter()
    process = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"jmap build failed: {process.stderr.read().decode() if process.stderr else ''}")
    return seconds, usage.ru_maxrss / 1024


def encode_levels(map_path: Path) -> None:
    """In-process: drawing vs encoding, and the PNG size and time per zlib level."""
    from jmap.api import model, render_svg
    from jmap.export import export, raster

    svg = render_svg(model(map_path))
    export.svg_to_png(svg, warn=lambda d: None)  # fonts and caches warm
    for level in (1, 3, 6):
        raster.PNG_LEVEL = level
        start = time.perf_counter()
        png = export.svg_to_png(svg, warn=lambda d: None)
        print(f"zlib level {level}: {time.perf_counter() - start:.2f} s, {len(png) / 2**20:.1f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--encode", action="store_true")
    args = parser.parse_args()
    from gen_maps import generate_map

    with tempfile.TemporaryDirectory() as folder:
        big = Path(folder) / "big-30-stages.yaml"
        big.write_text(generate_map(stages=30, personas=6, seed=1), encoding="utf-8")
        maps = [ROOT / "examples" / "online-shop.yaml", big]
        print("| map | format | fast: s | fast: MiB | cairosvg: s | cairosvg: MiB |")
        print("|---|---|---|---|---|---|")
        for map_path in maps:
            for fmt in ("png", "pdf"):
                row = []
                for raster in ("fast", "cairosvg"):
                    runs = [run(map_path, fmt, raster, Path(folder) / "out") for _ in range(args.runs)]
                    row += [statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)]
                cells = f"{row[0]:.2f} | {row[1]:.0f} | {row[2]:.2f} | {row[3]:.0f}"
                print(f"| {map_path.name} | {fmt.upper()} | {cells} |")
        if args.encode:
            encode_levels(maps[0])


if __name__ == "__main__":
    main()
