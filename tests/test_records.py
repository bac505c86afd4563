"""The records of the model, diagnostics and loader: NamedTuples and slotted classes, cheap to import.

A plain `jmap build` imports these modules in every process, so they must not pull in
`dataclasses` (inspect, ast, dis, tokenize), `importlib.resources`, `tomllib`, `decimal`,
`json` or `base64` before they are needed. The records keep what the dataclasses gave
callers: field names and order, defaults, ordering of spans, equality of documents.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from jmap.diagnostics import Diagnostic, Span, dedupe
from jmap.export.rtl import TextReport
from jmap.loading.load import Document
from jmap.model.model import Journey, Lanes, Stage, Step, Theme
from jmap.model.themes import Strokes, TypeSizes

SRC = Path(__file__).resolve().parents[1] / "src"

#: Modules a build imports to load, check (fast path) and model a map, and to resolve its theme.
BUILD_PATH = ("jmap.validation.fastpath", "jmap.model.normalize", "jmap.model.model", "jmap.model.themes",
              "jmap.validation.validate", "jmap.validation._validator", "jmap.images", "jmap.icons", "jmap.resources")
#: What none of them may import: each costs milliseconds, and none is needed for a valid map.
HEAVY = ("dataclasses", "inspect", "importlib.resources", "zipfile", "tomllib", "decimal", "json", "base64",
         "jsonschema", "difflib")


def test_build_path_modules_import_nothing_heavy() -> None:
    # -S: no site-packages and no .pth hooks, which may import some of these before jmap does.
    code = ("import sys; sys.path.insert(0, sys.argv[1]); before = set(sys.modules); "
            f"import {', '.join(BUILD_PATH)}; print(' '.join(sorted(set(sys.modules) - before)))")
    imported = subprocess.run([sys.executable, "-S", "-c", code, str(SRC)], capture_output=True, text=True,
                              check=True).stdout.split()
    assert set(BUILD_PATH) <= set(imported)
    assert sorted(set(HEAVY) & set(imported)) == []


def test_a_stage_has_the_fields_of_a_step_then_its_steps() -> None:
    # normalize builds a Stage from a Step positionally: `Stage(*step, steps=...)`.
    assert Stage._fields == (*Step._fields, "steps")
    assert Stage._field_defaults == {**Step._field_defaults, "steps": ()}
    step = Step("a", "A", duration="2 days", emotion=(("customer", 1.0),))
    stage = Stage(*step, steps=(step,))
    assert (stage.id, stage.duration, stage.emotion, stage.steps) == ("a", "2 days", (("customer", 1.0),), (step,))
    assert stage.columns == (step,) and stage.self_and_steps == (stage, step)
    assert Stage("b", "B").columns == (Stage("b", "B"),)


def test_defaults_are_shared_immutable_instances() -> None:
    assert Step("a", "A").lanes == Lanes() and Step("a", "A").lanes.items("actions") == ()
    journey = Journey("T", ())
    assert journey.theme == Theme() and journey.persona_ids == ("customer",)
    assert journey._replace(title="U").title == "U" and journey.title == "T"


def test_spans_sort_by_path_line_column() -> None:
    spans = [Span("b.yaml", 1, 1), Span("a.yaml", 2, 1), Span("a.yaml", 1, 9), Span("a.yaml", 1, 2)]
    assert sorted(spans) == [Span("a.yaml", 1, 2), Span("a.yaml", 1, 9), Span("a.yaml", 2, 1), Span("b.yaml", 1, 1)]
    assert str(Span("a.yaml", 3, 4)) == "a.yaml:3:4" and str(Span("a.yaml", 0, 0)) == "a.yaml"


def test_diagnostics_keep_their_shape() -> None:
    first = Diagnostic("W500", "no score", Span("a.yaml", 2, 1))
    again = Diagnostic("W500", "no score", Span("a.yaml", 2, 1), hint="add one")
    assert first.hint == "" and first.severity.value == "warning"
    assert str(first) == "a.yaml:2:1: warning[W500]: no score"
    assert dedupe([again, first]) == [first]  # the same problem at the same place: reported once
    assert first._replace(span=first.span._replace(path="HEAD:a.yaml")).span == Span("HEAD:a.yaml", 2, 1)


def test_documents_compare_by_content_and_keep_their_own_includes(tmp_path: Path) -> None:
    def document() -> Document:
        return Document(tmp_path / "map.yaml", {"title": "T"}, {(): Span("map.yaml", 1, 1)}, {}, tmp_path)

    one, two = document(), document()
    assert one == two and one.includes == [] and one.includes is not two.includes
    one.includes.append(document())
    assert one != two and two.includes == []
    assert "title" in repr(one)


def test_theme_records_replace_and_scale() -> None:
    sizes = TypeSizes()._replace(body=14.0)
    assert sizes.body == 14.0 and sizes.scaled(2).title == 56.0
    assert Strokes._fields == ("card_border", "grid", "curve", "icon")


def test_text_report_starts_empty() -> None:
    first, second = TextReport(), TextReport()
    first.missing["x"] = None
    assert first.lines == 0 and second.missing == {}
