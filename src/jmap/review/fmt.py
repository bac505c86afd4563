"""`jmap fmt`: rewrite maps in one canonical layout, so journey diffs stay small.

The canonical layout (docs/review.md explains it to users):

- keys in the order of the schema's `properties` (unknown keys after, in their order);
  `emotion` scores in persona order, `custom` lanes in the order of `lanes`;
- two spaces per level, sequences indented under their key (`- ` at +2, content at +4);
- block style for records (the map, personas, research, stages, steps) and for every
  list of text (one item per line); lists of ids (`evidence`, `tags`, `include`, a
  chapter's `stages`) in flow style when they fit on a line; small mappings
  (touchpoints, KPIs, chapters, full-form items, emotion, theme) stay flow or block as
  written, and become block when their line would pass 120 characters;
- short forms where they suffice: `{text: X}` becomes `X`, as do a pain point of
  `severity: medium`, an opportunity of `priority: medium`, a touchpoint on channel
  `other`, and `theme: {name: X}`;
- plain scalars where YAML (1.1 and 1.2) reads them back as the same text, double quotes
  otherwise; block scalars (`|`, `>`) are kept and re-indented; booleans lower-case,
  numbers as written;
- comments kept: a comment on its own line stays above the element that follows it, an
  end-of-line comment stays on its element's line (two spaces before `#`); blank lines
  are kept (at most one in a row, none at the start of a list or mapping);
- LF line ends, no trailing spaces, one final newline, no `---` or `%YAML` lines.

We compose the YAML with ruamel (its nodes carry positions), attach the comments
found in the source lines to elements ourselves, and write the text with a small
emitter of our own: ruamel's round-trip dumper keeps a comment attached to the key
before it, so reordering keys would move comments to the wrong place.
`format_file` only formats a map that loads without errors, and refuses to write
unless the formatted text gives the same journey model (spans aside).
"""

from __future__ import annotations

import difflib
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from jmap.diagnostics import Diagnostic, JmapError, Severity, Span, printable
from jmap.loading.load import DEFAULT_MAX_BYTES, Document, display_path
from jmap.model.lanes import LANES

__all__ = ["WIDTH", "FormatResult", "format_file", "format_text", "same_meaning", "without_spans"]

#: Lines longer than this turn a flow mapping or list into block style.
WIDTH = 120

_T = "tag:yaml.org,2002:"
_STR, _TIMESTAMP, _BOOL, _NULL, _MERGE = (_T + k for k in ("str", "timestamp", "bool", "null", "merge"))
_BLOCK_HEADER = re.compile(r"[|>][0-9+-]*")
_FULL = 1 << 30  # "the whole line" in the occupancy table


# --- what each mapping and list is ------------------------------------------------------

#: A lane's list is named after its item type (`text_items`, `pain_points`; jmap.model.lanes says which).
_LANE_KINDS = {
    **{lane.id: lane.item + "s" for lane in LANES if lane.item}, "emotion": "emotion", "custom": "custom",
    "evidence": "ids",
}
_LANE_ITEMS = tuple(dict.fromkeys(lane.item for lane in LANES if lane.item))
_CHILD_KINDS: dict[str, dict[str, str]] = {
    "root": {"personas": "personas", "research": "researches", "lanes": "lanes", "chapters": "chapters",
             "stages": "stages", "tags": "ids", "include": "ids", "theme": "theme"},
    "library": {"personas": "personas", "research": "researches"},
    "theme": {"colors": "colors"},
    "chapter": {"stages": "ids"},
    "persona": {k: "texts" for k in ("goals", "needs", "expectations", "frustrations")},
    "stage": {**_LANE_KINDS, "steps": "steps"},
    "step": dict(_LANE_KINDS),
    **{kind: {"evidence": "ids"} for kind in _LANE_ITEMS},
}
#: The kind of the items of each kind of list.
_ITEM_KINDS = {
    "personas": "persona", "researches": "research", "lanes": "lane", "chapters": "chapter", "stages": "stage",
    "steps": "step", "texts": "text", **{kind + "s": kind for kind in _LANE_ITEMS}, "ids": "id",
}
#: Mappings always written in block style.
_BLOCK_MAPS = {"root", "library", "persona", "research", "stage", "step", "custom"}
#: Lists always written in block style, one item per line.
_BLOCK_SEQS = set(_ITEM_KINDS) - {"ids"}


