"""The build cache: a JSON file that is always safe to delete, with relative paths and owned outputs."""

from __future__ import annotations

import json
from pathlib import Path

from jmap.project.cache import (
    CACHE_FILE,
    BuildCache,
    OutputRecord,
    digest,
    file_digest,
    inputs_digest,
    output_key,
    toolchain_fingerprint,
)


def test_round_trip_with_paths_relative_to_the_cache(tmp_path: Path) -> None:
    out = tmp_path / "out"
    source = tmp_path / "maps" / "a.yaml"
    source.parent.mkdir()
    source.write_text("jmap: 1\n")
    cache = BuildCache(out)
    record = OutputRecord(cache.rel(out / "a.svg"), "k", digest(b"svg"), 3)
    cache.record(source, [source], "inputs", {"svg": record})
    cache.save()
    raw = json.loads((out / CACHE_FILE).read_text())
    assert raw["maps"] == {"../maps/a.yaml": {"deps": ["../maps/a.yaml"], "inputs": "inputs", "outputs": {
        "svg": {"path": "a.svg", "key": "k", "digest": digest(b"svg"), "size": 3}}}}
    again = BuildCache.load(out)
    assert again.entry(source) == cache.entry(source)
    assert again.abs("a.svg") == out / "a.svg"
    assert again.owned() == {"a.svg": digest(b"svg")}


def test_a_moved_checkout_keeps_its_cache(tmp_path: Path) -> None:
    first = tmp_path / "one"
    (first / "out").mkdir(parents=True)
    (first / "a.yaml").write_text("x")
    cache = BuildCache(first / "out")
    cache.record(first / "a.yaml", [first / "a.yaml"], inputs_digest([first / "a.yaml"]) or "", {})
    cache.save()
    moved = first.rename(tmp_path / "two")
    again = BuildCache.load(moved / "out")
    entry = again.entry(moved / "a.yaml")
    assert entry is not None and again.current_inputs(entry) == entry.inputs


def test_unusable_caches_are_ignored(tmp_path: Path) -> None:
    for content in ("{broken", "[]", json.dumps({"version": 999, "maps": {}}),
                    json.dumps({"version": 1, "maps": {"a.yaml": {"deps": 3}}})):
        (tmp_path / CACHE_FILE).write_text(content)
        assert BuildCache.load(tmp_path).maps == {}


def test_saving_only_when_changed(tmp_path: Path) -> None:
    cache = BuildCache(tmp_path / "out")
    cache.save()
    assert not (tmp_path / "out").exists()


def test_a_renamed_output_stays_owned_as_an_orphan(tmp_path: Path) -> None:
    cache = BuildCache(tmp_path)
    source = tmp_path / "a.yaml"
    cache.record(source, [source], "i", {"svg": OutputRecord("a.svg", "k", "d1", 1)})
    cache.record(source, [source], "i", {"svg": OutputRecord("maps/a.svg", "k", "d2", 1)})
    assert cache.orphans == {"a.svg": "d1"}
    assert cache.owned() == {"a.svg": "d1", "maps/a.svg": "d2"}
    cache.forget_output("a.svg")
    assert cache.orphans == {}


def test_hashes(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.write_bytes(b"one")
    b.write_bytes(b"two")
    assert inputs_digest([a, b]) != inputs_digest([b, a])
    assert inputs_digest([a, tmp_path / "missing"]) is None
    assert file_digest(tmp_path / "missing") is None
    assert file_digest(a) == digest(b"one")
    assert toolchain_fingerprint() == toolchain_fingerprint()
    assert output_key("i", "png", {"scale": 2}) != output_key("i", "png", {"scale": 3})
    assert output_key("i", "svg", {}) != output_key("i", "png", {})
