"""A small, fast composer for the plain block YAML that journey maps are written in.

`compose(text)` returns the same node tree as ruamel's libyaml-backed composer
(`YAML(typ="safe", pure=False)`, version 1.2) would for the same text: the same kinds,
resolved tags, values, scalar styles and start lines and columns. It reads only a
subset of YAML and raises `Unsupported` for anything else (anchors, aliases, tags,
explicit keys, directives, tabs, unusual indentation...): the caller then composes
the text with ruamel, so declining is always safe, while agreeing wrongly never is.
Importing ruamel costs about 15 ms; this module imports only `re` (and functools, which re imports).

What it reads: comments; block mappings and sequences (compact `- key: value` items,
sequences indented or not under their key); plain scalars, also over several lines;
single- and double-quoted scalars with their escapes, also over several lines; literal
and folded block scalars with chomping and indentation indicators; flow sequences and
mappings, also over several lines, whose plain scalars hold no ':'; empty values.
Each rule below follows libyaml's scanner (scanner.c), which ruamel.yaml.clib wraps;
tests/test_miniyaml.py checks the trees against ruamel's, node by node.

Nodes are plain classes with `__slots__` (cheap to create); `start_mark` is the node
itself, which has the `line` and `column` (0-based) a libyaml mark has.
"""

from __future__ import annotations

import re
from functools import cache
from typing import ClassVar

STR = "tag:yaml.org,2002:str"
INT = "tag:yaml.org,2002:int"
NULL = "tag:yaml.org,2002:null"
SEQ = "tag:yaml.org,2002:seq"
MAP = "tag:yaml.org,2002:map"

#: Nesting deeper than this is left to ruamel (and the builder's depth limit).
MAX_NESTING = 64
#: libyaml refuses an implicit key whose ':' is more than 1024 characters after its start (in flow
#: collections too); stay well below that.
_MAX_KEY = 512


class Unsupported(Exception):
    """The text uses YAML outside this composer's subset: compose it with ruamel instead."""


class ScalarNode:
    """A scalar: its resolved tag, its value as text and its style ('' for plain, like ruamel)."""

    __slots__ = ("tag", "value", "style", "line", "column")
    id: ClassVar[str] = "scalar"

    def __init__(self, tag: str, value: str, style: str, line: int, column: int) -> None:
        self.tag = tag
        self.value = value
        self.style = style
        self.line = line
        self.column = column

    @property
    def start_mark(self) -> ScalarNode:
        return self


class SequenceNode:
    """A sequence: a list of nodes."""

    __slots__ = ("value", "flow_style", "line", "column")
    id: ClassVar[str] = "sequence"
    tag: ClassVar[str] = SEQ

    def __init__(self, value: list[Node], flow_style: bool, line: int, column: int) -> None:
        self.value = value
        self.flow_style = flow_style
        self.line = line
        self.column = column

    @property
    def start_mark(self) -> SequenceNode:
        return self


class MappingNode:
    """A mapping: its (key, value) pairs in order, duplicates kept (the builder reports them)."""

    __slots__ = ("value", "flow_style", "line", "column")
    id: ClassVar[str] = "mapping"
    tag: ClassVar[str] = MAP

    def __init__(self, value: list[tuple[Node, Node]], flow_style: bool, line: int, column: int) -> None:
        self.value = value
        self.flow_style = flow_style
        self.line = line
        self.column = column

    @property
    def start_mark(self) -> MappingNode:
        return self


Node = ScalarNode | SequenceNode | MappingNode

