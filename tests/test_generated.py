"""A generated fast-path module is used only while its sources have the digest it keeps.

The four modules (compiled validator, compiled SVG template, parsed themes, font metrics)
each keep `jmap.digests` of what they were generated from. Here a source is changed
without regenerating, and the answer must be the full path's (jsonschema, Jinja,
tomllib, fontTools), never the stale module's.
"""

from __future__ import annotations

import json
import re
import shutil
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jmap import resources
from jmap.api import check
from jmap.cli.cli import app
from jmap.digests import files_digest, font_tables_digest, source_digest
from jmap.layout import _metrics
from jmap.layout import text as text_module
from jmap.model import _themes, themes
from jmap.model.model import Theme
from jmap.render import _map_svg, env, filters, svg
from jmap.validation import _validator, fastpath
from jmap.validation.validate import _validator as jsonschema_validator

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"


def _clear() -> None:
    resources.schema.cache_clear()
    fastpath.validator_is_current.cache_clear()
    jsonschema_validator.cache_clear()
    env.get_env.cache_clear()
    themes.clear_cache()


@pytest.fixture
def data_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], Path]]:
    """Make jmap read one of its data folders (schemas, templates) from an editable copy."""
    real = resources.data_dir
    copies: dict[str, Path] = {}

    def data_dir(name: str) -> Path:
        return copies.get(name) or real(name)

    def copy(name: str) -> Path:
        copies[name] = tmp_path / name
        shutil.copytree(real(name), copies[name])
        return copies[name]

    for module in (resources, svg, env):
        monkeypatch.setattr(module, "data_dir", data_dir)
    _clear()
    yield copy
    monkeypatch.undo()
    _clear()


def test_the_digest_is_of_exact_content_and_order() -> None:
    assert source_digest("ab", "c") != source_digest("a", "bc")  # lengths keep sources apart
    assert source_digest("é") == source_digest("é".encode())
    assert files_digest([ROOT / "no such file"]) is None


# --- the compiled validator -------------------------------------------------------------------


def test_validate_uses_a_stricter_schema_the_validator_was_not_regenerated_for(
    data_copy: Callable[[str], Path], write_map: Callable[..., Path]
) -> None:
    """A schema made stricter without running tools/gen_validator.py: `jmap validate` still rejects."""
    path = write_map("jmap: 1\ntitle: A title that is long\nstages:\n  - id: start\n    name: Start\n    emotion: 0\n")
    assert CliRunner().invoke(app, ["validate", str(path)]).exit_code == 0
    schema_file = data_copy("schemas") / "journey.schema.json"
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    schema["properties"]["title"]["maxLength"] = 10
    schema_file.write_text(json.dumps(schema, indent=2), encoding="utf-8")
    _clear()  # a new process
    _validator.validate({"jmap": 1, "title": "A title that is long", "stages": [{"id": "s", "name": "S"}]})  # stale
    assert not fastpath.validator_is_current()
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 1, result.stdout + result.stderr
    assert "journey.yaml:2:" in result.stderr and "title" in result.stderr


def test_the_shipped_validator_is_current() -> None:
    """Else every check would take the slow path without anyone noticing."""
    assert fastpath.validator_is_current()


# --- the compiled template --------------------------------------------------------------------


def test_an_edited_template_is_rendered_by_jinja(data_copy: Callable[[str], Path]) -> None:
    template = data_copy("templates") / "map.svg.j2"
    source = template.read_text(encoding="utf-8")
    edited = re.sub(r"(<svg\b[^>]*>)", r"\1<!-- edited -->", source, count=1)
    assert edited != source
    assert svg.compiled_is_current()
    template.write_text(edited, encoding="utf-8")
    assert not svg.compiled_is_current()
    drawn = svg.render_svg(check(ROOT / "examples" / "online-shop.yaml").journey())
    assert "<!-- edited -->" in drawn


def test_other_template_options_are_not_the_compiled_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    assert svg.compiled_is_current()
    monkeypatch.setitem(filters.TEMPLATE_OPTIONS, "trim_blocks", False)
    assert not svg.compiled_is_current()


