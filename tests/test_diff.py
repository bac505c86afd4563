"""`jmap diff`: semantic changes matched by ids, golden change lists, git revisions."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from jmap.api import model
from jmap.cli.cli import app
from jmap.cli.diff_reporters import md_escape, render_markdown, render_text, report_json
from jmap.loading.load import Document, parse
from jmap.model.model import Journey
from jmap.model.normalize import to_model
from jmap.review.diff import (
    KINDS,
    REMOVED,
    Change,
    DiffResult,
    diff,
    word_ops,
    words_text,
)
from jmap.review.fmt import format_text

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "cases" / "diff"
ACCEPT = os.environ.get("JMAP_ACCEPT") == "1"
NAMES = sorted(p.name.removesuffix(".old.yaml") for p in CASES.glob("*.old.yaml"))


def check_golden(expected: Path, got: str) -> None:
    """Compare with a golden file; JMAP_ACCEPT=1 rewrites it, a mismatch leaves a .got file beside it."""
    got_file = expected.with_name(expected.name + ".got")
    if ACCEPT or not expected.exists():
        expected.write_text(got, encoding="utf-8")
        got_file.unlink(missing_ok=True)
        if not ACCEPT:
            pytest.fail(f"{expected.name} was missing and has been written; check it and run again")
        return
    if expected.read_text(encoding="utf-8") != got:
        got_file.write_text(got, encoding="utf-8")
        pytest.fail(f"{expected.name} differs from the output; see {got_file.name} (JMAP_ACCEPT=1 to accept)")
    got_file.unlink(missing_ok=True)


def case(name: str) -> DiffResult:
    return diff(model(CASES / f"{name}.old.yaml"), model(CASES / f"{name}.new.yaml"),
                old_label=f"{name}.old.yaml", new_label=f"{name}.new.yaml")


# --- golden change lists ------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_golden(name: str) -> None:
    result = case(name)
    markdown, golden_json = CASES / f"{name}.expected.md", CASES / f"{name}.expected.json"
    if markdown.exists():
        check_golden(markdown, render_markdown([result]))
    if golden_json.exists() or not markdown.exists():
        text = json.dumps(report_json([result]), indent=2, ensure_ascii=False) + "\n"
        check_golden(CASES / f"{name}.expected.json", text)
    for change in result.changes:
        assert_key_resolves(change, result)


def test_formatting_only_changes_produce_nothing() -> None:
    assert case("formatting-only").equal


def test_golden_cases_cover_every_kind_of_change() -> None:
    changes = [c for name in NAMES for c in case(name).changes]
    assert {c.kind for c in changes} == set(KINDS)
    verbs = {c.verb for c in changes}
    assert {"added", "removed", "resolved", "reworded", "moved", "renamed", "changed", "rose", "fell", "improved",
            "worsened", "worse", "eased"} <= verbs
    whats = {(c.what, c.kind) for c in changes}
    for what in ("stage", "step", "item", "persona", "research", "chapter", "lane"):
        assert {(what, "added"), (what, "removed")} <= whats, what
    assert {("stage", "moved"), ("stage", "renamed"), ("step", "moved"), ("step", "renamed"), ("item", "moved"),
            ("emotion", "added"), ("emotion", "removed"), ("emotion", "changed")} <= whats


def assert_key_resolves(change: Change, result: DiffResult) -> None:
    """The key names an element of the new map (the old one for removals); old_key one of the old map."""
    assert change.kind in KINDS
    assert result.old is not None and result.new is not None
    journey = result.old if change.kind == REMOVED else result.new
    assert resolves(change.key, journey), change
    if change.old_key is not None:
        assert resolves(change.old_key, result.old), change


def resolves(key: tuple[Any, ...], journey: Journey) -> bool:
    columns = {c.id: c for s in journey.stages for c in (s, *s.steps)}
    what = key[0]
    if what == "map":
        return True
    if what == "stage":
        return any(s.id == key[1] for s in journey.stages)
    if what == "step":
        return any(c.id == key[1] for s in journey.stages for c in s.steps)
    if what == "item":
        column = columns.get(str(key[1]))
        return column is not None and 0 <= int(key[3]) < len(column.lanes.items(str(key[2])))
    if what == "emotion":
        column = columns.get(str(key[1]))
        return column is not None and key[2] in dict(column.emotion)
    if what == "persona":
        persona = next((p for p in journey.personas if p.id == key[1]), None)
        return persona is not None and (len(key) == 2 or int(key[3]) < len(getattr(persona, str(key[2]))))
    found = {"research": journey.research, "chapter": journey.chapters, "lane": journey.lanes}[str(what)]
    return any(x.id == key[1] for x in found)


def test_renderer_contract() -> None:
    """What a renderer reads: kinds and keys per element, positions for ghosts, the old journey for curves."""
    result = case("checkout")
    by_key = result.by_key()
    assert [c.kind for c in by_key[("stage", "track")]] == ["added"]
    resolved = [c for c in result.changes if c.verb == "resolved"]
    assert [c.key for c in resolved] == [("item", "pay", "pain_points", 0), ("item", "pay", "pain_points", 1)]
    assert [c.position for c in resolved] == [0, 0]
    assert by_key[("emotion", "pay", "maya")][0].old == -1 and by_key[("emotion", "pay", "maya")][0].new == 1
    assert result.old is not None and dict(result.old.stages[1].emotion) == {"maya": -1.0}


def test_words() -> None:
    assert words_text(word_ops("Shipping cost shown only at the last step", "Shipping cost shown at the first step")) \
        == "Shipping cost shown [-only -]at the [-last-]{+first+} step"
    assert words_text(word_ops("Pays by card", "Pays by card or PayPal")) == "Pays by card{+ or PayPal+}"
    assert words_text(word_ops("今の使い方", "今の使い方から")) == "今の使い方{+から+}"


# --- output -------------------------------------------------------------------------------------


def test_markdown_is_inert() -> None:
    hostile = "<script>alert(1)</script> @octocat #12 [x](http://e.vil) **b** `c` \u202egnp.exe | ~~s~~"
    escaped = md_escape(hostile)
    assert "<" not in escaped and ">" not in escaped
    assert "@octocat" not in escaped and "#12" not in escaped
    assert "\u202e" not in escaped
    assert "\\*\\*b\\*\\*" in escaped and "\\[x\\]" in escaped and "\\`c\\`" in escaped and "\\|" in escaped


def test_markdown_summary_line_and_details() -> None:
    text = render_markdown([case("checkout")])
    first = text.splitlines()[0]
    assert first == ("**Checkout journey** (`checkout.new.yaml`): 1 stage added, 2 pain points resolved, "
                     "1 opportunity added, 1 KPI improved, emotion rose in 1 stage")
    assert "<details><summary>6 changes</summary>" in text and text.rstrip().endswith("</details>")


def test_text_output_plain_and_coloured() -> None:
    plain = render_text([case("emotion")])
    assert "Maya: -1 → +1 (up 2)" in plain and "\x1b" not in plain
    coloured = render_text([case("emotion")], colour=True)
    assert "[green]" in coloured or "[red]" in coloured


# --- properties ---------------------------------------------------------------------------------

SCORE = st.sampled_from([-2, -1, -0.5, 0, 0.5, 1, 2])
WORDS = st.sampled_from(["Opens the app", "Pays by card", "Waits", "Calls support", "Reads reviews twice"])


@st.composite
def journey_data(draw: st.DrawFn) -> dict[str, Any]:
    persona_ids = draw(st.lists(st.sampled_from(["maya", "jon"]), unique=True, max_size=2))
    stages = []
    for stage_id in draw(st.lists(st.sampled_from([f"s{i}" for i in range(6)]), unique=True, min_size=1, max_size=4)):
        stage: dict[str, Any] = {"id": stage_id, "name": draw(st.sampled_from(["Find", "Buy", "Use", stage_id]))}
        if persona_ids:
            stage["emotion"] = {p: draw(SCORE) for p in persona_ids if draw(st.booleans())} or {persona_ids[0]: 0}
        else:
            stage["emotion"] = draw(SCORE)
        stage["actions"] = draw(st.lists(WORDS, max_size=3))
        stage["pain_points"] = draw(st.lists(WORDS | st.fixed_dictionaries(
            {"text": WORDS, "severity": st.sampled_from(["low", "medium", "high"])}), max_size=2))
        if draw(st.booleans()):
            stage["steps"] = [{"id": f"{stage_id}-{k}", "name": draw(WORDS)} for k in range(draw(st.integers(1, 2)))]
        stages.append(stage)
    data: dict[str, Any] = {"jmap": 1, "title": draw(st.sampled_from(["A journey", "Another journey"])),
                            "stages": stages}
    if persona_ids:
        data["personas"] = [{"id": p, "name": p.title()} for p in persona_ids]
    return data


def to_journey(data: dict[str, Any]) -> Journey:
    return to_model(Document(Path("map.yaml"), data, {}, {}, Path.cwd()))


FAST = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(journey_data())
def test_a_map_against_itself_is_equal(data: dict[str, Any]) -> None:
    assert diff(to_journey(data), to_journey(data)).equal


@FAST
@given(journey_data(), journey_data())
def test_every_stage_id_in_one_map_only_is_reported(a: dict[str, Any], b: dict[str, Any]) -> None:
    result = diff(to_journey(a), to_journey(b))
    ids_a = {s["id"] for s in a["stages"]}
    ids_b = {s["id"] for s in b["stages"]}
    reported = {(c.key, c.kind) for c in result.changes if c.what == "stage"}
    for stage_id in ids_a - ids_b:
        assert (("stage", stage_id), "removed") in reported
    for stage_id in ids_b - ids_a:
        assert (("stage", stage_id), "added") in reported
    assert result.old is not None and result.new is not None
    for change in result.changes:
        assert_key_resolves(change, result)
    assert result.equal == (a == b or result.equal)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(journey_data())
def test_formatting_never_changes_the_diff(data: dict[str, Any]) -> None:
    text = json.dumps(data)
    formatted = format_text(text)
    before, _, _ = parse(text, "a.yaml")
    after, _, _ = parse(formatted, "b.yaml")
    assert diff(to_journey(before), to_journey(after)).equal


# --- the command --------------------------------------------------------------------------------


def run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def test_cli_exit_codes_and_formats() -> None:
    old, new = str(CASES / "checkout.old.yaml"), str(CASES / "checkout.new.yaml")
    assert run("diff", old, old).exit_code == 0
    result = run("diff", old, new, "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["equal"] is False and data["maps"][0]["summary"][0] == "1 stage added"
    assert run("diff", old, new, "--format", "markdown").stdout.startswith("**Checkout journey**")
    assert run("diff", old, str(CASES / "missing.yaml")).exit_code == 2


def test_cli_invalid_map_exits_2(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("jmap: 1\ntitle: T\nstages: []\n", encoding="utf-8")
    result = run("diff", str(CASES / "checkout.old.yaml"), str(broken))
    assert result.exit_code == 2
    assert "broken.yaml" in result.output and "error[" in result.output


# --- git revisions ------------------------------------------------------------------------------


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
                        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"})


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    root = tmp_path / "repo"
    (root / "journeys" / "shared").mkdir(parents=True)
    shutil.copy(CASES / "checkout.old.yaml", root / "journeys" / "checkout.yaml")
    (root / "journeys" / "shared" / "people.yaml").write_text(
        "jmap: 1\npersonas:\n  - {id: ana, name: Ana}\n", encoding="utf-8")
    (root / "journeys" / "onboarding.yaml").write_text(
        "jmap: 1\ntitle: Onboarding\ninclude: [shared/people.yaml]\nstages:\n"
        "  - {id: signup, name: Sign-up, emotion: {ana: 1}}\n", encoding="utf-8")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "maps")
    monkeypatch.chdir(root)
    return root


def test_git_working_tree_against_head(repo: Path) -> None:
    shutil.copy(CASES / "checkout.new.yaml", repo / "journeys" / "checkout.yaml")
    result = run("diff", "HEAD", "journeys/checkout.yaml")
    assert result.exit_code == 1, result.output
    assert "HEAD:journeys/checkout.yaml" in result.stdout and "2 pain points resolved" in result.stdout
    everything = run("diff", "HEAD", "--format", "json")
    assert [m["new"] for m in json.loads(everything.stdout)["maps"]] == ["journeys/checkout.yaml"]


def test_git_reads_included_files_at_the_revision(repo: Path) -> None:
    (repo / "journeys" / "shared" / "people.yaml").write_text(
        "jmap: 1\npersonas:\n  - {id: ana, name: Ana Lima}\n", encoding="utf-8")
    result = run("diff", "HEAD", "journeys/onboarding.yaml", "--format", "json")
    assert result.exit_code == 1, result.output
    changes = json.loads(result.stdout)["maps"][0]["changes"]
    assert [(c["kind"], c["old"], c["new"]) for c in changes] == [("renamed", "Ana", "Ana Lima")]


def test_git_reads_the_includes_of_a_map_with_a_duplicate_key(repo: Path) -> None:
    """A duplicate key no longer stops the loader: the included file must be fetched from the
    revision too, or the map would get a false "does not exist" (E400) for its include."""
    onboarding = repo / "journeys" / "onboarding.yaml"
    onboarding.write_text(onboarding.read_text(encoding="utf-8") + "title: Again\n", encoding="utf-8")
    git(repo, "commit", "-qam", "a duplicate title")
    result = run("diff", "HEAD", "journeys/onboarding.yaml")
    assert result.exit_code == 2
    assert "error[E105]" in result.output and "E400" not in result.output, result.output


def test_git_ranges_and_formatting_only_commits(repo: Path) -> None:
    path = repo / "journeys" / "checkout.yaml"
    path.write_text(format_text(path.read_text(encoding="utf-8")), encoding="utf-8")
    git(repo, "commit", "-qam", "fmt")
    result = run("diff", "HEAD~1..HEAD")
    assert result.exit_code == 0, result.output
    assert "no changes in meaning" in result.stdout
    shutil.copy(CASES / "checkout.new.yaml", path)
    git(repo, "commit", "-qam", "change")
    assert run("diff", "HEAD~2..HEAD", "journeys").exit_code == 1
    assert run("diff", "HEAD~2...HEAD", "journeys/checkout.yaml").exit_code == 1
    assert run("diff", "HEAD..HEAD").exit_code == 0


def test_git_added_and_deleted_maps(repo: Path) -> None:
    (repo / "journeys" / "onboarding.yaml").unlink()
    shutil.copy(CASES / "kpis.new.yaml", repo / "journeys" / "kpis.yaml")
    result = run("diff", "HEAD", "--format", "json")
    assert result.exit_code == 1, result.output
    summaries = {m["new"]: m["summary"] for m in json.loads(result.stdout)["maps"]}
    assert summaries == {"journeys/kpis.yaml": ["map added"], "journeys/onboarding.yaml": ["map deleted"]}


def test_git_refuses_option_like_and_unknown_revisions(repo: Path) -> None:
    for rev in ("--output=/tmp/x", "-p", "no-such-branch", "HEAD..--all"):
        result = run("diff", "--", rev)
        assert result.exit_code == 2, rev
        assert "not a git revision" in result.output
