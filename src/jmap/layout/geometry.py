"""The positioned model of a map: what the layout decides and the templates only place.

Every node holds final coordinates in SVG user units (px), resolved colours and the
lines of wrapped text with their baselines, so a renderer never measures or
computes. The model serialises to deterministic JSON (`Layout.to_json`), which the
golden tests keep beside the SVG, as d2 keeps `board.exp.json`.

Nodes are `NamedTuple`s, not dataclasses: they are created by the hundred per map and
imported by every build, where a frozen dataclass costs ~0.5 ms per class to define.
A drawn node's `kind` (which template branch draws it) is a property, as a
NamedTuple cannot hold a ClassVar. No `from __future__ import annotations` here: NamedTuple
compiles every string annotation into a ForwardRef at import (~0.5 ms for these classes, and
the process's first `compile()` sets up the AST types, ~1 ms more), so only the forward
references of methods are quoted, and a field's (`Group.children`) is a type checker's alias.
"""

from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    _Nodes = tuple["Node", ...]
else:
    _Nodes = tuple  # a string field annotation would be compiled at import (see above)

#: Floats are rounded to this many decimals in JSON and SVG.
DECIMALS = 2


class Box(NamedTuple):
    """Bounds of something laid out (not drawn): used for tests and interactivity."""

    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    def overlaps(self, other: "Box", tolerance: float = 0.01) -> bool:
        """Whether the two boxes share area (touching edges do not count)."""
        return (
            self.x < other.right - tolerance
            and other.x < self.right - tolerance
            and self.y < other.bottom - tolerance
            and other.y < self.bottom - tolerance
        )

    def contains(self, other: "Box", tolerance: float = 0.01) -> bool:
        return (
            other.x >= self.x - tolerance
            and other.y >= self.y - tolerance
            and other.right <= self.right + tolerance
            and other.bottom <= self.bottom + tolerance
        )


class Rect(NamedTuple):
    """A drawn rectangle (`rx` rounds its corners; `dash` is a stroke-dasharray)."""

    x: float
    y: float
    w: float
    h: float
    fill: str = "none"
    stroke: str = "none"
    stroke_width: float = 0
    rx: float = 0
    dash: str = ""
    cls: str = ""

    @property
    def kind(self) -> str:
        return "rect"

    @property
    def box(self) -> Box:
        return Box(self.x, self.y, self.w, self.h)


class Circle(NamedTuple):
    cx: float
    cy: float
    r: float
    fill: str = "none"
    stroke: str = "none"
    stroke_width: float = 0
    cls: str = ""

    @property
    def kind(self) -> str:
        return "circle"


class Path(NamedTuple):
    """Path data made by the layout (lines, arrows, the emotion curve, bubbles)."""

    d: str
    stroke: str = "none"
    stroke_width: float = 0
    fill: str = "none"
    dash: str = ""
    cls: str = ""

    @property
    def kind(self) -> str:
        return "path"


class TextLine(NamedTuple):
    text: str
    x: float
    #: The baseline.
    y: float


class Text(NamedTuple):
    """A block of wrapped text: its box, type, colour and each line with its baseline.

    `anchor` is the SVG text-anchor of every line; right-to-left text carries
    `rtl=True`, anchor "end" and line x at the block's right edge.
    `truncated` says lines were cut with "…"; `full` then holds the whole text.
    """

    x: float
    y: float
    w: float
    h: float
    size: float
    weight: int
    color: str
    lines: tuple[TextLine, ...]
    anchor: str = "start"
    rtl: bool = False
    truncated: bool = False
    full: str = ""
    cls: str = ""

    @property
    def kind(self) -> str:
        return "text"

    @property
    def box(self) -> Box:
        return Box(self.x, self.y, self.w, self.h)


class Icon(NamedTuple):
    """A stroked icon from `jmap.icons`, drawn at (x, y) scaled from the 24 px grid."""

    name: str
    x: float
    y: float
    size: float
    color: str
    #: size / 24, so the template need not divide.
    scale: float
    #: Stroke width in grid units (keeps icons the same visual weight at any size).
    stroke_width: float = 2.0
    fill: str = "none"

    @property
    def kind(self) -> str:
        return "icon"

    @property
    def box(self) -> Box:
        return Box(self.x, self.y, self.size, self.size)


class Group(NamedTuple):
    """A named, classed group of nodes: a card, a cell, a stage, a lane label...

    `box` is the group's bounds where it has any meaning (cards, cells); `title`
    becomes the SVG `<title>` (tooltip and accessible name); `data` become
    `data-*` attributes for the HTML map.
    """

    children: _Nodes
    id: str = ""
    cls: str = ""
    title: str = ""
    box: Box | None = None
    data: tuple[tuple[str, str], ...] = ()

    @property
    def kind(self) -> str:
        return "group"

    def walk(self) -> "list[Node]":
        """This group and every node below it, depth first, in paint order."""
        found: list[Node] = [self]
        for child in self.children:
            found.extend(child.walk() if isinstance(child, Group) else [child])
        return found


