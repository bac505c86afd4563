"""Files that ship with jmap: the schema, templates, themes and fonts.

In an installed wheel `schemas/` and `templates/` live inside the package; in
a source checkout (editable install, tests) they live at the repository root.
Either way, code asks here and never builds a path by hand.

The package folder is `Path(__file__).parent`, not `importlib.resources.files`:
jmap needs real files on disk anyway (cairo, fontconfig and Jinja open them by
path), so a zip install could not work, and `files()` costs a few milliseconds
of imports (zipfile, the resource readers) in every process.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

_PACKAGE = Path(__file__).parent
_CHECKOUT = _PACKAGE.parent.parent


def data_dir(name: str) -> Path:
    """The folder `name` (schemas, templates, themes, fonts), installed or in a checkout."""
    for candidate in (_PACKAGE / name, _CHECKOUT / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"jmap is missing its {name!r} folder; reinstall jmap")


@cache
def schema() -> dict[str, Any]:
    """The journey JSON Schema (format version 1)."""
    import json  # only the full path (jsonschema) and a few commands need the schema itself

    path = data_dir("schemas") / "journey.schema.json"
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def schema_text(library: bool = False) -> str:
    """The journey schema's text; with `library`, the schema of a shared file that maps include."""
    name = "library.schema.json" if library else "journey.schema.json"
    return (data_dir("schemas") / name).read_text(encoding="utf-8")
