"""The `jmap` command: parses flags, calls the library, picks a reporter.

Exit codes: 0 ok, 1 a map is invalid (or stale, or differs), 2 usage error.
A plain `jmap build` or `jmap validate` is answered by jmap.cli.entry without this module (typer
takes ~30 ms to import); both read the declarations in jmap.cli.options and run the bodies in jmap.cli.command.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from jmap import __version__
from jmap.cli.command import (
    NO_MAPS,
    build_command,
    build_settings,
    outputs_and_report,
    reporter,
    split_formats,
    validate_command,
)
from jmap.cli.options import (
    BUILD,
    BUILD_PATHS,
    CONFIG,
    FORMATS,
    JOBS,
    KINDS,
    OUTPUT,
    PAGE_SIZE,
    QUIET,
    REQUIRED,
    SCALE,
    THEME,
    VALIDATE,
    Command,
    Opt,
)
from jmap.diagnostics import UsageError, printable

app = typer.Typer(
    name="jmap",
    help="Compile customer-journey maps written in YAML into SVG, PNG, PDF and interactive HTML.",
    no_args_is_help=True,
    add_completion=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
)


def _choices(opt: Opt) -> type[Enum]:
    """A str Enum of a choice's values: typer lists them in the help (`<text|json|github>`) and refuses others."""
    return Enum(opt.param.title(), {value: value for value in opt.choices}, type=str)  # type: ignore[return-value]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"jmap {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """jmap: journeys as code."""


def _annotation(opt: Opt) -> Any:
    """The typer annotation of one declared parameter (jmap.cli.options: declared once, for typer and entry)."""
    kind = KINDS[opt.kind]
    value: Any = _choices(opt) if opt.kind == "choice" else kind.type
    if kind.repeated:
        value = list[value]
    if opt.default is None:
        value = value | None
    if not opt.flags:
        return Annotated[value, typer.Argument(help=opt.help, show_default=False)]
    extra: dict[str, Any] = {**kind.limits, "metavar": opt.metavar or None}
    if kind.read is not None:
        extra["show_default"] = opt.show_default
    return Annotated[value, typer.Option(*opt.flags, help=opt.help, **extra)]


def _command(spec: Command, body: Callable[..., int]) -> None:
    """Register spec as a typer command whose parameters are its declarations, running body (jmap.cli.command)."""

    def run(**params: Any) -> None:
        with _usage():
            code = body(**{name: v.value if isinstance(v, Enum) else v for name, v in params.items()})
        raise typer.Exit(code)

    parameters = [
        inspect.Parameter(opt.param, inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=_annotation(opt),
                          default=inspect.Parameter.empty if opt.default is REQUIRED
                          else opt.default)
        for opt in spec.params
    ]
    run.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    run.__annotations__ = {p.name: p.annotation for p in parameters}
    run.__name__ = run.__qualname__ = spec.name
    run.__doc__ = spec.doc
    app.command(spec.name)(run)


# The parameters other commands share with these, from the same declarations. mypy reads their plain
# types (it cannot follow an annotation made at run time); typer reads the declared ones.
if TYPE_CHECKING:
    Paths = list[str]
    Quiet = bool
    MaxBytes = int
else:
    Paths = _annotation(VALIDATE.params[0])
    Quiet = _annotation(QUIET)
    MaxBytes = _annotation(VALIDATE.params[3])

_command(VALIDATE, validate_command)


@app.command()
def schema(
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write to this file instead of printing.")
    ] = None,
    library: Annotated[
        bool, typer.Option("--library", help="The schema of a shared file (personas, research) that maps include.")
    ] = False,
) -> None:
    """Print the JSON Schema of the journey format (for editors and other tools).

    Example: jmap schema -o .jmap/journey.schema.json
    A shared persona library: jmap schema --library -o .jmap/library.schema.json
    """
    from jmap.resources import schema_text

    text = schema_text(library)
    if output is None:
        sys.stdout.write(text)
    else:
        from jmap.fsutil import write_atomic

        try:
            write_atomic(output, text.encode("utf-8"))
        except OSError as error:
            why = (
                "a file is in the way of a folder"
                if isinstance(error, FileExistsError | NotADirectoryError)
                else error.strerror or str(error)
            )
            _usage_error(f"cannot write {output}: {why}")