class Image(NamedTuple):
    """A picture clipped to a circle (a persona's avatar), embedded as a checked data: URI."""

    cx: float
    cy: float
    r: float
    href: str
    clip_id: str

    @property
    def kind(self) -> str:
        return "image"


class Picture(NamedTuple):
    """A picture in a rectangle (a storyboard image), scaled keeping its aspect ratio; `alt` says what it shows."""

    x: float
    y: float
    w: float
    h: float
    href: str
    alt: str

    @property
    def kind(self) -> str:
        return "picture"


Node = Rect | Circle | Path | Text | Icon | Image | Picture | Group


class IconDef(NamedTuple):
    """An icon used in the map, defined once in the SVG's `<defs>`."""

    name: str
    paths: tuple[str, ...]


class Layout(NamedTuple):
    """The whole map, positioned. Nodes are in paint order, which is also reading order."""

    width: float
    height: float
    title: str
    desc: str
    font_family: str
    background: str
    theme: str
    icons: tuple[IconDef, ...]
    nodes: tuple[Node, ...]
    #: Free-form facts for renderers and tests (e.g. "truncated": count), sorted by key.
    meta: tuple[tuple[str, Any], ...] = ()

    def walk(self) -> list[Node]:
        """Every node, depth first, in paint order."""
        found: list[Node] = []
        for node in self.nodes:
            found.extend(node.walk() if isinstance(node, Group) else [node])
        return found

    def groups(self, cls: str) -> list[Group]:
        """Groups whose class list holds `cls`."""
        return [n for n in self.walk() if isinstance(n, Group) and cls in n.cls.split()]

    def to_dict(self) -> dict[str, Any]:
        return _plain(self)  # type: ignore[no-any-return]

    def to_json(self) -> str:
        """Deterministic JSON: sorted keys (children last), floats rounded to 2 decimals, a node per line.

        A node per line keeps golden-file diffs readable: a moved card is one changed line.
        """
        return _dump(self.to_dict(), 0) + "\n"


#: The format of `fmt`'s fast path.
_FIXED = f".{DECIMALS}f"


def fmt(value: float) -> str:
    """A number for SVG: at most 2 decimals, no trailing zeros, never "-0".

    Called thousands of times per map (layout and template), so it formats directly where
    that gives the same digits as rounding first: below 1e13, where a float's step is under
    0.002 (both round the exact value half to even). Larger and non-finite values go the long way.
    """
    if value.__class__ is int:
        return str(value)
    if -1e13 < value < 1e13:
        text = format(value, _FIXED)
        if text[-1] != "0":
            return text
        text = text.rstrip("0").rstrip(".")
        return "0" if text == "-0" else text
    rounded = round(value, DECIMALS)
    whole = int(rounded)
    if rounded == whole:
        return str(whole)  # int(-0.0) is 0: never "-0"
    return f"{rounded:.{DECIMALS}f}".rstrip("0")


def _round(value: float) -> float | int:
    rounded = round(value, DECIMALS)
    if rounded == 0:
        return 0
    return int(rounded) if rounded.is_integer() else rounded


def _compact(value: Any) -> str:
    import json  # only the golden tests serialise a layout: no build pays for the import

    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _dump(value: dict[str, Any], depth: int) -> str:
    """`value` as JSON with its `nodes` / `children` one per line (after its other keys), the rest compact."""
    pad = " " * (depth + 1)
    parts = []
    for key in sorted(value, key=lambda k: (k in ("nodes", "children"), k)):  # the tree last
        item = value[key]
        if key in ("nodes", "children") and item:
            inner = ",\n".join(pad + " " + _dump(child, depth + 1) if "children" in child
                               else pad + " " + _compact(child) for child in item)
            parts.append(f"{_compact(key)}:[\n{inner}\n{pad}]")
        else:
            parts.append(f"{_compact(key)}:{_compact(item)}")
    if depth == 0:
        return "{\n" + ",\n".join(" " + p for p in parts) + "\n}"
    return "{" + ",".join(parts) + "}"


def _plain(value: Any) -> Any:
    """`value` as JSON data: a record becomes an object (with its `kind`), any other tuple a list."""
    if isinstance(value, float):
        return _round(value)
    if isinstance(value, (str, int)) or value is None:
        return value
    names: tuple[str, ...] | None = getattr(type(value), "_fields", None)  # records are tuples too: ask first
    if names is None:
        if isinstance(value, (tuple, list)):
            return [_plain(v) for v in value]
        raise TypeError(f"cannot serialise {type(value).__name__}")
    out: dict[str, Any] = {}
    kind = getattr(value, "kind", None)
    if isinstance(kind, str):
        out["kind"] = kind
    for name in names:
        item = getattr(value, name)
        out[name] = {k: _plain(v) for k, v in item} if name in ("data", "meta") else _plain(item)
    return out