@cache
def _key_orders() -> dict[str, tuple[str, ...]]:
    """Key order of each kind of mapping, read from the schema's `properties`."""
    from jmap.resources import schema

    full = schema()
    defs = full["$defs"]

    def props(definition: dict[str, Any]) -> dict[str, Any]:
        if "oneOf" in definition:
            definition = next(v for v in definition["oneOf"] if v.get("type") == "object")
        return definition.get("properties", {})  # type: ignore[no-any-return]

    theme = props(defs["theme"])
    orders = {name: tuple(props(defs[name])) for name in (
        "persona", "research", "chapter", "lane", "stage", "step", *_LANE_ITEMS)}
    orders.update(root=tuple(full["properties"]), library=tuple(props(defs["library"])), theme=tuple(theme),
                  colors=tuple(props(theme["colors"])))
    return orders


# --- the tree: composed nodes plus the comments around them --------------------------------


@dataclass(eq=False)
class _Val:
    """A value: a ruamel node, its children as elements, and how it was written."""

    node: Any
    kind: str  # "map", "seq" or "scalar"
    flow: bool = False
    elems: list[_Elem] = field(default_factory=list)
    #: For block scalars that can be re-indented: the header (`|-`) and the content lines.
    block: tuple[str, list[str]] | None = None
    done: bool = False  # canonicalised already (aliased values are visited more than once)

    @property
    def anchor(self) -> str | None:
        anchor = getattr(self.node, "anchor", None)
        return str(anchor) if anchor else None


@dataclass(eq=False)
class _Elem:
    """A mapping entry (with a key) or a list item (without), with its comments."""

    key: Any  # the key's ruamel node; None for a list item
    value: _Val
    leading: list[str] = field(default_factory=list)  # "" for a blank line, else "# comment"
    eol: str = ""
    start: int | None = None
    header: tuple[int, int] | None = None

    @property
    def name(self) -> str:
        return str(self.key.value) if self.key is not None else ""


