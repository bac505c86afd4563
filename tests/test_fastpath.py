"""The fast path of check() agrees with the full path, and the generated validator is fresh.

The rule proven here: when the fast path accepts a map, the full path (ruamel round-trip +
jsonschema + semantic checks) reports nothing for it, and both build the same document
(data and spans) and the same Journey model. When the fast path declines, check() runs
the full path, so diagnostics are never produced by the fast path at all.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import pytest
from hypothesis import given
from test_fuzz import FUZZ, INCLUDE_CASES, mutations
from test_invalid_cases import COMMITTED, GENERATED, MAP

from jmap.api import check
from jmap.fastpath import fast_document
from jmap.load import _FORBIDDEN, _is_forbidden_char
from jmap.normalize import to_model

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


def assert_agree(path: Path, **kwargs: int) -> bool:
    """Run both paths; True when the fast path accepted the map."""
    fast = fast_document(path, **kwargs)
    full = check(path, fast=False, **kwargs)
    if fast is None:
        return False
    assert full.diagnostics == [], f"fast path accepted a map the full path reports on: {full.diagnostics}"
    assert full.document is not None
    assert fast.data == full.document.data
    assert fast.value_spans == full.document.value_spans
    assert fast.key_spans == full.document.key_spans
    assert fast.root == full.document.root
    assert to_model(fast) == to_model(full.document)
    return True


# --- the corpus -------------------------------------------------------------------------


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.stem for e in EXAMPLES])
def test_examples_agree(example: Path) -> None:
    accepted = assert_agree(example)
    full = check(example, fast=False)
    has_include = "include" in (full.document.data if full.document else {})
    if not full.diagnostics and not has_include:
        assert accepted, "a plain valid example should take the fast path"
    assert check(example).diagnostics == full.diagnostics


@pytest.mark.parametrize("case", COMMITTED, ids=[case.stem for case in COMMITTED])
def test_invalid_cases_never_take_the_fast_path(case: Path) -> None:
    assert not assert_agree(case)
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
    differ = [c for c in range(sys.maxunicode + 1) if bool(_FORBIDDEN.match(chr(c))) != _is_forbidden_char(chr(c))]
    assert differ == []


def test_generated_validator_is_fresh() -> None:
    """src/jmap/_validator.py equals a fresh run of tools/gen_validator.py over the schema."""
    pytest.importorskip("fastjsonschema")
    import fastjsonschema

    from jmap import _validator

    if fastjsonschema.VERSION != _validator.FASTJSONSCHEMA_VERSION:
        pytest.skip(f"generated with fastjsonschema {_validator.FASTJSONSCHEMA_VERSION}, "
                    f"{fastjsonschema.VERSION} installed")
    spec = importlib.util.spec_from_file_location("gen_validator", ROOT / "tools" / "gen_validator.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    committed = (ROOT / "src" / "jmap" / "_validator.py").read_text(encoding="utf-8")
    assert committed == module.generate(), "run: python tools/gen_validator.py"


def test_fast_path_imports_no_jsonschema(tmp_path: Path) -> None:
    """The point of the fast path: a valid map is checked without importing jsonschema."""
    import subprocess

    code = ("import sys; from jmap.api import check; r = check(sys.argv[1]); "
            "assert r.diagnostics == [], r.diagnostics; "
            "print('jsonschema' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code, str(ROOT / "examples" / "online-shop.yaml")],
                         capture_output=True, text=True, check=True).stdout.split()
    if fast_document(ROOT / "examples" / "online-shop.yaml") is None:
        pytest.skip("ruamel.yaml.clib is not installed: no fast path")
    assert out == ["False"]