def test_a_stale_template_digest_is_not_trusted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_map_svg, "SOURCE_DIGEST", "0" * 32)
    assert not svg.compiled_is_current()


# --- the parsed themes ------------------------------------------------------------------------


def test_an_edited_builtin_theme_is_parsed_by_tomllib(tmp_path: Path) -> None:
    folder = tmp_path / "themes"
    shutil.copytree(ROOT / "src" / "jmap" / "themes", folder)
    manifest = folder / "default" / "theme.toml"
    data = tomllib.loads(manifest.read_text(encoding="utf-8"))
    old = data["colors"]["grid"]
    new = "#123456" if old.lower() != "#123456" else "#654321"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    themes.clear_cache()
    try:
        assert resolve(folder).colors["grid"] == new
    finally:
        themes.clear_cache()


def resolve(folder: Path) -> themes.ResolvedTheme:
    return themes.resolve_theme(Theme(name="default"), folder)


def test_theme_data_is_used_only_under_its_digest(monkeypatch: pytest.MonkeyPatch) -> None:
    path = ROOT / "src" / "jmap" / "themes" / "default" / "theme.toml"
    assert themes._read(path, "default", "default") is _themes.DATA["default"]
    monkeypatch.setitem(_themes.DIGESTS, "default", "0" * 32)
    parsed = themes._read(path, "default", "default")
    assert parsed is not _themes.DATA["default"] and parsed == _themes.DATA["default"]


# --- the font metrics -------------------------------------------------------------------------


def test_fonts_changed_since_the_metrics_are_measured_with_fonttools(monkeypatch: pytest.MonkeyPatch) -> None:
    """A stale digest: the metrics come from the fonts themselves, and equal what the module keeps."""
    text_module._table.cache_clear()
    text_module._face.cache_clear()
    monkeypatch.setattr(_metrics, "SOURCE_DIGEST", "0" * 32)
    try:
        table = text_module._table()
        assert table is not _metrics.FACES
        assert table == _metrics.FACES
    finally:
        monkeypatch.undo()
        text_module._table.cache_clear()
        text_module._face.cache_clear()
    assert text_module._table() is _metrics.FACES


# --- the freshness tests run everywhere -------------------------------------------------------


def test_the_test_extra_pins_the_generators_versions() -> None:
    """The freshness tests compare with a fresh generation; the pins make it the same generator."""
    text = PYPROJECT.read_text(encoding="utf-8")
    test_extra = tomllib.loads(text)["project"]["optional-dependencies"]["test"]
    assert f"fastjsonschema=={_validator.FASTJSONSCHEMA_VERSION}" in test_extra
    assert f"jinja2=={_map_svg.JINJA_VERSION}" in test_extra



def _table_offsets(data: bytes) -> dict[str, tuple[int, int]]:
    count = int.from_bytes(data[4:6], "big")
    records = [data[12 + 16 * i:28 + 16 * i] for i in range(count)]
    return {r[:4].decode("latin-1"): (int.from_bytes(r[8:12], "big"), int.from_bytes(r[12:16], "big"))
            for r in records}


def test_the_font_digest_covers_the_metric_tables_only(tmp_path: Path) -> None:
    """A changed advance (hmtx) changes the digest; a changed outline (glyf), which no metric reads, does not."""
    font = tmp_path / "font.ttf"
    data = bytearray((ROOT / "src" / "jmap" / "fonts" / "NotoSansHebrew-Regular.ttf").read_bytes())
    font.write_bytes(data)
    before = font_tables_digest([font])
    assert before is not None and before != source_digest(bytes(data))
    tables = _table_offsets(bytes(data))
    for tag, changes in (("glyf", False), ("hmtx", True), ("GPOS", True), ("cmap", True)):
        offset, length = tables[tag]
        edited = bytearray(data)
        edited[offset + length // 2] ^= 0xFF
        font.write_bytes(edited)
        assert (font_tables_digest([font]) != before) is changes, tag
    font.write_bytes(b"ttcf" + bytes(data[4:]))
    assert font_tables_digest([font]) is None
    assert font_tables_digest([tmp_path / "missing.ttf"]) is None
