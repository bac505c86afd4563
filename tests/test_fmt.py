"""`jmap fmt`: the canonical layout, comments kept, idempotent, meaning unchanged."""

from __future__ import annotations

import functools
import io
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from jmap.api import discover, model
from jmap.cli.cli import app
from jmap.loading.load import Document, load, parse
from jmap.model.normalize import to_model
from jmap.review.fmt import FormatResult, _meaning_changed, format_file, format_text, same_meaning

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "cases" / "fmt"
EXAMPLES = ROOT / "examples"
ACCEPT = os.environ.get("JMAP_ACCEPT") == "1"



def relative_avatars(journey: Any, root: Path) -> Any:
    """The journey with persona avatar paths made relative to the project copy they were loaded from."""
    personas = tuple(
        p._replace(avatar=str(Path(p.avatar).relative_to(root.resolve()))) if p.avatar else p for p in journey.personas
    )
    stages = tuple(  # storyboard pictures resolve like avatars
        s._replace(lanes=relative_pictures(s.lanes, root), steps=tuple(
            st._replace(lanes=relative_pictures(st.lanes, root)) for st in s.steps))
        for s in journey.stages
    )
    return journey._replace(personas=personas, stages=stages)


def relative_pictures(lanes: Any, root: Path) -> Any:
    pictures = tuple(i._replace(image=str(Path(i.image).relative_to(root.resolve()))) for i in lanes.storyboard)
    return lanes._replace(storyboard=pictures)


def model_of_text(text: str, name: str = "map.yaml") -> Any:
    """The journey model of a map's text (no file, no includes)."""
    data, value_spans, key_spans = parse(text, name)
    return to_model(Document(Path(name), data, value_spans, key_spans, Path.cwd()))


def check_golden(expected: Path, got: str) -> None:
    """Compare with a golden file; JMAP_ACCEPT=1 rewrites it, a mismatch leaves a .got file beside it."""
    got_file = expected.with_name(expected.name + ".got")
    if ACCEPT:
        expected.write_text(got, encoding="utf-8")
        got_file.unlink(missing_ok=True)
        return
    if expected.read_text(encoding="utf-8") != got:
        got_file.write_text(got, encoding="utf-8")
        pytest.fail(f"{expected.name} differs from the output; see {got_file.name} (JMAP_ACCEPT=1 to accept)")
    got_file.unlink(missing_ok=True)


# --- golden cases -------------------------------------------------------------------------------


@pytest.mark.parametrize("case", sorted(p.name.removesuffix(".input.yaml") for p in CASES.glob("*.input.yaml")))
def test_case(case: str) -> None:
    source = (CASES / f"{case}.input.yaml").read_text(encoding="utf-8")
    formatted = format_text(source)
    check_golden(CASES / f"{case}.expected.yaml", formatted)
    assert format_text(formatted) == formatted, "formatting twice changes the text"
    assert same_meaning(model_of_text(source), model_of_text(formatted))


def test_comments_are_all_kept() -> None:
    source = (CASES / "comments.input.yaml").read_text(encoding="utf-8")
    comments = sorted(c.strip() for c in re.findall(r"#[^\n]*", source))
    formatted = format_text(source)
    assert sorted(c.strip() for c in re.findall(r"#[^\n]*", formatted)) == comments


def test_line_ends_bom_and_trailing_spaces_are_normalised() -> None:
    source = "\ufeffjmap: 1\r\ntitle: Windows   \r\nstages:\r\n  - id: a   \r\n    name: A  # note   \r\n\r\n\r\n"
    assert format_text(source) == "jmap: 1\ntitle: Windows\nstages:\n  - id: a\n    name: A  # note\n"


def test_document_markers_are_dropped() -> None:
    source = "%YAML 1.2\n---\njmap: 1\ntitle: T\nstages: [{id: a, name: A}]\n...\n"
    assert format_text(source) == "jmap: 1\ntitle: T\nstages:\n  - id: a\n    name: A\n"


def test_emotion_follows_persona_order_of_included_libraries() -> None:
    source = "jmap: 1\ntitle: T\nstages:\n  - id: a\n    name: A\n    emotion: {jon: 1, maya: 0}\n"
    assert "emotion: {maya: 0, jon: 1}" in format_text(source, persona_ids=["maya", "jon"])
    assert "emotion: {jon: 1, maya: 0}" in format_text(source)  # no personas known: kept as written


