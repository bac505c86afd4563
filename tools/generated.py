"""What every generator in tools/ does with its output: write it, or with --check say it is stale."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))  # the checkout's jmap, whatever is installed

from jmap.digests import font_tables_digest, source_digest  # noqa: E402  (the run-time check hashes the same way)

__all__ = ["ROOT", "font_tables_digest", "source_digest", "write_or_check"]


def write_or_check(target: Path, fresh: str, argv: list[str], tool: str) -> int:
    """Write `fresh` to `target`; with `--check` in argv, write nothing and return 1 when it differs.

    `tool`: the generator's file, named in the message that says how to regenerate.
    """
    shown = target.relative_to(ROOT)
    if "--check" in argv:
        current = target.read_text(encoding="utf-8") if target.exists() else ""
        if current != fresh:
            print(f"{shown} is stale: run python tools/{Path(tool).name}", file=sys.stderr)
            return 1
        return 0
    target.write_text(fresh, encoding="utf-8")
    print(f"wrote {shown} ({len(fresh):,} characters)")
    return 0
