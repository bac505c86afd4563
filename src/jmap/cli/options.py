"""Each quick command's arguments and options, declared once: a new flag is written here and nowhere else.

jmap.cli.cli builds the typer commands' parameters from these tables; jmap.cli.entry parses plain
command lines with them (`parse`), without typer. tests/test_entry.py runs command lines both ways.
Imports nothing (no typer, click or rich, no inspect): the quick `jmap build` reads it on its way in.
No `from __future__ import annotations`: a NamedTuple would compile a ForwardRef per field.
"""

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

#: The largest --max-bytes: what one read() takes.
MAX_BYTES_FLAG = 2**31 - 1


class Opt(NamedTuple):
    """One parameter of a command: `flags` () for the positional argument (a list of paths)."""

    param: str  # the keyword the command's body takes
    flags: tuple[str, ...]
    help: str
    kind: str = "flag"  # a key of KINDS
    default: Any = None  # REQUIRED: the line must give it
    choices: tuple[str, ...] = ()  # kind "choice"
    metavar: str = ""
    show_default: bool = False  # typer prints [default: ...]


class Command(NamedTuple):
    name: str
    doc: str  # typer's help text
    params: tuple[Opt, ...]


#: The default of a parameter the command line must give (typer: a required argument).
REQUIRED: Any = ...


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


def _text(value: str) -> str:
    return value


class Kind(NamedTuple):
    """How typer declares a kind of value, and how the quick parser reads one (None: refused, typer reads the line)."""

    type: Any  # the Python type typer reads (with `| None` when the default is None; list[...] when repeated)
    limits: dict[str, Any]  # typer.Option's min/max
    read: Callable[[str], Any] | None  # None: a flag (no value)
    repeated: bool = False  # each use adds a value (`-f svg -f png`); else the last wins


#: Every kind of parameter (choice: its value must be one of Opt.choices, read exactly).
KINDS: dict[str, Kind] = {
    "flag": Kind(bool, {}, None),
    "path": Kind(Path, {}, _path),
    "count": Kind(int, {"min": 1}, _count),
    "bytes": Kind(int, {"min": 1, "max": MAX_BYTES_FLAG}, _bytes),
    "scale": Kind(float, {"min": 0.1, "max": 8}, _scale),
    "text": Kind(str, {}, _text),
    "texts": Kind(str, {}, _text, repeated=True),
    "choice": Kind(str, {}, _text),
}

QUIET = Opt("quiet", ("-q", "--quiet"), "Print only problems.", default=False)
VERBOSE = Opt("verbose", ("-v", "--verbose"), "Also list the YAML files skipped as not maps, and why.", default=False)
MAX_BYTES = Opt("max_bytes", ("--max-bytes",), "Refuse map files larger than this.", "bytes")
OUTPUT = Opt("output", ("-o", "--output"), "Output folder (default: the config's, or build/ beside each map).", "path")
FORMATS = Opt("formats", ("-f", "--format"),
              "Output formats, comma-separated: svg, png, pdf, html (default: the config's, or svg). "
              "Also how to report: text, json or github, e.g. `-f svg,png --format json`.", "texts", metavar="FORMATS")
JOBS = Opt("jobs", ("-j", "--jobs"), "Maps built in parallel (default: the number of cores).", "count")
THEME = Opt("theme", ("--theme",), "Draw every map with this theme instead of its own.", "text")
SCALE = Opt("scale", ("--scale",), "PNG pixels per SVG pixel (default 2).", "scale")
PAGE_SIZE = Opt("page_size", ("--page-size",), "PDF page: fit (default) or a paper size such as a4-landscape.", "text")
CONFIG = Opt("config", ("--config",),
             "Read settings from this jmap.toml or pyproject.toml (default: found from this folder upwards).", "path")
BUILD_PATHS = Opt("paths", (), "Map files, folders or globs (default: the config's inputs, or this folder).", "texts")

BUILD = Command("build", """Render maps to SVG, PNG, PDF or HTML; only maps that changed since the last build.

    Settings come from jmap.toml (or the tool.jmap table of pyproject.toml); flags override them.

    Example: jmap build journeys/ -o renders -f svg,png,html
    Example (CI gate): jmap build --check
    """, (
    BUILD_PATHS, OUTPUT, FORMATS, JOBS,
    Opt("force", ("--force",), "Render every map, even unchanged ones.", default=False),
    Opt("check", ("--check",), "Write nothing; exit 1 listing outputs missing or different from a fresh build.",
        default=False),
    Opt("prune", ("--prune",), "Remove outputs jmap wrote for maps that no longer exist.", default=False),
    THEME, SCALE, PAGE_SIZE, CONFIG, MAX_BYTES, QUIET, VERBOSE,
))

VALIDATE = Command("validate", """Check maps against the format and report every problem with file:line:col.

    Also lays each valid map out and warns (W504) about every text shortened to fit.
    Example: jmap validate journeys/ --strict
    """, (
    Opt("paths", (), "Map files, folders (searched for *.yaml maps) or globs.", "texts", REQUIRED),
    Opt("report", ("--format",), "How to report: text, json or github (annotations).", "choice", "text",
        ("text", "json", "github"), show_default=True),
    Opt("strict", ("--strict",), "Fail on warnings too.", default=False),
    MAX_BYTES._replace(default=1_000_000, show_default=True),
    QUIET, VERBOSE,
))

#: The commands jmap.cli.entry answers without typer.
QUICK: dict[str, Command] = {command.name: command for command in (BUILD, VALIDATE)}


def parse(command: Command, argv: list[str]) -> dict[str, Any] | None:
    """The parameters of `command` from the argv after its name, or None when typer should read the line.

    Accepts paths and the declared flags in any order, an option's value as the next argument or
    after `=` (long options), and repeated options (the last wins; a repeated kind accumulates), as typer does.
    Only what the line gives is returned: the rest are the body's defaults, as typer's are (tests/test_entry.py).
    """
    if any("\x1b" in arg for arg in argv):
        return None  # click strips ANSI escapes from the errors it prints: let it
    spelled = {flag: opt for opt in command.params for flag in opt.flags}
    (argument,) = (opt for opt in command.params if not opt.flags)
    params: dict[str, Any] = {opt.param: [] for opt in command.params if KINDS[opt.kind].repeated}
    rest = iter(argv)
    for arg in rest:
        if not arg.startswith("-"):
            params[argument.param].append(arg)
            continue
        name, equals, inline = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        opt = spelled.get(name)
        if opt is None:
            return None
        kind = KINDS[opt.kind]
        if kind.read is None:
            if equals:
                return None
            params[opt.param] = True
            continue
        value = inline if equals else next(rest, None)
        if not value or value.startswith("-"):
            return None
        converted = kind.read(value)
        if converted is None or (opt.choices and converted not in opt.choices):
            return None
        if kind.repeated:
            params[opt.param].append(converted)
        else:
            params[opt.param] = converted
    for opt in command.params:
        if KINDS[opt.kind].repeated:
            if not params[opt.param] and opt.default is REQUIRED:
                return None  # typer prints its "Missing argument" usage error
            params[opt.param] = params[opt.param] or None  # as typer passes an absent list
    return params
