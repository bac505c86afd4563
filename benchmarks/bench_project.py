"""How fast `jmap build` is on a project of many maps (what a CI job sees, start-up included).

    python benchmarks/bench_project.py                 # 500 maps of 8 stages
    python benchmarks/bench_project.py --count 100 --stages 12

Generates the maps into a temporary folder (benchmarks/gen_maps.py), then times, through
the `jmap` command (a snapshot of this checkout; `--installed` for the installed one):

1. a cold build to SVG (no cache, default -j: one process per core),
2. a no-op rebuild (nothing changed: the target is under one second for 500 maps),
3. a rebuild after touching one map,
4. `jmap build --check` with the cache in place, and without it (CI with committed renders),
5. cold builds with -j 1 and -j 2, for the speed-up of parallel builds.

Prints a Markdown table (pasted into docs/ci.md with the machine it ran on).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_maps import generate_map, write_project  # noqa: E402

CACHE = ".jmap-cache.json"


ROOT = Path(__file__).resolve().parent.parent
#: The command that runs jmap, and its environment (set by main).
COMMAND: list[str] = []
ENV: dict[str, str] = dict(os.environ)


def use_snapshot(folder: Path) -> None:
    """Run a copy of this checkout's jmap: edits made to the checkout while the benchmark runs
    (jmap's own code is part of every output's cache key) then cannot turn a no-op into a rebuild."""
    for name in ("src", "templates", "schemas"):
        shutil.copytree(ROOT / name, folder / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    COMMAND[:] = [sys.executable, "-m", "jmap"]
    ENV["PYTHONPATH"] = str(folder / "src")


def use_installed() -> None:
    beside = Path(sys.executable).parent / "jmap"
    COMMAND[:] = [str(beside) if beside.exists() else (shutil.which("jmap") or "jmap")]


def timed(args: list[str], cwd: Path, *, expect: int = 0) -> float:
    started = time.perf_counter()
    done = subprocess.run([*COMMAND, *args], cwd=cwd, capture_output=True, text=True, env=ENV)
    elapsed = time.perf_counter() - started
    if done.returncode != expect:
        sys.exit(f"jmap {' '.join(args)} exited {done.returncode}:\n{done.stderr[-3000:]}")
    return elapsed


def best(runs: int, args: list[str], cwd: Path, **kwargs: int) -> float:
    return min(timed(args, cwd, **kwargs) for _ in range(runs))


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Time jmap builds of a generated project.")
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--stages", type=int, default=8)
    parser.add_argument("--keep", action="store_true", help="keep the temporary project")
    parser.add_argument("--installed", action="store_true",
                        help="run the installed `jmap` command instead of a snapshot of this checkout")
    args = parser.parse_args(argv)

    folder = Path(tempfile.mkdtemp(prefix="jmap-bench-"))
    try:
        if args.installed:
            use_installed()
        else:
            use_snapshot(folder / "jmap-snapshot")
        write_project(folder / "journeys", args.count, args.stages)
        (folder / "jmap.toml").write_text('inputs = ["journeys"]\noutput = "renders"\nformats = ["svg"]\n')
        rows: list[tuple[str, float, str]] = []

        cold = timed(["build", "-q"], folder)
        rows.append((f"cold build, {args.count} maps to SVG (-j {os.cpu_count()})", cold,
                     f"{cold / args.count * 1000:.0f} ms per map"))
        noop = best(3, ["build", "-q"], folder)
        rows.append(("no-op rebuild (nothing changed)", noop, "target < 1 s"))
        touched = folder / "journeys" / "team-00" / "journey-0000.yaml"
        touched.write_text(generate_map(args.stages, 2, seed=10_000))
        one = timed(["build", "-q"], folder)
        rows.append(("rebuild after editing one map", one, ""))
        check = best(3, ["build", "--check", "-q"], folder)
        rows.append(("build --check, cache present", check, "verifies every output's bytes"))
        (folder / "renders" / CACHE).unlink()
        check_cold = timed(["build", "--check", "-q"], folder)
        rows.append(("build --check, no cache (CI)", check_cold, "renders every map in memory"))

        serial = timed(["build", "-q", "--force", "-j", "1", "-o", "serial"], folder)
        parallel = timed(["build", "-q", "--force", "-j", "2", "-o", "parallel"], folder)
        rows.append(("cold build -j 1", serial, ""))
        rows.append(("cold build -j 2", parallel, f"speed-up {serial / parallel:.2f}x"))
        same = all((folder / "serial" / p.relative_to(folder / "parallel")).read_bytes() == p.read_bytes()
                   for p in (folder / "parallel").rglob("*.svg"))

        print(f"\njmap project benchmark: {args.count} maps of {args.stages} stages, 2 personas")
        print(f"machine: {cpu_name()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
              f"{platform.system()} {platform.release()}, load average {os.getloadavg()[0]:.1f} at the end\n")
        print("| step | seconds | note |")
        print("|---|---:|---|")
        for name, seconds, note in rows:
            print(f"| {name} | {seconds:.2f} | {note} |")
        print(f"\n-j 1 and -j 2 outputs identical: {same}")
        if not same:
            sys.exit(1)
    finally:
        if args.keep:
            print(f"project kept in {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