class _Builder:
    """Composed nodes -> _Val tree, and the source's comments attached to elements."""

    def __init__(self, text: str) -> None:
        self.lines = text.split("\n")
        self.occupied: dict[int, int] = {}
        self.order: list[_Elem] = []
        self.vals: dict[int, _Val] = {}

    def occupy(self, line: int, until: int) -> None:
        self.occupied[line] = max(self.occupied.get(line, 0), until)

    def build(self, node: Any) -> _Val:
        from ruamel.yaml.nodes import MappingNode, ScalarNode

        known = self.vals.get(id(node))
        if known is not None:
            return known
        if isinstance(node, ScalarNode):
            val = _Val(node, "scalar")
            self.vals[id(node)] = val
            self.scalar(val)
            return val
        val = _Val(node, "map" if isinstance(node, MappingNode) else "seq", flow=bool(node.flow_style))
        self.vals[id(node)] = val
        if val.flow:
            self.occupy(node.end_mark.line, node.end_mark.column)
        if val.kind == "map":
            for key_node, value_node in node.value:
                elem = _Elem(key_node, _Val(None, "scalar"), start=key_node.start_mark.line)
                self.order.append(elem)
                val.elems.append(elem)
                self.scalar(_Val(key_node, "scalar"))
                alias = id(value_node) in self.vals
                elem.value = self.build(value_node)
                elem.header = self.header(elem.value, alias, key_node)
        else:
            for item in node.value:
                elem = _Elem(None, _Val(None, "scalar"))
                alias = id(item) in self.vals
                if not alias:
                    elem.start = item.start_mark.line
                self.order.append(elem)
                val.elems.append(elem)
                elem.value = self.build(item)
                elem.header = None if alias else self.header(elem.value, alias, None)
        return val

    def header(self, val: _Val, alias: bool, key: Any | None) -> tuple[int, int] | None:
        """Where the element's first line ends in the source: its end-of-line comment follows."""
        node = val.node
        if alias or (val.kind != "scalar" and not val.flow):
            return (key.end_mark.line, key.end_mark.column) if key is not None else None
        if val.kind == "scalar" and node.style in ("|", ">"):
            line = node.start_mark.line
            return line, self.occupied.get(line, node.start_mark.column)
        return node.end_mark.line, node.end_mark.column

    def scalar(self, val: _Val) -> None:
        node = val.node
        start, end = node.start_mark, node.end_mark
        if node.style in ("|", ">"):
            self.block_scalar(val)
        elif start.line == end.line:
            self.occupy(start.line, end.column)
        else:
            for line in range(start.line, end.line):
                self.occupy(line, _FULL)
            self.occupy(end.line, end.column)

    def block_scalar(self, val: _Val) -> None:
        node = val.node
        first = node.start_mark.line
        source = self.lines[first]
        match = _BLOCK_HEADER.match(source, node.start_mark.column)
        header = match.group(0) if match else node.style
        self.occupy(first, node.start_mark.column + len(header))
        last = node.end_mark.line if node.end_mark.column > 0 else node.end_mark.line - 1
        content = self.lines[first + 1:last + 1]
        if "+" not in header:  # trailing blank lines are not content: leave them to the layout
            while content and not content[-1].strip():
                content.pop()
        for line in range(first + 1, first + 1 + len(content)):
            self.occupy(line, _FULL)
        val.block = _reindentable(header, content)

    def attach(self) -> list[str]:
        """Attach comments and blank lines to elements; returns the comments after the last one."""
        by_header: dict[int, list[tuple[int, int, _Elem]]] = {}
        for rank, elem in enumerate(self.order):
            if elem.header is not None:
                by_header.setdefault(elem.header[0], []).append((elem.header[1], rank, elem))
        starts = [(e.start, e) for e in self.order if e.start is not None]
        pending: list[str] = []
        cursor = 0
        for number, line in enumerate(self.lines):
            while cursor < len(starts) and starts[cursor][0] <= number:
                starts[cursor][1].leading.extend(pending)
                pending = []
                cursor += 1
            taken = self.occupied.get(number, 0)
            if taken >= _FULL:
                continue
            if not line.strip():
                if number not in self.occupied:
                    pending.append("")
                continue
            comment = _comment_in(line, taken)
            if comment is None:
                continue
            if not line[:comment].strip():
                pending.append(line[comment:].rstrip())
                continue
            owners = by_header.get(number)
            if owners:
                owner = max(owners, key=lambda t: (t[0], t[1]))[2]
                owner.eol = f"{owner.eol} {line[comment:].rstrip()}".strip()
            else:
                pending.append(line[comment:].rstrip())
        while cursor < len(starts):
            starts[cursor][1].leading.extend(pending)
            pending = []
            cursor += 1
        return pending


def _comment_in(line: str, start: int) -> int | None:
    """The column where a comment begins at or after `start`, if any."""
    position = line.find("#", start)
    while position >= 0:
        if position == 0 or line[position - 1] in " \t":
            return position
        position = line.find("#", position + 1)
    return None


def _reindentable(header: str, content: list[str]) -> tuple[str, list[str]] | None:
    """A block scalar's header and dedented lines, or None when re-indenting could change it."""
    if any(ch.isdigit() for ch in header):
        return None
    indent = next((len(line) - len(line.lstrip(" ")) for line in content if line.strip()), None)
    if indent is None:
        return None
    lines = []
    for line in content:
        if not line.strip():
            if len(line) > indent or "\t" in line:
                return None  # whitespace that is content
            lines.append("")
        elif line != line.rstrip() or len(line) - len(line.lstrip(" ")) < indent:
            return None
        else:
            lines.append(line[indent:])
    return header, lines


# --- canonical order and short forms -----------------------------------------------------------


def _canonicalise(val: _Val, kind: str, context: _Context) -> None:
    if val.done or val.kind == "scalar":
        return
    val.done = True
    if val.kind == "map":
        for elem in val.elems:
            _canonicalise(elem.value, _child_kind(kind, elem.name), context)
            _shorten(elem, _child_kind(kind, elem.name))
        val.elems = _ordered(val.elems, kind, context)
    else:
        item_kind = _ITEM_KINDS.get(kind, "?")
        for elem in val.elems:
            _canonicalise(elem.value, item_kind, context)
            inner = elem.value
            if inner.kind != "scalar" and inner.elems and not inner.anchor:
                # The first entry shares the dash's line, so comments above it belong to the item.
                elem.leading.extend(inner.elems[0].leading)
                inner.elems[0].leading = []
            _shorten(elem, item_kind)


