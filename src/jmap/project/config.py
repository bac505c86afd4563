"""Project configuration: `jmap.toml` at the project root, or `[tool.jmap]` in `pyproject.toml`.

    inputs = ["journeys"]            # files, folders (searched for maps) or globs
    exclude = ["journeys/drafts/**"] # globs of maps to skip
    output = "renders"               # default: a build/ folder beside each map
    formats = ["svg", "png"]
    theme = "print"                  # overrides every map's theme name
    naming = "{dir}/{stem}.{ext}"    # where each output goes inside the output folder
    jobs = 4                         # default: the number of cores

    [png]
    scale = 2

    [pdf]
    page_size = "a4-landscape"

The file is checked like a map: every problem becomes a Diagnostic with the
file:line:col of the key or value at fault, and an unknown key gets a
did-you-mean hint. Command-line flags override what the file says; paths in
the file are relative to the folder that holds it.

Cheap to import for a build without a config file: tomllib is imported only to read one,
and ProjectConfig is a NamedTuple, not a dataclass (`dataclasses` costs ~10 ms to import),
with evaluated annotations (no `from __future__ import annotations`: NamedTuple compiles
each string annotation into a ForwardRef, which made this module's import ~1.5 ms slower).
"""

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from jmap.diagnostics import Diagnostic, JmapError, Span, clip
from jmap.loading.load import display_path

if TYPE_CHECKING:
    import tomllib

CONFIG_FILE = "jmap.toml"
PYPROJECT = "pyproject.toml"
FORMATS = ("svg", "png", "pdf", "html")
DEFAULT_NAMING = "{dir}/{stem}.{ext}"
#: A config holds a few lines: a larger file is refused unread, and nesting deeper than this is a mistake.
MAX_CONFIG_BYTES = 1_000_000
MAX_DEPTH = 50
MAX_PATH_CHARS = 1000
MAX_JOBS = 1024
MAX_MAP_BYTES = 2**31 - 1  # what one read() takes
NAMING_FIELDS = ("dir", "stem", "ext")
#: A regular expression, like the two below: `re` compiles them on first use, not for every build (~1 ms).
PAGE_SIZE = r"fit|(?:a[0-6]|b[0-6]|letter|legal|tabloid)(?:-(?:portrait|landscape))?"

#: Every key the configuration knows, with a one-line description (for docs and did-you-mean).
KEYS: dict[str, str] = {
    "inputs": "Map files, folders (searched for maps) or globs, relative to the config file.",
    "exclude": "Globs of map paths (relative to the config file) that are not built.",
    "output": "The output folder (default: a build/ folder beside each map).",
    "formats": "Output formats: svg, png, pdf, html.",
    "theme": "A theme name that overrides the `theme:` of every map.",
    "naming": "Output path inside the output folder, from {dir}, {stem} and {ext}.",
    "jobs": "Maps built in parallel (default: the number of cores).",
    "max_bytes": "Refuse map files larger than this many bytes.",
    "png": "PNG settings: `scale` (pixels per SVG pixel, 0.1 to 8).",
    "pdf": "PDF settings: `page_size` (`fit`, or a paper size such as `a4-landscape`).",
}
SUBKEYS: dict[str, dict[str, str]] = {
    "png": {"scale": "PNG pixels per SVG pixel (0.1 to 8, default 2)."},
    "pdf": {"page_size": "`fit` (one page the size of the map) or a paper size such as `a3-landscape`."},
}


class ProjectConfig(NamedTuple):
    """What a project's config file says; None means "not set" (a flag or the default decides)."""

    #: The folder paths in the config are relative to.
    root: Path
    #: The file the settings came from (None: no config file, all defaults).
    source: Path | None = None
    inputs: tuple[str, ...] | None = None
    exclude: tuple[str, ...] = ()
    output: Path | None = None
    formats: tuple[str, ...] | None = None
    theme: str | None = None
    naming: str | None = None
    jobs: int | None = None
    max_bytes: int | None = None
    scale: float | None = None
    page_size: str | None = None

    def input_patterns(self) -> list[str]:
        """The configured inputs as paths usable from the working folder."""
        return [_under(self.root, pattern) for pattern in (self.inputs or (".",))]

    def output_dir(self) -> Path | None:
        return Path(_under(self.root, str(self.output))) if self.output is not None else None

    def excluded(self, path: Path) -> bool:
        """Whether a map path matches one of the `exclude` globs (relative to the root)."""
        if not self.exclude:
            return False
        try:
            relative = Path(os.path.abspath(path)).relative_to(Path(os.path.abspath(self.root))).as_posix()
        except ValueError:
            return False
        return any(_glob_match(relative, pattern) for pattern in self.exclude)


