"""The body of `jmap build` and the flag helpers it shares with watch, serve and diff.

Free of typer, click and rich, so that both the typer command (jmap.cli.cli) and the fast
entry point (jmap.cli.entry) run this one copy. A usage error is raised as UsageError; each
caller prints it its own way as `jmap: error: <message>` and exits 2.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from jmap.diagnostics import UsageError

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from jmap.project.builder import Reporter, Settings

NO_MAPS = "no journey maps found (a map is a .yaml file with a `jmap: 1` line)"
#: How `jmap build` can report, besides the output formats `-f` also takes.
REPORTS = ("text", "json", "github")


def build_command(
    paths: list[str] | None = None,
    output: Path | None = None,
    formats: list[str] | None = None,
    jobs: int | None = None,
    force: bool = False,
    check: bool = False,
    prune: bool = False,
    theme: str | None = None,
    scale: float | None = None,
    page_size: str | None = None,
    config: Path | None = None,
    max_bytes: int | None = None,
    quiet: bool = False,
    verbose: bool = False,
) -> int:
    """Run `jmap build` with its flags already parsed; the exit code (0 ok, 1 a map failed or is stale)."""
    outputs, report_format = split_formats(formats)
    settings = build_settings(
        config,
        paths,
        out_dir=output,
        formats=outputs,
        theme=theme,
        scale=scale,
        page_size=page_size,
        max_bytes=max_bytes,
        jobs=jobs,
    )
    report = settings.build(reporter=reporter(report_format, quiet, verbose), force=force, check=check, prune=prune)
    if not report.results:
        raise UsageError(NO_MAPS)
    return 0 if report.ok else 1


def split_formats(values: list[str] | None) -> tuple[tuple[str, ...] | None, str]:
    """`-f` values into output formats and a report format; a usage error for anything else."""
    from jmap.project.config import FORMATS

    outputs, report = outputs_and_report(values, REPORTS, "outputs")
    if values and not outputs and report == "text":
        raise UsageError(f"no format given; outputs: {', '.join(FORMATS)}")
    return (tuple(outputs) or None), report


def outputs_and_report(values: list[str] | None, reports: Sequence[str], outputs_label: str) -> tuple[list[str], str]:
    """Comma-separated `-f` values split into output formats (svg, png...) and one report format.

    The last report format named wins; the report defaults to the first of `reports`;
    anything unknown is a usage error with a did-you-mean hint.
    """
    from jmap.project.config import FORMATS

    outputs: list[str] = []
    report = reports[0]
    for value in values or []:
        for item in (v.strip().lower() for v in value.split(",")):
            if item in reports:
                report = item
            elif item in FORMATS:
                outputs.append(item)
            elif item:
                from jmap.validation.validate import did_you_mean

                guess = did_you_mean(item, [*FORMATS, *reports])
                raise UsageError(
                    f"unknown format '{item}'"
                    + (f" (did you mean '{guess}'?)" if guess else "")
                    + f"; {outputs_label}: {', '.join(FORMATS)}; reports: {', '.join(reports)}"
                )
    return list(dict.fromkeys(outputs)), report


def build_settings(config_file: Path | None, paths: list[str] | None, **flags: Any) -> Settings:
    """The build settings: the project's config with the flags given on top; a usage error for a bad config."""
    from jmap.diagnostics import JmapError
    from jmap.project.builder import configure
    from jmap.project.config import load_config

    if config_file is not None and not config_file.is_file():
        raise UsageError(f"{config_file}: no such config file")
    try:
        config = load_config(config_file)
    except JmapError as error:
        from jmap.cli.report import write_text

        write_text(error.diagnostics)
        raise UsageError("the config file is not valid") from None
    page_size = flags.get("page_size")
    if isinstance(page_size, str):
        import re

        from jmap.project.config import PAGE_SIZE

        if not re.fullmatch(PAGE_SIZE, page_size.lower()):
            raise UsageError(f"--page-size {page_size}: use fit, or a paper size such as a4 or a3-landscape")
        flags["page_size"] = page_size.lower()
    theme = flags.get("theme")
    if isinstance(theme, str):
        from jmap.project.config import theme_names

        if theme not in theme_names():
            raise UsageError(f"--theme {theme}: choose from {', '.join(theme_names())}")
    return configure(config, paths, **flags)


def reporter(report: str, quiet: bool, verbose: bool = False) -> Reporter:
    """The reporter for `--format text|json|github` (verbose: list the YAML files skipped)."""
    from jmap.cli.build_reporters import JsonReporter, TextReporter

    if report == "json":
        return JsonReporter()
    return TextReporter(quiet=quiet, github=report == "github", verbose=verbose)


def validate_command(
    paths: list[str],
    report: str = "text",
    strict: bool = False,
    max_bytes: int = 1_000_000,
    quiet: bool = False,
    verbose: bool = False,
) -> int:
    """Run `jmap validate` with its flags already parsed; the exit code (0 ok, 1 a map is invalid)."""
    import sys

    from jmap.api import check, scan
    from jmap.cli.report import (
        as_json,
        dump_json,
        format_github,
        skipped_json,
        skipped_lines,
        skipped_summary,
        summary_line,
        write_text,
    )

    found = scan(paths)
    if not found.maps:
        raise UsageError(NO_MAPS)
    results = [check(path, max_bytes=max_bytes, texts=True) for path in found.maps]
    diagnostics = [d for r in results for d in r.diagnostics]
    valid = [r.ok_strict if strict else r.ok for r in results]
    failed = [r for r, ok in zip(results, valid, strict=True) if not ok]
    if report == "json":
        dump_json(
            {
                "files": [
                    {"path": str(r.path), "valid": ok, "errors": len(r.errors), "warnings": len(r.warnings)}
                    for r, ok in zip(results, valid, strict=True)
                ],
                "diagnostics": [as_json(d) for d in diagnostics],
                "skipped": skipped_json(found.skipped),
            }
        )
    elif report == "github":
        for diagnostic in diagnostics:
            sys.stdout.write(format_github(diagnostic) + "\n")
    else:
        write_text(diagnostics)
        errors = sum(len(r.errors) for r in results)
        warnings = sum(len(r.warnings) for r in results)
        if verbose:
            for line in skipped_lines(found.skipped):
                sys.stderr.write(line + "\n")
        if not quiet or failed:
            summary = summary_line(errors, warnings, len(results))
            shortened = sum(d.code == "W504" for d in diagnostics)
            if shortened:
                summary += f" ({shortened} text{'' if shortened == 1 else 's'} shortened)"
            if found.skipped:
                summary += f"; {skipped_summary(found.skipped)}"
            sys.stderr.write(summary + "\n")
    sys.stdout.flush()
    sys.stderr.flush()
    return 1 if failed else 0