def _child_kind(kind: str, key: str) -> str:
    if kind == "custom":
        return "text_items"
    return _CHILD_KINDS.get(kind, {}).get(key, "?")


@dataclass(frozen=True)
class _Context:
    persona_ids: tuple[str, ...]
    lane_ids: tuple[str, ...]


def _ordered(elems: list[_Elem], kind: str, context: _Context) -> list[_Elem]:
    if kind == "emotion":
        order: Sequence[str] = context.persona_ids
    elif kind == "custom":
        order = context.lane_ids
    else:
        order = _key_orders().get(kind, ())
    rank = {key: i for i, key in enumerate(order)}
    merges = [e for e in elems if e.key.tag == _MERGE]
    known = sorted((e for e in elems if e.name in rank and e.key.tag != _MERGE), key=lambda e: rank[e.name])
    rest = [e for e in elems if e.name not in rank and e.key.tag != _MERGE]
    return merges + known + rest


#: Item kind -> (the key holding the text, keys that may be present with their default value).
_SHORT_FORMS: dict[str, tuple[str, dict[str, str]]] = {
    **{lane.item: (lane.short[0], dict(lane.short[1])) for lane in LANES if lane.short},
    "theme": ("name", {}),
}


def _shorten(elem: _Elem, kind: str) -> None:
    """Replace a full-form item by its plain-text short form when that says the same."""
    form = _SHORT_FORMS.get(kind)
    val = elem.value
    if form is None or val.kind != "map" or val.anchor or not val.elems:
        return
    text_key, defaults = form
    if kind == "touchpoint" and "channel" not in {e.name for e in val.elems}:
        return
    text: _Val | None = None
    for entry in val.elems:
        inner = entry.value
        if entry.eol or any(entry.leading) or entry.key.tag not in (_STR,) or inner.kind != "scalar" or inner.anchor:
            return
        if entry.name == text_key and inner.node.tag == _STR:
            text = inner
        elif defaults.get(entry.name) != inner.node.value or inner.node.tag != _STR:
            return
    if text is not None:
        elem.value = text


# --- writing -----------------------------------------------------------------------------------


