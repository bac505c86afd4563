"""The fast path of check() agrees with the full path, and the generated validator is fresh.

The rule proven here: when the fast path accepts a map, the full path (ruamel round-trip +
jsonschema + semantic checks) reports no error for it and exactly the warnings the fast path
reports (code, message, file:line:col, hint), and both build the same document (data and
spans, included files too) and the same Journey model. When the fast path declines, check()
runs the full path, so errors are never produced by the fast path at all. On the examples,
the include cases and the maps with warnings the rule holds both ways: the fast path accepts
exactly the maps the full path reports no error on.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import pytest
from generators import load_generator
from hypothesis import given
from test_fuzz import FUZZ, INCLUDE_CASES, mutations
from test_invalid_cases import COMMITTED, GENERATED, MAP

from jmap.api import check
from jmap.loading.load import _FORBIDDEN, Document, _find_forbidden, _is_forbidden_char, display_path
from jmap.model.normalize import to_model
from jmap.validation.fastpath import fast_check, fast_document

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
#: Maps that include files: the valid include cases (anchors.yaml has aliases: the full path's alone,
#: tested below) and the examples that include.
INCLUDING = [case for case in sorted(INCLUDE_CASES.glob("*.yaml")) if case.name != "anchors.yaml"] + [
    example for example in EXAMPLES if "\ninclude:" in example.read_text(encoding="utf-8")
]
#: The invalid cases about includes (the included file broken, missing, outside, a cycle, too many...).
INVALID_INCLUDES = [case for case in COMMITTED if "include:" in case.read_text(encoding="utf-8", errors="replace")]


def assert_agree(path: Path, **kwargs: int) -> bool:
    """Run both paths; True when the fast path accepted the map (with or without warnings)."""
    checked = fast_check(path, **kwargs)
    full = check(path, fast=False, **kwargs)
    if checked is None:
        return False
    fast, warnings = checked
    assert full.errors == [], f"fast path accepted a map the full path finds errors in: {full.diagnostics}"
    assert warnings == full.diagnostics  # the same warnings, in the same order, at the same file:line:col
    assert (fast_document(path, **kwargs) is not None) == (warnings == [])
    assert full.document is not None
    assert fast.data == full.document.data
    assert fast.value_spans == full.document.value_spans
    assert fast.key_spans == full.document.key_spans
    assert fast.root == full.document.root
    assert_same_includes(fast, full.document)
    assert to_model(fast) == to_model(full.document)
    return True


def assert_same_includes(fast: Document, full: Document) -> None:
    """The same include tree: the same files, in order, each with the same data and spans."""
    assert fast.all_files() == full.all_files()
    assert len(fast.includes) == len(full.includes)
    for ours, theirs in zip(fast.includes, full.includes, strict=True):
        assert ours.path == theirs.path
        assert ours.data == theirs.data
        assert ours.value_spans == theirs.value_spans
        assert ours.key_spans == theirs.key_spans
        assert_same_includes(ours, theirs)


def assert_both_ways(path: Path, **kwargs: int) -> bool:
    """The fast path accepts the map exactly when the full path finds no error in it."""
    accepted = assert_agree(path, **kwargs)
    full = check(path, fast=False, **kwargs)
    assert accepted == (full.errors == []), full.diagnostics
    assert check(path, **kwargs).diagnostics == full.diagnostics
    return accepted


def assert_merged_spans_point_into_includes(doc: Document) -> None:
    """The personas and research merged in from an included file keep the spans of that file
    (or of the file it includes in turn). Each include is merged in front of what is there, so
    the last include's come first."""
    position = dict.fromkeys(("personas", "research"), 0)
    for included in reversed(doc.includes):
        files = {display_path(file) for file in included.all_files()}
        for section in position:
            theirs = included.data.get(section) or []
            for index in range(len(theirs)):
                merged = (section, position[section] + index)
                assert doc.value_spans[merged] == included.value_spans[(section, index)]
                assert doc.value_spans[merged].path in files
                assert doc.value_spans[(*merged, "id")] == included.value_spans[(section, index, "id")]
                assert doc.key_spans[(*merged, "id")] == included.key_spans[(section, index, "id")]
            position[section] += len(theirs)


# --- the corpus -------------------------------------------------------------------------


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.stem for e in EXAMPLES])
def test_examples_agree(example: Path) -> None:
    assert_both_ways(example)  # every valid example takes the fast path, includes or not


