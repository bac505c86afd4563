"""The `jmap` console entry point: a plain `jmap build` starts without typer, click or rich.

Importing typer and click costs ~30 ms, a seventh of a whole build. This module reads the
usual `jmap build` command lines itself and runs the same body as the typer command
(jmap.cli.command.build_command). Anything it does not fully understand goes to the typer app
unchanged: help, other commands, unknown flags, combined short flags (`-qf svg`), values
typer would refuse or read differently, `--`, shell completion. tests/test_entry.py runs a corpus of
command lines both ways and compares exit codes, output and the files written.
"""

from __future__ import annotations

import errno
import gc
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jmap.cli.options import MAX_BYTES_FLAG

if TYPE_CHECKING:
    from collections.abc import Callable

#: Flags of `jmap build`, by every spelling, and the parameter they set.
FLAGS = {
    "-q": "quiet", "--quiet": "quiet", "-v": "verbose", "--verbose": "verbose",
    "--force": "force", "--check": "check", "--prune": "prune",
}
#: Options that take a value: spelling -> parameter.
OPTIONS = {
    "-o": "output", "--output": "output",
    "-f": "formats", "--format": "formats",
    "-j": "jobs", "--jobs": "jobs",
    "--theme": "theme",
    "--scale": "scale",
    "--page-size": "page_size",
    "--config": "config",
    "--max-bytes": "max_bytes",
}


def main() -> None:
    """Console entry point: `jmap --version` and plain builds here, everything else in jmap.cli.cli."""
    argv = sys.argv[1:]
    if argv == ["--version"]:
        from jmap import __version__

        print(f"jmap {__version__}")
        return
    params = parse_build(argv) if _plain_environment() else None
    if params is None:
        from jmap.cli.cli import app

        app()
        return
    # A build allocates many small objects, few of them in cycles: let the cyclic garbage
    # collector run every 50,000 allocations instead of every 700 (~5 ms of a ~75 ms build).
    gc.set_threshold(50_000, 20, 20)
    sys.exit(run_build(params))


def parse_build(argv: list[str]) -> dict[str, Any] | None:
    """The parameters of `jmap build` from its argv, or None when typer should read the line.

    Accepts paths and the flags above in any order, an option's value as the next argument or
    after `=` (long options), and repeated options (the last wins; `-f` accumulates), as typer does.
    """
    if not argv or argv[0] != "build" or any("\x1b" in arg for arg in argv):
        return None  # click strips ANSI escapes from the errors it prints: let it
    params: dict[str, Any] = {"paths": [], "formats": []}
    rest = iter(argv[1:])
    for arg in rest:
        if not arg.startswith("-"):
            params["paths"].append(arg)
            continue
        name, equals, inline = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        if name in FLAGS and not equals:
            params[FLAGS[name]] = True
            continue
        key = OPTIONS.get(name)
        value = inline if equals else next(rest, None)
        if key is None or not value or value.startswith("-"):
            return None
        converted = CONVERT[key](value)
        if converted is None:
            return None
        if key == "formats":
            params["formats"].append(converted)
        else:
            params[key] = converted
    params["paths"] = params["paths"] or None  # as typer passes an absent list
    params["formats"] = params["formats"] or None
    return params


def run_build(params: dict[str, Any]) -> int:
    """Run the build command and return its exit code; usage errors, Ctrl-C and a closed pipe as typer has them."""
    from jmap.cli.command import build_command
    from jmap.diagnostics import UsageError

    try:
        return build_command(**params)
    except UsageError as error:
        from jmap.diagnostics import printable

        sys.stderr.write(f"jmap: error: {printable(str(error))}\n")
        sys.stderr.flush()
        return 2
    except KeyboardInterrupt:
        return 130
    except OSError as error:
        if error.errno != errno.EPIPE:
            raise
        # The reader went away: exit 1, and no second error when Python flushes at exit.
        sys.stdout = _PipeGone(sys.stdout)
        sys.stderr = _PipeGone(sys.stderr)
        return 1


class _PipeGone:
    """A stream whose flush ignores a closed pipe (as click's PacifyFlushWrapper)."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream

    def flush(self) -> None:
        try:
            self.stream.flush()
        except OSError as error:
            if error.errno != errno.EPIPE:
                raise

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


def _plain_environment() -> bool:
    """False when click would act on more than argv: a shell-completion request, Windows
    (it expands globs in argv), or an ASCII-only stderr (it re-encodes its messages)."""
    if os.name == "nt" or any(name.startswith("_") and name.endswith("_COMPLETE") for name in os.environ):
        return False
    import codecs

    try:
        return codecs.lookup(getattr(sys.stderr, "encoding", None) or "ascii").name != "ascii"
    except LookupError:
        return True


def _path(value: str) -> Path | None:
    """A path as typer's click.Path gives it: refused when it exists but cannot be read."""
    return Path(value) if not os.path.exists(value) or os.access(value, os.R_OK) else None


def _count(value: str) -> int | None:
    """A whole number of at least 1, written with at most 18 ASCII digits (int() accepts more,
    and refuses over 4300 digits with an error typer words as a usage error)."""
    if not (value.isascii() and value.isdigit()) or len(value) > 18:
        return None
    return int(value) if int(value) >= 1 else None


def _bytes(value: str) -> int | None:
    """A --max-bytes that one read() takes (typer words a larger one as a usage error)."""
    count = _count(value)
    return count if count is not None and count <= MAX_BYTES_FLAG else None


def _scale(value: str) -> float | None:
    """A plain decimal between 0.1 and 8 (float() accepts more: 1e0, inf, nan, _)."""
    digits = value.replace(".", "", 1)
    if not (value.isascii() and digits.isdigit()):
        return None
    number = float(value)
    return number if 0.1 <= number <= 8 else None


#: How each option's value is read; None refuses it (typer then reads the line).
CONVERT: dict[str, Callable[[str], Any]] = {
    "output": _path, "config": _path, "jobs": _count, "max_bytes": _bytes, "scale": _scale,
    "formats": str, "theme": str, "page_size": str,
}