class _Emitter:
    def __init__(self) -> None:
        self.out: list[str] = []
        self.written: set[int] = set()  # anchored values written once already

    # scalars

    def scalar(self, val: _Val, flow: bool) -> str:
        node = val.node
        tag = node.tag
        if tag in (_STR, _TIMESTAMP):
            value = node.value.replace("\a", "") if node.style == ">" else node.value
            return quote(value, flow)
        if tag == _BOOL:
            return str(node.value).lower()
        if tag == _NULL:
            return "null"
        if _resolve(node.value) != tag or node.style is not None:
            return f"!!{tag.rsplit(':', 1)[-1]} {quote(node.value, flow)}"
        return str(node.value)

    def prefix(self, val: _Val) -> tuple[str, bool]:
        """`&anchor ` before a first appearance, or (`*anchor`, True) for a repeat."""
        if val.anchor is None:
            return "", False
        if id(val) in self.written:
            return f"*{val.anchor}", True
        self.written.add(id(val))
        return f"&{val.anchor} ", False

    def flow(self, val: _Val) -> str:
        mark, repeat = self.prefix(val)
        if repeat:
            return mark
        if val.kind == "scalar":
            return mark + self.scalar(val, flow=True)
        if val.kind == "map":
            parts = [f"{self.key(e)}: {self.flow(e.value)}" for e in val.elems]
            return mark + "{" + ", ".join(parts) + "}"
        return mark + "[" + ", ".join(self.flow(e.value) for e in val.elems) + "]"

    def key(self, elem: _Elem) -> str:
        if elem.key.tag == _MERGE:
            return "<<"
        return self.scalar(_Val(elem.key, "scalar"), flow=True)

    # layout decisions

    def use_flow(self, val: _Val, kind: str, line: str) -> bool:
        if not val.elems:
            return True
        if kind in _BLOCK_MAPS or kind in _BLOCK_SEQS or not _flowable(val):
            return False
        if kind != "ids" and not val.flow:
            return False
        written = set(self.written)
        text = self.flow(val)
        self.written = written
        return len(line) + len(text) <= WIDTH

    # block layout

    def emit(self, line: str, eol: str = "") -> None:
        self.out.append(f"{line}  {eol}" if eol else line)

    def trivia(self, leading: list[str], indent: int, first: bool) -> None:
        previous_blank = first or not self.out or self.out[-1] == ""
        for entry in leading:
            if entry == "":
                if not previous_blank:
                    self.out.append("")
                previous_blank = True
            else:
                self.out.append(" " * indent + entry)
                previous_blank = False

    def mapping(self, val: _Val, kind: str, indent: int, first_line: str | None = None) -> None:
        """A block mapping's entries at `indent`; the first one after `first_line` when given."""
        for index, elem in enumerate(val.elems):
            if index == 0 and first_line is not None:
                line = first_line
            else:
                self.trivia(elem.leading, indent, first=index == 0)
                line = " " * indent
            self.value(f"{line}{self.key(elem)}:", elem, _child_kind(kind, elem.name), indent + 2, indent + 2)

    def sequence(self, val: _Val, kind: str, indent: int, first_line: str | None = None) -> None:
        item_kind = _ITEM_KINDS.get(kind, "?")
        for index, elem in enumerate(val.elems):
            if index == 0 and first_line is not None:
                line = first_line
            else:
                self.trivia(elem.leading, indent, first=index == 0)
                line = " " * indent
            self.value(f"{line}-", elem, item_kind, indent + 2, indent + 2, dash=True)

    def value(self, head: str, elem: _Elem, kind: str, indent: int, seq_indent: int, dash: bool = False) -> None:
        """Write `elem`'s value after `head` (`key:` or `-`); nested lines go at `indent`."""
        val = elem.value
        mark, repeat = self.prefix(val)
        if repeat:
            self.emit(f"{head} {mark}", elem.eol)
            return
        if val.kind == "scalar":
            if val.block is not None and val.node.tag == _STR:
                header, lines = val.block
                self.emit(f"{head} {mark}{header}", elem.eol)
                self.out.extend(" " * indent + line if line else "" for line in lines)
            else:
                self.emit(f"{head} {mark}{self.scalar(val, flow=False)}", elem.eol)
            return
        if mark:
            self.written.discard(id(val))  # decide first, then write the anchor once
        if self.use_flow(val, kind, f"{head} {mark}"):
            self.emit(f"{head} {self.flow(val)}", elem.eol)
            return
        self.prefix(val)
        children = val.elems
        if dash and not mark:
            # The first entry (or nested item) shares the dash's line; its comments go above.
            first = children[0]
            self.trivia(first.leading, len(head) - 1, first=True)
            first_line = f"{head} "
            eol, first.eol = first.eol, f"{elem.eol} {first.eol}".strip()
            if val.kind == "map":
                self.mapping(val, kind, indent, first_line)
            else:
                self.sequence(val, kind, indent, first_line)
            first.eol = eol
            return
        self.emit(f"{head} {mark}".rstrip(), elem.eol)
        if val.kind == "map":
            self.mapping(val, kind, indent)
        else:
            self.sequence(val, kind, seq_indent if not dash else indent)


def _flowable(val: _Val) -> bool:
    """Whether a value can be written in flow style: no comments or block scalars inside."""
    if val.kind == "scalar":
        return not (val.node.style in ("|", ">") and val.node.tag == _STR and "\n" in val.node.value)
    return all(not e.eol and not any(e.leading) and _flowable(e.value) for e in val.elems)


# --- scalars -------------------------------------------------------------------------------------


@cache
def _analyser() -> Any:
    from types import SimpleNamespace

    from ruamel.yaml.emitter import Emitter

    class _Analyser(Emitter):
        serializer = SimpleNamespace(use_version=(1, 1))  # the stricter rules (`?`)

    return _Analyser(io.StringIO(), allow_unicode=True)


@cache
def _resolvers() -> tuple[Any, Any]:
    from ruamel.yaml.resolver import VersionedResolver

    return VersionedResolver(version=(1, 1)), VersionedResolver(version=(1, 2))


