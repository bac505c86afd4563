"""Which files paths, folders and globs name as maps, and which YAML files found in folders are skipped (and why).

It lives here, not in jmap.api, so the builder can use it without importing the facade: jmap.api re-exports it.
"""

from __future__ import annotations

import os
from pathlib import Path

from jmap.records import SlotsRecord

#: Folders never searched for maps.
_SKIP_DIRS = {".git", ".hg", ".venv", "venv", "node_modules", "__pycache__", "build", "dist", ".tox"}


#: Why a YAML file found in a folder is not checked as a map: reason -> the words `--verbose` prints.
SKIP_REASONS = {
    "library": "a library that maps include (it has `jmap:` but no `title:` or `stages:`)",
    "not a map": "not a map (no `jmap:`, `title:` or `stages:` at the top level)",
    "other keys": "not a map (it has a `title:`, but no `jmap:` or `stages:`, and keys no map has)",
    "unreadable": "cannot be read",
    "excluded": "excluded by the config's `exclude`",
}


class Discovery(SlotsRecord):
    """The maps that paths, folders and globs name, and the YAML files found but skipped (with why)."""

    __slots__ = ("maps", "skipped")

    def __init__(self, maps: list[Path] | None = None, skipped: list[tuple[Path, str]] | None = None) -> None:
        self.maps: list[Path] = [] if maps is None else maps
        #: (file, a key of SKIP_REASONS), in the order found.
        self.skipped: list[tuple[Path, str]] = [] if skipped is None else skipped


def discover(patterns: list[str]) -> list[Path]:
    """Map files named by paths, folders (searched for YAML that looks like a map) and globs."""
    return scan(patterns).maps


def scan(patterns: list[str]) -> Discovery:
    """`discover`, also saying which YAML files in the folders were skipped and why.

    A file in a folder is checked as a map when it has a top-level `title:` or `stages:` key,
    with or without `jmap:` (without it, checking reports E206: a map that forgot its version
    must not pass in silence). Files named outright, or matched by a glob, are always checked.
    """
    found = Discovery()
    for pattern in patterns:
        path = Path(pattern)
        if path.is_dir():
            _maps_in(path, found)
        elif any(c in pattern for c in "*?[") and not path.exists():
            import glob

            for match in sorted(glob.glob(pattern, recursive=True)):
                if Path(match).is_dir():
                    _maps_in(Path(match), found)
                else:
                    found.maps.append(Path(match))
        else:
            found.maps.append(path)  # missing files are reported when loaded
    maps = list(dict.fromkeys(found.maps))
    skipped = [(p, why) for p, why in dict(found.skipped).items() if p not in set(maps)]
    return Discovery(maps, skipped)


def _maps_in(folder: Path, found: Discovery) -> None:
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith("."))
        for name in sorted(files):
            if name.endswith((".yaml", ".yml")):
                path = Path(root) / name
                reason = skip_reason(path)
                if reason is None:
                    found.maps.append(path)
                else:
                    found.skipped.append((path, reason))


#: The top-level keys a map may have (schemas/journey.schema.json; tests/test_discovery.py keeps them equal).
MAP_KEYS = frozenset({b"$schema", b"chapters", b"description", b"include", b"jmap", b"lanes", b"language",
                      b"owner", b"personas", b"research", b"stages", b"tags", b"theme", b"title"})


def _top_keys(path: Path) -> set[bytes] | None:
    """The top-level keys in a file's first 64 KB (lines that start with `key:`); None if it cannot be read."""
    try:
        with path.open("rb") as handle:
            head = handle.read(64_000)
    except OSError:
        return None
    keys = set()
    for line in head.removeprefix(b"\xef\xbb\xbf").splitlines():
        if line[:1] in (b"", b" ", b"\t", b"#", b"-", b"{", b"[", b"%", b".") or b":" not in line:
            continue
        key = line.split(b":", 1)[0].rstrip(b" \t").strip(b"\"'")
        if key:
            keys.add(key)
    return keys


def skip_reason(path: Path) -> str | None:
    """None when a YAML file found in a folder is checked as a map, else why not (a key of SKIP_REASONS).

    A map is a file with `jmap:` and `title:` or `stages:`; a map that forgot `jmap:` is one with
    `stages:`, or with `title:` and only keys a map has (a site's `_config.yml` has a title too).
    """
    keys = _top_keys(path)
    if keys is None:
        return "unreadable"
    if b"stages" in keys or (b"title" in keys and (b"jmap" in keys or keys <= MAP_KEYS)):
        return None
    if b"jmap" in keys:
        return "library"
    return "other keys" if b"title" in keys else "not a map"


def declares_format(path: Path) -> bool:
    """Whether a YAML file is a journey map that says its version: top-level `jmap:` and `title:` or `stages:`.

    Shared files that maps include (personas, research) declare `jmap:` too, but they are
    not maps of their own and are checked through the maps that include them.
    """
    keys = _top_keys(path)
    return keys is not None and b"jmap" in keys and (b"title" in keys or b"stages" in keys)


def skipped_json(skipped: list[tuple[Path, str]]) -> list[dict[str, str]]:
    """The skipped files as JSON reports list them."""
    from jmap.loading.load import display_path

    return [{"path": display_path(path), "reason": why} for path, why in skipped]