@pytest.mark.parametrize("case", INCLUDING, ids=[case.stem for case in INCLUDING])
def test_maps_with_includes_agree(case: Path) -> None:
    accepted = assert_both_ways(case)
    fast = fast_document(case)
    if accepted:
        assert fast is not None and fast.includes
        assert_merged_spans_point_into_includes(fast)


def test_including_examples_take_the_fast_path() -> None:
    """The point of this corpus: the maps with includes that are valid do take the fast path."""
    assert INCLUDING and INVALID_INCLUDES
    accepted = [case.name for case in INCLUDING if fast_document(case) is not None]
    assert "hospital-outpatient.yaml" in accepted and "with-include.yaml" in accepted


@pytest.mark.parametrize("case", INVALID_INCLUDES, ids=[case.stem for case in INVALID_INCLUDES])
def test_invalid_include_cases_agree(case: Path) -> None:
    assert not assert_both_ways(case)


@pytest.mark.parametrize("case", COMMITTED, ids=[case.stem for case in COMMITTED])
def test_invalid_cases_take_the_fast_path_only_with_warnings_alone(case: Path) -> None:
    """An error case never takes the fast path; a warning case (w5xx-*) takes it, with the full path's warnings."""
    assert assert_agree(case) == case.name.startswith("w")
    assert check(case).diagnostics == check(case, fast=False).diagnostics


@pytest.mark.parametrize("recipe", [g[1] for g in GENERATED], ids=[g[0] for g in GENERATED])
def test_generated_invalid_cases_never_take_the_fast_path(project: Path, recipe) -> None:  # type: ignore[no-untyped-def]
    path, kwargs = recipe(project)
    assert not assert_agree(path, **kwargs)


def _valid(extra: str = "", *, title: str = "T") -> str:
    return f"jmap: 1\ntitle: {title}\n" + MAP.split("\n", 2)[2] + extra


#: Valid or nearly valid maps that poke at where libyaml and ruamel's own parser, or
#: fastjsonschema and jsonschema, could disagree.
TRICKY = {
    "yes-is-text-in-yaml-1.2": _valid(title="yes"),
    "on-is-text": _valid(title="on"),
    "octal-1.1": _valid(title="012"),
    "octal-1.2": _valid(title="0o17"),
    "underscored-number": _valid(title="1_000"),
    "date": _valid(title="2026-01-01"),
    "null-title": _valid(title="~"),
    "bool-version": _valid().replace("jmap: 1", "jmap: true"),
    "float-version": _valid().replace("jmap: 1", "jmap: 1.0"),
    "version-as-text": _valid().replace("jmap: 1", "jmap: '1'"),
    "float-emotion": _valid().replace("emotion: 0", "emotion: 0.5"),
    "bool-emotion": _valid().replace("emotion: 0", "emotion: true"),
    "exp-emotion": _valid().replace("emotion: 0", "emotion: 1e0"),
    "hex-emotion": _valid().replace("emotion: 0", "emotion: 0x1"),
    "explicit-str-tag": _valid(title="!!str 12"),
    "explicit-int-tag-on-title": _valid(title="!!int 12"),
    "local-tag": _valid(title="!x 12"),
    "anchor-only": _valid(title="&t Hello"),
    "anchor-and-alias": _valid("owner: *t\n", title="&t Hello"),
    "merge-key": _valid("theme: {<<: {name: dark}}\n"),
    "folded": _valid(title=">\n  folded\n  text\n"),
    "literal-keep": _valid(title="|+\n  kept\n\n"),
    "single-quoted": _valid(title="'it''s'"),
    "double-quoted-escapes": _valid(title='"tab\\there \\u00e9 \\x41"'),
    "escaped-nel": _valid(title='"a\\x85b"'),
    "escaped-line-separator": _valid(title='"a\\u2028b"'),
    "escaped-nul": _valid(title='"a\\0b"'),
    "tab-in-value": _valid(title="a\tb"),
    "trailing-comment": _valid(title="Hello # a comment"),
    "hash-without-space": _valid(title="C#"),
    "flow-mapping": "{jmap: 1, title: T, stages: [{id: start, name: Start, emotion: 0}]}\n",
    "flow-with-colon": _valid("tags: [a:b, 'c: d']\n"),
    "complex-key": _valid("? owner\n: Team\n"),
    "duplicate-key": _valid("owner: a\nowner: b\n"),
    "document-start": "---\n" + _valid(),
    "document-end": _valid("...\n"),
    "yaml-1.1-directive": "%YAML 1.1\n---\n" + _valid(),
    "crlf": _valid().replace("\n", "\r\n"),
    "cr-only": _valid().replace("\n", "\r"),
    "bom": "\ufeff" + _valid(),
    "deep-flow": _valid("tags: " + "[" * 40 + "]" * 40 + "\n"),
    "stacked-dashes": _valid("tags:\n  - - - x\n"),
    "long-int": _valid().replace("emotion: 0", "emotion: " + "1" * 30),
    "inf": _valid().replace("emotion: 0", "emotion: .inf"),
    "unicode-key": _valid("tïtle: x\n"),
    "include-flow": "{jmap: 1, title: T, include: [x.yaml], stages: [{id: a, name: A, emotion: 0}]}\n",
    "unique-items": _valid("tags: [a, a]\n"),
    "empty-text": _valid(title="''"),
    "long-title": _valid(title="x" * 201),
    "bad-colour": _valid("theme: {name: dark, colors: {text: '#12345'}}\n"),
    "good-colour": _valid("theme: {name: dark, colors: {text: '#123456'}}\n"),
    "font-size-int": _valid("theme: {name: dark, font_size: 12}\n"),
    "font-size-bool": _valid("theme: {name: dark, font_size: true}\n"),
    "age-float": _valid("personas: [{id: a, name: A, age: 30.0}]\n").replace("emotion: 0", "emotion: {a: 0}"),
    "age-float-fraction": _valid("personas: [{id: a, name: A, age: 30.5}]\n").replace("emotion: 0", "emotion: {a: 0}"),
    "custom-lane": _valid("lanes: [actions, {id: ops, name: Ops}]\n").replace(
        "emotion: 0", "emotion: 0\n    custom: {ops: [Run it]}"),
    "custom-lane-bad-id": _valid("lanes: [actions, {id: ops, name: Ops}]\n").replace(
        "emotion: 0", "emotion: 0\n    custom: {Ops: [Run it]}"),
}


