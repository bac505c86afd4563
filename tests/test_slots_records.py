"""The mutable records (classes with `__slots__`) compare and print as the dataclasses they replaced.

jmap.records.SlotsRecord gives api.CheckResult, builder.MapResult and BuildReport, cache.MapEntry,
load.Document and rtl.TextReport what `@dataclass` generated: == by class and fields, no hash,
and a `ClassName(field=value, ...)` repr, with the fields in the order the dataclasses declared them.
"""

from __future__ import annotations

import pickle
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import jmap
from jmap.api import CheckResult, Discovery
from jmap.diagnostics import Diagnostic, Span
from jmap.export.rtl import TextReport
from jmap.loading.load import Document
from jmap.project.builder import BuildReport, MapResult
from jmap.project.cache import MapEntry, OutputRecord
from jmap.records import SlotsRecord

SRC = Path(__file__).resolve().parents[1] / "src"

DOC_A = Document(Path("a.yaml"), {"title": "A"}, {(): Span("a.yaml", 1, 1)}, {}, Path("."))
DOC_B = Document(Path("b.yaml"), {"title": "B"}, {}, {("title",): Span("b.yaml", 1, 1)}, Path("/p"), [DOC_A])
DIAG = Diagnostic("W500", "no score", Span("a.yaml", 2, 1))
RESULT = MapResult(Path("a.yaml"))

#: class -> its fields in the dataclass's order, each with two different values.
RECORDS: dict[type[SlotsRecord], dict[str, tuple[Any, Any]]] = {
    CheckResult: {
        "path": (Path("a.yaml"), Path("b.yaml")),
        "diagnostics": ([], [DIAG]),
        "document": (None, DOC_A),
    },
    MapResult: {
        "source": (Path("a.yaml"), Path("b.yaml")),
        "outputs": ([], [Path("out/a.svg")]),
        "diagnostics": ([], [DIAG]),
        "status": ("built", "failed"),
        "stale": ([], [(Path("out/a.svg"), "missing")]),
        "deps": ([], [Path("a.yaml")]),
        "inputs": (None, "abc"),
        "rendered": ({}, {"svg": ("abc", 10)}),
        "seconds": (0.0, 1.5),
    },
    Discovery: {
        "maps": ([], [Path("a.yaml")]),
        "skipped": ([], [(Path("ci.yml"), "not a map")]),
    },
    BuildReport: {
        "results": ([], [RESULT]),
        "orphans": ([], [Path("out/gone.svg")]),
        "pruned": ([], [Path("out/gone.svg")]),
        "kept": ([], [Path("out/mine.svg")]),
        "check": (False, True),
        "seconds": (0.0, 2.0),
        "skipped": ([], [(Path("ci.yml"), "not a map")]),
    },
    MapEntry: {
        "deps": (["a.yaml"], ["a.yaml", "b.yaml"]),
        "inputs": ("abc", "def"),
        "outputs": ({}, {"svg": OutputRecord("a.svg", "k", "d", 3)}),
    },
    Document: {
        "path": (Path("a.yaml"), Path("b.yaml")),
        "data": ({"title": "A"}, {"title": "B"}),
        "value_spans": ({}, {(): Span("a.yaml", 1, 1)}),
        "key_spans": ({}, {("title",): Span("a.yaml", 1, 1)}),
        "root": (Path("."), Path("/p")),
        "includes": ([], [DOC_B]),
        "problems": ([], [Diagnostic("E105", "the key 'title' appears twice", Span("a.yaml", 2, 1))]),
    },
    TextReport: {
        "lines": (0, 3),
        "missing": ({}, {"\u2603": None}),
    },
}

CLASSES = list(RECORDS)


def make(cls: type[SlotsRecord], which: int = 0, *, build: type | None = None, **changed: Any) -> Any:
    """An instance built by keyword from the `which`-th values, with some fields changed."""
    values = {name: pair[which] for name, pair in RECORDS[cls].items()}
    return (build or cls)(**{**values, **changed})


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_the_fields_are_the_slots_in_the_dataclass_order(cls: type[SlotsRecord]) -> None:
    assert cls._record_fields == cls.__slots__ == tuple(RECORDS[cls])
    assert not hasattr(make(cls), "__dict__")  # the mixin keeps the instances slotted


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_records_with_equal_fields_are_equal(cls: type[SlotsRecord]) -> None:
    for which in (0, 1):
        one, two = make(cls, which), make(cls, which)
        assert one is not two
        assert one == two and (one != two) is False


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_records_differing_in_any_field_are_unequal(cls: type[SlotsRecord]) -> None:
    base = make(cls)
    for name, (_, other) in RECORDS[cls].items():
        changed = make(cls, **{name: other})
        assert base != changed and (base == changed) is False, name
        setattr(changed, name, getattr(base, name))  # mutable: equal again once the field is put back
        assert base == changed, name


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_records_of_another_class_are_never_equal(cls: type[SlotsRecord]) -> None:
    record = make(cls)
    values = tuple(getattr(record, name) for name in cls._record_fields)
    assert record.__eq__(values) is NotImplemented
    assert record != values and record != object() and record != None  # noqa: E711
    # A subclass with the same fields is another class, as with dataclasses.
    sub = type("Sub", (cls,), {"__slots__": ()})
    assert record.__eq__(make(cls, build=sub)) is NotImplemented and record != make(cls, build=sub)
    others = [make(other) for other in CLASSES if other is not cls]
    assert all(record != other and other != record for other in others)


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_records_are_not_hashable(cls: type[SlotsRecord]) -> None:
    assert cls.__hash__ is None
    with pytest.raises(TypeError, match="unhashable"):
        hash(make(cls))


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_the_repr_names_the_class_and_every_field_as_a_dataclass_does(cls: type[SlotsRecord]) -> None:
    for which in (0, 1):
        record = make(cls, which)
        fields = ", ".join(f"{name}={pair[which]!r}" for name, pair in RECORDS[cls].items())
        assert repr(record) == f"{cls.__name__}({fields})"