# The implicit resolvers of ruamel.yaml.resolver for YAML 1.2, copied verbatim (tag, pattern,
# first characters), in the order ruamel tries them.
# fmt: off
_IMPLICIT = [
    ('tag:yaml.org,2002:bool',
        '''^(?:true|True|TRUE|false|False|FALSE)$''',
        list('tTfF')),
    ('tag:yaml.org,2002:float',
        '''^(?:
         [-+]?(?:[0-9][0-9_]*)\\.[0-9_]*(?:[eE][-+]?[0-9]+)?
        |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
        |[-+]?\\.[0-9_]+(?:[eE][-+][0-9]+)?
        |[-+]?\\.(?:inf|Inf|INF)
        |\\.(?:nan|NaN|NAN))$''',
        list('-+0123456789.')),
    ('tag:yaml.org,2002:int',
        '''^(?:[-+]?0b[0-1_]+
        |[-+]?0o?[0-7_]+
        |[-+]?[0-9_]+
        |[-+]?0x[0-9a-fA-F_]+)$''',
        list('-+0123456789')),
    ('tag:yaml.org,2002:merge',
        '^(?:<<)$',
        ['<']),
    ('tag:yaml.org,2002:null',
        '''^(?: ~
        |null|Null|NULL
        | )$''',
        ['~', 'n', 'N', '']),
    ('tag:yaml.org,2002:timestamp',
        '''^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]
        |[0-9][0-9][0-9][0-9] -[0-9][0-9]? -[0-9][0-9]?
        (?:[Tt]|[ \\t]+)[0-9][0-9]?
        :[0-9][0-9] :[0-9][0-9] (?:\\.[0-9]*)?
        (?:[ \\t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$''',
        list('0123456789')),
    ('tag:yaml.org,2002:value',
        '^(?:=)$',
        ['=']),
    ('tag:yaml.org,2002:yaml',
        '^(?:!|&|\\*)$',
        list('!&*')),
]
# fmt: on
#: First character -> the (tag, pattern) pairs ruamel tries for a scalar starting with it.
_RESOLVERS: dict[str, list[tuple[str, str]]] = {}
for _tag, _pattern, _first in _IMPLICIT:
    for _char in _first:
        _RESOLVERS.setdefault(_char, []).append((_tag, _pattern))


def resolve(value: str) -> str:
    """The tag ruamel's YAML 1.2 resolver gives a plain scalar.

    Only the patterns for its first character are tried (none: a str), each compiled on
    first use: all eight cost ~1 ms, and a map needs a few. A whole number such as an
    emotion score ("2", "-1") is an int without a pattern: no bool starts with a digit
    or sign, and a float needs a '.' or an exponent.
    """
    digits = value[1:] if value[:1] in ("-", "+") else value
    if digits.isdigit() and digits.isascii():
        return INT
    for tag, pattern in _RESOLVERS.get(value[:1], ()):
        if _compiled(pattern).match(value):
            return tag
    return STR


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.X)


