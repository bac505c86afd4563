"""jmap.loading.miniyaml composes exactly what ruamel's libyaml-backed composer does, or declines.

The rule proven here, on every YAML file of the repository, generated maps, mutated
examples and generated YAML texts: `miniyaml.compose(text)` either raises Unsupported,
or returns a tree equal to ruamel's (`YAML(typ="safe", pure=False)`, version 1.2) node for
node: kind, tag, value, style, flow style and start line and column. Whenever it accepts a
text, ruamel must accept it too. The plain-scalar resolver is checked against ruamel's on
a large corpus of strings.
"""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML
from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.resolver import VersionedResolver
from test_fuzz import mutations

from jmap.loading import miniyaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from gen_maps import generate_comparable, generate_map  # noqa: E402

EXAMPLES = sorted((ROOT / "examples").glob("*.yaml")) + sorted((ROOT / "examples" / "shared").glob("*.yaml"))
ALL_YAML = sorted(
    path
    for folder in (ROOT / "examples", ROOT / "tests")
    for pattern in ("*.yaml", "*.yml")
    for path in folder.rglob(pattern)
    if path.is_file()
)
#: How many texts each property test tries (raise it for a long hunt: MINIYAML_EXAMPLES=20000).
EXAMPLES_PER_TEST = int(os.environ.get("MINIYAML_EXAMPLES", "300"))
PROPERTY = settings(
    max_examples=EXAMPLES_PER_TEST,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)