def test_reprs_read_like_dataclass_reprs() -> None:
    assert repr(TextReport(2, {"x": None})) == "TextReport(lines=2, missing={'x': None})"
    assert repr(MapEntry(["a.yaml"], "abc")) == "MapEntry(deps=['a.yaml'], inputs='abc', outputs={})"
    assert repr(CheckResult(Path("a.yaml"))) == f"CheckResult(path={Path('a.yaml')!r}, diagnostics=[], document=None)"
    nested = repr(BuildReport([RESULT]))
    assert nested.startswith("BuildReport(results=[MapResult(source=") and nested.endswith(", seconds=0.0, skipped=[])")


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_records_survive_pickling_equal(cls: type[SlotsRecord]) -> None:
    # MapResults come back from build workers pickled.
    for which in (0, 1):
        record = make(cls, which)
        assert pickle.loads(pickle.dumps(record)) == record


def test_fields_of_a_subclass_follow_those_of_its_bases() -> None:
    class Base(SlotsRecord):
        __slots__ = ("a", "b")

        def __init__(self, a: int, b: int) -> None:
            self.a, self.b = a, b

    class Child(Base):
        __slots__ = "c"  # a lone string is one slot

        def __init__(self, a: int, b: int, c: int) -> None:
            super().__init__(a, b)
            self.c = c

    assert Child._record_fields == ("a", "b", "c")
    assert Child(1, 2, 3) == Child(1, 2, 3) != Child(1, 2, 4)
    assert Base(1, 2) != Child(1, 2, 3) and Child(1, 2, 3) != Base(1, 2)
    assert repr(Child(1, 2, 3)).endswith("Child(a=1, b=2, c=3)")


def test_fields_compare_as_tuples_do() -> None:
    nan = float("nan")
    report = TextReport(1, {"x": None})
    report.lines = nan  # type: ignore[assignment]
    # Like a dataclass: the fields are compared as tuples, so an identical NaN is equal.
    assert report == report
    assert TextReport(nan) != TextReport(float("nan"))  # type: ignore[arg-type]


def test_the_records_module_imports_nothing_the_jmap_package_does_not() -> None:
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import jmap; before = set(sys.modules); import jmap.records; "
            "print(' '.join(sorted(set(sys.modules) - before)))")
    imported = subprocess.run([sys.executable, "-S", "-c", code, str(SRC)], capture_output=True, text=True,
                              check=True).stdout.split()
    assert imported == ["jmap.records"]


@pytest.fixture(params=["valid", "warning", "broken"])
def any_map(request: pytest.FixtureRequest, write_map: Callable[..., Path], minimal_map: str) -> Path:
    text = {
        "valid": minimal_map,
        "warning": minimal_map.replace("    emotion: 0\n", ""),  # no emotion score: a warning
        "broken": "jmap: 1\ntitle: [unclosed\n",
    }[request.param]
    return write_map(text)


@pytest.mark.parametrize("fast", [True, False], ids=["fast", "full"])
def test_checking_a_map_twice_gives_equal_results(any_map: Path, fast: bool) -> None:
    first, second = jmap.check(any_map, fast=fast), jmap.check(any_map, fast=fast)
    assert first is not second
    assert first == second
    assert repr(first) == repr(second)
    assert repr(first).startswith(f"CheckResult(path={any_map!r}, diagnostics=[")


def test_check_results_differ_when_the_maps_do(write_map: Callable[..., Path], minimal_map: str) -> None:
    one = write_map(minimal_map, "one.yaml")
    two = write_map(minimal_map.replace("Minimal", "Other"), "two.yaml")
    renamed = write_map(minimal_map, "three.yaml")
    assert jmap.check(one) != jmap.check(two)
    assert jmap.check(one) != jmap.check(renamed)  # the same content at another path