def _under(root: Path, pattern: str) -> str:
    """A config path made usable from the working folder (kept relative when possible)."""
    if os.path.isabs(pattern):
        return pattern
    base = os.path.relpath(root)
    if base.startswith(".."):
        base = os.path.abspath(root)
    if pattern in (".", "./"):
        return base
    return pattern if base == "." else os.path.join(base, pattern)


def _glob_match(relative: str, pattern: str) -> bool:
    """`fnmatch` with `**` spanning folders and a trailing `/` or folder name matching its content."""
    regex = _glob_regex(pattern.strip("/"))
    return bool(regex.fullmatch(relative) or regex.fullmatch(relative.rsplit("/", 1)[0]) or any(
        regex.fullmatch("/".join(relative.split("/")[:i])) for i in range(1, relative.count("/") + 1)))


def _glob_regex(pattern: str) -> re.Pattern[str]:
    out = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out))


# --- finding and reading ------------------------------------------------------------


def find_config(start: Path | None = None) -> Path | None:
    """The nearest jmap.toml, or pyproject.toml with a [tool.jmap] table, from start upwards.

    The search stops at the root of a git repository, so a checkout never picks up
    a config from a folder above it.
    """
    folder = Path(os.path.abspath(start or Path.cwd()))
    for candidate in (folder, *folder.parents):
        if (candidate / CONFIG_FILE).is_file():
            return candidate / CONFIG_FILE
        pyproject = candidate / PYPROJECT
        if pyproject.is_file() and _has_tool_table(pyproject):
            return pyproject
        if (candidate / ".git").exists():
            return None
    return None


def _has_tool_table(pyproject: Path) -> bool:
    try:
        text = pyproject.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return re.search(r"^\s*\[\s*tool\s*\.\s*jmap\s*[\].]", text, re.MULTILINE) is not None


def load_config(path: Path | None = None, *, start: Path | None = None) -> ProjectConfig:
    """The configuration of the project: from `path`, or found from `start` (default: here).

    Raises JmapError with every problem (file:line:col) when the file is not valid.
    Without a config file, every setting is None (the defaults apply).
    """
    if path is None:
        path = find_config(start)
        if path is None:
            return ProjectConfig(root=Path(os.path.abspath(start or Path.cwd())))
    return parse_config(path)


