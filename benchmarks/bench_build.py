"""How fast is one map, from YAML to SVG? (issue 3's targets)

    python benchmarks/bench_build.py            # examples + generated maps, and mmdc if installed

Measures, per map, load + validate + model + layout + SVG in-process (median of
several runs, warm), the growth with the number of cards (5, 30, 100 stages), and
a whole `jmap build -f svg` process (wall time and peak memory of the child).
When Mermaid's CLI (`mmdc`) is on PATH or in $MMDC, it renders a comparable
Mermaid journey (6 sections, 30 tasks) side by side. Targets:

- each example under 50 ms in-process;
- cost growing linearly with the number of cards;
- a whole `jmap build` at least 20x faster than mmdc, at most 1/4 of its peak memory.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from gen_maps import generate_comparable, generate_map  # noqa: E402

import jmap  # noqa: E402
from jmap.layout.engine import layout  # noqa: E402
from jmap.render.svg import render_layout_svg  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
# The console script as a person runs it (`python -m jmap` also pays for runpy).
_SCRIPT = Path(sys.executable).parent / "jmap"
JMAP = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "jmap"]


def pipeline(path: Path) -> tuple[str, int]:
    """One map through every stage; returns the SVG and the number of cards drawn."""
    result = jmap.check(path)
    journey = result.journey()
    positioned = layout(journey)
    svg = render_layout_svg(positioned)
    return svg, svg.count('class="item card')


def fast_path_available() -> bool:
    from jmap.validation.fastpath import fast_document

    return fast_document(ROOT / "examples" / "online-shop.yaml") is not None


def median_ms(path: Path, runs: int = 7) -> tuple[float, int]:
    pipeline(path)  # warm: templates compiled, schema loaded
    times = []
    cards = 0
    for _ in range(runs):
        start = time.perf_counter()
        _, cards = pipeline(path)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), cards


# Runs one command and prints its wall seconds and peak RSS in KiB. It is a small process of its
# own because a child's ru_maxrss counts the memory of the process it was forked from until exec.
_LAUNCHER = """
import os, subprocess, sys, time
start = time.perf_counter()
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
_, status, usage = os.wait4(child.pid, 0)
print(time.perf_counter() - start, usage.ru_maxrss, os.waitstatus_to_exitcode(status))
"""


def child_run(argv: list[str], cwd: Path, fresh: Path | None = None, runs: int = 3) -> tuple[float, float]:
    """Wall seconds and peak resident MiB of a child process (best of `runs`).

    `fresh`: a folder removed before each run, so every run really builds (jmap build
    skips maps whose outputs are up to date).
    """
    best_time, best_mem = float("inf"), float("inf")
    for _ in range(runs):
        if fresh is not None:
            shutil.rmtree(fresh, ignore_errors=True)
        out = subprocess.run([sys.executable, "-c", _LAUNCHER, *argv], cwd=cwd, check=True, capture_output=True)
        elapsed, peak_kib, code = out.stdout.split()
        if code != b"0":
            raise SystemExit(f"{' '.join(argv)} exited with {code.decode()}")
        best_time = min(best_time, float(elapsed))
        best_mem = min(best_mem, int(peak_kib) / 1024)
    return best_time, best_mem


MERMAID_JOURNEY = "journey\n  title Comparable journey\n" + "".join(
    f"  section Stage {s}\n" + "".join(f"    Task {s}.{t}: {(s + t) % 5 + 1}: Maya, Jon\n" for t in range(1, 6))
    for s in range(1, 7)
)


def find_mmdc() -> str | None:
    candidate = os.environ.get("MMDC") or shutil.which("mmdc")
    return candidate if candidate and Path(candidate).exists() else None


def mmdc_argv(mmdc: str, folder: Path, output: Path) -> list[str]:
    """The mmdc command rendering MERMAID_JOURNEY to `output` (.svg, .png or .pdf) with Debian's Chromium."""
    source = folder / "journey.mmd"
    source.write_text(MERMAID_JOURNEY, encoding="utf-8")
    config = folder / "puppeteer.json"
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    config.write_text(json.dumps({"executablePath": chromium, "args": ["--no-sandbox", "--disable-gpu"]}))
    return [mmdc, "-i", str(source), "-o", str(output), "-p", str(config)]