def test_block_scalar_with_trailing_spaces_becomes_quoted() -> None:
    source = "jmap: 1\ntitle: T\ndescription: |\n  two spaces  \n  end\nstages: [{id: a, name: A}]\n"
    formatted = format_text(source)
    assert 'description: "two spaces  \\nend\\n"' in formatted
    assert model_of_text(formatted).description == "two spaces  \nend\n"


# --- the examples -------------------------------------------------------------------------------


def example_files() -> list[Path]:
    return discover([str(EXAMPLES)])


@functools.cache
def formatted_example(path: Path) -> FormatResult:
    return format_file(path)


@pytest.mark.parametrize("path", example_files(), ids=lambda p: p.name)
def test_examples_format_idempotently_without_changing_meaning(path: Path, tmp_path: Path) -> None:
    result = formatted_example(path)
    assert result.ok, (result.internal_error, [str(d) for d in result.diagnostics])
    assert result.formatted is not None
    copy = tmp_path / "examples"
    shutil.copytree(EXAMPLES, copy)
    (tmp_path / "jmap.toml").write_text("", encoding="utf-8")
    target = copy / path.relative_to(EXAMPLES)
    target.write_text(result.formatted, encoding="utf-8")
    again = format_file(target)
    assert again.ok and not again.changed, "formatting twice changes the text"
    if "stages" in result.formatted:  # a map (not a persona library): compare the journey models
        # Avatars resolve to absolute paths, which differ between the two copies.
        assert same_meaning(relative_avatars(model(path), EXAMPLES), relative_avatars(model(target), copy))


def test_examples_are_canonical() -> None:
    unformatted = [p.name for p in example_files() if formatted_example(p).changed]
    assert not unformatted, f"not in the canonical layout: {unformatted}"


def test_a_change_of_meaning_is_caught(tmp_path: Path) -> None:
    path = tmp_path / "map.yaml"
    path.write_text(UGLY, encoding="utf-8")
    doc = load(path)
    assert _meaning_changed(doc, CANONICAL) == ""
    assert _meaning_changed(doc, CANONICAL.replace("emotion: 1", "emotion: 2")) != ""
    assert _meaning_changed(doc, CANONICAL.replace("name: A", "name: B")) != ""


# --- generated maps -----------------------------------------------------------------------------

TRICKY = ["yes", "no", "null", "~", "1.5", "42", "0x1F", "2026-09-22", "2026-09", "Why? Because: reasons", "#tag",
          "- dash", "a, b", "[x]", "{y}", "'q'", '"dq"', "Ünï 日本語 🎉", "trailing #", "@mention", "50%", "x: y",
          " leading", "a\\b", "*star", "&amp", "!bang", "%pct", "`tick", "|", ">", "?", "a #b", "tab\there"]
