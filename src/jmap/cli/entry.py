"""The `jmap` console entry point: a plain `jmap build` or `jmap validate` starts without typer, click or rich.

Importing typer and click costs ~30 ms, a seventh of a whole build. This module reads the
usual `jmap build` and `jmap validate` command lines itself, with the declarations of
jmap.cli.options that the typer commands are made of, and runs the same body as the typer command
(jmap.cli.command.build_command, validate_command). Anything it does not fully understand goes to the typer app
unchanged: help, other commands, unknown flags, combined short flags (`-qf svg`), values
typer would refuse or read differently, `--`, shell completion. tests/test_entry.py runs a corpus of
command lines both ways and compares exit codes, output and the files written.
"""

from __future__ import annotations

import errno
import gc
import os
import sys
from typing import TYPE_CHECKING, Any

from jmap.cli.options import BUILD, QUICK, parse

if TYPE_CHECKING:
    from jmap.cli.options import Command


def main() -> None:
    """Console entry point: `jmap --version`, plain builds and validations here, everything else in jmap.cli.cli."""
    argv = sys.argv[1:]
    if argv == ["--version"]:
        from jmap import __version__

        print(f"jmap {__version__}")
        return
    line = parse_line(argv) if _plain_environment() else None
    if line is None:
        from jmap.cli.cli import app

        app()
        return
    command, params = line
    if command is BUILD:
        # A build allocates many small objects, few of them in cycles: let the cyclic garbage
        # collector run every 50,000 allocations instead of every 700 (~5 ms of a ~75 ms build).
        gc.set_threshold(50_000, 20, 20)
    sys.exit(run(command, params))


def parse_line(argv: list[str]) -> tuple[Command, dict[str, Any]] | None:
    """The quick command of argv and its parameters (jmap.cli.options.parse), or None when typer should read it."""
    command = QUICK.get(argv[0]) if argv else None
    params = parse(command, argv[1:]) if command is not None else None
    return None if command is None or params is None else (command, params)


def parse_build(argv: list[str]) -> dict[str, Any] | None:
    """The parameters of a `jmap build ...` argv, or None when typer should read the line."""
    line = parse_line(argv)
    return line[1] if line is not None and line[0] is BUILD else None


def run(command: Command, params: dict[str, Any]) -> int:
    """Run the command's body and return its exit code; usage errors, Ctrl-C and a closed pipe as typer has them."""
    from jmap.cli.command import build_command, validate_command
    from jmap.diagnostics import UsageError

    body = build_command if command is BUILD else validate_command
    try:
        return body(**params)
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