def parse_config(path: Path) -> ProjectConfig:
    """Read and check one config file (jmap.toml, or a pyproject.toml's [tool.jmap])."""
    name = display_path(path)
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_CONFIG_BYTES + 1)
    except OSError as error:
        raise JmapError([Diagnostic("E100", f"cannot read the config file: {error.strerror or error}",
                                    Span(name, 0, 0))]) from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise JmapError([Diagnostic("E101", f"the config file is larger than {MAX_CONFIG_BYTES:,} bytes",
                                    Span(name, 1, 1), hint="a config file needs a few lines; is this the right file?")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line, col = _place(raw[: error.start].decode("utf-8", "replace"))
        raise JmapError([Diagnostic("E102", "the config file is not valid UTF-8 text", Span(name, line, col),
                                    hint="save the file as UTF-8 in your editor")]) from None
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise JmapError([_toml_error(error, name)]) from None
    except RecursionError:  # tomllib recurses once per nested [ or {
        line, col = _too_deep(text)
        raise JmapError([Diagnostic("E108", "the config nests lists or tables deeper than a config needs",
                                    Span(name, line, col),
                                    hint="a config needs lists of texts, not lists of lists")]) from None
    prefix: tuple[str, ...] = ()
    checker = _Checker(text, name, prefix)
    if path.name == PYPROJECT:
        prefix = checker.prefix = ("tool", "jmap")
        tool = data.get("tool", {})
        table = tool.get("jmap", {}) if isinstance(tool, dict) else None
        if not isinstance(table, dict):
            where = ("tool",) if not isinstance(tool, dict) else ()
            checker.prefix = () if where else prefix
            checker.error("E202", f"'{'tool' if where else 'tool.jmap'}' in pyproject.toml must be a table",
                          where, hint="write the settings under a [tool.jmap] header")
            raise JmapError(checker.diagnostics)
    else:
        table = data
    root = Path(os.path.abspath(path.parent))
    config = checker.check(table, root, Path(os.path.abspath(path)))
    if checker.diagnostics:
        raise JmapError(sorted(checker.diagnostics, key=lambda d: (d.span.line, d.span.col)))
    return config


def _place(before: str) -> tuple[int, int]:
    """The 1-based line and column just after a text (TOML counts lines by \\n only)."""
    return before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1


def _too_deep(text: str) -> tuple[int, int]:
    """Where brackets first nest deeper than MAX_DEPTH (strings and comments skipped; an estimate)."""
    depth, index, quote = 0, 0, ""
    while index < len(text):
        char = text[index]
        if quote:
            if char == "\\" and quote[0] == '"':
                index += 1
            elif text.startswith(quote, index):
                index += len(quote) - 1
                quote = ""
        elif char in "\"'":
            quote = char * 3 if text.startswith(char * 3, index) else char
            index += len(quote) - 1
        elif char == "#":
            end = text.find("\n", index)
            index = len(text) if end < 0 else end
            continue
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return _place(text[:index])
        elif char in "]}":
            depth -= 1
        index += 1
    return (1, 1)


def _toml_error(error: "tomllib.TOMLDecodeError", name: str) -> Diagnostic:
    message = str(error)
    found = re.search(r"\(at line (\d+), column (\d+)\)", message)
    line, col = (int(found.group(1)), int(found.group(2))) if found else (1, 1)
    problem = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", message).strip() or "invalid TOML"
    return Diagnostic("E104", f"the TOML is broken here: {clip(problem[0].lower() + problem[1:], 120)}",
                      Span(name, line, col), hint="values need quotes (output = \"renders\") and lists brackets")


# --- positions ------------------------------------------------------------------------

_HEADER = r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$"
_KEY_PART = r"(?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*')"
_KEY_LINE = rf"^(\s*)({_KEY_PART}(?:\s*\.\s*{_KEY_PART})*)\s*=\s*"


def _split_key(dotted: str) -> tuple[str, ...]:
    parts = re.findall(r"\"([^\"]*)\"|'([^']*)'|([A-Za-z0-9_-]+)", dotted)
    return tuple(a or b or c for a, b, c in parts)


class _Positions:
    """Where each key of a TOML text is: a line scan good enough for config files."""

    def __init__(self, text: str) -> None:
        self.keys: dict[tuple[str, ...], tuple[int, int]] = {}
        self.values: dict[tuple[str, ...], tuple[int, int]] = {}
        table: tuple[str, ...] = ()
        in_multiline = False
        for number, line in enumerate(text.split("\n"), start=1):  # TOML lines end at \n only
            if in_multiline:
                if line.count('"""') % 2 or line.count("'''") % 2:
                    in_multiline = False
                continue
            header = re.match(_HEADER, line)
            if header and not re.match(_KEY_LINE, line):
                table = _split_key(header.group(1))
                self.keys.setdefault(table, (number, line.index(header.group(1)[0]) + 1))
                self.values.setdefault(table, (number, line.index(header.group(1)[0]) + 1))
                continue
            found = re.match(_KEY_LINE, line)
            if not found:
                continue
            path = (*table, *_split_key(found.group(2)))
            self.keys.setdefault(path, (number, len(found.group(1)) + 1))
            self.values.setdefault(path, (number, found.end() + 1))
            rest = line[found.end():]
            if rest.count('"""') % 2 or rest.count("'''") % 2:
                in_multiline = True

    def find(self, path: tuple[str, ...], *, value: bool) -> tuple[int, int]:
        spans = self.values if value else self.keys
        while path:
            if path in spans:
                return spans[path]
            path = path[:-1]
        return (1, 1)


# --- checking ---------------------------------------------------------------------------


class _Checker:
    def __init__(self, text: str, name: str, prefix: tuple[str, ...]) -> None:
        self.name = name
        self.prefix = prefix
        self.positions = _Positions(text)
        self.diagnostics: list[Diagnostic] = []
        #: The folder the config's paths are relative to (set by `check`).
        self.root = Path()

    def span(self, key: tuple[str, ...], *, value: bool = True) -> Span:
        line, col = self.positions.find((*self.prefix, *key), value=value)
        return Span(self.name, line, col)

    def error(self, code: str, message: str, key: tuple[str, ...], hint: str = "", *, value: bool = True) -> None:
        self.diagnostics.append(Diagnostic(code, message, self.span(key, value=value), hint))

    def unknown(self, key: str, where: tuple[str, ...], choices: dict[str, str]) -> None:
        from jmap.validation.validate import did_you_mean

        guess = did_you_mean(key, list(choices))
        hint = f"did you mean '{guess}'?" if guess else "known keys: " + ", ".join(choices)
        table = ".".join((*self.prefix, *where)) or "the config"
        self.error("E200", f"unknown key '{clip(key, 40)}' in {table}", (*where, key), hint, value=False)

    def check(self, table: dict[str, Any], root: Path, source: Path) -> ProjectConfig:
        self.root = root
        values: dict[str, Any] = {}
        for key, value in table.items():
            if key not in KEYS:
                self.unknown(key, (), KEYS)
                continue
            if key in SUBKEYS:
                self.check_table(key, value, values)
                continue
            checked = getattr(self, f"check_{key}")(value, (key,))
            if checked is not None:
                values[key] = checked
        return ProjectConfig(root=root, source=source, **values)

    def check_table(self, key: str, value: Any, values: dict[str, Any]) -> None:
        if not isinstance(value, dict):
            self.error("E202", f"'{key}' must be a table ([{key}] with key = value lines)", (key,))
            return
        for sub, item in value.items():
            if sub not in SUBKEYS[key]:
                self.unknown(sub, (key,), SUBKEYS[key])
                continue
            checked = getattr(self, f"check_{sub}")(item, (key, sub))
            if checked is not None:
                values[sub] = checked

    def path_text(self, value: str, key: tuple[str, ...]) -> bool:
        """Whether a path or pattern is usable: no control character, not longer than a path may be."""
        import unicodedata

        bad = next((c for c in value if unicodedata.category(c) in ("Cc", "Cs")), None)
        if bad is not None:
            self.error("E103", f"'{key[-1]}' holds the control character U+{ord(bad):04X}", key,
                       hint="paths and patterns are plain text; remove the escape")
            return False
        if len(value) > MAX_PATH_CHARS:
            self.error("E205", f"'{key[-1]}' is {len(value):,} characters long; a path has at most "
                       f"{MAX_PATH_CHARS:,}", key)
            return False
        return True

    # one method per key: return the checked value, or None after reporting the problem

    def strings(self, value: Any, key: tuple[str, ...], example: str) -> tuple[str, ...] | None:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            self.error("E202", f"'{key[-1]}' must be a list of texts", key, hint=f"e.g. {key[-1]} = {example}")
            return None
        if not all(self.path_text(v, key) for v in value):
            return None
        return tuple(value)

    def check_inputs(self, value: Any, key: tuple[str, ...]) -> tuple[str, ...] | None:
        checked = self.strings(value, key, '["journeys"]')
        if checked is not None and not checked:
            self.error("E205", "'inputs' must name at least one file, folder or glob", key,
                       hint='e.g. inputs = ["journeys"]')
            return None
        return checked

    def check_exclude(self, value: Any, key: tuple[str, ...]) -> tuple[str, ...] | None:
        return self.strings(value, key, '["journeys/drafts/**"]')

    def check_output(self, value: Any, key: tuple[str, ...]) -> Path | None:
        if not isinstance(value, str) or not value.strip():
            self.error("E202", "'output' must be a folder name", key, hint='e.g. output = "renders"')
            return None
        if not self.path_text(value, key):
            return None
        # A config may arrive in a stranger's pull request: it must not point builds (or
        # `--prune`, or `jmap serve`) at a folder outside the project.
        parts = Path(value).parts
        hint = 'a relative path such as output = "renders"; use -o on the command line for elsewhere'
        if Path(value).is_absolute() or ".." in parts:
            self.error("E405", f"'output' must be a folder inside the project, not '{clip(value, 60)}'", key,
                       hint=hint)
            return None
        # ... nor through a link committed in the project (`renders -> /home/you`).
        from jmap.fsutil import inside
        from jmap.loading.load import find_root

        project = find_root(self.root)
        if not inside(self.root / value, project):
            where = display_path(Path(os.path.realpath(self.root / value)))
            self.error("E405", f"'output' ({clip(value, 60)}) leads outside the project, to {clip(where, 80)}",
                       key, hint="a link on the way points out of the project; remove it, or use -o for elsewhere")
            return None
        return Path(value)

    def check_formats(self, value: Any, key: tuple[str, ...]) -> tuple[str, ...] | None:
        checked = self.strings(value, key, '["svg", "png"]')
        if checked is None:
            return None
        formats = tuple(f.strip().lower() for f in checked)
        for fmt in formats:
            if fmt not in FORMATS:
                from jmap.validation.validate import did_you_mean

                guess = did_you_mean(fmt, list(FORMATS))
                self.error("E203", f"'{clip(fmt, 20)}' is not an output format", key,
                           hint=f"did you mean '{guess}'?" if guess else "choose from " + ", ".join(FORMATS))
                return None
        if not formats:
            self.error("E205", "'formats' must name at least one format", key, hint='e.g. formats = ["svg"]')
            return None
        return tuple(dict.fromkeys(formats))

    def check_theme(self, value: Any, key: tuple[str, ...]) -> str | None:
        if not isinstance(value, str):
            self.error("E202", "'theme' must be a theme name", key, hint='e.g. theme = "print"')
            return None
        names = theme_names()
        if names and value not in names:
            from jmap.validation.validate import did_you_mean

            guess = did_you_mean(value, names)
            self.error("E203", f"there is no theme '{clip(value, 40)}'", key,
                       hint=f"did you mean '{guess}'?" if guess else "choose from " + ", ".join(names))
            return None
        return value

    def check_naming(self, value: Any, key: tuple[str, ...]) -> str | None:
        if isinstance(value, str) and not self.path_text(value, key):
            return None
        problem = naming_problem(value) if isinstance(value, str) else "it must be a text"
        if problem:
            self.error("E203", f"'naming' is not usable: {problem}", key, hint=f'e.g. naming = "{DEFAULT_NAMING}"')
            return None
        return str(value)

    def whole(self, value: Any, key: tuple[str, ...], low: int, high: int) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.error("E202", f"'{key[-1]}' must be a whole number", key)
            return None
        if value < low:
            self.error("E204", f"'{key[-1]}' must be at least {low}", key)
            return None
        if value > high:  # a huge number overflows what the operating system takes
            self.error("E204", f"'{key[-1]}' must be at most {high:,}, not {clip(value, 20)}", key)
            return None
        return value

    def check_jobs(self, value: Any, key: tuple[str, ...]) -> int | None:
        return self.whole(value, key, 1, MAX_JOBS)

    def check_max_bytes(self, value: Any, key: tuple[str, ...]) -> int | None:
        return self.whole(value, key, 1, MAX_MAP_BYTES)

    def check_scale(self, value: Any, key: tuple[str, ...]) -> float | None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.error("E202", "'scale' must be a number", key, hint="e.g. scale = 2")
            return None
        if not 0.1 <= value <= 8:
            self.error("E204", f"'scale' must be between 0.1 and 8, not {value:g}", key)
            return None
        return float(value)

    def check_page_size(self, value: Any, key: tuple[str, ...]) -> str | None:
        if not isinstance(value, str) or not re.fullmatch(PAGE_SIZE, value.lower()):
            self.error("E203", f"{clip(value, 30)} is not a page size", key,
                       hint='use "fit", or a paper size such as "a4", "a3-landscape" or "letter"')
            return None
        return value.lower()


def naming_problem(naming: str) -> str:
    """Why an output naming pattern cannot be used ("" when it can)."""
    import string

    try:
        parsed = [(f, spec, conversion) for _, f, spec, conversion in string.Formatter().parse(naming) if f is not None]
    except ValueError:
        return "its braces do not match"
    fields = [f for f, _, _ in parsed]
    odd = next((f"{{{f}{'!' + c if c else ''}{':' + s if s else ''}}}" for f, s, c in parsed if s or c), None)
    if odd is not None:  # `{stem:>99999999}` would build a 100 MB file name
        return f"it uses {clip(odd, 20)}; write the fields plain, as {{dir}}, {{stem}} and {{ext}}"
    unknown = [f for f in fields if f not in NAMING_FIELDS]
    if unknown:
        return f"it uses {{{clip(unknown[0], 20)}}}; the fields are {{dir}}, {{stem}} and {{ext}}"
    if "stem" not in fields or "ext" not in fields:
        return "it must hold {stem} and {ext}, so every map and format gets its own file"
    if naming.startswith(("/", "\\")) or ".." in naming.replace("\\", "/").split("/"):
        return "it must stay inside the output folder (no leading / and no ..)"
    return ""


def theme_names() -> list[str]:
    """The theme names a config may choose (the built-in themes)."""
    try:
        from jmap.model.themes import theme_names as names

        return list(names())
    except Exception:  # themes are another module's job; never fail a config over them
        from jmap.resources import schema

        return list(schema()["$defs"]["theme_name"]["enum"])