@pytest.mark.parametrize("text", list(TRICKY.values()), ids=list(TRICKY))
def test_tricky_inputs_agree(project: Path, text: str) -> None:
    path = project / "map.yaml"
    path.write_bytes(text.encode("utf-8"))
    assert_agree(path)
    assert check(path).diagnostics == check(path, fast=False).diagnostics


@pytest.mark.parametrize("name", ["anchor-and-alias", "merge-key", "yaml-1.1-directive", "stacked-dashes",
                                  "deep-flow", "include-flow"])
def test_unusual_yaml_goes_the_full_path(project: Path, name: str) -> None:
    path = project / "map.yaml"
    path.write_text(TRICKY[name], encoding="utf-8")
    assert fast_document(path) is None


def test_anchors_case_goes_the_full_path() -> None:
    assert fast_document(INCLUDE_CASES / "anchors.yaml") is None


# --- maps with warnings ------------------------------------------------------------------

_WARNED_KEY = re.compile(r"^( *)(?:- )?(emotion|evidence):")


def without_one_key(text: str, key: str, nth: int) -> str | None:
    """The map with its `nth` `emotion:` or `evidence:` entry (and what is nested under it) deleted."""
    lines = text.splitlines(keepends=True)
    found = [i for i, line in enumerate(lines) if (m := _WARNED_KEY.match(line)) and m[2] == key]
    if nth >= len(found):
        return None
    start = found[nth]
    if lines[start].lstrip().startswith("- "):
        return None  # the key opens a list item: deleting it would change the item's shape
    indent = len(lines[start]) - len(lines[start].lstrip(" "))
    end = start + 1
    while end < len(lines) and (not lines[end].strip() or len(lines[end]) - len(lines[end].lstrip(" ")) > indent):
        end += 1
    return "".join(lines[:start] + lines[end:])


#: Each example with one stage's emotion or one item's evidence taken out: mostly W500-W503.
WARNED = [(example, key, nth) for example in EXAMPLES for key in ("emotion", "evidence") for nth in (0, 2, 5)]