@app.command()
def init(
    path: Annotated[Path, typer.Argument(help="Where to write the starter map.")] = Path("journey.yaml"),
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented starter journey to edit.

    Example: jmap init journeys/checkout.yaml
    """
    from jmap.project.starter import write_starter

    if path.exists() and not force:
        _usage_error(f"{path} exists already; use --force to overwrite it")
    try:
        written = write_starter(path)
    except OSError as error:  # a file where a folder should be, a read-only folder, a full disk
        why = (
            "a file is in the way of a folder"
            if isinstance(error, FileExistsError | NotADirectoryError)
            else error.strerror or str(error)
        )
        _usage_error(f"cannot write {path}: {why}")
    for file in written:
        typer.echo(printable(f"wrote {file}"))


def _maps(paths: list[str]) -> list[Path]:
    """The map files named by paths, folders and globs; a usage error when there are none."""
    from jmap.api import discover

    files = discover(paths)
    if not files:
        _usage_error(NO_MAPS)
    return files


def _usage_error(message: str) -> None:
    typer.echo(f"jmap: error: {printable(message)}", err=True)
    raise typer.Exit(2)


@contextmanager
def _usage() -> Iterator[None]:
    """Report a UsageError from jmap.cli.command as typer commands report theirs."""
    try:
        yield
    except UsageError as error:
        _usage_error(str(error))


# --- build commands (build, watch, serve) are registered below this line ---

if TYPE_CHECKING:
    from jmap.project.builder import Settings


if TYPE_CHECKING:  # see Paths above
    BuildPaths = list[str] | None
    OutputDir = Path | None
    BuildFormats = list[str] | None
    Jobs = int | None
    Theme = str | None
    Scale = float | None
    PageSize = str | None
    ConfigFile = Path | None
else:
    BuildPaths = _annotation(BUILD_PATHS)
    OutputDir = _annotation(OUTPUT)
    BuildFormats = _annotation(FORMATS)
    Jobs = _annotation(JOBS)
    Theme = _annotation(THEME)
    Scale = _annotation(SCALE)
    PageSize = _annotation(PAGE_SIZE)
    ConfigFile = _annotation(CONFIG)

_command(BUILD, build_command)


def _reload(config: Path | None, paths: list[str] | None, flags: dict[str, Any]) -> Settings:
    from jmap.project.builder import configure
    from jmap.project.config import load_config

    return configure(load_config(config), paths, **flags)


def _watch_errors(error: Exception) -> None:
    from jmap.cli.report import write_text
    from jmap.diagnostics import JmapError

    if isinstance(error, JmapError):
        write_text(error.diagnostics)
    typer.echo("jmap: the config file is not valid; still using the previous settings", err=True)


@app.command()
def watch(
    paths: BuildPaths = None,
    output: OutputDir = None,
    formats: BuildFormats = None,
    jobs: Jobs = None,
    theme: Theme = None,
    scale: Scale = None,
    page_size: PageSize = None,
    config: ConfigFile = None,
    quiet: Quiet = False,
) -> None:
    """Build, then rebuild the affected maps whenever a map, an included file or a theme changes.

    Errors are printed and watching goes on; stop with Ctrl-C.

    Example: jmap watch journeys/ -f svg,html
    """
    from jmap.project.watch import watch as run_watch

    with _usage():
        outputs, report_format = split_formats(formats)
        flags: dict[str, Any] = dict(
            out_dir=output, formats=outputs, theme=theme, scale=scale, page_size=page_size, jobs=jobs
        )
        settings = build_settings(config, paths, **flags)
    typer.echo("watching for changes; stop with Ctrl-C", err=True)
    import contextlib

    with contextlib.suppress(KeyboardInterrupt):
        run_watch(
            settings,
            reporter=reporter(report_format, quiet),
            reload=lambda: _reload(config, paths, flags),
            on_error=_watch_errors,
        )


@app.command()
def serve(
    paths: BuildPaths = None,
    output: OutputDir = None,
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port on 127.0.0.1 (0: a free one).")] = 0,
    formats: BuildFormats = None,
    jobs: Jobs = None,
    theme: Theme = None,
    config: ConfigFile = None,
    quiet: Quiet = False,
) -> None:
    """Serve the HTML maps on 127.0.0.1; the browser reloads after every rebuild.

    Example: jmap serve journeys/ --port 8000
    """
    from jmap.project.serve import ReloadServer
    from jmap.project.serve import serve as run_serve

    with _usage():
        outputs, report_format = split_formats(formats)
        flags: dict[str, Any] = dict(out_dir=output, formats=outputs, theme=theme, jobs=jobs)
        settings = build_settings(config, paths, **flags)
        from jmap.project.serve import serve_settings

        serve_settings(settings)  # a usage error, before serving, when its folder leads out of the project

    def ready(server: ReloadServer) -> None:
        typer.echo(printable(f"serving {server.folder} at {server.url} (loopback only); stop with Ctrl-C"), err=True)

    try:
        run_serve(
            settings,
            port=port,
            reporter=reporter(report_format, quiet),
            on_ready=ready,
            reload=lambda: _reload(config, paths, flags),
            on_error=_watch_errors,
        )
    except KeyboardInterrupt:
        pass
    except UsageError as error:  # a config reloaded while serving may drop `output`: see serve_settings
        _usage_error(str(error))
    except OSError as error:
        _usage_error(f"cannot serve on port {port}: {error.strerror or error}")


# --- review commands (fmt, diff) are registered below this line ---


@app.command()
def fmt(
    paths: Paths,
    check_only: Annotated[
        bool, typer.Option("--check", help="Write nothing; exit 1 listing the maps that are not formatted.")
    ] = False,
    show_diff: Annotated[
        bool, typer.Option("--diff", help="Write nothing; print what would change as a unified diff.")
    ] = False,
    max_bytes: MaxBytes = 1_000_000,
    quiet: Quiet = False,
) -> None:
    """Rewrite maps in the canonical layout (key order, indentation, quoting), keeping comments.

    Example: jmap fmt journeys/ --check
    """
    from jmap.cli.report import write_text
    from jmap.fsutil import write_atomic
    from jmap.loading.load import display_path
    from jmap.review.fmt import format_file

    files = _maps(paths)
    failed = unformatted = 0
    for path in files:
        result = format_file(path, max_bytes=max_bytes)
        name = display_path(path)
        if not result.ok:
            failed += 1
            write_text([d for d in result.diagnostics if d.severity.value == "error"])
            if result.internal_error:
                typer.echo(
                    f"jmap: error: {printable(name)}: left unchanged: {printable(result.internal_error)} "
                    "(a bug in jmap fmt; please report it with the map)",
                    err=True,
                )
            continue
        if not result.changed:
            continue
        unformatted += 1
        if show_diff:
            sys.stdout.write(printable(result.unified_diff(), lines=True))
        elif check_only:
            typer.echo(f"would reformat {printable(name)}", err=True)
        else:
            assert result.formatted is not None
            write_atomic(path, result.formatted.encode("utf-8"))
            if not quiet:
                typer.echo(f"reformatted {printable(name)}", err=True)
    if not quiet or failed or (check_only and unformatted):
        verb = "would be reformatted" if check_only or show_diff else "reformatted"
        errors = f", {failed} with errors" if failed else ""
        typer.echo(f"{unformatted} of {len(files)} maps {verb}{errors}", err=True)
    raise typer.Exit(1 if failed or (check_only and unformatted) else 0)


class DiffFormat(str, Enum):
    text = "text"
    markdown = "markdown"
    json = "json"


@app.command()
def diff(
    args: Annotated[
        list[str],
        typer.Argument(
            help="OLD.yaml NEW.yaml, or a git revision (REV, A..B, A...B) and optionally map files or folders.",
            show_default=False,
        ),
    ],
    formats: Annotated[
        list[str] | None,
        typer.Option(
            "-f",
            "--format",
            show_default=False,
            metavar="FORMATS",
            help="How to report: text (default), markdown (a pull-request comment) or json. Also what the visual "
            "diff writes: svg (default), png, pdf, html; comma-separated, e.g. `-f markdown,svg,png`.",
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            show_default=False,
            help="Write the visual diff into this folder: the new map with added, changed and removed elements "
            "marked, named <map>.diff.svg (and .png, .pdf, .html with -f).",
        ),
    ] = None,
    render: Annotated[
        bool, typer.Option("--render", help="Write the visual diff into build/diff/ (or the -o folder).")
    ] = False,
    max_bytes: MaxBytes = 1_000_000,
) -> None:
    """Say what changed for the customer between two versions of a map; draw it with -o or --render.

    Exit 0 when the maps mean the same, 1 when they differ, 2 when one cannot be read.

    Example: jmap diff main journeys/checkout.yaml --format markdown
    Example (visual diff): jmap diff old.yaml new.yaml -o review/ -f svg,png
    """
    from jmap.cli.diff_reporters import render_markdown, render_text, report_json
    from jmap.review.diff import diff_files, diff_revisions, exit_code
    from jmap.review.gitrev import GitError

    with _usage():
        chosen, report = outputs_and_report(formats, [f.value for f in DiffFormat], "visual diff")
    output_format, outputs = DiffFormat(report), chosen
    if len(args) == 2 and all(a.lower().endswith((".yaml", ".yml")) for a in args):
        results = [diff_files(args[0], args[1], max_bytes=max_bytes)]
    else:
        try:
            results = diff_revisions(args[0], args[1:], max_bytes=max_bytes)
        except GitError as error:
            odd = next((a for a in args[1:] if Path(a).exists() and not a.lower().endswith((".yaml", ".yml"))), None)
            if len(args) == 2 and args[0].lower().endswith((".yaml", ".yml")) and Path(args[0]).is_file():
                hint = f" ('{args[1]}' is not a .yaml map file, so the first argument was read as a revision)"
            elif odd is not None:
                hint = f" ('{odd}' is not a .yaml map file)"
            else:
                hint = " (to compare two files, name both .yaml files)" if len(args) == 1 else ""
            typer.echo(printable(f"jmap: error: {error}{hint}"), err=True)
            raise typer.Exit(2) from None
    if output_format is DiffFormat.json:
        from jmap.cli.report import dump_json

        dump_json(report_json(results))
    elif output_format is DiffFormat.markdown:
        sys.stdout.write(render_markdown(results))
    else:
        from jmap.cli.report import use_colour

        if use_colour(sys.stdout):
            from rich.console import Console

            Console(highlight=False, soft_wrap=True).print(render_text(results, colour=True), end="")
        else:
            sys.stdout.write(render_text(results) or "no maps changed\n")

    if output is not None or render or outputs:
        folder = output if output is not None else Path("build") / "diff"
        if output is None:  # the default, unlike -o, must stay in the project
            from jmap.diagnostics import clip
            from jmap.fsutil import inside
            from jmap.loading.load import display_path, find_root

            if not inside(folder, find_root(Path.cwd())):
                _usage_error(f"{display_path(folder)} leads outside the project, to "
                             f"{clip(display_path(folder.resolve()), 80)}; remove the link, "
                             "or choose the folder with -o")
        wanted = tuple(dict.fromkeys(outputs)) or ("svg",)
        from jmap.project.visual_diff import FormatFailed, LeadsOut, write_visual_diffs

        try:
            write_visual_diffs(results, folder, wanted, say=lambda line: typer.echo(printable(line), err=True))
        except FormatFailed as error:
            from jmap.cli.report import write_text

            write_text(error.diagnostics)
            typer.echo(printable(f"jmap: error: could not write the visual diff of {error.name} as {error.fmt}"),
                       err=True)
            raise typer.Exit(2) from None
        except LeadsOut as error:
            from jmap.diagnostics import clip
            from jmap.loading.load import display_path

            _usage_error(f"{clip(display_path(error.path), 80)} leads out of {clip(display_path(error.folder), 60)} "
                         "(a link on the way, or at the file's own name); remove the link")
    raise typer.Exit(exit_code(results))
