"""The `jmap` command: parses flags, calls the library, picks a reporter.

Exit codes: 0 ok, 1 a map is invalid (or stale, or differs), 2 usage error.
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from jmap import __version__

app = typer.Typer(
    name="jmap",
    help="Compile customer-journey maps written in YAML into SVG, PNG, PDF and interactive HTML.",
    no_args_is_help=True,
    add_completion=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
)


class ReportFormat(str, Enum):
    text = "text"
    json = "json"
    github = "github"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"jmap {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """jmap: journeys as code."""


Paths = Annotated[list[str], typer.Argument(help="Map files, folders (searched for *.yaml maps) or globs.",
                                            show_default=False)]
FormatOption = Annotated[ReportFormat, typer.Option("--format", help="How to report: text, json or github (annotations).")]
MaxBytes = Annotated[int, typer.Option("--max-bytes", help="Refuse map files larger than this.", min=1)]


@app.command()
def validate(
    paths: Paths,
    report: FormatOption = ReportFormat.text,
    strict: Annotated[bool, typer.Option("--strict", help="Fail on warnings too.")] = False,
    max_bytes: MaxBytes = 1_000_000,
    quiet: Annotated[bool, typer.Option("-q", "--quiet", help="Print only problems.")] = False,
) -> None:
    """Check maps against the format and report every problem with file:line:col.

    Example: jmap validate journeys/ --strict
    """
    from jmap.api import check, discover
    from jmap.report import as_json, dump_json, format_github, summary_line, write_text

    files = discover(paths)
    if not files:
        _usage_error("no journey maps found (a map is a .yaml file with a `jmap: 1` line)")
    results = [check(path, max_bytes=max_bytes) for path in files]
    diagnostics = [d for r in results for d in r.diagnostics]
    failed = [r for r in results if not r.ok(strict)]
    if report is ReportFormat.json:
        dump_json({
            "files": [{"path": str(r.path), "valid": r.ok(strict), "errors": len(r.errors),
                       "warnings": len(r.warnings)} for r in results],
            "diagnostics": [as_json(d) for d in diagnostics],
        })
    elif report is ReportFormat.github:
        for diagnostic in diagnostics:
            typer.echo(format_github(diagnostic))
    else:
        write_text(diagnostics)
        errors = sum(len(r.errors) for r in results)
        warnings = sum(len(r.warnings) for r in results)
        if not quiet or failed:
            typer.echo(summary_line(errors, warnings, len(results)), err=True)
    raise typer.Exit(1 if failed else 0)


@app.command()
def schema(
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write to this file instead of printing.")] = None,
) -> None:
    """Print the JSON Schema of the journey format (for editors and other tools).

    Example: jmap schema -o .jmap/journey.schema.json
    """
    from jmap.resources import schema_text

    text = schema_text()
    if output is None:
        sys.stdout.write(text)
    else:
        from jmap.fsutil import write_atomic

        write_atomic(output, text.encode("utf-8"))


@app.command()
def init(
    path: Annotated[Path, typer.Argument(help="Where to write the starter map.")] = Path("journey.yaml"),
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented starter journey to edit.

    Example: jmap init journeys/checkout.yaml
    """
    from jmap.starter import write_starter

    if path.exists() and not force:
        _usage_error(f"{path} exists already; use --force to overwrite it")
    written = write_starter(path)
    for file in written:
        typer.echo(f"wrote {file}")


def _usage_error(message: str) -> None:
    typer.echo(f"jmap: error: {message}", err=True)
    raise typer.Exit(2)


# --- build commands (build, watch, serve) are registered below this line ---


@app.command()
def build(
    paths: Annotated[list[str] | None, typer.Argument(help="Map files, folders or globs.", show_default=False)] = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Output folder (default: build/ beside each map).")] = None,
    formats: Annotated[str, typer.Option("-f", "--format", help="Comma-separated: svg, png, pdf, html.")] = "svg",
    scale: Annotated[float, typer.Option("--scale", help="PNG pixels per SVG pixel.", min=0.1, max=8)] = 2.0,
    max_bytes: MaxBytes = 1_000_000,
    quiet: Annotated[bool, typer.Option("-q", "--quiet", help="Print only problems.")] = False,
) -> None:
    """Render maps to SVG, PNG, PDF or HTML.

    Example: jmap build journeys/ -o renders -f svg,png,html
    """
    from jmap.build import FORMATS, BuildOptions, MapResult
    from jmap.build import build as run_build
    from jmap.report import write_text

    chosen = tuple(f.strip().lower() for f in formats.split(",") if f.strip())
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        _usage_error(f"unknown format {', '.join(unknown) or '(none)'}; choose from {', '.join(FORMATS)}")
    options = BuildOptions(out_dir=output, formats=chosen, scale=scale, max_bytes=max_bytes)

    def show(result: MapResult) -> None:
        write_text(result.diagnostics if result.failed else [])
        if not quiet and not result.failed:
            typer.echo(f"built {result.source} -> {', '.join(str(p) for p in result.outputs)}", err=True)

    report = run_build(paths or ["."], options, on_result=show)
    if not report.results:
        _usage_error("no journey maps found (a map is a .yaml file with a `jmap: 1` line)")
    if report.failed:
        typer.echo(f"{len(report.failed)} of {len(report.results)} maps failed", err=True)
    raise typer.Exit(1 if report.failed else 0)


# --- review commands (fmt, diff) are registered below this line ---


# --- entry point ---


def main() -> None:
    """Console entry point."""
    if sys.argv[1:] == ["--version"]:  # answer without building the command tree
        print(f"jmap {__version__}")
        return
    app()
