"""Every format, whole process, beside Mermaid's CLI (issue 13's targets)

    python benchmarks/bench_formats.py             # 5 rounds
    python benchmarks/bench_formats.py --runs 9    # more rounds on a noisy machine

Runs each command as a person or CI does (`jmap build ... -f FORMAT` into an empty
folder, a new process each time) and reports the median wall time and the median peak
memory of the process (ru_maxrss from wait4: the largest single process of the tree,
so Chromium's helper processes under mmdc are not added up). The commands run in
rounds, in alternating order, so a burst of load on the shared machine hits all of
them alike. Measured:

- jmap SVG, PNG, PDF and HTML of examples/online-shop.yaml, and of a 30-stage,
  6-persona map with long texts (benchmarks/gen_maps.py);
- the same map with and without one warning (online-shop without its first
  emotion score: W500);
- the README's first command, `jmap build examples -f svg,png,pdf,html`, on a fresh
  copy of examples/ (so nothing is up to date);
- mmdc (Mermaid's CLI, on PATH or in $MMDC) rendering its 6-section, 30-task journey
  to SVG and PNG, when it is installed; otherwise its columns say so.

Not part of the test suite: it takes a minute or two and its numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_build import JMAP, find_mmdc, mmdc_argv  # noqa: E402
from gen_maps import generate_map  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FORMATS = ("svg", "png", "pdf", "html")

# bench_build's launcher, also printing the CPU seconds of the child and the descendants it
# waited for (Chromium's processes under mmdc): on a loaded machine wall time waits for a core,
# CPU time does not.
_LAUNCHER = """
import os, subprocess, sys, time
start = time.perf_counter()
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
_, status, usage = os.wait4(child.pid, 0)
print(time.perf_counter() - start, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, os.waitstatus_to_exitcode(status))
"""


@dataclass
class Command:
    """One measured command: its argv, the folder emptied before each run, its results."""

    label: str
    argv: list[str]
    fresh: Path
    seconds: list[float]
    mib: list[float]
    cpu: list[float]

    def run(self, cwd: Path) -> None:
        shutil.rmtree(self.fresh, ignore_errors=True)
        out = subprocess.run([sys.executable, "-c", _LAUNCHER, *self.argv], cwd=cwd, check=True,
                             capture_output=True)
        elapsed, cpu, peak_kib, code = out.stdout.split()
        if code != b"0":
            raise SystemExit(f"{' '.join(self.argv)} exited with {code.decode()}")
        self.seconds.append(float(elapsed))
        self.cpu.append(float(cpu))
        self.mib.append(int(peak_kib) / 1024)

    @property
    def median_s(self) -> float:
        return statistics.median(self.seconds)

    @property
    def median_mib(self) -> float:
        return statistics.median(self.mib)

    @property
    def median_cpu(self) -> float:
        return statistics.median(self.cpu)


def without_first_emotion(text: str) -> str:
    """The map with its first `emotion:` line removed: one W500 warning, nothing else changed."""
    return re.sub(r"^ +emotion: .*\n", "", text, count=1, flags=re.MULTILINE)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="rounds (each command once per round)")
    args = parser.parse_args(argv)
    if os.environ.get("PYTHONDONTWRITEBYTECODE"):
        print("note: PYTHONDONTWRITEBYTECODE is set, so every jmap process compiles jmap again; "
              "unset it for real numbers (docs/performance.md)", file=sys.stderr)

    with tempfile.TemporaryDirectory(prefix="bench-formats-") as tmp:
        folder = Path(tmp)
        shutil.copytree(ROOT / "examples", folder / "shop", ignore=shutil.ignore_patterns("build"))
        shop = folder / "shop" / "online-shop.yaml"
        warned = folder / "shop" / "online-shop-warned.yaml"
        warned.write_text(without_first_emotion(shop.read_text(encoding="utf-8")), encoding="utf-8")
        big = folder / "big" / "stages-30.yaml"
        big.parent.mkdir()
        big.write_text(generate_map(stages=30, personas=6, seed=30), encoding="utf-8")

        commands: dict[str, Command] = {}

        def add(label: str, args: list[str], out: Path) -> None:
            commands[label] = Command(label, JMAP + args, out, [], [], [])

        for name, path in (("shop", shop), ("big", big)):
            for fmt in FORMATS:
                out = folder / f"out-{name}-{fmt}"
                add(f"{name}-{fmt}", ["build", str(path), "-o", str(out), "-f", fmt], out)
        add("plain", ["build", str(shop), "-o", str(folder / "out-plain"), "-f", "svg"], folder / "out-plain")
        add("warned", ["build", str(warned), "-o", str(folder / "out-warned"), "-f", "svg"], folder / "out-warned")
        readme = folder / "readme"
        shutil.copytree(ROOT / "examples", readme / "examples", ignore=shutil.ignore_patterns("build"))
        # The README's first command, run in a fresh copy: outputs land in examples/build/.
        commands["readme"] = Command("readme", JMAP + ["build", "examples", "-f", "svg,png,pdf,html"],
                                     readme / "examples" / "build", [], [], [])
        mmdc = find_mmdc()
        if mmdc:
            for fmt in ("svg", "png"):
                out = folder / f"mmdc-{fmt}"
                out.mkdir()
                commands[f"mmdc-{fmt}"] = Command(f"mmdc-{fmt}", mmdc_argv(mmdc, out, out / f"journey.{fmt}"),
                                                  out / "nothing-to-empty", [], [], [])

        order = list(commands.values())
        for round_ in range(args.runs):
            for command in order if round_ % 2 == 0 else reversed(order):
                command.run(readme if command.label == "readme" else folder)
            print(f"round {round_ + 1}/{args.runs} done", file=sys.stderr)

    report(commands, mmdc is not None, args.runs)
    return 0


def report(commands: dict[str, Command], have_mmdc: bool, runs: int) -> None:
    def cell(label: str) -> str:
        command = commands.get(label)
        if command is None:
            return f"{'-' if have_mmdc else 'n/a':>22}"
        return f"{command.median_s:6.2f} {command.median_cpu:5.2f} {command.median_mib:5.0f} MiB"

    mmdc_note = "" if have_mmdc else "\nmmdc not installed: its column is skipped (benchmarks/bench_build.py, $MMDC)"
    print(f"\nWhole process, median of {runs} alternating runs: wall s, CPU s, peak RSS{mmdc_note}\n")
    print(f"{'format':<8}{'online-shop.yaml':>24}{'30 stages, 6 personas':>24}{'mmdc, 6 sections/30 tasks':>28}")
    for fmt in FORMATS:
        print(f"{fmt:<8}{cell('shop-' + fmt):>24}{cell('big-' + fmt):>24}{cell('mmdc-' + fmt):>28}")
    print(f"\n{'online-shop, SVG, no warning':<48}{cell('plain')}")
    print(f"{'online-shop, SVG, one warning (W500)':<48}{cell('warned')}")
    print(f"{'README: jmap build examples -f svg,png,pdf,html':<48}{cell('readme')}\n")

    wall = targets({label: c.median_s for label, c in commands.items()}, commands, have_mmdc)
    cpu = targets({label: c.median_cpu for label, c in commands.items()}, commands, have_mmdc)
    print(f"{'target (judged on wall time; CPU time beside it, for a loaded machine)':<70}{'wall':>10}{'':6}"
          f"{'CPU':>10}")
    for (text, value, ok), (_, cpu_value, cpu_ok) in zip(wall, cpu, strict=True):
        if ok is None:
            print(f"{text:<70}{'n/a':>10}  skipped: mmdc not installed")
            continue
        print(f"{text:<70}{value:>10}  {'pass' if ok else 'FAIL'}{cpu_value:>10}  {'pass' if cpu_ok else 'FAIL'}")


def targets(s: dict[str, float], commands: dict[str, Command], have_mmdc: bool) -> list[tuple[str, str, bool | None]]:
    """Issue 13's targets over these times (label -> seconds): (target, measured, met; None: not measured)."""
    mib = {label: command.median_mib for label, command in commands.items()}
    checks: list[tuple[str, Callable[[], tuple[str, bool]], bool]] = [
        ("PNG of online-shop at least 5x faster than mmdc's PNG",
         lambda: (f"{s['mmdc-png'] / s['shop-png']:.1f}x", s["mmdc-png"] / s["shop-png"] >= 5), True),
        ("PNG of online-shop: peak memory at most 1/2 of mmdc's",
         lambda: (f"{mib['shop-png'] / mib['mmdc-png']:.2f}", mib["shop-png"] <= mib["mmdc-png"] / 2), True),
        ("PDF of online-shop at most 0.6 s", lambda: (f"{s['shop-pdf']:.2f} s", s["shop-pdf"] <= 0.6), False),
        ("HTML of online-shop at most 0.4 s", lambda: (f"{s['shop-html']:.2f} s", s["shop-html"] <= 0.4), False),
        ("HTML of online-shop within 2x of its SVG",
         lambda: (f"{s['shop-html'] / s['shop-svg']:.2f}x", s["shop-html"] <= 2 * s["shop-svg"]), False),
        ("30 stages: PNG at most 4 s", lambda: (f"{s['big-png']:.2f} s", s["big-png"] <= 4), False),
        ("30 stages: PNG at most 250 MiB", lambda: (f"{mib['big-png']:.0f} MiB", mib["big-png"] <= 250), False),
        ("30 stages: PDF at most 3 s", lambda: (f"{s['big-pdf']:.2f} s", s["big-pdf"] <= 3), False),
        ("30 stages: HTML at most 1 s", lambda: (f"{s['big-html']:.2f} s", s["big-html"] <= 1), False),
        ("A map with a warning at most 1.5x the same map without",
         lambda: (f"{s['warned'] / s['plain']:.2f}x", s["warned"] <= 1.5 * s["plain"]), False),
        ("README's first command under 10 s", lambda: (f"{s['readme']:.2f} s", s["readme"] < 10), False),
    ]
    out: list[tuple[str, str, bool | None]] = []
    for text, check, needs_mmdc in checks:
        if needs_mmdc and not have_mmdc:
            out.append((text, "", None))
        else:
            out.append((text, *check()))
    return out


if __name__ == "__main__":
    sys.exit(main())