def ruamel_compose(text: str) -> Any:
    yaml = YAML(typ="safe", pure=False)
    yaml.version = (1, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return yaml.compose(text)


def assert_same(ours: Any, theirs: Any, path: str = "root") -> None:
    """Two node trees are equal: kind, tag, start mark, and style and value or children."""
    assert ours.id == theirs.id, path
    assert ours.tag == str(theirs.tag), path
    mark, their_mark = ours.start_mark, theirs.start_mark
    assert (mark.line, mark.column) == (their_mark.line, their_mark.column), path
    if ours.id == "scalar":
        assert ours.style == theirs.style, path
        assert ours.value == theirs.value, path
        return
    assert ours.flow_style == theirs.flow_style, path
    assert len(ours.value) == len(theirs.value), path
    if ours.id == "sequence":
        for index, (item, their_item) in enumerate(zip(ours.value, theirs.value, strict=True)):
            assert_same(item, their_item, f"{path}[{index}]")
    else:
        for index, ((key, value), (their_key, their_value)) in enumerate(zip(ours.value, theirs.value, strict=True)):
            assert_same(key, their_key, f"{path}.<key {index}>")
            assert_same(value, their_value, f"{path}.{key.value}")


def agrees(text: str) -> bool:
    """True when miniyaml reads the text (and then exactly as ruamel does), False when it declines."""
    try:
        ours = miniyaml.compose(text)
    except miniyaml.Unsupported:
        return False
    try:
        theirs = ruamel_compose(text)
    except Exception as error:  # ruamel refuses a text we read: the one thing that must not happen
        raise AssertionError(f"miniyaml read a text ruamel refuses: {error}\n{text}") from None
    assert_same(ours, theirs)
    return True


# -- real files ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.name)
def test_every_example_is_read_exactly(path: Path) -> None:
    assert agrees(path.read_text(encoding="utf-8"))


def _utf8_text(path: Path) -> str | None:
    try:
        return path.read_bytes().removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    except UnicodeDecodeError:
        return None


#: The broken-encoding cases never reach a parser: jmap refuses them while reading.
UTF8_YAML = [path for path in ALL_YAML if _utf8_text(path) is not None]


@pytest.mark.parametrize("path", UTF8_YAML, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_yaml_file_is_read_exactly_or_declined(path: Path) -> None:
    text = _utf8_text(path)
    assert text is not None
    agrees(text)


def test_most_yaml_files_are_read() -> None:
    """The subset is the one maps use: nearly every valid file of the repository is read."""
    read = sum(agrees(path.read_text(encoding="utf-8", errors="replace")) for path in ALL_YAML)
    assert read >= 0.8 * len(ALL_YAML)


@pytest.mark.parametrize("seed", range(12))
def test_generated_maps_are_read_exactly(seed: int) -> None:
    for stages in (1, 4, 9, 30):
        assert agrees(generate_map(stages=stages, personas=seed % 4, seed=seed))


@pytest.mark.parametrize(("stages", "steps", "personas"), [(1, 1, 1), (6, 5, 2), (10, 8, 3)])
def test_comparable_maps_are_read_exactly(stages: int, steps: int, personas: int) -> None:
    assert agrees(generate_comparable(stages, steps, personas))


def test_windows_line_breaks_are_read_like_unix_ones() -> None:
    text = (ROOT / "examples" / "online-shop.yaml").read_text(encoding="utf-8")
    assert agrees(text.replace("\n", "\r\n"))


@given(mutations())
@PROPERTY
def test_mutated_examples_are_read_exactly_or_declined(data: bytes) -> None:
    try:
        text = data.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    except UnicodeDecodeError:
        return
    agrees(text)


# -- the edges of the subset --------------------------------------------------------------

READ = {
    "empty values": "a:\nb:   # note\nc:\n  - \n  -\n  - # x\nd: ~\n",
    "indentless sequence": "a:\n- 1\n- - 2\n  - 3\nb:\n- c: 1\n  d:\n  - x\n",
    "compact mappings": "- a: 1\n  b: 2\n-   c: 3\n    d: [4]\n- - e\n  - f: g\n",
    "nested deeper": "a:\n    b:\n        - c\n        -   d: e\n            f: g\n",
    "root sequence": "- a\n- b: c\n",
    "indented root": "  a: 1\n  b: 2\n",
    "plain scalars": "a: b c  d\nb: x#y\nc: x # y\ne: -1\nf: -.5\ng: http://x.y/z?q=1\nh: a, b]\n",
    "keys": "1: a\ntrue: b\nnull: c\n'q': d\n\"d q\" : e\nf  : g\n-h: i\nj:k: l\n<<: m\n=: n\n",
    "multi-line plain": "a: one\n  two\n\n   three\n  # c\nb:\n  x\n   y\nc:\n- d - e\n  f\n",
    "single quoted": "a: 'it''s'\nb: ' x '\nc: 'one\n  two\n\n  three '\nd: ''\n",
    "double quoted": 'a: "\\x41\\u00e9\\U0001F600\\t\\"\\\\\\/\\ \\_\\N"\nb: "one \\\n  two\n\n  three"\nc: ""\n',
    "literal": "a: |\n  one\n    two\n\n  three\n\n\nb: |-\n  x\nc: |+\n  y\n\nd: |2\n   z\n",
    "folded": "a: >\n  one\n  two\n\n  three\n    four\n  five\nb: >-\n\n  x\n  y\n\nc: >+\n  z\n",
    "block scalar at the end": "a: |\n  x",
    "block scalar below its key": "a:\n  |\n   x\nb:\n  >2\n     y\n",
    "block scalar edges": "a: |\n\n\n  x\n   \n\nb: |+\n  \n \nc: |\n  \r\nd: >\n \n  e\n\n  # f\n",
    "more-indented folded lines": "a: >\n  a\n   b\n  c\n\n  d\n",
    "block scalar in sequences": "- |\n  a\n- >-\n   b\n-   c: |1\n      d\n",
    "flow collections": "a: [b, 'c', \"d\", [e], {f: g}, {}, []]\nb: {c: d, 'e': [f], g: {h: -1}}\nc: [ x ,y ]\n",
    "multi-line flow": "a: [b,\n    c, # note\n  d\n  ]\nb: {c: d,\n  e: f}\n",
    "comments everywhere": "# top\na: 1 # one\n# between\n   # indented\nb:\n  # inside\n  - c\n",
    "unicode": 'ä: ü 😀\n名前: 値\nb: "😀"\n',
    "trailing spaces": "a: b   \nc:   \n  - d  \n",
}

DECLINED = {
    "anchor": "a: &x 1\nb: *x\n",
    "tag": "a: !!str 1\n",
    "explicit key": "? a\n: b\n",
    "directive": "%YAML 1.2\n---\na: 1\n",
    "document start": "---\na: 1\n",
    "tab": "a:\tb\n",
    "flow key": "[a]: b\n",
    "root scalar": "just text\n",
    "root flow": "{a: 1}\n",
    "empty": "# only a comment\n",
    "colon in value": "a: b: c\n",
    "colon in flow": "a: [http://x]\n",
    "question mark in flow": "a: {b: why?}\n",
    "sequence after key": "a: - b\n",
    "bad indentation": "a:\n  b: 1\n c: 2\n",
    "unclosed quote": "a: 'b\n",
    "unclosed flow": "a: [b\n",
    "trailing comma": "a: [b, c,]\n",
    "empty flow value": "a: {b: }\n",
    "lone carriage return": "a: 1\rb: 2\n",
    "bom": "\ufeffa: 1\n",
    "reserved indicator": "a: @b\n",
    "percent": "a: %b\n",
    "glued comment": "a: 'b'#c\n",
    "text after a quote": "a: 'b'c\n",
    "long key": "k" * 1030 + ": v\n",
    "long quoted key": "'k'" + " " * 1030 + ": v\n",
    "long flow key": "a: {" + "k" * 1030 + ": v}\n",
    "long quoted flow key": "a: {'" + "k" * 1030 + "': v}\n",
    "deep flow": "a: " + "[" * 70 + "]" * 70 + "\n",
    "line separator": "a: b\u2028c\n",
    "surrogate escape": 'a: "\\ud800"\n',
    "unknown escape": 'a: "\\q"\n',
}


@pytest.mark.parametrize("text", READ.values(), ids=READ.keys())
def test_the_subset_is_read_exactly(text: str) -> None:
    assert agrees(text)


@pytest.mark.parametrize("text", DECLINED.values(), ids=DECLINED.keys())
def test_anything_else_is_declined(text: str) -> None:
    with pytest.raises(miniyaml.Unsupported):
        miniyaml.compose(text)
    agrees(text)


# -- the resolver -----------------------------------------------------------------------------

TRICKY_SCALARS = [
    "", "~", "null", "Null", "NULL", "nULL", "none", "true", "True", "TRUE", "tRUE", "false", "yes", "Yes", "no",
    "on", "off", "y", "n", "0", "00", "-0", "+0", "1", "-1", "+1", "1_000", "_1", "1_", "0x1F", "0X1F", "0x", "0x_",
    "-0x1F", "0o17", "0o", "017", "08", "0b101", "0b", "0b2", "1.5", "1.", ".5", "-.5", "+.5", "1e5", "1e+5", "1E-5",
    "1.5e5", ".5e5", ".5e+5", "1_0.5", "1.2.3", "1e", "e5", ".inf", "-.inf", "+.Inf", ".INF", ".iNF", ".nan", ".NaN",
    "-.nan", ".NAN", "inf", "nan", "2026-10-01", "2026-10-1", "2026-1-01", "2026-10", "2026", "2026-10-01T10:00:00",
    "2026-10-01 10:00:00", "2026-10-01t10:00:00Z", "2026-10-01T10:00:00.5+02:00", "2026-10-01  10:00:00 -5",
    "2026-10-01T1:00:00", "2026-10-01T10:00", "1:20", "190:20:30", "1:20.5", "<<", "<", "=", "==", "!", "&", "*",
    "1 2", "1\n2", "true\nx", "-", "+", ".", "..", "-_", "+_1", "0o_", "12:30", "3-4", "1,000", "1 000", "٣",
    "１２", "²", "0.", "-0.0", "+12e03", "6.2", "2.5", "-1.5",
    # whole numbers, which resolve() tells without a pattern, and what looks like them
    "7", "-7", "+7", "007", "-007", "1234567890123456789012345", "--1", "+-1", "-+1", "1-", "1+", "- 1", "1\n",
    "-1\n", "\n1", "1 ", " 1", "-٣", "+１２", "-²", "²2", "2²", "0\n0",
]  # fmt: skip


def ruamel_resolve(value: str) -> str:
    return str(VersionedResolver(version=(1, 2)).resolve(ScalarNode, value, (True, False)))


def test_the_resolver_patterns_are_ruamels() -> None:
    """The copied patterns are exactly those ruamel uses for YAML 1.2, in the same order."""
    from ruamel.yaml.resolver import implicit_resolvers

    theirs = [(tag, regexp.pattern, first) for versions, tag, regexp, first in implicit_resolvers if (1, 2) in versions]
    assert [(tag, pattern, first) for tag, pattern, first in miniyaml._IMPLICIT] == theirs


@pytest.mark.parametrize("value", TRICKY_SCALARS)
def test_tricky_scalars_resolve_as_in_ruamel(value: str) -> None:
    assert miniyaml.resolve(value) == ruamel_resolve(value)


@given(st.from_regex(r"[-+]?[0-9]+", fullmatch=True))
@PROPERTY
def test_whole_numbers_resolve_as_in_ruamel_without_a_pattern(value: str) -> None:
    miniyaml._compiled.cache_clear()
    assert miniyaml.resolve(value) == ruamel_resolve(value) == miniyaml.INT
    assert miniyaml._compiled.cache_info().currsize == 0


def test_patterns_are_compiled_for_the_scalars_that_need_them() -> None:
    miniyaml._compiled.cache_clear()
    assert [miniyaml.resolve(value) for value in ("name", "Task 1.1", "Ünïcode", "3 days")] == [miniyaml.STR] * 4
    tried = {tag for char in "nT3" for tag, _ in miniyaml._RESOLVERS[char]}
    assert miniyaml._compiled.cache_info().currsize == len(tried) == 5  # null, bool; float, int, timestamp


@given(st.text(alphabet="0123456789+-._:eExXoObBTtZ nNulLaAsSrRfF~<=!&*", max_size=12))
@PROPERTY
def test_generated_scalars_resolve_as_in_ruamel(value: str) -> None:
    assert miniyaml.resolve(value) == ruamel_resolve(value)


@given(st.from_regex(r"[-+]?[0-9_]{0,4}(\.[0-9_]{0,3})?([eE][-+]?[0-9]{0,3})?|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}.{0,12}"))
@PROPERTY
def test_number_and_date_like_scalars_resolve_as_in_ruamel(value: str) -> None:
    assert miniyaml.resolve(value) == ruamel_resolve(value)


# -- generated YAML texts ---------------------------------------------------------------------

WORDS = [
    "a", "b", "word", "two words", "yes", "no", "true", "Null", "~", "0x1F", "1_000", ".inf", "-.5", "1e3",
    "2026-10-01", "12:30", "<<", "=", "-1", "x: y", "x:y", "x #y", "x#y", "' q", '" q', "it's", 'say "hi"', "a, b",
    "[a]", "{a}",
    "? q", "- d", "-d", ": c", "!t", "&a", "*a", "%p", "@r", "`b", "|", ">", "a\\b", "ü", "名前", "😀", "a\u00a0b",
    " lead", "trail ", "", "#", "a  b", "a\tb", "é\\x41", "why?", "http://x.y", "a]b", "a}b", "-", "--", "---",
]  # fmt: skip


@st.composite
def scalars(draw: st.DrawFn, indent: int) -> str:
    """A scalar as YAML text in some style; plain ones as they come, so some are not plain-safe."""
    word = draw(st.sampled_from(WORDS) | st.text(alphabet="ab :#-'\"\\?,[]{}é😀\n", max_size=8))
    style = draw(st.sampled_from(["plain", "plain", "single", "double", "raw-double", "literal", "folded", "lines"]))
    pad = " " * (indent + draw(st.integers(1, 3)))
    if style == "plain":
        return word.replace("\n", " ")
    if style == "single":
        return "'" + word.replace("'", "''").replace("\n", "\n" + pad + draw(st.sampled_from(["", "\n"]))) + "'"
    if style == "double":
        escaped = word.replace("\\", "\\\\").replace('"', '\\"').replace("\n", draw(st.sampled_from(["\\n", "\\\n"])))
        return '"' + escaped.replace("\\\n", "\\\n" + pad) + '"'
    if style == "raw-double":
        return '"' + word.replace("\n", "\n" + pad) + '"'
    if style == "lines":  # a plain scalar folded over lines, the later ones indented more or less
        parts = [w for w in word.split(" ") if w] or ["x"]
        return ("\n" + pad[: draw(st.integers(0, len(pad)))]).join(parts)
    header = ("|" if style == "literal" else ">") + draw(st.sampled_from(["", "-", "+", "1", "2-", "+2", "-3"]))
    header += draw(st.sampled_from(["", " ", " # c"]))
    body = draw(
        st.lists(st.sampled_from(["x", "y z", "  more", "", " ", "    ", "# not a comment", "end"]), max_size=5)
    )
    tail = draw(st.sampled_from(["", "\n", "\n\n", "\n  \n", "\n" + pad + "\n"]))
    return header + "".join("\n" + (pad + line if line else line) for line in body) + tail


@st.composite
def flows(draw: st.DrawFn, indent: int, depth: int = 0) -> str:
    """A flow sequence or mapping, perhaps over several lines."""
    items = []
    for _ in range(draw(st.integers(0, 3))):
        if depth < 2 and draw(st.booleans()):
            item = draw(flows(indent, depth + 1))
        else:
            item = draw(scalars(indent)).replace("\n", " ") if draw(st.booleans()) else draw(st.sampled_from(WORDS))
        items.append(item)
    is_mapping = draw(st.booleans())
    if is_mapping:
        items = [f"{draw(st.sampled_from(WORDS[:20]))}: {item}" for item in items]
    separator = draw(st.sampled_from([", ", ",", " , ", ",\n" + " " * (indent + 2), ", # c\n" + " " * (indent + 1)]))
    inner = separator.join(items)
    return (
        ("{" if is_mapping else "[")
        + draw(st.sampled_from(["", " ", "\n" + " " * (indent + 1)]))
        + inner
        + (draw(st.sampled_from(["", " ", ",", "\n" + " " * indent])) + ("}" if is_mapping else "]"))
    )


@st.composite
def blocks(draw: st.DrawFn, indent: int, depth: int = 0) -> str:
    """A block mapping or sequence at `indent`, as lines of YAML text."""
    lines = []
    is_sequence = draw(st.booleans())
    for _ in range(draw(st.integers(1, 3))):
        lead = " " * indent + ("- " if is_sequence else draw(st.sampled_from(WORDS[:24])) + ":")
        step = draw(st.integers(1, 4))
        kind = draw(
            st.sampled_from(["scalar", "scalar", "flow", "block", "empty", "compact"] if depth < 3 else ["scalar"])
        )
        if kind == "scalar":
            lines.append(lead + (" " if not is_sequence else "") + draw(scalars(indent)))
        elif kind == "flow":
            lines.append(lead + (" " if not is_sequence else "") + draw(flows(indent)))
        elif kind == "empty":
            lines.append(lead + draw(st.sampled_from(["", " ", " # c"])))
        elif kind == "compact" and is_sequence:
            nested = draw(blocks(indent + step + 1, depth + 1))
            lines.append(lead + " " * (step - 1) + nested.lstrip(" "))
        else:
            nested_indent = indent + step if not is_sequence and draw(st.booleans()) else indent + step
            if not is_sequence and draw(st.integers(0, 3)) == 0:
                nested_indent = indent  # an indentless sequence, or a broken mapping
            lines.append(lead + draw(st.sampled_from(["", " # c"])))
            lines.append(draw(blocks(nested_indent, depth + 1)))
        if draw(st.integers(0, 5)) == 0:
            lines.append(draw(st.sampled_from(["", "# c", " " * draw(st.integers(0, 8)) + "# c", "   "])))
    return "\n".join(lines)


@given(blocks(0))
@PROPERTY
def test_generated_texts_are_read_exactly_or_declined(text: str) -> None:
    agrees(text + "\n")
    agrees(text)


@given(blocks(0), st.data())
@PROPERTY
def test_edited_generated_texts_are_read_exactly_or_declined(text: str, data: st.DataObject) -> None:
    """One character inserted or removed somewhere: YAML's sharp edges."""
    at = data.draw(st.integers(0, len(text)))
    insert = data.draw(
        st.sampled_from([" ", "\n", ":", "-", "#", "'", '"', "[", "]", "{", "}", ",", "|", ">", "\\", ""])
    )
    agrees(text[:at] + insert + text[at + data.draw(st.integers(0, 1)) :] + "\n")


# -- cost -------------------------------------------------------------------------------------


def test_importing_it_imports_no_ruamel() -> None:
    code = (
        "import sys, jmap.loading.miniyaml; "
        "print(sorted(m for m in sys.modules if 'ruamel' in m or 'yaml' in m[:5]))"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert result.stdout.strip() == "[]"