TEXT = st.one_of(
    st.sampled_from(TRICKY),
    st.text(st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs")), min_size=1, max_size=24)
    .map(str.strip).filter(bool),
)
SCORE = st.sampled_from([-2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2])


def _item(kind: str) -> st.SearchStrategy[Any]:
    full: dict[str, st.SearchStrategy[Any]] = {"text": TEXT}
    if kind == "pain_points":
        full["severity"] = st.sampled_from(["low", "medium", "high", "critical"])
    elif kind == "opportunities":
        full["priority"] = st.sampled_from(["low", "medium", "high"])
        full["owner"] = TEXT
    elif kind == "touchpoints":
        full = {"channel": st.sampled_from(["email", "website", "other"]), "name": TEXT}
    elif kind == "kpis":
        full = {"name": TEXT, "value": st.integers(-1000, 1000) | st.sampled_from([0.5, 3.25, 1e3]),
                "target": st.integers(0, 100), "better": st.sampled_from(["higher", "lower"])}
        return st.fixed_dictionaries({"name": full["name"], "value": full["value"]},
                                     optional={"target": full["target"], "better": full["better"]})
    required = {k: v for k, v in full.items() if k in ("text", "channel")}
    optional = {k: v for k, v in full.items() if k not in required}
    return TEXT | st.fixed_dictionaries(required, optional=optional)


@st.composite
def journeys(draw: st.DrawFn) -> dict[str, Any]:
    """Journey data with tricky texts, short and full forms, steps and keys in any order."""
    persona_ids = draw(st.lists(st.sampled_from(["maya", "jon", "ali"]), unique=True, max_size=3))
    personas = [draw(st.fixed_dictionaries({"id": st.just(p), "name": TEXT},
                                           optional={"role": TEXT, "goals": st.lists(TEXT, max_size=3)}))
                for p in persona_ids]

    def emotion() -> Any:
        if len(persona_ids) <= 1 and draw(st.booleans()):
            return draw(SCORE)
        chosen = draw(st.lists(st.sampled_from(persona_ids or ["customer"]), unique=True, min_size=1))
        return {p: draw(SCORE) for p in chosen} if persona_ids else draw(SCORE)

    def column(column_id: str) -> dict[str, Any]:
        data: dict[str, Any] = {"id": column_id, "name": draw(TEXT)}
        lanes = ["actions", "thoughts", "touchpoints", "pain_points", "opportunities", "kpis"]
        for lane in draw(st.lists(st.sampled_from(lanes), unique=True, max_size=4)):
            data[lane] = draw(st.lists(_item(lane), max_size=3))
        if draw(st.booleans()):
            data["emotion"] = emotion()
        if draw(st.booleans()):
            data["description"] = draw(TEXT)
        if draw(st.booleans()):
            data["moment_of_truth"] = draw(st.booleans() | TEXT)
        return data

    stage_ids = draw(st.lists(st.sampled_from([f"s{i}" for i in range(8)]), unique=True, min_size=1, max_size=3))
    stages = []
    for stage_id in stage_ids:
        stage = column(stage_id)
        if draw(st.integers(0, 4)) == 0:
            stage["steps"] = [column(f"{stage_id}-{k}") for k in range(draw(st.integers(1, 2)))]
        stages.append(dict(draw(st.permutations(list(stage.items())))))
    data: dict[str, Any] = {"jmap": 1, "title": draw(TEXT), "stages": stages}
    if personas:
        data["personas"] = personas
    if draw(st.booleans()):
        data["tags"] = draw(st.lists(st.sampled_from(["a", "b-c", "yes", "2026"]), unique=True, min_size=1))
    if draw(st.booleans()):
        data["theme"] = draw(st.sampled_from(["dark", {"name": "print"}, {"name": "dark", "font_size": 14}]))
    return dict(draw(st.permutations(list(data.items()))))


def to_yaml(data: Any, flows: list[bool]) -> str:
    """Block YAML (flow style for the collections `flows` picks) through ruamel."""
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    picks = iter(flows)

    def convert(value: Any) -> Any:
        if isinstance(value, dict):
            out: Any = CommentedMap((k, convert(v)) for k, v in value.items())
        elif isinstance(value, list):
            out = CommentedSeq(convert(v) for v in value)
        elif isinstance(value, str) and value.startswith("?"):
            # ruamel's emitter writes `[?0]` plain, which its own parser reads as a mapping.
            return DoubleQuotedScalarString(value)
        else:
            return value
        if next(picks, False):
            out.fa.set_flow_style()
        return out

    yaml = YAML(typ="rt")
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    stream = io.StringIO()
    yaml.dump(convert(data), stream)
    return stream.getvalue()


def with_comments(text: str, where: list[int]) -> str:
    """Add end-of-line and own-line comments `# cN` at some lines of block YAML."""
    lines = text.splitlines()
    out = []
    for number, line in enumerate(lines):
        pick = where[number % len(where)] if where else 0
        indent = len(line) - len(line.lstrip(" "))
        if pick == 1:
            out.append(" " * indent + f"# c{number}a")
        out.append(line + (f"  # c{number}b" if pick == 2 else ""))
    return "\n".join(out) + "\n"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(journeys(), st.lists(st.booleans(), max_size=40), st.lists(st.integers(0, 2), max_size=12),
       st.sampled_from(["yaml", "json"]))
def test_generated_maps_format_idempotently_keeping_meaning_and_comments(
        data: dict[str, Any], flows: list[bool], comment_at: list[int], form: str) -> None:
    import json

    source = json.dumps(data, ensure_ascii=False) + "\n" if form == "json" else with_comments(to_yaml(data, flows),
                                                                                             comment_at)
    formatted = format_text(source)
    assert format_text(formatted) == formatted
    assert same_meaning(model_of_text(source), model_of_text(formatted))
    assert sorted(re.findall(r"# (c\d+[ab])", source)) == sorted(re.findall(r"# (c\d+[ab])", formatted))
    assert all(line == line.rstrip() for line in formatted.splitlines())


# --- format_file and the command ------------------------------------------------------------------


def test_format_file_refuses_a_map_with_errors(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("jmap: 1\ntitle: T\nstages:\n  - id: a\n", encoding="utf-8")
    result = format_file(path)
    assert not result.ok and result.formatted is None
    assert any(d.code == "E201" for d in result.diagnostics)


def run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


UGLY = "title: T\njmap: 1\nstages: [{name: A, id: a, emotion: 1}]\n"
CANONICAL = "jmap: 1\ntitle: T\nstages:\n  - id: a\n    name: A\n    emotion: 1\n"


def test_cli_check_lists_unformatted_maps_and_writes_nothing(tmp_path: Path) -> None:
    ugly, tidy = tmp_path / "ugly.yaml", tmp_path / "tidy.yaml"
    ugly.write_text(UGLY, encoding="utf-8")
    tidy.write_text(CANONICAL, encoding="utf-8")
    result = run("fmt", "--check", str(tmp_path))
    assert result.exit_code == 1
    assert "would reformat" in result.output and "ugly.yaml" in result.output and "tidy.yaml" not in result.output
    assert ugly.read_text(encoding="utf-8") == UGLY
    assert run("fmt", "--check", str(tidy)).exit_code == 0


def test_cli_diff_prints_a_unified_diff_and_writes_nothing(tmp_path: Path) -> None:
    ugly = tmp_path / "ugly.yaml"
    ugly.write_text(UGLY, encoding="utf-8")
    result = run("fmt", "--diff", str(ugly))
    assert result.exit_code == 0
    assert "-stages: [{name: A, id: a, emotion: 1}]\n" in result.stdout and "+    name: A\n" in result.stdout
    assert ugly.read_text(encoding="utf-8") == UGLY


def test_cli_writes_only_what_changes(tmp_path: Path) -> None:
    ugly, tidy = tmp_path / "ugly.yaml", tmp_path / "tidy.yaml"
    ugly.write_text(UGLY, encoding="utf-8")
    tidy.write_text(CANONICAL, encoding="utf-8")
    before = tidy.stat().st_mtime_ns
    os.utime(tidy, ns=(before - 10_000_000_000, before - 10_000_000_000))
    untouched = tidy.stat().st_mtime_ns
    result = run("fmt", str(ugly), str(tidy))
    assert result.exit_code == 0, result.output
    assert ugly.read_text(encoding="utf-8") == CANONICAL
    assert tidy.stat().st_mtime_ns == untouched
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "a temporary file was left behind"
    assert run("fmt", "--check", str(tmp_path)).exit_code == 0


def test_cli_reports_invalid_maps_like_validate(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("jmap: 1\ntitle: T\nstages:\n  - id: a\n    nmae: A\n", encoding="utf-8")
    result = run("fmt", str(broken))
    assert result.exit_code == 1
    assert "broken.yaml:5:5: error[E200]" in result.output
    assert broken.read_text(encoding="utf-8").endswith("nmae: A\n")


def test_cli_formats_a_persona_library(tmp_path: Path) -> None:
    library = tmp_path / "people.yaml"
    library.write_text('jmap: 1\npersonas:\n- {name: Maya, id: maya, quote: "Hi"}\n', encoding="utf-8")
    assert run("fmt", str(library)).exit_code == 0
    assert library.read_text(encoding="utf-8") == "jmap: 1\npersonas:\n  - id: maya\n    name: Maya\n    quote: Hi\n"


@pytest.mark.parametrize("extra", ["    name: Again\n", "    quote: !!python/name:os.system\n"])
def test_a_persona_library_with_a_reading_problem_is_not_formatted(tmp_path: Path, extra: str) -> None:
    """A duplicate key or a tag no longer stops the loader (the rest is checked too): fmt must still
    refuse the file, not write it with the second key dropped or the tag removed."""
    library = tmp_path / "people.yaml"
    text = "jmap: 1\npersonas:\n  - id: maya\n    name: Maya\n" + extra
    library.write_text(text, encoding="utf-8")
    assert run("fmt", str(library)).exit_code == 1
    assert library.read_text(encoding="utf-8") == text
