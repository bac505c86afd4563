"""docs/format.md and docs/errors.md stay in step with the schema and the diagnostic codes."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from generators import load_generator
from jsonschema import Draft202012Validator
from ruamel.yaml import YAML

from jmap import api
from jmap.diagnostics import CODES
from jmap.resources import schema

ROOT = Path(__file__).parents[1]


gen_docs = load_generator("gen_docs")


def _yaml(text: str) -> Any:
    return YAML(typ="safe", pure=True).load(io.StringIO(text))


def _validator(definition: str) -> Draft202012Validator:
    full = schema()
    return Draft202012Validator({"$ref": f"#/$defs/{definition}", "$defs": full["$defs"]})


def test_format_md_is_generated_from_the_schema() -> None:
    assert (ROOT / "docs" / "format.md").read_text(encoding="utf-8") == gen_docs.format_md(), (
        "docs/format.md is out of date: run python tools/gen_docs.py")


def test_errors_md_is_up_to_date_and_lists_every_code() -> None:
    text = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
    assert text == gen_docs.errors_md(), "docs/errors.md is out of date: run python tools/gen_docs.py"
    codes = gen_docs.all_codes()
    assert set(CODES) < set(codes) and {"E900", "E901", "E902", "E414", "E415", "E416", "W510"} <= set(codes)
    for code, description in codes.items():
        assert f"### {code}\n\n{description}\n" in text
        section = text.split(f"### {code}\n", 1)[1].split("\n### ", 1)[0]
        assert f"[{code}]" in section  # a real message, produced by jmap
        assert "**How to fix it:**" in section


def test_every_code_jmap_emits_is_documented() -> None:
    """Any code written anywhere in jmap's source is in a code table, and so in docs/errors.md."""
    emitted: set[str] = set()
    for path in (ROOT / "src" / "jmap").rglob("*.py"):
        emitted |= set(re.findall(r"[\"'`]([EW]\d{3})[\"'`]", path.read_text(encoding="utf-8")))
    assert {"E206", "W504", "E900", "E414", "W512"} <= emitted  # the scan finds codes where they are raised
    text = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
    undocumented = sorted(code for code in emitted if f"### {code}\n" not in text)
    assert not undocumented, f"codes jmap emits but docs/errors.md lacks: {undocumented}"
    assert sorted(emitted - set(gen_docs.all_codes())) == []


def _properties(node: Any, path: str = "") -> list[tuple[str, dict[str, Any]]]:
    """Every property anywhere in the schema, with its schema node."""
    found: list[tuple[str, dict[str, Any]]] = []
    if isinstance(node, dict):
        for key, child in node.get("properties", {}).items():
            found.append((f"{path}.{key}", child))
        for key, child in node.items():
            found.extend(_properties(child, f"{path}/{key}"))
    elif isinstance(node, list):
        for index, child in enumerate(node):
            found.extend(_properties(child, f"{path}[{index}]"))
    return found


def test_every_property_has_a_description_and_is_documented() -> None:
    text = (ROOT / "docs" / "format.md").read_text(encoding="utf-8")
    definitions = schema()["$defs"]
    for where, node in _properties(schema()):
        target = definitions[node["$ref"].rsplit("/", 1)[-1]] if "$ref" in node and "description" not in node else node
        description = target.get("description")
        assert description, f"{where} has no description"
        assert f"`{where.rsplit('.', 1)[-1]}`" in text, f"{where} is missing from docs/format.md"
        assert description.replace("|", "\\|") in text, f"the description of {where} is missing from docs/format.md"


def test_allowed_values_are_listed() -> None:
    text = (ROOT / "docs" / "format.md").read_text(encoding="utf-8")
    enums = re.findall(r'"enum": \[([^\]]*)\]', (ROOT / "schemas" / "journey.schema.json").read_text())
    assert enums
    for values in enums:
        assert "one of " + ", ".join(f"`{v.strip().strip(chr(34))}`" for v in values.split(",")) in text


def test_the_complete_example_is_a_valid_map(tmp_path: Path) -> None:
    (tmp_path / "jmap.toml").write_text("")
    path = tmp_path / "journey.yaml"
    path.write_text(gen_docs.EXAMPLE_MAP, encoding="utf-8")
    result = api.check(path)
    assert result.diagnostics == []


@pytest.mark.parametrize("section", gen_docs.SECTIONS, ids=[s[0] for s in gen_docs.SECTIONS])
def test_section_examples_are_valid(section: tuple[str, str, str, str, str | None]) -> None:
    definition, _, _, example, key = section
    data = _yaml(example)
    values = data[key] if key else data
    for value in values if isinstance(values, list) and definition != "library" else [values]:
        errors = [error.message for error in _validator(definition).iter_errors(value)]
        assert errors == [], f"{definition}: {errors}"


@pytest.mark.parametrize("value", gen_docs.VALUES, ids=[v[0] for v in gen_docs.VALUES])
def test_value_examples_are_valid(value: tuple[str, str, str]) -> None:
    definition, _, example = value
    assert list(_validator(definition).iter_errors(_yaml(f"x: {example}")["x"])) == []


def test_every_section_heading_is_linked_from_the_contents() -> None:
    text = (ROOT / "docs" / "format.md").read_text(encoding="utf-8")
    headings = re.findall(r"^##+ (.+)$", text, flags=re.MULTILINE)
    anchors = {gen_docs.anchor(heading) for heading in headings}
    for link in re.findall(r"\]\((#[^)]+)\)", text):
        assert link in anchors, f"broken link {link}"