@pytest.fixture(scope="module")
def examples_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of examples/ (shared files, avatars), so mutated examples resolve what they include."""
    root = tmp_path_factory.mktemp("warned") / "examples"
    shutil.copytree(ROOT / "examples", root)
    return root


@pytest.mark.parametrize(("example", "key", "nth"), WARNED, ids=[f"{e.stem}-{k}-{n}" for e, k, n in WARNED])
def test_maps_with_warnings_agree(examples_copy: Path, example: Path, key: str, nth: int) -> None:
    """A map whose only findings are warnings takes the fast path, which reports the full path's warnings."""
    text = without_one_key(example.read_text(encoding="utf-8"), key, nth)
    if text is None:
        return  # no such entry in this example (the list below checks that most exist)
    path = examples_copy / f"warned-{example.name}"
    path.write_text(text, encoding="utf-8")
    full = check(path, fast=False)
    assert assert_both_ways(path) == (full.errors == [])
    assert check(path).diagnostics == full.diagnostics


def test_most_mutations_give_warnings_on_the_fast_path(examples_copy: Path) -> None:
    """The corpus above is worth something: most variants exist, warn, and are read by the fast path."""
    codes: set[str] = set()
    accepted = 0
    for example, key, nth in WARNED:
        text = without_one_key(example.read_text(encoding="utf-8"), key, nth)
        if text is None:
            continue
        path = examples_copy / f"warned-{example.name}"
        path.write_text(text, encoding="utf-8")
        checked = fast_check(path)
        if checked is not None and checked[1]:
            accepted += 1
            codes.update(d.code for d in checked[1])
    assert accepted >= len(WARNED) // 3
    assert {"W500", "W501"} <= codes  # W502 and W503: the include cases and the spot check


def test_warning_spans_point_into_the_right_file_line_and_column(project: Path) -> None:
    """Spot checks of the reported places, independent of the full path."""
    (project / "map.yaml").write_text(_valid("research:\n  - {id: talks, kind: interview, title: Talks}\n")
                                      .replace("    emotion: 0\n", "    actions: [Look]\n"), encoding="utf-8")
    checked = fast_check(project / "map.yaml")
    assert checked is not None
    found = {(d.code, Path(d.span.path).name, d.span.line, d.span.col) for d in checked[1]}
    assert found == {("W500", "map.yaml", 4, 5), ("W503", "map.yaml", 8, 5)}


# --- includes on the fast path -----------------------------------------------------------


def _including(extra: str = "", *, include: str = "[people.yaml]", emotion: str = "{ana: 0}",
               evidence: str = "[talks]") -> str:
    """A map including people.yaml that scores each persona and cites each source (no warnings)."""
    return _valid(f"include: {include}\n" + extra).replace(
        "emotion: 0", f"emotion: {emotion}\n    evidence: {evidence}")


PEOPLE = "jmap: 1\npersonas:\n  - id: ana\n    name: Ana\nresearch:\n  - {id: talks, kind: interview, title: Talks}\n"

