"""The validator: warnings, all problems in one run, best-match messages, bounded values."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from jmap import api
from jmap.diagnostics import CODES, Severity
from jmap.validation.validate import describe, did_you_mean

STAGE = "stages:\n  - id: start\n    name: Start\n    emotion: 0\n"
RESEARCH = "research:\n  - id: interviews\n    kind: interview\n    title: Interviews\n"

WriteMap = Callable[..., Path]


def diagnostics(write_map: WriteMap, text: str) -> list[tuple[str, int, int]]:
    result = api.check(write_map(text))
    return [(d.code, d.span.line, d.span.col) for d in result.diagnostics]


# --- warnings -----------------------------------------------------------------------------


def test_w500_stage_without_emotion(write_map: WriteMap) -> None:
    found = diagnostics(write_map, "jmap: 1\ntitle: T\nstages:\n  - id: a\n    name: A\n  - id: b\n    name: B\n"
                                   "    emotion: 1\n")
    assert found == [("W500", 4, 5)]


def test_w500_step_without_emotion_but_not_when_the_stage_has_one(write_map: WriteMap) -> None:
    text = ("jmap: 1\ntitle: T\nstages:\n  - id: a\n    name: A\n    steps:\n"
            "      - {id: a1, name: A1, emotion: 1}\n      - {id: a2, name: A2}\n")
    assert diagnostics(write_map, text) == [("W500", 8, 9)]
    assert diagnostics(write_map, text.replace("    steps:", "    emotion: 0\n    steps:")) == []


def test_w501_item_without_evidence_when_the_map_declares_research(write_map: WriteMap) -> None:
    text = ("jmap: 1\ntitle: T\n" + RESEARCH + "stages:\n  - id: a\n    name: A\n    emotion: 0\n"
            "    thoughts:\n      - Is it safe?\n      - {text: Cheap?, evidence: [interviews]}\n"
            "    actions:\n      - Opens the app\n")
    assert diagnostics(write_map, text) == [("W501", 12, 9)]  # actions need no evidence
    # evidence on the stage covers its items
    cited = text.replace("    emotion: 0\n", "    emotion: 0\n    evidence: [interviews]\n")
    assert diagnostics(write_map, cited) == []
    # without research, nothing is flagged as an assumption
    assert diagnostics(write_map, "jmap: 1\ntitle: T\n" + STAGE + "    thoughts: [Is it safe?]\n") == []


def test_w502_persona_never_scored(write_map: WriteMap) -> None:
    text = ("jmap: 1\ntitle: T\npersonas:\n  - {id: maya, name: Maya}\n  - {id: jon, name: Jon}\n"
            "stages:\n  - id: a\n    name: A\n    emotion: {maya: 1}\n")
    assert diagnostics(write_map, text) == [("W502", 5, 5)]


def test_w503_research_never_cited(write_map: WriteMap) -> None:
    assert diagnostics(write_map, "jmap: 1\ntitle: T\n" + RESEARCH + STAGE) == [("W503", 4, 5)]


@pytest.mark.parametrize("code", [c for c in CODES if c.startswith("W")])
def test_warnings_do_not_fail_unless_strict(write_map: WriteMap, code: str) -> None:
    maps = {
        "W500": "jmap: 1\ntitle: T\nstages: [{id: a, name: A}]\n",
        "W501": "jmap: 1\ntitle: T\n" + RESEARCH + STAGE + "    thoughts: [Hm]\n    evidence: []\n",
        "W502": "jmap: 1\ntitle: T\npersonas: [{id: p, name: P}, {id: q, name: Q}]\n"
                "stages: [{id: a, name: A, emotion: {p: 0}}]\n",
        "W503": "jmap: 1\ntitle: T\n" + RESEARCH + STAGE,
        "W504": "jmap: 1\ntitle: T\n" + STAGE + "    pain_points: [" + "The form forgets everything " * 12 + "]\n",
        "W505": 'jmap: 1\ntitle: T\ntheme: {colors: {text: "#cccccc"}}\n' + STAGE,
    }
    result = api.check(write_map(maps[code]), texts=True)
    assert code in [d.code for d in result.warnings]
    assert all(d.severity is Severity.WARNING for d in result.diagnostics)
    assert result.ok and not result.ok_strict


# --- reporting all problems together ------------------------------------------------------------


def test_schema_and_semantic_errors_in_one_run(write_map: WriteMap) -> None:
    text = ("jmap: 1\ntitle: T\ntitel: X\nownr: Y\n"
            "personas:\n  - {id: maya, name: Maya, age: 300}\n  - {id: jon, name: Jon}\n"
            "chapters:\n  - {id: before, name: Before, stages: [strat]}\n"
            "stages:\n  - id: a\n    name: A\n    emotion: {maya: 1, joe: 1}\n"
            "  - id: a\n    name: B\n    emotion: 1\n    touchpoints: [{channel: webside}]\n")
    result = api.check(write_map(text))
    found = {(d.code, d.span.line) for d in result.errors}
    assert found == {("E200", 3), ("E200", 4), ("E204", 6), ("E302", 9), ("E301", 13), ("E300", 14),
                     ("E305", 16), ("E203", 17)}
    hints = {d.code + str(d.span.line): d.hint for d in result.errors}
    assert hints["E2003"] == "did you mean 'title'?"
    assert hints["E2004"] == "did you mean 'owner'?"
    assert hints["E3029"] == ""  # 'strat' is nothing like 'a': no guess
    assert hints["E30113"] == "did you mean 'jon'?"
    assert hints["E20317"] == "did you mean 'website'?"
    # sorted by place, each problem once
    places = [(d.span.line, d.span.col) for d in result.diagnostics]
    assert places == sorted(places)
    assert len({(d.span, d.code, d.message) for d in result.diagnostics}) == len(result.diagnostics)


def test_one_of_reports_the_alternative_that_was_meant(write_map: WriteMap) -> None:
    # a touchpoint is text or {channel, name}: a mapping with a bad channel is about the channel only
    result = api.check(write_map("jmap: 1\ntitle: T\n" + STAGE + "    touchpoints:\n      - {channel: webside}\n"))
    assert [(d.code, d.message) for d in result.errors] == [
        ("E203", "'channel' in touchpoint 1 of stage 'start' cannot be 'webside'")]
    # a number where text or a mapping is expected is one type error naming both forms
    result = api.check(write_map("jmap: 1\ntitle: T\n" + STAGE + "    thoughts: [42]\n"))
    (error,) = result.errors
    assert error.code == "E202"
    assert "text or a mapping" in error.message and "42" in error.message


def test_included_personas_count_as_used(project: Path) -> None:
    (project / "people.yaml").write_text("jmap: 1\npersonas:\n  - {id: maya, name: Maya}\n")
    (project / "map.yaml").write_text("jmap: 1\ntitle: T\ninclude: [people.yaml]\n"
                                      "stages: [{id: a, name: A, emotion: {maya: 1}}]\n")
    assert api.check(project / "map.yaml").diagnostics == []


def test_errors_in_an_included_file_point_into_it_once(project: Path) -> None:
    (project / "people.yaml").write_text("jmap: 1\npersonas:\n  - {id: maya, name: Maya, age: -1}\n")
    (project / "map.yaml").write_text("jmap: 1\ntitle: T\ninclude: [people.yaml]\n"
                                      "stages: [{id: a, name: A, emotion: {maya: 1}}]\n")
    result = api.check(project / "map.yaml")
    assert [(d.code, Path(d.span.path).name, d.span.line) for d in result.diagnostics] == [("E204", "people.yaml", 3)]


@pytest.mark.parametrize("where", [
    "title: {value}\n" + STAGE,
    "title: T\ntheme: {value}\n" + STAGE,
    "title: T\nstages: {value}\n",
    "title: T\n" + STAGE + "    emotion: {value}\n".replace("emotion", "moment_of_truth"),
    "title: T\n" + STAGE + "    custom: {{{value}: [x]}}\n",
    "title: T\n" + STAGE + "    evidence: [{value}]\n",
    "title: T\nchapters: [{{id: c, name: C, stages: [{value}]}}]\n" + STAGE,
    "title: T\n{value}: 1\n" + STAGE,
])
def test_messages_never_print_an_unbounded_value(write_map: WriteMap, where: str) -> None:
    huge = "x" * 100_000
    result = api.check(write_map("jmap: 1\n" + where.format(value=huge)))
    assert result.errors
    for diagnostic in result.diagnostics:
        assert len(diagnostic.message) < 300 and len(diagnostic.hint) < 300, diagnostic


def test_did_you_mean() -> None:
    choices = ["touchpoints", "thoughts", "title", "opportunities"]
    assert did_you_mean("touchpionts", choices) == "touchpoints"
    assert did_you_mean("titel", choices) == "title"  # a swap of two letters is one edit
    assert did_you_mean("Title", choices) == "title"
    assert did_you_mean("banana", choices) == ""
    assert did_you_mean("x" * 1000, choices) == ""
    assert did_you_mean("a", []) == ""


def test_describe_names_parts_as_a_person_would() -> None:
    data = {"stages": [{"id": "checkout", "steps": [{"name": "no id"}], "touchpoints": ["x"]}, {"name": "B"}]}
    assert describe(data, ()) == "the map"
    assert describe(data, ("stages", 0, "touchpoints", 0)) == "touchpoint 1 of stage 'checkout'"
    assert describe(data, ("stages", 0, "steps", 0, "name")) == "step 1 of stage 'checkout'"
    assert describe(data, ("stages", 1, "name")) == "stage 2"
    assert describe(data, ("stages", 7)) == "stage 8"


def test_did_you_mean_work_is_bounded_per_map(write_map: WriteMap, monkeypatch: pytest.MonkeyPatch) -> None:
    """Thousands of unknown references to hundreds of ids: suggestions stop, the errors do not."""
    from jmap.validation import validate as module

    calls = 0
    distance = module._edit_distance

    def counting(a: str, b: str, limit: int = 3) -> int:
        nonlocal calls
        calls += 1
        return distance(a, b, limit)

    monkeypatch.setattr(module, "_edit_distance", counting)
    stages = "".join(f"  - {{id: s{i:04d}, name: S}}\n" for i in range(300))
    chapter = "chapters:\n  - {id: c, name: C, stages: [" + ", ".join(f"t{i:04d}" for i in range(2000)) + "]}\n"
    result = api.check(write_map("jmap: 1\ntitle: T\n" + chapter + "stages:\n" + stages))
    assert sum(d.code == "E302" for d in result.errors) == 2000
    assert calls <= module._MAX_SUGGESTIONS * module._MAX_CHOICES
    assert result.errors[0].hint == "did you mean 's0000'?"  # the first ones still get their hint


# --- theme overrides ------------------------------------------------------------------------

CASES = Path(__file__).parent / "cases" / "invalid"


@pytest.mark.parametrize("case, message", [
    ("e203-theme-override-bad-colour", "theme.colors.accent: '#ggg' is not a colour like '#1f6feb'"),
    ("e202-theme-override-colour-is-number", "theme.colors.accent: the number 3 is not a colour like '#1f6feb'"),
    ("e200-theme-override-unknown-colour", "unknown key 'acent' in theme.colors"),
    ("e200-theme-override-unknown-key", "unknown key 'font_sise' in theme"),
    ("e204-theme-override-font-size", "theme.font_size must be from 9 to 24, not 200"),
    ("e202-theme-override-font-size-text", "theme.font_size must be a number of pixels such as 14, not the text 'big'"),
    ("e202-theme-override-colors-not-mapping", "theme.colors must be a mapping of colour names to colours, not a list"),
    ("e203-theme-override-name-typo", "theme.name: there is no theme 'defualt'"),
])
def test_a_bad_theme_override_is_named_in_words_at_its_key(case: str, message: str) -> None:
    """Not the theme's first key with a dict repr and theme names: the override at fault, by its dotted path."""
    result = api.check(CASES / f"{case}.yaml")
    assert [d.message for d in result.diagnostics] == [message]
    assert "{" not in result.diagnostics[0].hint


def test_a_theme_that_is_neither_name_nor_mapping_says_both_forms(write_map: WriteMap) -> None:
    result = api.check(write_map("jmap: 1\ntitle: T\ntheme: [dark]\n" + STAGE))
    assert [d.message for d in result.diagnostics] == [
        "theme must be a theme name such as default, or a mapping with name, colors and font_size, not a list"]
