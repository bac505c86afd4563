"""Read a journey file safely into plain data with a source span for every part.

Maps may come from strangers' pull requests, so reading is defensive: a size
limit, strict UTF-8, no YAML tags, a bound on alias expansion and nesting,
finite numbers, no control characters, and includes confined to the project.
We compose YAML nodes with ruamel.yaml and build the data ourselves: nodes
carry positions, and building it ourselves is where the bounds are enforced.
"""

from __future__ import annotations

import math
import os
import re
import stat
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jmap.diagnostics import Diagnostic, JmapError, Span, clip
from jmap.records import SlotsRecord

DEFAULT_MAX_BYTES = 1_000_000
#: Nodes a document may expand to, aliases counted each time they are used.
MAX_NODES = 50_000
#: Nesting of mappings and lists; real maps need about 8.
MAX_DEPTH = 32
MAX_INCLUDE_DEPTH = 4
#: Included files per map in all (every file of the include tree counts, so a
#: "diamond" of files including each other 20 times at each level stays bounded).
MAX_INCLUDES = 20
#: Markers of a project root, nearest first wins.
ROOT_MARKERS = ("jmap.toml", "pyproject.toml", ".git")

_CORE_TAGS = {"tag:yaml.org,2002:" + t for t in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")}
_MERGE_TAG = "tag:yaml.org,2002:merge"
_STR_TAG = "tag:yaml.org,2002:str"
_ALLOWED_CONTROLS = {"\t", "\n", "\r"}
#: Invisible in editors, but ruamel counts them as line breaks: every line:col after them would be wrong.
_RAW_LINE_SEPARATORS = {"\u2028", "\u2029"}

#: A key in a document path: a mapping key or a list index.
PathKey = str | int
DocPath = tuple[PathKey, ...]
#: Turns a file's text and display name into data, value spans, key spans and the problems that
#: did not stop the reading (a duplicate key), or raises JmapError (`parse_all` below;
#: jmap.validation.fastpath passes its own, which may also raise when unsure).
Parser = Callable[[str, str], tuple[Any, dict[DocPath, Span], dict[DocPath, Span], list[Diagnostic]]]


class Document(SlotsRecord):
    """A loaded map: its data (includes merged in) and where each part came from.

    A plain class with slots (a dataclass costs more to import than it saves typing); equal
    by content and printed field by field, as a dataclass (jmap.records.SlotsRecord).
    """

    __slots__ = ("path", "data", "value_spans", "key_spans", "root", "includes", "problems")

    def __init__(
        self,
        path: Path,
        data: dict[str, Any],
        value_spans: dict[DocPath, Span],
        key_spans: dict[DocPath, Span],
        root: Path,
        includes: list[Document] | None = None,
        problems: list[Diagnostic] | None = None,
    ) -> None:
        self.path = path
        self.data = data
        #: Span of the value at each document path (the key's span for mapping values is in key_spans).
        self.value_spans = value_spans
        #: Span of the key that introduces each mapping value.
        self.key_spans = key_spans
        #: The folder that includes and images may not leave.
        self.root = root
        #: Included files (already merged into ``data``), for validation and caching.
        self.includes: list[Document] = [] if includes is None else includes
        #: Errors found while reading that left the data readable (a duplicate key, first value kept):
        #: jmap.validation.validate reports them with the schema's, so one does not hide the others.
        self.problems: list[Diagnostic] = [] if problems is None else problems

    def span(self, path: DocPath, *, key: bool = False) -> Span:
        """The best known span for a document path: the part itself or its nearest parent."""
        spans = self.key_spans if key else self.value_spans
        while path:
            if path in spans:
                return spans[path]
            if path in self.value_spans:
                return self.value_spans[path]
            path = path[:-1]
        return self.value_spans.get((), Span(display_path(self.path), 1, 1))

    def all_files(self) -> list[Path]:
        """This file and every file it includes, for change detection."""
        files = [self.path]
        for included in self.includes:
            files.extend(included.all_files())
        return files


def display_path(path: Path) -> str:
    """A path as a person wants to read it: relative to the working folder when inside it."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    return str(path) if relative.startswith("..") else relative


def find_root(start: Path) -> Path:
    """The project root: the nearest folder holding jmap.toml, pyproject.toml or .git."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if any((folder / marker).exists() for marker in ROOT_MARKERS):
            return folder
    return start


def load(
    path: str | os.PathLike[str],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    root: Path | None = None,
    parser: Parser | None = None,
) -> Document:
    """Load a journey file and the files it includes; raise JmapError when unusable.

    `parser` reads the text of the map and of every included file (default: `parse`); the
    reading, include and merge rules around it stay the same whichever parser runs.
    """
    file = Path(path)
    root = (root or find_root(file.parent)).resolve()
    _refuse_link_out(file, root)
    return _load(file, root, max_bytes, stack=(), budget=[MAX_INCLUDES], parser=parser or parse_all, loaded=set())


def _refuse_link_out(file: Path, root: Path) -> None:
    """Refuse a map reached through a link (the file or a folder on its path) that leaves its project.

    A link committed in a pull request must not make jmap read, and quote in its errors in a
    public CI log, a file such as ~/.aws/credentials. The project is found from where the link
    sits, not from where it points.
    """
    absolute = Path(os.path.abspath(file))
    real = Path(os.path.realpath(file))
    if real == absolute:
        return
    home = next((folder for folder in absolute.parents if any((folder / m).exists() for m in ROOT_MARKERS)), None)
    for project in {root, *([Path(os.path.realpath(home))] if home is not None else [])}:
        if not real.is_relative_to(project):
            folder = display_path(project)
            raise JmapError(
                [
                    Diagnostic(
                        "E401",
                        "this map is a link to a file outside the project folder "
                        f"({'the current folder' if folder == '.' else folder})",
                        Span(display_path(file), 0, 0),
                        hint="copy the map into the project instead of linking to it",
                    )
                ]
            )


def _load(
    file: Path, root: Path, max_bytes: int, stack: tuple[Path, ...], budget: list[int], parser: Parser,
    loaded: set[Path],
) -> Document:
    name = display_path(file)
    text = read_text(file, max_bytes)
    data, value_spans, key_spans, problems = parser(text, name)
    if not isinstance(data, dict):
        raise JmapError(
            [
                Diagnostic(
                    "E110",
                    "the top level of a journey must be a mapping of keys to values",
                    value_spans.get((), Span(name, 1, 1)),
                    hint="start the file with `jmap: 1` and `title: ...`",
                )
            ]
        )
    doc = Document(file, data, value_spans, key_spans, root, problems=problems)
    _load_includes(doc, max_bytes, (*stack, file.resolve()), budget, parser, loaded)
    return doc


def read_text(file: Path, max_bytes: int) -> str:
    """Read a file as UTF-8 text within the size limit, refusing anything else."""
    name = display_path(file)
    at_start = Span(name, 1, 1)
    try:
        info = file.stat()
    except OSError as error:
        raise JmapError(
            [Diagnostic("E100", f"cannot read the file: {error.strerror or error}", Span(name, 0, 0))]
        ) from None
    if stat.S_ISDIR(info.st_mode):
        raise JmapError([Diagnostic("E100", "this is a folder, not a journey file", Span(name, 0, 0))])
    if not stat.S_ISREG(info.st_mode):
        raise JmapError([Diagnostic("E402", "this is not a regular file", Span(name, 0, 0))])
    if info.st_size > max_bytes:
        raise JmapError(
            [
                Diagnostic(
                    "E101",
                    f"the file is {info.st_size:,} bytes, over the limit of {max_bytes:,}",
                    at_start,
                    hint="split the map, or raise the limit with --max-bytes if it is really one map",
                )
            ]
        )
    try:
        with file.open("rb") as handle:
            raw = handle.read(max_bytes + 1)
    except OSError as error:
        raise JmapError(
            [Diagnostic("E100", f"cannot read the file: {error.strerror or error}", Span(name, 0, 0))]
        ) from None
    if len(raw) > max_bytes:
        raise JmapError([Diagnostic("E101", f"the file is over the limit of {max_bytes:,} bytes", at_start)])
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line, col = _line_col_of_byte(raw, error.start)
        raise JmapError(
            [
                Diagnostic(
                    "E102",
                    "the file is not valid UTF-8 text",
                    Span(name, line, col),
                    hint="save the file as UTF-8 in your editor",
                )
            ]
        ) from None
    if not text.strip():
        raise JmapError([Diagnostic("E109", "the file is empty", at_start, hint="run `jmap init` for a starter map")])
    offset = _first_refused(text)
    if offset is not None:
        char = text[offset]
        line, col = _line_col(text[:offset])
        raise JmapError(
            [
                Diagnostic(
                    "E103",
                    f"the text holds an invisible control character (U+{ord(char):04X})",
                    Span(name, line, col),
                    hint="delete it; it cannot be drawn",
                )
            ]
        )
    return text


def _line_col_of_byte(raw: bytes, offset: int) -> tuple[int, int]:
    return _line_col(raw[:offset].decode("utf-8", errors="replace"))


def _line_col(before: str) -> tuple[int, int]:
    """The 1-based line and column just after `before`, with \\r\\n, \\r and \\n as line breaks (as YAML)."""
    before = before.replace("\r\n", "\n").replace("\r", "\n")
    return before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1


#: Exactly the characters `_is_forbidden_char` refuses (categories Cc and Cs, U+FEFF, and the
#: noncharacters U+FFFE and U+FFFF, which XML cannot hold and YAML refuses unescaped), for a
#: search in C instead of a Python loop over every character (tests/test_fastpath.py checks it).
#: Compiled on first use (`_find_forbidden`): the surrogate range makes it cost ~1 ms.
_FORBIDDEN = "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufeff\ufffe\uffff]"


def _find_forbidden(text: str) -> re.Match[str] | None:
    """The first character of `_FORBIDDEN` in the text, or None.

    str.isprintable is False for each of them, so text that is printable but for its tabs and
    line breaks (nearly every map and value) holds none, and needs no regex compiled.
    """
    if text.replace("\n", "").replace("\t", "").replace("\r", "").isprintable():
        return None
    return re.search(_FORBIDDEN, text)


def _first_refused(text: str) -> int | None:
    """The offset of the first forbidden character or raw line separator in the text, or None.

    The separators are found with str.find, not with a second regex holding both sets:
    compiling a character class with the surrogate range costs ~0.4 ms in every process.
    """
    bad = _find_forbidden(text)
    end = bad.start() if bad else len(text)
    for separator in _RAW_LINE_SEPARATORS:
        found = text.find(separator, 0, end)
        if found >= 0:
            end = found
    return end if end < len(text) else None


def _is_forbidden_char(char: str) -> bool:
    """The definition `_FORBIDDEN` implements (only the tests call it, hence the late import)."""
    import unicodedata

    if char in _ALLOWED_CONTROLS:
        return False
    category = unicodedata.category(char)
    return category in ("Cc", "Cs") or char in ("\ufeff", "\ufffe", "\uffff")


def parse(text: str, name: str) -> tuple[Any, dict[DocPath, Span], dict[DocPath, Span]]:
    """Parse YAML text into plain data plus value and key spans; raise JmapError on bad YAML.

    A duplicate key is an error here too; `load` uses `parse_all`, which reports it with the rest.
    """
    data, value_spans, key_spans, problems = parse_all(text, name)
    if problems:
        raise JmapError(problems)
    return data, value_spans, key_spans


def parse_all(text: str, name: str) -> tuple[Any, dict[DocPath, Span], dict[DocPath, Span], list[Diagnostic]]:
    """As `parse`, but a problem that leaves the data readable (a duplicate key) is returned, not raised."""
    from ruamel.yaml import YAML
    from ruamel.yaml.composer import MaxDepthExceededError
    from ruamel.yaml.error import MarkedYAMLError, YAMLError, YAMLWarning

    yaml = YAML(typ="rt", pure=True)
    yaml.version = (1, 2)
    yaml.max_depth = MAX_DEPTH + 1
    try:
        with warnings.catch_warnings():
            # A reused anchor name is legal YAML (the later one wins); ruamel would print a warning
            # quoting the file on stderr, or raise it where warnings are errors.
            warnings.simplefilter("ignore", YAMLWarning)
            node = yaml.compose(text)
    except MaxDepthExceededError as error:
        mark = error.problem_mark
        raise JmapError([_too_deep(mark.line + 1 if mark else _deepest_line(text), name)]) from None
    except RecursionError:
        raise JmapError([_too_deep(_deepest_line(text), name)]) from None
    except MarkedYAMLError as error:
        raise JmapError([_syntax_error(error, text, name)]) from None
    except YAMLError as error:
        raise JmapError(
            [Diagnostic("E104", f"the YAML is broken: {clip(str(error), 120)}", Span(name, 1, 1))]
        ) from None
    if node is None:
        raise JmapError([Diagnostic("E109", "the file holds no YAML content", Span(name, 1, 1))])
    builder = _Builder(name)
    try:
        data = builder.build(node, (), 0)
    except RecursionError:
        raise JmapError([_too_deep(_deepest_line(text), name)]) from None
    return data, builder.value_spans, builder.key_spans, builder.problems


def _syntax_error(error: Any, text: str, name: str) -> Diagnostic:
    """E104 for a YAML syntax error, at the place the author must change and with a hint for its cause.

    The parser reports where it gave up, which is not always where the mistake is: after
    `jmap:1` (no space, so a text and not a key) or an over-indented key (read as more of
    the text above), it stops at the next ':' and says only "mapping values are not allowed".
    """
    mark = error.problem_mark or error.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = (error.problem or error.context or "invalid YAML").strip()
    if problem.startswith("but ") and error.context:  # "expected a single document ... but found another"
        problem = f"{error.context.strip()} {problem}"
    message = f"the YAML is broken here: {clip(problem, 120)}"
    hint = _yaml_hint(problem, error.context or "", error.context_mark)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if "mapping values are not allowed" in problem and mark is not None and mark.line < len(lines):
        began = _text_start(lines, mark.line, mark.column)
        if began == mark.line:
            return Diagnostic("E104", message, Span(name, line, col), hint=hint)  # `key: text: more text`
    elif "could not find expected ':'" in problem and error.context_mark is not None:
        began = error.context_mark.line  # where the text that YAML could not read as a key began
    else:
        return Diagnostic("E104", message, Span(name, line, col), hint=hint)
    unspaced = _UNSPACED_KEY.match(lines[began]) if began < len(lines) else None
    if unspaced:
        key, value = clip(unspaced["key"], 40), clip(unspaced["value"], 20)
        return Diagnostic(
            "E104",
            f"the YAML is broken here: '{key}:{value}' is read as text, not as a key",
            Span(name, began + 1, unspaced.start("value")),
            hint=f"put a space after the colon: `{key}: {value}`",
        )
    if "mapping values" in problem:  # a key on a line of its own, read as more of the text above it
        span = Span(name, line, _indent(lines[mark.line]) + 1)
        return Diagnostic("E104", message, span, hint=_over_indented(lines, mark.line))
    return Diagnostic("E104", message, Span(name, line, col), hint=hint)


#: A line that is a key, its colon and a value with no space between (`jmap:1`, `- id:start`), and no `: `.
_UNSPACED_KEY = re.compile(r"^[ ]*(?:-[ ]+)?(?P<key>[A-Za-z_][\w-]*):(?P<value>[^\s:#][^:#]*?)[ ]*(?:[ ]#.*)?$")
#: A `key:` (value or not) at the start of a line, after its indentation and an optional `- `.
_KEY_LINE = re.compile(r"^(?P<indent>[ ]*)(?:-[ ]+)?(?P<key>[^\s#'\"\-?:][^:#]*?):(?:[ ]|$)")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _text_start(lines: list[str], line: int, column: int) -> int:
    """The line where the plain text holding the ':' at (line, column) began (0-based)."""
    if re.search(r":[ ]", lines[line][:column]):
        return line  # `description: Question: why?`: the text began on this line, after its key
    for earlier in range(line - 1, -1, -1):
        stripped = lines[earlier].strip()
        if stripped and not stripped.startswith("#"):
            return earlier
    return line


def _over_indented(lines: list[str], line: int) -> str:
    """The hint for a key indented deeper than its neighbours: YAML read it as more text of the value above."""
    indent = _indent(lines[line])
    for earlier in range(line - 1, -1, -1):
        stripped = lines[earlier].strip()
        if not stripped or stripped.startswith("#"):
            continue
        key = _KEY_LINE.match(lines[earlier])
        if not key and stripped.startswith("- "):
            return (
                f"this key is indented more than the list item above it, so YAML reads it as more of the "
                f"text of that item (line {earlier + 1}): check its indentation"
            )
        if key and len(key["indent"]) < indent:
            spaces = key.start("key")
            name = clip(key["key"], 40)
            return (
                f"this key is indented more than the keys above it, so YAML reads it as more of the text of "
                f"'{name}' (line {earlier + 1}): line it up with '{name}', "
                + (f"{spaces} spaces in" if spaces else "at the start of the line")
                + " (or put that text in quotes if ': ' is part of it)"
            )
    return "this line is indented more than the lines above it: check its indentation"


def _yaml_hint(problem: str, context: str = "", context_mark: Any = None) -> str:
    opened = f" at line {context_mark.line + 1}" if context_mark is not None else ""
    if "flow sequence" in context:
        return f"the '[' opened{opened} is not closed with ']' (or a ',' is missing)"
    if "flow mapping" in context:
        return f"the '{{' opened{opened} is not closed with '}}' (or a ',' is missing)"
    if "quoted scalar" in context:
        return f"the quote opened{opened} is not closed"
    if "another document" in problem:
        return "a map file holds one YAML document: remove the '---' line"
    if "tab" in problem or "'\\t'" in problem:
        return "indent with spaces, not tabs"
    if "<block end>" in problem:
        return "check the indentation of this line against the lines above"
    if "mapping values are not allowed" in problem:
        return "a text with ': ' in it needs quotes, e.g. \"Question: why?\""
    if "could not find expected ':'" in problem or "simple key" in problem:
        return "check the indentation and that every key ends with ':'"
    return ""


def _too_deep(line: int, name: str) -> Diagnostic:
    return Diagnostic(
        "E108",
        f"the document nests deeper than {MAX_DEPTH} levels",
        Span(name, line, 1),
        hint="a journey map needs only a few levels of nesting",
    )


def _deepest_line(text: str) -> int:
    """The first line where indentation or bracket nesting goes past the limit (best effort)."""
    depth = 0
    for number, line in enumerate(text.splitlines(), start=1):
        depth += line.count("[") + line.count("{") - line.count("]") - line.count("}")
        indent = len(line) - len(line.lstrip(" "))
        if depth > MAX_DEPTH or indent > 2 * MAX_DEPTH:
            return number
    return 1


def _tag_of(node: Any) -> str | None:
    """A node's tag as text. ruamel builds it anew on each access to `node.tag`: read it once."""
    tag = node.tag
    return tag if isinstance(tag, str) else getattr(tag, "value", None)


def _short_tag(tag: object) -> str:
    text = str(tag).replace("tag:yaml.org,2002:", "!!")
    return clip(text, 40)


class _BadNumber(ValueError):
    """A number jmap does not read (E111): its message says why."""


class _Builder:
    """Turns composed YAML nodes into plain data, recording spans and enforcing bounds."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.value_spans: dict[DocPath, Span] = {}
        self.key_spans: dict[DocPath, Span] = {}
        #: Problems that leave the data readable (a duplicate key, a tag, a bad number or escape):
        #: reported with the schema's errors, the value read as plain text, 0 or without the pair.
        self.problems: list[Diagnostic] = []
        self.nodes = 0

    def span(self, node: Any) -> Span:
        mark = node.start_mark
        return Span(self.name, mark.line + 1, mark.column + 1)

    def fail(self, code: str, message: str, node: Any, hint: str = "") -> JmapError:
        return JmapError([Diagnostic(code, message, self.span(node), hint)])

    def report(self, code: str, message: str, node: Any, hint: str = "") -> None:
        """A problem after which the rest can still be checked: one mistake must not hide the others.

        jmap.validation.validate drops the schema's errors at the same place, which would only repeat it.
        """
        self.problems.append(Diagnostic(code, message, self.span(node), hint))

    def refuse_tag(self, tag: str | None, node: Any) -> str:
        """Report a tag that is not plain YAML; the node is then read as untagged text."""
        self.report("E106", f"YAML tags are not allowed here ({_short_tag(tag)})", node,
                    hint="remove the tag: a journey map is plain YAML")
        return _STR_TAG

    def build(self, node: Any, path: DocPath, depth: int) -> Any:
        self.count(node)
        if depth > MAX_DEPTH:
            raise JmapError([_too_deep(self.span(node).line, self.name)])
        tag = _tag_of(node)
        if tag not in _CORE_TAGS:
            tag = self.refuse_tag(tag, node)
        if path not in self.value_spans:
            self.value_spans[path] = self.span(node)
        if node.id == "mapping":
            return self.build_mapping(node, path, depth)
        if node.id == "sequence":
            return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        return self.build_scalar(node, tag)

    def count(self, node: Any) -> None:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise self.fail(
                "E107",
                f"the document expands to more than {MAX_NODES:,} values (an alias counts each time it is used)",
                node,
                hint="anchors and aliases are fine for reuse, not for multiplying content",
            )

    def build_mapping(self, node: Any, path: DocPath, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        merged: list[Any] = []
        for key_node, value_node in node.value:
            key_tag = _tag_of(key_node)
            if key_tag == _MERGE_TAG:
                merged.extend(self.merge_sources(key_node, value_node, depth + 1))
                continue
            if not isinstance(key_node.value, str) or key_node.id != "scalar":
                self.report("E104", "a key must be plain text", key_node)
                continue
            key = self.build_key(key_node, key_tag)
            if key in result:
                self.duplicate(key_node, value_node, (*path, key), depth + 1)
                continue
            self.key_spans[(*path, key)] = self.span(key_node)
            result[key] = self.build(value_node, (*path, key), depth + 1)
        for source in merged:
            for key_node, value_node in source.value:
                key_tag = _tag_of(key_node)
                if key_tag == _MERGE_TAG:
                    continue  # expanded (and counted) by merge_sources
                if not isinstance(key_node.value, str) or key_node.id != "scalar":
                    self.report("E104", "a key must be plain text", key_node)
                    continue
                key = self.build_key(key_node, key_tag)
                if key not in result:
                    self.key_spans[(*path, key)] = self.span(key_node)
                    result[key] = self.build(value_node, (*path, key), depth + 1)
        return result

    def duplicate(self, key_node: Any, value_node: Any, path: DocPath, depth: int) -> None:
        """Report a key given twice, and go on with the first value, so the rest of the map is checked too.

        The second value is still built (bounded, its tags and numbers checked, its own duplicates
        found), into spans of its own: the first value's places must stay the ones reported.
        """
        first = self.key_spans[path]
        self.report(
            "E105",
            f"the key '{clip(path[-1])}' appears twice in this mapping (first at line {first.line}); "
            "the rest of the file was checked with the first one",
            key_node,
            hint="remove one of them, or merge their content",
        )
        spans = self.value_spans, self.key_spans
        self.value_spans, self.key_spans = {}, {}
        try:
            self.build(value_node, path, depth)
        finally:
            self.value_spans, self.key_spans = spans

    def merge_sources(self, key_node: Any, value_node: Any, depth: int) -> list[Any]:
        """The mappings a merge key (<<) brings in, nested merges included, in precedence order."""
        if depth > MAX_DEPTH:
            raise JmapError([_too_deep(self.span(key_node).line, self.name)])
        sources = value_node.value if value_node.id == "sequence" else [value_node]
        if not all(source.id == "mapping" for source in sources):
            self.report("E104", "a merge key (<<) must refer to a mapping", key_node)
            sources = [source for source in sources if source.id == "mapping"]
        found: list[Any] = []
        for source in sources:
            self.count(source)
            found.append(source)
            for inner_key, inner_value in source.value:
                self.count(inner_key)  # every merged key is visited, even when overridden: bound them all
                if _tag_of(inner_key) == _MERGE_TAG:
                    found.extend(self.merge_sources(inner_key, inner_value, depth + 1))
        return found

    def build_key(self, node: Any, tag: str | None) -> str:
        """A mapping key as text; `tag` is the key node's (read once by the caller)."""
        if tag not in _CORE_TAGS:
            tag = self.refuse_tag(tag, node)
        key = self.build_scalar(node, tag)
        return key if isinstance(key, str) else str(node.value)

    def build_scalar(self, node: Any, tag: str) -> Any:
        """The scalar's value; a number jmap refuses is reported and read as 0 (its own errors dropped)."""
        try:
            return self.read_scalar(node, tag)
        except _BadNumber as error:
            self.report("E111", str(error), node)
            return 0

    def read_scalar(self, node: Any, tag: str) -> Any:
        value: str = node.value
        if node.style == ">":
            # ruamel's round-trip scanner marks line folds in `>` scalars with U+0007 (its own
            # constructor strips them); raw control characters were refused while reading.
            value = value.replace("\a", "")
        kind = tag.rsplit(":", 1)[-1]
        if kind == "int":
            digits = value.lstrip("+-")
            if len(digits) > 18:
                raise _BadNumber(f"the number {clip(value, 24)} has too many digits")
            try:
                return int(value, 0) if digits[:2].lower() in ("0x", "0o") else int(value)
            except ValueError:
                raise _BadNumber(f"{clip(value, 24)} is not a number jmap can read") from None
        if kind == "float":
            if len(value) > 40:
                raise _BadNumber(f"the number {clip(value, 24)} has too many digits")
            try:
                number = float(
                    value.replace("_", "")
                    .replace(".inf", "inf")
                    .replace(".Inf", "inf")
                    .replace(".INF", "inf")
                    .replace(".nan", "nan")
                    .replace(".NaN", "nan")
                    .replace(".NAN", "nan")
                )
            except ValueError:
                raise _BadNumber(f"{clip(value, 24)} is not a number jmap can read") from None
            if not math.isfinite(number):
                raise _BadNumber(f"numbers must be finite, not {clip(value, 24)}")
            return number
        if kind == "bool":
            return value.lower() == "true"
        if kind == "null":
            return None
        bad = _find_forbidden(value)
        if bad:
            self.report(
                "E103",
                f"the text holds an invisible control character (U+{ord(bad.group()):04X})",
                node,
                hint="remove escapes such as \\0 or \\e from the text",
            )
            return re.sub(_FORBIDDEN, "", value)  # the rest of the map is checked with the text without them
        return value  # str, and timestamps kept as written (`date: 2026-10-01`)


def confine(reference: str, base: Path, root: Path) -> Path:
    """Resolve a path written in a map, refusing anything outside the project root.

    Raises ValueError with a message in the user's terms; callers attach the span.
    """
    if "://" in reference or reference.startswith(("file:", "data:", "//")):
        raise ValueError(("E401", "only paths inside the project are allowed, not URLs"))
    candidate = Path(reference)
    if candidate.is_absolute():
        raise ValueError(("E401", "use a path relative to this file, not an absolute path"))
    resolved = (base / candidate).resolve()
    if not resolved.is_relative_to(root):
        folder = display_path(root)
        raise ValueError(
            (
                "E401",
                f"'{clip(reference)}' lies outside the project folder "
                f"({'the current folder' if folder == '.' else folder})",
            )
        )
    if not resolved.exists():
        raise ValueError(("E400", f"'{clip(reference)}' does not exist"))
    if not resolved.is_file():
        raise ValueError(("E402", f"'{clip(reference)}' is not a regular file"))
    return resolved


def _load_includes(doc: Document, max_bytes: int, stack: tuple[Path, ...], budget: list[int], parser: Parser,
                   loaded: set[Path]) -> None:
    """Load and merge the files a document includes, each file of the tree once.

    `loaded` holds every file included so far anywhere in the map's tree: a library that two
    others both include (a diamond) is merged once, through the first, so its ids are not
    duplicates of themselves. The same id in two different files is still reported (E300).
    """
    references = doc.data.get("include")
    if not isinstance(references, list) or not references:
        return
    if len(stack) > MAX_INCLUDE_DEPTH:
        raise JmapError(
            [Diagnostic("E404", f"includes nest deeper than {MAX_INCLUDE_DEPTH} files", doc.span(("include",)))]
        )
    if len(references) > MAX_INCLUDES:  # refused before any is read
        raise JmapError([Diagnostic("E404", f"a map may include at most {MAX_INCLUDES} files",
                                    doc.span(("include", MAX_INCLUDES)))])
    listed: dict[Path, str] = {}
    for index, reference in enumerate(references):
        span = doc.span(("include", index))
        if not isinstance(reference, str) or not reference.lower().endswith((".yaml", ".yml")):
            continue  # the schema reports it; never parse a non-YAML file (.env, keys) as a map
        try:
            target = confine(reference, doc.path.parent, doc.root)
        except ValueError as error:
            code, message = error.args[0]
            raise JmapError([Diagnostic(code, f"cannot include this file: {message}", span)]) from None
        if target in stack:
            raise JmapError(
                [
                    Diagnostic(
                        "E403",
                        f"'{clip(reference)}' includes this file again (a cycle)",
                        span,
                        hint="shared files may include others, but never in a circle",
                    )
                ]
            )
        if target in listed:
            raise JmapError([Diagnostic("E207", f"'{clip(reference)}' is a file this list includes already "
                                        f"('{clip(listed[target])}')", span, hint="include each file once")])
        listed[target] = reference
        if target in loaded:
            continue  # a diamond: this file came in through another include already
        loaded.add(target)
        budget[0] -= 1
        if budget[0] < 0:
            raise JmapError(
                [
                    Diagnostic(
                        "E404",
                        f"a map may include at most {MAX_INCLUDES} files in all",
                        span,
                        hint="include each shared file once, from the map itself",
                    )
                ]
            )
        included = _load(target, doc.root, max_bytes, stack, budget, parser, loaded)
        _merge_included(doc, included)
        doc.includes.append(included)


def _merge_included(doc: Document, included: Document) -> None:
    """Put an included file's personas and research in front of the map's own, spans re-keyed."""
    for section in ("personas", "research"):
        theirs = included.data.get(section)
        if not isinstance(theirs, list) or not theirs:
            continue
        ours = doc.data.get(section)
        if ours is not None and not isinstance(ours, list):
            continue  # the schema reports the map's own mistake
        offset = len(theirs)
        _shift_spans(doc, section, offset)
        for spans_from, spans_to in ((included.value_spans, doc.value_spans), (included.key_spans, doc.key_spans)):
            for path, span in spans_from.items():
                if path[:1] == (section,) and len(path) > 1:
                    spans_to[path] = span
        doc.data[section] = [*theirs, *(ours or [])]


def _shift_spans(doc: Document, section: str, offset: int) -> None:
    for spans in (doc.value_spans, doc.key_spans):
        moved: dict[DocPath, Span] = {}
        for path in [p for p in spans if len(p) > 1 and p[0] == section and isinstance(p[1], int)]:
            index = path[1]
            assert isinstance(index, int)
            moved[(section, index + offset, *path[2:])] = spans.pop(path)
        spans.update(moved)