#: A map including people.yaml, and what people.yaml (and more.yaml, which it may include) hold.
INCLUDE_TRICKY: dict[str, tuple[str, str, str]] = {
    "valid": (_including(), PEOPLE, ""),
    "valid-nested": (_including(emotion="{ana: 0, bo: 1}", evidence="[talks, poll]"),
                     PEOPLE + "include: [more.yaml]\n",
                     "personas: [{id: bo, name: Bo}]\nresearch: [{id: poll, kind: survey, title: Poll}]\n"),
    "own-personas-after-theirs": (_including("personas: [{id: cy, name: Cy}]\n", emotion="{ana: 0, cy: -1}"),
                                  PEOPLE, ""),
    "uncited-research": (_including(evidence="[]"), PEOPLE, ""),  # a warning (W503) in the included file
    "unscored-persona": (_including(), PEOPLE.replace("research:", "  - {id: bo, name: Bo}\nresearch:"), ""),  # W502
    "library-with-map-keys": (_including(), PEOPLE + "title: Not a map\n", ""),  # library schema: E200
    "library-bad-persona": (_including(), PEOPLE.replace("name: Ana", "name: Ana\n    age: 200"), ""),
    "library-wrong-version": (_including(), PEOPLE.replace("jmap: 1", "jmap: 2"), ""),
    "library-is-a-list": (_including(), "- id: ana\n", ""),
    "library-alias": (_including(), PEOPLE + "x: &a 1\ny: *a\n", ""),
    "library-tab": (_including(), PEOPLE.replace("name: Ana", "name: Ana\tB"), ""),
    "library-directive": (_including(), "%YAML 1.2\n---\n" + PEOPLE, ""),
    "library-duplicate-key": (_including(), PEOPLE + "jmap: 1\n", ""),
    "library-tag": (_including(), PEOPLE.replace("name: Ana", "name: !x Ana"), ""),
    "library-empty": (_including(), "# nothing\n", ""),
    "persona-twice": (_including("personas: [{id: ana, name: Ana again}]\n"), PEOPLE, ""),
    "unknown-persona": (_including().replace("{ana: 0}", "{zed: 0}"), PEOPLE, ""),
    "missing": (_including(include="[nobody.yaml]"), PEOPLE, ""),
    "not-yaml": (_including(include="[people.txt]"), PEOPLE, ""),
    "itself": (_including(include="[map.yaml]"), PEOPLE, ""),
    "cycle": (_including(), PEOPLE + "include: [more.yaml]\n", "include: [people.yaml]\n"),
    "twice": (_including(include="[people.yaml, people.yaml]"), PEOPLE, ""),
    "absolute": (_including(include="[/etc/hosts.yaml]"), PEOPLE, ""),
    "outside": (_including(include="[../people.yaml]"), PEOPLE, ""),
    "folder": (_including(include="[more.yaml]"), PEOPLE, "<folder>"),
    "include-not-a-list": (_including(include="people.yaml"), PEOPLE, ""),
}


#: Maps that are valid but warn about something in the included file: the fast path reports it.
WITH_WARNINGS = ("uncited-research", "unscored-persona")

#: Included files that are valid but unusual YAML: the full path alone reads them.
UNUSUAL_LIBRARIES = ("library-directive",)


@pytest.mark.parametrize("case", list(INCLUDE_TRICKY), ids=list(INCLUDE_TRICKY))
def test_tricky_includes_agree(project: Path, case: str) -> None:
    text, people, more = INCLUDE_TRICKY[case]
    (project / "map.yaml").write_text(text, encoding="utf-8")
    (project / "people.yaml").write_text(people, encoding="utf-8")
    (project.parent / "people.yaml").write_text(PEOPLE, encoding="utf-8")
    if more == "<folder>":
        (project / "more.yaml").mkdir()
    elif more:
        (project / "more.yaml").write_text(more, encoding="utf-8")
    if case in UNUSUAL_LIBRARIES:  # valid for the full path, but not plain enough for the fast one
        assert not assert_agree(project / "map.yaml")
        return
    accepted = assert_both_ways(project / "map.yaml")
    assert accepted == (case in ("valid", "valid-nested", "own-personas-after-theirs", *WITH_WARNINGS))
    if accepted:
        checked = fast_check(project / "map.yaml")
        assert checked is not None
        doc = checked[0]
        assert bool(checked[1]) == (case in WITH_WARNINGS)
        assert_merged_spans_point_into_includes(doc)
        assert_merged_spans_point_into_includes(doc.includes[0])
        where = {person["id"]: doc.value_spans[("personas", i)] for i, person in enumerate(doc.data["personas"])}
        assert (where["ana"].path, where["ana"].line) == (display_path(project / "people.yaml"), 3)
        if case == "valid-nested":
            assert (where["bo"].path, where["bo"].line) == (display_path(project / "more.yaml"), 1)
        if "cy" in where:
            assert where["cy"].path == display_path(project / "map.yaml")


def test_unusual_included_file_goes_the_full_path(project: Path) -> None:
    """An included file is parsed by the fast path only when it is as plain as a map must be."""
    (project / "map.yaml").write_text(_including(emotion="{ana: 0, bo: 0}"), encoding="utf-8")
    people = PEOPLE.replace("name: Ana", "name: Ana\n    goals: &g [Calm]").replace(
        "research:", "  - {id: bo, name: Bo, goals: *g}\nresearch:")
    (project / "people.yaml").write_text(people, encoding="utf-8")
    full = check(project / "map.yaml", fast=False)
    assert full.diagnostics == [] and full.document is not None
    assert full.document.data["personas"][1]["goals"] == ["Calm"]
    assert fast_document(project / "map.yaml") is None  # an alias in the included file: the full path decides
    assert check(project / "map.yaml").diagnostics == full.diagnostics