#: Characters libyaml refuses or reads differently (controls, tabs, NEL, BOM, the Unicode line
#: and paragraph separators, which it counts as line breaks), and a lone carriage return.
#: Compiled only for texts that are not all printable (the surrogate range makes it slow to compile).
_UNUSUAL_CHAR = "[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]"
_DOCUMENT_MARKER = re.compile(r"^(?:%|---|\.\.\.)", re.MULTILINE)
#: Where a plain scalar on a block line stops: a comment, or a ':' that makes it a key.
_PLAIN_STOP = re.compile(r" #|: |:$")
#: Where a plain scalar in a flow collection stops; libyaml 0.1.7 (inside ruamel.yaml.clib) stops at
#: '?' too. We leave any ':' and '?' in them to ruamel.
_FLOW_PLAIN_STOP = re.compile(r"[,?\[\]{}:]| #")
#: What may follow a node on its line: spaces, then perhaps a comment.
_LINE_REST = re.compile(r"(?: +#.*| *)")
#: A key's ":" (after the key and perhaps spaces), followed by a space or the end of the line.
_KEY_COLON = re.compile(r" *:(?= |$)")
_SINGLE = re.compile(r"(?:[^']|'')*")
_DOUBLE = re.compile(r'(?:[^"\\]|\\.)*')
#: Patterns that few texts need are compiled on first use (re caches them): compiling costs ~0.1 ms each.
_ESCAPE = r"\\(?:x([0-9A-Fa-f]{2})|u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))"
_SIMPLE_ESCAPES = {
    "0": "\0", "a": "\a", "b": "\b", "t": "\t", "n": "\n", "v": "\v", "f": "\f", "r": "\r", "e": "\x1b",
    " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85", "_": "\xa0", "L": "\u2028", "P": "\u2029",
}  # fmt: skip
_BLOCK_HEADER = r"([|>])(?:([-+])([1-9])?|([1-9])([-+])?)?(?: +#.*| *)"
#: Characters that cannot start a plain scalar here (or that we leave to ruamel).
_NOT_PLAIN_START = frozenset("-?:,[]{}#&*!|>'\"%@`")
#: After '-', characters that make it a plain scalar such as -1 or -0.5 (others: ruamel).
_AFTER_DASH = frozenset("0123456789.abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


def compose(text: str) -> MappingNode | SequenceNode:
    """The node tree of a document whose root is a block mapping or sequence; raise Unsupported otherwise."""
    if "\r" in text:
        text = text.replace("\r\n", "\n")  # libyaml reads \r\n as one line break, as we do then
    if not text.replace("\n", "").isprintable() and re.search(_UNUSUAL_CHAR, text):
        raise Unsupported  # (isprintable is False for each of them, and for a few more, such as U+00A0)
    if _DOCUMENT_MARKER.search(text):
        raise Unsupported
    return _Composer(text).document()


def _decode(segment: str) -> str:
    """A double-quoted segment with its escapes replaced, as libyaml does."""
    if "\\" not in segment:
        return segment
    return re.sub(_ESCAPE, _escape, segment)


def _escape(match: re.Match[str]) -> str:
    simple = match.group(4)
    if simple is not None:
        if simple not in _SIMPLE_ESCAPES:
            raise Unsupported
        return _SIMPLE_ESCAPES[simple]
    code = int(match.group(1) or match.group(2) or match.group(3), 16)
    if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
        raise Unsupported  # libyaml refuses these
    return chr(code)


def _segment(line: str, position: int, quote: str) -> tuple[str, int]:
    """The raw text of a quoted scalar from position to its closing quote, or to the end of the line
    (before a final '\\' that escapes the line break), and where it stops."""
    match = (_SINGLE if quote == "'" else _DOUBLE).match(line, position)
    assert match is not None  # both patterns match the empty string
    return match.group(), match.end()


def _unquote(segment: str, quote: str) -> str:
    return segment.replace("''", "'") if quote == "'" else _decode(segment)


def _quoted_on_line(line: str, column: int) -> tuple[str, int] | None:
    """A quoted scalar closed on its own line: its value and the column after the closing quote."""
    quote = line[column]
    segment, end = _segment(line, column + 1, quote)
    if end == len(line) or line[end] != quote:
        return None
    return _unquote(segment, quote), end + 1


def _plain_start(line: str, column: int) -> bool:
    """Whether a plain scalar we read may start here."""
    char = line[column]
    if char not in _NOT_PLAIN_START:
        return True
    return char == "-" and column + 1 < len(line) and line[column + 1] in _AFTER_DASH


class _Composer:
    """Reads the lines of one document; positions are (line index, column)."""

    def __init__(self, text: str) -> None:
        self.lines = lines = text.split("\n")
        self.count = len(lines)
        #: Index of the last line, which has no line break after it.
        self.last = len(lines) - 1
        #: Indentation of each line with content, -1 for blank and comment lines.
        self.indents: list[int] = []
        indents = self.indents
        for line in lines:
            content = line.lstrip(" ")
            indents.append(len(line) - len(content) if content and content[0] != "#" else -1)

    def next_content(self, index: int) -> int:
        """The first line with content from index on (or the line count)."""
        indents = self.indents
        count = self.count
        while index < count and indents[index] < 0:
            index += 1
        return index

    def document(self) -> MappingNode | SequenceNode:
        index = self.next_content(0)
        if index == self.count:
            raise Unsupported
        column = self.indents[index]
        line = self.lines[index]
        node: MappingNode | SequenceNode
        if line.startswith("-", column) and (column + 1 == len(line) or line[column + 1] == " "):
            node, index = self.sequence(index, column, 0)
        else:
            key = self.key_at(index, column)
            if key is None:
                raise Unsupported  # a scalar or flow collection at the root: not a map
            node, index = self.mapping(index, column, key, 0)
        if self.next_content(index) != self.count:
            raise Unsupported
        return node

    def block_node(self, index: int, column: int, parent: int, depth: int) -> tuple[Node, int]:
        """The node starting at (index, column) in block context; also returns the next line index.

        `parent` is the column of the innermost block collection around it (libyaml's indent).
        """
        if depth > MAX_NESTING:
            raise Unsupported
        line = self.lines[index]
        if line[column] == "-" and (column + 1 == len(line) or line[column + 1] == " "):
            return self.sequence(index, column, depth)
        key = self.key_at(index, column)
        if key is not None:
            return self.mapping(index, column, key, depth)
        return self.inline_node(index, column, parent, depth)

    def sequence(self, index: int, column: int, depth: int) -> tuple[SequenceNode, int]:
        """A block sequence whose first '-' is at (index, column)."""
        items: list[Node] = []
        node = SequenceNode(items, False, index, column)
        lines, indents = self.lines, self.indents
        while True:
            line = lines[index]
            start = column + 1
            while start < len(line) and line[start] == " ":
                start += 1
            if start == len(line) or line[start] == "#":
                item, index = self.value_below(index, column + 1, column, depth, False)
            else:
                item, index = self.block_node(index, start, column, depth + 1)
            items.append(item)
            following = self.next_content(index)
            if following == self.count or indents[following] < column:
                return node, following
            if indents[following] > column:
                raise Unsupported
            line = lines[following]
            if not (line.startswith("-", column) and (column + 1 == len(line) or line[column + 1] == " ")):
                return node, following  # the next key of a mapping this sequence is the value of
            index = following

    def mapping(self, index: int, column: int, key: tuple[ScalarNode, int], depth: int) -> tuple[MappingNode, int]:
        """A block mapping whose first key (already read) starts at (index, column)."""
        pairs: list[tuple[Node, Node]] = []
        node = MappingNode(pairs, False, index, column)
        lines, indents = self.lines, self.indents
        while True:
            key_node, after = key
            line = lines[index]
            start = after
            while start < len(line) and line[start] == " ":
                start += 1
            if start == len(line) or line[start] == "#":
                value, index = self.value_below(index, after, column, depth, True)
            else:
                value, index = self.inline_node(index, start, column, depth + 1)
            pairs.append((key_node, value))
            following = self.next_content(index)
            if following == self.count or indents[following] < column:
                return node, following
            if indents[following] > column:
                raise Unsupported
            found = self.key_at(following, column)
            if found is None:
                raise Unsupported
            key = found
            index = following

    def value_below(self, index: int, empty_column: int, column: int, depth: int, dash_here: bool) -> tuple[Node, int]:
        """The node on the lines after a bare '-' or 'key:'; empty (null) if there is none.

        Deeper lines hold it; for a mapping value (`dash_here`), also a sequence at the key's column.
        libyaml puts an empty value right after its indicator.
        """
        following = self.next_content(index + 1)
        if following < self.count:
            indent = self.indents[following]
            line = self.lines[following]
            if indent > column or (
                dash_here
                and indent == column
                and line[column] == "-"
                and (column + 1 == len(line) or line[column + 1] == " ")
            ):
                return self.block_node(following, indent, column, depth + 1)
        return ScalarNode(NULL, "", "", index, empty_column), index + 1

    def key_at(self, index: int, column: int) -> tuple[ScalarNode, int] | None:
        """The key starting at (index, column) and the column after its ':', or None if no key starts there."""
        line = self.lines[index]
        char = line[column]
        if char == '"' or char == "'":
            found = _quoted_on_line(line, column)
            if found is None:
                return None
            value, end = found
            colon = _KEY_COLON.match(line, end)
            if colon is None:
                return None
            if colon.end() - column > _MAX_KEY:
                raise Unsupported
            return ScalarNode(STR, value, char, index, column), colon.end()
        if not _plain_start(line, column):
            return None
        stop = _PLAIN_STOP.search(line, column)
        if stop is None or stop.group() == " #":
            return None
        if stop.start() - column > _MAX_KEY:
            raise Unsupported
        text = line[column : stop.start()].rstrip(" ")
        return ScalarNode(resolve(text), text, "", index, column), stop.start() + 1

    def inline_node(self, index: int, column: int, parent: int, depth: int) -> tuple[Node, int]:
        """A scalar or flow collection starting at (index, column) in block context; returns the next line."""
        line = self.lines[index]
        char = line[column]
        node: Node
        if char == '"' or char == "'":
            node, index, end = self.quoted(index, column, parent)
        elif char == "[" or char == "{":
            node, index, end = self.flow(index, column, parent, depth)
        elif char == "|" or char == ">":
            return self.block_scalar(index, column, parent)
        elif _plain_start(line, column):
            return self.plain(index, column, parent)
        else:
            raise Unsupported
        if not _LINE_REST.fullmatch(self.lines[index], end):
            raise Unsupported
        return node, index + 1

    def plain(self, index: int, column: int, parent: int) -> tuple[ScalarNode, int]:
        """A plain scalar in block context, with the lines that continue it (folded)."""
        lines = self.lines
        line = lines[index]
        stop = _PLAIN_STOP.search(line, column)
        if stop is not None:
            if stop.group() != " #":
                raise Unsupported  # ': ' in a value: libyaml refuses it
            text = line[column : stop.start()].rstrip(" ")
            return ScalarNode(resolve(text), text, "", index, column), index + 1
        parts = [line[column:].rstrip(" ")]
        start = index
        following = index + 1
        breaks = 0
        while following < self.count:
            line = lines[following]
            content = line.lstrip(" ")
            if not content:
                breaks += 1
                following += 1
                continue
            indent = len(line) - len(content)
            if indent <= parent or content[0] == "#":
                break
            stop = _PLAIN_STOP.search(line, indent)
            if stop is not None and stop.group() != " #":
                raise Unsupported
            parts.append(" " if not breaks else "\n" * breaks)
            parts.append((line[indent : stop.start()] if stop else line[indent:]).rstrip(" "))
            breaks = 0
            following += 1
            index = following - 1
            if stop is not None:
                break
        text = "".join(parts)
        return ScalarNode(resolve(text), text, "", start, column), index + 1

    def quoted(self, index: int, column: int, parent: int) -> tuple[ScalarNode, int, int]:
        """A single- or double-quoted scalar, folded over its lines; returns it and where it ends."""
        lines = self.lines
        line = lines[index]
        quote = line[column]
        start = index
        parts: list[str] = []
        position = column + 1
        while True:
            segment, end = _segment(line, position, quote)
            if end < len(line) and line[end] == quote:
                parts.append(_unquote(segment, quote))
                return ScalarNode(STR, "".join(parts), quote, start, column), index, end + 1
            escaped_break = end < len(line)  # a '\' ends the line: the break is escaped
            if not escaped_break:
                trimmed = segment.rstrip(" ")
                if quote == '"' and trimmed.endswith("\\") and (len(trimmed) - len(trimmed.rstrip("\\"))) % 2:
                    raise Unsupported  # an escaped space before the break
                segment = trimmed
            parts.append(_unquote(segment, quote))
            breaks = 0
            while True:
                index += 1
                if index >= self.count:
                    raise Unsupported  # never closed
                line = lines[index]
                content = line.lstrip(" ")
                if content:
                    break
                breaks += 1
            position = len(line) - len(content)
            if position <= parent:
                raise Unsupported
            parts.append("\n" * breaks if escaped_break or breaks else " ")

    def block_scalar(self, index: int, column: int, parent: int) -> tuple[ScalarNode, int]:
        """A literal (|) or folded (>) block scalar, read as libyaml's scan_block_scalar does."""
        lines = self.lines
        header = re.compile(_BLOCK_HEADER).fullmatch(lines[index], column)
        if header is None:
            raise Unsupported
        literal = header.group(1) == "|"
        chomping = header.group(2) or header.group(5)
        increment = header.group(3) or header.group(4)
        indent = parent + int(increment) if increment else 0
        count, last = self.count, self.last
        following = index + 1
        breaks = 0
        if not indent:  # detect it: the deepest of the leading empty lines and the first content line
            deepest = 0
            while following < count:
                line = lines[following]
                spaces = len(line) - len(line.lstrip(" "))
                deepest = max(deepest, spaces)
                if spaces < len(line) or following == last:
                    break
                breaks += 1
                following += 1
            indent = max(deepest, parent + 1, 1)
        else:
            following, breaks = self.block_breaks(following, indent, breaks)
        parts: list[str] = []
        leading_break = ""
        leading_blank = False
        while following < count:
            line = lines[following]
            if len(line) <= indent or not line.startswith(" " * indent):
                break
            content = line[indent:]
            blank = content[0] == " "
            if not literal and leading_break and not leading_blank and not blank:
                if not breaks:
                    parts.append(" ")
            else:
                parts.append(leading_break)
            parts.append("\n" * breaks)
            leading_blank = blank
            parts.append(content)
            leading_break = "\n" if following != last else ""
            following, breaks = self.block_breaks(following + 1, indent, 0)
        if chomping != "-":
            parts.append(leading_break)
        if chomping == "+":
            parts.append("\n" * breaks)
        style = "|" if literal else ">"
        return ScalarNode(STR, "".join(parts), style, index, column), following

    def block_breaks(self, index: int, indent: int, breaks: int) -> tuple[int, int]:
        """Skip the empty lines (at most `indent` spaces) of a block scalar; count their breaks."""
        lines, last = self.lines, self.last
        while index < self.count:
            line = lines[index]
            if len(line) > indent or line.strip(" "):
                break
            if index == last:
                break  # the end of the text: no line break
            breaks += 1
            index += 1
        return index, breaks

    def flow(self, index: int, column: int, parent: int, depth: int) -> tuple[Node, int, int]:
        """A flow sequence or mapping opening at (index, column); returns it and where it ends."""
        if depth > MAX_NESTING:
            raise Unsupported
        is_sequence = self.lines[index][column] == "["
        closing = "]" if is_sequence else "}"
        items: list[Node] = []
        pairs: list[tuple[Node, Node]] = []
        node: Node = (
            SequenceNode(items, True, index, column) if is_sequence else MappingNode(pairs, True, index, column)
        )
        line_index, position = self.flow_skip(index, column + 1, parent)
        if self.lines[line_index][position] == closing:
            return node, line_index, position + 1
        while True:
            if is_sequence:
                item, line_index, position = self.flow_node(line_index, position, parent, depth)
                items.append(item)
            else:
                key, line_index, position = self.flow_key(line_index, position)
                value, line_index, position = self.flow_node(line_index, position, parent, depth)
                pairs.append((key, value))
            line_index, position = self.flow_skip(line_index, position, parent)
            char = self.lines[line_index][position]
            if char == closing:
                return node, line_index, position + 1
            if char != ",":
                raise Unsupported
            line_index, position = self.flow_skip(line_index, position + 1, parent)
            if self.lines[line_index][position] in ",]}":
                raise Unsupported  # a trailing or doubled comma

    def flow_skip(self, index: int, position: int, parent: int) -> tuple[int, int]:
        """The next token inside a flow collection, past spaces, comments and line breaks."""
        lines = self.lines
        line = lines[index]
        while True:
            while position < len(line) and line[position] == " ":
                position += 1
            if position < len(line):
                if line[position] != "#":
                    return index, position
                if position and line[position - 1] != " ":
                    raise Unsupported  # a '#' glued to a token
            index += 1
            if index >= self.count:
                raise Unsupported  # never closed
            line = lines[index]
            position = 0
            indent = self.indents[index]
            if 0 <= indent <= parent:
                raise Unsupported  # a line inside a flow collection, not deeper than the block around it

    def flow_key(self, index: int, position: int) -> tuple[ScalarNode, int, int]:
        """A key in a flow mapping, and where its value starts (after ': ' on the same line)."""
        line = self.lines[index]
        char = line[position]
        if char == '"' or char == "'":
            found = _quoted_on_line(line, position)
            if found is None:
                raise Unsupported
            value, end = found
            key = ScalarNode(STR, value, char, index, position)
        else:
            if not _plain_start(line, position):
                raise Unsupported
            stop = _FLOW_PLAIN_STOP.search(line, position)
            if stop is None or stop.group() != ":":
                raise Unsupported
            end = stop.start()
            text = line[position:end].rstrip(" ")
            key = ScalarNode(resolve(text), text, "", index, position)
        colon = _KEY_COLON.match(line, end)
        if colon is None or colon.end() == len(line) or colon.end() - position > _MAX_KEY:
            raise Unsupported  # no ': ', the value on another line, or a key too long for libyaml
        start = colon.end()
        while start < len(line) and line[start] == " ":
            start += 1
        if start == len(line) or line[start] in "#,}":
            raise Unsupported  # an empty value
        return key, index, start

    def flow_node(self, index: int, position: int, parent: int, depth: int) -> tuple[Node, int, int]:
        """A node inside a flow collection: a nested collection, a quoted or a plain scalar."""
        line = self.lines[index]
        char = line[position]
        if char == "[" or char == "{":
            return self.flow(index, position, parent, depth + 1)
        if char == '"' or char == "'":
            return self.quoted(index, position, parent)
        if not _plain_start(line, position):
            raise Unsupported
        stop = _FLOW_PLAIN_STOP.search(line, position)
        if stop is not None and stop.group() == ":":
            raise Unsupported
        end = stop.start() if stop is not None else len(line)
        text = line[position:end].rstrip(" ")
        return ScalarNode(resolve(text), text, "", index, position), index, end
