"""A whole `python -m jmap build online-shop.yaml -f svg`, two source trees side by side, runs interleaved.

    git worktree add /tmp/mainref main
    python -m compileall -q /tmp/mainref/src src     # both with .pyc, or the first pays for compiling
    python benchmarks/bench_trees.py /tmp/mainref . 20
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time

PY = sys.executable
TREES = {"A " + sys.argv[1]: sys.argv[1], "B " + sys.argv[2]: sys.argv[2]}
times: dict[str, list[float]] = {k: [] for k in TREES}
for _ in range(int(sys.argv[3]) if len(sys.argv) > 3 else 20):
    for name, tree in TREES.items():
        with tempfile.TemporaryDirectory() as out:
            env = {**os.environ, "PYTHONPATH": tree + "/src"}
            t = time.perf_counter()
            subprocess.run([PY, "-m", "jmap", "build", tree + "/examples/online-shop.yaml", "-o", out, "-f", "svg"],
                           env=env, check=True, capture_output=True, cwd=out)
            times[name].append((time.perf_counter() - t) * 1000)
for name, ts in times.items():
    print(f"{name:30} median {statistics.median(ts):6.1f} ms  min {min(ts):6.1f} ms  ({len(ts)} runs)")