# --- mutated examples (the fuzzer's strategies) ---------------------------------------


@pytest.fixture(scope="module")
def fuzz_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fastpath")
    (root / "jmap.toml").write_text("# fast path project\n")
    for folder in (ROOT / "examples" / "shared", INCLUDE_CASES / "shared"):
        if folder.is_dir():
            shutil.copytree(folder, root / "shared", dirs_exist_ok=True)
    if (ROOT / "examples" / "avatars").is_dir():
        shutil.copytree(ROOT / "examples" / "avatars", root / "avatars")
    return root


@FUZZ
@given(data=mutations())
def test_mutated_examples_agree(fuzz_project: Path, data: bytes) -> None:
    path = fuzz_project / "map.yaml"
    path.write_bytes(data)
    assert_agree(path)


# --- the pieces -----------------------------------------------------------------------


def test_forbidden_pattern_matches_the_predicate() -> None:
    """load.read_text and the builder search with a regex; it must refuse exactly what the predicate does."""
    differ = [c for c in range(sys.maxunicode + 1) if bool(re.match(_FORBIDDEN, chr(c))) != _is_forbidden_char(chr(c))]
    assert differ == []


def test_forbidden_search_skips_the_regex_only_where_it_cannot_match() -> None:
    """`_find_forbidden` finds what the pattern finds; it skips the regex for text that is printable
    but for tabs and line breaks, as no forbidden character is printable."""
    forbidden = [chr(c) for c in range(sys.maxunicode + 1) if re.match(_FORBIDDEN, chr(c))]
    assert len(forbidden) > 2048 and not any(char.isprintable() for char in forbidden)
    for char in forbidden:
        for text in (char, f"a\t{char}\r\n", f"\n{char}x{char}"):
            found, expected = _find_forbidden(text), re.search(_FORBIDDEN, text)
            assert found is not None and expected is not None and found.span() == expected.span()
    assert _find_forbidden("a\tb\r\nc\u00a0é 日本 😀\u2028") is None


def test_generated_validator_is_fresh() -> None:
    """src/jmap/validation/_validator.py equals a fresh run of tools/gen_validator.py over the schema.

    Never skipped: the test extra pins the fastjsonschema the module was generated with.
    """
    module = load_generator("gen_validator")
    committed = (ROOT / "src" / "jmap" / "validation" / "_validator.py").read_text(encoding="utf-8")
    assert committed == module.generate(), "run: python tools/gen_validator.py"


@pytest.mark.parametrize("name", ["online-shop.yaml", "hospital-outpatient.yaml", "warned"])
def test_fast_path_imports_no_jsonschema(examples_copy: Path, name: str) -> None:
    """The point of the fast path: a valid map, with includes or not, with warnings or not, is checked
    without importing jsonschema or ruamel's round-trip parser."""
    import subprocess

    path = ROOT / "examples" / name
    if name == "warned":  # online-shop without its first stage's emotion score: W500
        text = without_one_key((ROOT / "examples" / "online-shop.yaml").read_text(encoding="utf-8"), "emotion", 0)
        assert text is not None
        path = examples_copy / "warned.yaml"
        path.write_text(text, encoding="utf-8")
    code = ("import sys; from jmap.api import check; r = check(sys.argv[1]); "
            "assert r.errors == [], r.diagnostics; "
            "print(len(r.warnings), 'jsonschema' in sys.modules, 'ruamel.yaml.main' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code, str(path)],
                         capture_output=True, text=True, check=True).stdout.split()
    if fast_check(path) is None:
        pytest.skip("ruamel.yaml.clib is not installed: no fast path")
    assert out == ["1" if name == "warned" else "0", "False", "False"]


def test_a_miniyaml_failure_falls_back_to_libyaml(monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug in miniyaml (any exception) costs speed, never the build: libyaml reads the map."""
    import jmap.loading.miniyaml

    def broken(text: str) -> None:
        raise IndexError("a bug")

    monkeypatch.setattr(jmap.loading.miniyaml, "compose", broken)
    example = ROOT / "examples" / "online-shop.yaml"
    doc = fast_document(example)
    assert doc is not None
    full = check(example, fast=False).document
    assert full is not None and doc.data == full.data
