"""The loader: plain data with a span for every part, and the legitimate YAML it keeps accepting."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from jmap import api
from jmap.diagnostics import JmapError, Span
from jmap.loading.load import (
    MAX_INCLUDES,
    ROOT_MARKERS,
    _first_refused,
    confine,
    display_path,
    find_root,
    load,
    parse,
    read_text,
)

INCLUDE_CASES = Path(__file__).parent / "cases" / "include"


def codes(error: JmapError) -> list[str]:
    return [d.code for d in error.diagnostics]


def test_spans_of_keys_and_values(write_map: Callable[..., Path], minimal_map: str) -> None:
    doc = load(write_map(minimal_map))
    assert doc.data == {"jmap": 1, "title": "Minimal", "stages": [{"id": "start", "name": "Start", "emotion": 0}]}
    name = display_path(doc.path)
    assert doc.span(("title",)) == Span(name, 2, 8)
    assert doc.span(("title",), key=True) == Span(name, 2, 1)
    assert doc.span(("stages", 0)) == Span(name, 4, 5)
    assert doc.span(("stages", 0, "emotion")) == Span(name, 6, 14)
    assert doc.span(("stages", 0, "emotion"), key=True) == Span(name, 6, 5)


def test_span_falls_back_to_the_nearest_parent(write_map: Callable[..., Path], minimal_map: str) -> None:
    doc = load(write_map(minimal_map))
    assert doc.span(("stages", 0, "steps", 3, "name")) == doc.span(("stages", 0))
    assert doc.span(("nothing",)).line == 1


def test_bom_at_the_start_is_fine(write_map: Callable[..., Path], minimal_map: str) -> None:
    path = write_map(b"\xef\xbb\xbf" + minimal_map.encode())
    result = api.check(path)
    assert result.ok_strict, result.diagnostics
    assert result.document is not None
    assert result.document.span(("title",)).col == 8  # the BOM does not shift columns


def test_line_endings_crlf_and_cr(write_map: Callable[..., Path], minimal_map: str) -> None:
    for ending in ("\r\n", "\r"):
        doc = load(write_map(minimal_map.replace("\n", ending)))
        assert doc.data["stages"][0]["name"] == "Start"
        assert doc.span(("stages", 0, "emotion")).line == 6


def test_small_anchors_aliases_and_merge_keys_keep_working() -> None:
    result = api.check(INCLUDE_CASES / "anchors.yaml")
    assert result.ok_strict, result.diagnostics
    assert result.document is not None
    stages = result.document.data["stages"]
    app = {"channel": "mobile-app", "name": "Shop app"}
    assert stages[0]["touchpoints"] == [app]
    # `<<: *browse` copies what the stage does not say itself; its own keys win
    assert stages[1] == {"id": "buy", "name": "Buy", "emotion": 1,
                         "touchpoints": [app, {"channel": "email", "name": "Order confirmation"}]}
    assert stages[2] == {"id": "return", "name": "Return", "emotion": -1, "touchpoints": [app]}
    # a merged value keeps the span of the place it was written
    assert result.document.span(("stages", 1, "emotion")).line == 10


def test_merge_precedence_and_nested_merges(write_map: Callable[..., Path]) -> None:
    doc = load(write_map(
        "jmap: 1\ntitle: T\n"
        "base: &base {a: base, b: base, c: base}\n"
        "mid: &mid\n  <<: *base\n  b: mid\n"
        "other: &other {c: other, d: other}\n"
        "top:\n  <<: [*mid, *other]\n  a: top\n"
        "stages: [{id: s, name: S, emotion: 0}]\n"
    ))
    # own keys first, then the merged mappings in order, and a merged mapping's own merges
    assert doc.data["mid"] == {"a": "base", "b": "mid", "c": "base"}
    assert doc.data["top"] == {"a": "top", "b": "mid", "c": "base", "d": "other"}
    assert "<<" not in doc.data["top"]


def test_folded_and_literal_text(write_map: Callable[..., Path]) -> None:
    doc = load(write_map(
        "jmap: 1\ntitle: T\ndescription: >-\n  Folded over\n  three\n  lines.\n"
        "owner: |\n  Two\n  lines\nstages: [{id: s, name: S, emotion: 0}]\n"
    ))
    assert doc.data["description"] == "Folded over three lines."  # no fold markers (U+0007) left in
    assert doc.data["owner"] == "Two\nlines\n"


def test_yaml_1_2_scalars(write_map: Callable[..., Path]) -> None:
    doc = load(write_map(
        "jmap: 1\ntitle: no\nowner: on\ndescription: 2026-10-01\n"
        "x: [0o17, 0x1F, 1_000, -3, +4, 1.5e3, .5, true, false, null, ~, '', yes]\n"
        "stages: [{id: s, name: S}]\n"
    ))
    assert doc.data["title"] == "no" and doc.data["owner"] == "on"  # no Norway problem
    assert doc.data["description"] == "2026-10-01"  # dates stay text as written
    assert doc.data["x"] == [15, 31, 1000, -3, 4, 1500.0, 0.5, True, False, None, None, "", "yes"]


def test_reused_anchor_names_are_legal(write_map: Callable[..., Path]) -> None:
    doc = load(write_map("jmap: 1\ntitle: &a T\nowner: &a U\nstages: [{id: s, name: *a, emotion: 0}]\n"))
    assert doc.data["stages"][0]["name"] == "U"


def test_unicode_text_is_kept(write_map: Callable[..., Path]) -> None:
    text = "Kundenzufriedenheitsbefragung 顧客満足度 رحلة العميل 🚀 \u200d \u202b"
    doc = load(write_map(f"jmap: 1\ntitle: \"{text}\"\nstages: [{{id: s, name: S}}]\n"))
    assert doc.data["title"] == text


def test_include_merges_personas_and_research_with_their_own_spans() -> None:
    doc = api.load(INCLUDE_CASES / "with-include.yaml")
    assert [p["id"] for p in doc.data["personas"]] == ["maya", "jon", "lena"]
    assert [r["id"] for r in doc.data["research"]] == ["interviews"]
    shared = (INCLUDE_CASES / "shared" / "team.yaml").resolve()
    maya = doc.span(("personas", 0, "name"))
    assert Path(maya.path).resolve() == shared and (maya.line, maya.col) == (5, 11)
    assert Path(doc.span(("personas", 1, "id"), key=True).path).resolve() == shared
    assert Path(doc.span(("research", 0, "kind")).path).resolve() == shared
    lena = doc.span(("personas", 2, "name"))  # the map's own persona, moved behind the shared ones
    assert Path(lena.path).resolve() == (INCLUDE_CASES / "with-include.yaml").resolve()
    assert (lena.line, lena.col) == (8, 11)
    assert [p.resolve() for p in doc.all_files()] == [(INCLUDE_CASES / "with-include.yaml").resolve(), shared]
    assert api.check(INCLUDE_CASES / "with-include.yaml").ok_strict


def test_the_same_file_twice_in_one_list_is_reported_at_the_second(project: Path) -> None:
    """Spelt differently or not, one include list naming a file twice is a mistake (a diamond is not)."""
    (project / "lib.yaml").write_text("jmap: 1\n")
    lines = "".join(f"  - {'./' * i}lib.yaml\n" for i in range(MAX_INCLUDES))
    (project / "map.yaml").write_text("jmap: 1\ntitle: T\ninclude:\n" + lines + "stages: [{id: s, name: S}]\n")
    with pytest.raises(JmapError) as caught:
        load(project / "map.yaml")
    assert [(d.code, d.span.line, d.span.col) for d in caught.value.diagnostics] == [("E207", 5, 5)]
    assert "'./lib.yaml' is a file this list includes already ('lib.yaml')" in caught.value.diagnostics[0].message


def test_include_of_a_non_yaml_file_is_not_parsed(project: Path) -> None:
    (project / ".env").write_text("SECRET=hunter2\n")
    (project / "map.yaml").write_text("jmap: 1\ntitle: T\ninclude: [.env]\nstages: [{id: s, name: S, emotion: 0}]\n")
    result = api.check(project / "map.yaml")
    assert [d.code for d in result.errors] == ["E203"]  # the schema asks for a .yaml path
    assert result.document is not None and result.document.includes == []


def test_find_root(tmp_path: Path) -> None:
    for marker in ROOT_MARKERS:
        root = tmp_path / marker.strip(".")
        (root / "a" / "b").mkdir(parents=True)
        (root / marker).mkdir() if marker == ".git" else (root / marker).write_text("")
        assert find_root(root / "a" / "b") == root.resolve()
    nested = tmp_path / "jmap.toml" / "inner"  # the nearest marker wins
    (nested / "deeper").mkdir(parents=True)
    (nested / "pyproject.toml").write_text("")
    assert find_root(nested / "deeper") == nested.resolve()


def test_confine(project: Path) -> None:
    (project / "img").mkdir()
    (project / "img" / "a.png").write_bytes(b"")

    def reason(reference: str) -> str:
        with pytest.raises(ValueError) as caught:
            confine(reference, project / "img", project)
        return str(caught.value.args[0][0])

    assert confine("a.png", project / "img", project) == (project / "img" / "a.png").resolve()
    assert confine("../img/./a.png", project / "img", project) == (project / "img" / "a.png").resolve()
    assert reason("https://example.com/a.png") == "E401"
    assert reason("file:///etc/passwd") == "E401"
    assert reason("//server/share/a.png") == "E401"
    assert reason("/etc/passwd") == "E401"
    assert reason("../../outside.png") == "E401"
    assert reason("missing.png") == "E400"
    assert reason("../img") == "E402"


def test_read_text_refusals(project: Path) -> None:
    path = project / "x.yaml"
    for content, code in [(b"a" * 11, "E101"), (b"\xc3\x28", "E102"), (b"a\x0bb", "E103"), (b" \n", "E109")]:
        path.write_bytes(content)
        with pytest.raises(JmapError) as caught:
            read_text(path, max_bytes=10)
        assert codes(caught.value) == [code]


@pytest.mark.parametrize(("text", "offset"), [
    ("plain\ttext\r\n", None), ("a\u2029b\x07", 1), ("a\x07b\u2028", 1), ("ab\u2028\u2029", 2),
    ("ab\u2029\u2028", 2), ("\ufeffx", 0), ("x\x9f", 1), ("\u2028", 0),
])
def test_the_first_refused_character_is_found(text: str, offset: int | None) -> None:
    """A forbidden character or a raw line separator (U+2028/9), whichever comes first."""
    assert _first_refused(text) == offset


def test_a_line_separator_is_refused_at_its_place(project: Path) -> None:
    path = project / "x.yaml"
    path.write_text("jmap: 1\ntitle: a\u2028b\n", encoding="utf-8")
    with pytest.raises(JmapError) as caught:
        read_text(path, max_bytes=100)
    assert [(d.code, d.span.line, d.span.col) for d in caught.value.diagnostics] == [("E103", 2, 9)]
    assert "U+2028" in caught.value.diagnostics[0].message


def test_parse_reports_bad_yaml_at_its_place() -> None:
    with pytest.raises(JmapError) as caught:
        parse("a: 1\nb: [1, 2\n", "x.yaml")
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.code == "E104"
    assert "line 2" in diagnostic.hint


@pytest.mark.parametrize("depth", [31, 33, 300, 3000])
def test_nesting_limit_never_raises_recursion_error(depth: int) -> None:
    for text in ("x: " + "[" * depth + "]" * depth, "x:\n" + "".join("  " * (i + 1) + "- \n" for i in range(depth))):
        try:
            parse(text, "x.yaml")
        except JmapError as error:
            assert codes(error) in (["E108"], ["E104"])


def test_api_load_raises_jmap_error_with_diagnostics(project: Path) -> None:
    with pytest.raises(JmapError) as caught:
        api.load(project / "missing.yaml")
    assert codes(caught.value) == ["E100"]
    assert "missing.yaml" in str(caught.value)


def test_a_library_two_libraries_include_is_loaded_once() -> None:
    """A diamond (the map includes clinic and shop, both include team) is not a duplicate of itself."""
    result = api.check(INCLUDE_CASES / "diamond.yaml")
    assert result.ok_strict, result.diagnostics
    assert result.document is not None
    ids = [persona["id"] for persona in result.document.data["personas"]]
    assert sorted(ids) == ["jon", "maya", "nora", "tim"]
    files = [path.name for path in result.document.all_files()]
    assert files.count("team.yaml") == 1 and len(files) == 4
    # each persona keeps the place it is written, in its own file
    assert result.document.span(("personas", ids.index("maya"), "id")).path.endswith("team.yaml")
    assert result.document.span(("personas", ids.index("tim"), "id")).path.endswith("shop.yaml")