def main() -> None:
    print("In-process: load + validate + model + layout + SVG (median of 7, warm)\n")
    print(f"{'map':<34}{'ms':>8}{'cards':>8}{'ms/card':>10}")
    print(f"(check() takes the fast path: {'yes' if fast_path_available() else 'NO, ruamel.yaml.clib missing'})")
    for example in sorted((ROOT / "examples").glob("*.yaml")):
        ms, cards = median_ms(example)
        flag = "" if ms < 50 else "  (over the 50 ms target)"
        print(f"{example.name:<34}{ms:>8.1f}{cards:>8}{ms / max(cards, 1):>10.3f}{flag}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print()
        for stages in (5, 30, 100):
            path = folder / f"generated-{stages}.yaml"
            path.write_text(generate_map(stages=stages, personas=3, seed=stages), encoding="utf-8")
            ms, cards = median_ms(path, runs=3)
            print(f"{path.name:<34}{ms:>8.1f}{cards:>8}{ms / max(cards, 1):>10.3f}")
        print("\nmilliseconds per card staying flat from 5 to 100 stages means linear growth.\n")

        # A whole process, as a person or CI runs it. The map compared with mmdc has what Mermaid's
        # journey has (6 sections, 30 tasks, a score per actor) plus an action and a touchpoint per task.
        journey_map = folder / "comparable.yaml"
        journey_map.write_text(generate_comparable(stages=6, steps=5, personas=2), encoding="utf-8")
        jmap_cmd = JMAP + ["build", str(journey_map), "-o", str(folder / "out"), "-f", "svg"]
        jmap_s, jmap_mib = child_run(jmap_cmd, folder, fresh=folder / "out", runs=7)
        print(f"jmap build comparable.yaml:      {jmap_s * 1000:.0f} ms, peak {jmap_mib:.0f} MiB "
              "(6 stages x 5 steps, 2 personas)")
        shop_cmd = JMAP + ["build", str(ROOT / "examples" / "online-shop.yaml"),
                    "-o", str(folder / "shop"), "-f", "svg"]
        shop_s, shop_mib = child_run(shop_cmd, folder, fresh=folder / "shop", runs=7)
        print(f"jmap build online-shop.yaml:     {shop_s * 1000:.0f} ms, peak {shop_mib:.0f} MiB")
        warned = folder / "warned.yaml"
        lines = generate_map(stages=6, personas=2, seed=6).splitlines(keepends=True)
        warned.write_text("".join(line for line in lines if line.strip() != "evidence: [r0]"), encoding="utf-8")
        warned_cmd = JMAP + ["build", str(warned), "-o", str(folder / "warned"), "-f", "svg"]
        warned_s, _ = child_run(warned_cmd, folder, fresh=folder / "warned", runs=5)
        print(f"jmap build, a map with a warning: {warned_s * 1000:.0f} ms (the fast path reports warnings too)")
        up_to_date_s, _ = child_run(jmap_cmd, folder, runs=5)
        print(f"jmap build, output up to date:   {up_to_date_s * 1000:.0f} ms")
        version_s, _ = child_run(JMAP + ["--version"], folder, runs=5)
        print(f"jmap --version:                  {version_s * 1000:.0f} ms (target < 150 ms)")

        mmdc = find_mmdc()
        if not mmdc:
            print("mmdc not installed: comparison skipped "
                  "(npm i @mermaid-js/mermaid-cli with PUPPETEER_SKIP_DOWNLOAD=1, then MMDC=path/to/mmdc)")
            return
        mmdc_s, mmdc_mib = child_run(mmdc_argv(mmdc, folder, folder / "m.svg"), folder)
        print(f"mmdc (whole process, SVG):       {mmdc_s * 1000:.0f} ms, peak {mmdc_mib:.0f} MiB")
        print(f"speed-up {mmdc_s / jmap_s:.1f}x (target >= 20x); memory {jmap_mib / mmdc_mib:.2f} of mmdc's "
              "(target <= 0.25; the peak of the browser's own child processes is not counted by rusage)")


if __name__ == "__main__":
    main()
