"""`jmap build`'s reports: text for people and CI logs (a progress bar on a terminal), or one JSON document.

jmap.project.builder builds and returns results (MapResult, BuildReport); these only print them.
"""

import os
import sys
from typing import Any, TextIO

from jmap.cli.report import (
    dump_json,
    format_any,
    format_github,
    format_text,
    safe_text,
    skipped_lines,
    skipped_summary,
    use_colour,
)
from jmap.loading.load import display_path
from jmap.project.builder import BuildReport, MapResult, Reporter


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def summary_text(report: BuildReport) -> str:
    """`12 built, 488 unchanged, 0 failed in 0.41 s` (check: `3 stale, 497 current ...`)."""
    if report.check:
        head = (f"{_plural(len(report.stale), 'map')} with stale outputs, {len(report.unchanged)} current, "
                f"{len(report.failed)} failed")
    else:
        head = f"{len(report.built)} built, {len(report.unchanged)} unchanged, {len(report.failed)} failed"
    tail = f"; {_plural(report.shortened, 'text')} shortened" if report.shortened else ""
    if report.skipped:
        tail += f"; {skipped_summary(report.skipped)}"
    return f"{head} in {report.seconds:.2f} s{tail}"


class TextReporter(Reporter):
    """For people and CI logs: problems as they come, a progress bar on a terminal, a summary."""

    #: A bar only pays off for builds longer than this many maps.
    BAR_AFTER = 4

    def __init__(self, stream: TextIO | None = None, *, quiet: bool = False, github: bool = False,
                 progress: bool | None = None, verbose: bool = False) -> None:
        self.stream = stream or sys.stderr
        self.quiet = quiet
        #: List the YAML files skipped as not maps, one a line.
        self.verbose = verbose
        self.github = github
        tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.progress_wanted = (tty and not quiet and not os.environ.get("CI")) if progress is None else progress
        self._bar: Any = None
        self._task: Any = None

    def start(self, maps: int, to_build: int) -> None:
        if self.progress_wanted and to_build > self.BAR_AFTER:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._bar = Progress(TextColumn("building"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                                 TextColumn("{task.description}", markup=False), console=Console(file=self.stream),
                                 transient=True)
            self._bar.start()
            self._task = self._bar.add_task("", total=to_build)

    def _print(self, text: str) -> None:
        if self._bar is not None:
            self._bar.console.print(text, markup=False, highlight=False, soft_wrap=True)
        else:
            self.stream.write(text + "\n")

    def result(self, result: MapResult) -> None:
        if result.status == "unchanged":
            return
        if self._bar is not None:
            self._bar.update(self._task, advance=1, description=safe_text(display_path(result.source)))
        if result.failed:
            errors = [d for d in result.diagnostics if d.severity.value == "error"]
            if self.github:
                for diagnostic in errors:
                    self._print(format_github(diagnostic))
            else:
                colour = self._bar is None and use_colour(self.stream)
                for diagnostic in errors:
                    self._print(format_text(diagnostic, colour) + "\n")
            return
        if result.status == "stale":
            for path, why in result.stale:
                line = f"{'missing' if why == 'missing' else 'would rewrite'} {display_path(path)} " \
                       f"(from {display_path(result.source)})"
                if self.github:
                    where = _gh(display_path(result.source), True)
                    line = f"::error file={where},title=jmap build --check::{_gh(line)}"
                self._print(safe_text(line))
            return
        # Rendering warnings: shortened texts (W504, one line each) and PNG/PDF ones (W510-W512);
        # validation warnings are `jmap validate`'s.
        for diagnostic in result.diagnostics:
            if diagnostic.code.startswith("W51") or diagnostic.code == "W504":
                self._print(format_github(diagnostic) if self.github else format_any(diagnostic))
        if not self.quiet and self._bar is None:
            outputs = ", ".join(display_path(p) for p in result.outputs)
            self._print(safe_text(f"built {display_path(result.source)} -> {outputs}"))

    def finish(self, report: BuildReport) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
        from jmap.diagnostics import printable

        for path in report.pruned:
            self._print(f"removed {printable(display_path(path))} (its map is gone)")
        for path in report.kept:
            self._print(f"kept {printable(display_path(path))}: its map is gone, but the file was changed after "
                        "jmap wrote it")
        leftover = [p for p in report.orphans if p not in report.pruned and p not in report.kept]
        if leftover and not self.quiet:
            for path in leftover:
                self._print(f"orphaned {printable(display_path(path))}: its map is gone (remove it with --prune)")
        if self.verbose:
            for line in skipped_lines(report.skipped):
                self._print(line)
        if report.check and report.stale:
            self._print(f"{_plural(sum(len(r.stale) for r in report.stale), 'output')} out of date; "
                        "run `jmap build` and commit the result")
        if not self.quiet or not report.ok:
            self._print(summary_text(report))


def _gh(text: str, prop: bool = False) -> str:
    """Escape text for a GitHub Actions workflow command (a property also escapes : and ,)."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


class JsonReporter(Reporter):
    """The whole report as one JSON document on stdout, at the end."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream

    def finish(self, report: BuildReport) -> None:
        dump_json(report.as_json(), self.stream)