def _resolve(text: str, version: int = 1) -> str:
    from ruamel.yaml.nodes import ScalarNode

    return str(_resolvers()[version].resolve(ScalarNode, text, (True, False)))


@cache
def _plain_ok(text: str, flow: bool) -> bool:
    analysis = _analyser().analyze_scalar(text)
    if analysis.multiline or analysis.empty or not (analysis.allow_flow_plain if flow else analysis.allow_block_plain):
        return False
    return _resolve(text, 0) == _STR and _resolve(text, 1) == _STR


_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r", "\0": "\\0",
            "\x85": "\\N", "\u2028": "\\L", "\u2029": "\\P", "\ufeff": "\\ufeff"}


def quote(text: str, flow: bool = False) -> str:
    """A string as jmap writes it: plain where YAML reads it back unchanged, else double-quoted."""
    if _plain_ok(text, flow):
        return text
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif ord(char) < 0x20 or 0x7F <= ord(char) < 0xA0 or 0xD800 <= ord(char) < 0xE000:
            out.append(f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


# --- entry points ------------------------------------------------------------------------------


def format_text(
    text: str,
    *,
    name: str = "<text>",
    persona_ids: Sequence[str] | None = None,
    library: bool | None = None,
    data: dict[str, Any] | None = None,
) -> str:
    """The canonical layout of a map's text (raises JmapError when the YAML is broken).

    `persona_ids` orders emotion scores; by default the personas defined in the text
    (a map that includes a persona library passes the merged list). `library` says the
    text is a shared file of personas and research (default: it has no `stages`).
    `data` is the text as the loader read it, when the caller has it already; without
    it the text goes through the loader first, for its bounds on hostile input.
    """
    from ruamel.yaml import YAML

    from jmap.loading.load import MAX_DEPTH, parse

    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if data is None:
        data, _, _ = parse(text, name)  # the loader's bounds (aliases, depth, tags) come first
    if not isinstance(data, dict):
        raise JmapError([Diagnostic("E110", "the top level of a journey must be a mapping of keys to values",
                                    Span(name, 1, 1))])
    yaml = YAML(typ="rt", pure=True)
    yaml.version = (1, 2)
    yaml.max_depth = MAX_DEPTH + 1
    builder = _Builder(text)
    root = builder.build(yaml.compose(text))
    trailer = builder.attach()
    if persona_ids is None:
        personas = data.get("personas") or []
        persona_ids = [p["id"] for p in personas if isinstance(p, dict) and isinstance(p.get("id"), str)]
    lane_ids = tuple(lane["id"] for lane in data.get("lanes") or [] if isinstance(lane, dict) and "id" in lane)
    if library is None:
        library = "stages" not in data and "title" not in data
    kind = "library" if library else "root"
    # Comments above the first key head the file (a schema line, a licence), whatever key comes first.
    header = root.elems[0].leading if root.elems else []
    if root.elems:
        root.elems[0].leading = []
    _canonicalise(root, kind, _Context(tuple(persona_ids), lane_ids))
    emitter = _Emitter()
    emitter.trivia(header, 0, first=True)
    emitter.mapping(root, kind, 0)
    lines = emitter.out
    comments = [c for c in trailer if c]
    if comments:
        if trailer[0] == "" and lines:
            lines.append("")
        lines.extend(comments)
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(line.rstrip() for line in lines) + "\n"


@dataclass
class FormatResult:
    """What `jmap fmt` learns about one file."""

    path: Path
    #: The file's text as read (None when it could not be read).
    original: str | None = None
    #: The canonical text (None when the map has errors).
    formatted: str | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    #: Set when formatting would have changed the meaning (a bug in jmap fmt); nothing is written.
    internal_error: str = ""

    @property
    def ok(self) -> bool:
        return self.formatted is not None and not self.internal_error

    @property
    def changed(self) -> bool:
        return self.ok and self.formatted != self.original

    def unified_diff(self) -> str:
        if not self.changed:
            return ""
        name = printable(display_path(self.path))  # a newline in a file name must not forge a diff line
        assert self.original is not None and self.formatted is not None
        return "".join(difflib.unified_diff(
            self.original.splitlines(keepends=True), self.formatted.splitlines(keepends=True),
            f"{name} (original)", f"{name} (formatted)"))


def format_file(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> FormatResult:
    """Load, validate and format one map (or persona library); never writes."""
    from jmap.loading.load import load

    result = FormatResult(Path(path))
    try:
        doc = load(result.path, max_bytes=max_bytes)
        with result.path.open("rb") as handle:
            result.original = handle.read().decode("utf-8")
    except JmapError as error:
        result.diagnostics = error.diagnostics
        return result
    library = _is_library(doc)
    result.diagnostics = _diagnostics(doc, library)
    if any(d.severity is Severity.ERROR for d in result.diagnostics):
        return result
    persona_ids = [p["id"] for p in doc.data.get("personas") or []]
    formatted = format_text(result.original, name=display_path(result.path), persona_ids=persona_ids,
                            library=library, data=doc.data)
    result.formatted = formatted
    if formatted != result.original:
        result.internal_error = _meaning_changed(doc, formatted)
    return result


def _is_library(doc: Document) -> bool:
    return "stages" not in doc.data and "title" not in doc.data


def _diagnostics(doc: Document, library: bool) -> list[Diagnostic]:
    if library:
        from jmap.validation.validate import schema_diagnostics, with_reading_problems

        return with_reading_problems(doc, list(schema_diagnostics(doc, "library")))  # a duplicate key too
    from jmap.validation.validate import validate

    return validate(doc)


def _meaning_changed(doc: Document, formatted: str) -> str:
    """Why the formatted text may not mean what the loaded map means ("" when it does).

    fmt may only reorder mapping keys, change quoting and indentation, and write short
    forms; so the formatted text must load to the same data once short forms are written
    the same way. Included files are not touched: their personas and research are put in
    front of the formatted map's own, as the loader does.
    """
    from jmap.loading.load import parse

    try:
        after, _, _ = parse(formatted, display_path(doc.path))
    except JmapError as error:
        return f"the formatted text does not load: {error}"
    if doc.includes and isinstance(after, dict):
        for section in ("personas", "research"):
            merged, own = doc.data.get(section) or [], after.get(section) or []
            if len(merged) > len(own):
                after[section] = [*merged[:len(merged) - len(own)], *own]
    kind = "library" if _is_library(doc) else "root"
    if _short_data(doc.data, kind) != _short_data(after, kind):
        return "the formatted text holds different data"
    return ""


def _short_data(data: Any, kind: str) -> Any:
    """Loaded data with every full-form item that has a short form written short."""
    if isinstance(data, dict):
        out = {}
        for key, value in data.items():
            child = _child_kind(kind, key)
            out[key] = _short_value(_short_data(value, child), child)
        return out
    if isinstance(data, list):
        item_kind = _ITEM_KINDS.get(kind, "?")
        return [_short_value(_short_data(v, item_kind), item_kind) for v in data]
    return data


def _short_value(value: Any, kind: str) -> Any:
    form = _SHORT_FORMS.get(kind)
    if form is None or not isinstance(value, dict) or not isinstance(value.get(form[0]), str):
        return value
    text_key, defaults = form
    if kind == "touchpoint" and "channel" not in value:
        return value
    if all(k == text_key or defaults.get(k) == v for k, v in value.items()):
        return value[text_key]
    return value


def without_spans(value: Any) -> Any:
    """A model object with every span (and the source path) blanked, for comparing meaning."""
    if isinstance(value, tuple) and hasattr(value, "_fields"):  # a model record (a NamedTuple)
        return _record_without_spans(value)
    if isinstance(value, tuple):
        items = tuple(without_spans(v) for v in value)
        return items if any(a is not b for a, b in zip(items, value, strict=True)) else value
    return value


def _record_without_spans(record: Any) -> Any:
    changes = {}
    for name in record._fields:
        current = getattr(record, name)
        if name == "span":
            changes[name] = type(current)("", 0, 0)
        elif name == "source":
            changes[name] = ""
        else:
            stripped = without_spans(current)
            if stripped is not current:
                changes[name] = stripped
    return record._replace(**changes) if changes else record


def same_meaning(a: Any, b: Any) -> bool:
    """Whether two journeys (or any model objects) are equal once spans are ignored."""
    return bool(without_spans(a) == without_spans(b))
