"""The build cache: what jmap rendered last time, so an unchanged map is not rendered again.

One JSON file, `.jmap-cache.json`, in the output folder. Deleting it is always
safe: the next build renders everything once more. For each map it keeps

- the files the map read (itself, its includes, its persona avatars) and a hash
  of their bytes, so an unchanged map is recognised without parsing its YAML;
- for each format, the output path, the key it was rendered with (input hash,
  theme, options, jmap version and a fingerprint of jmap's own code, templates,
  themes and fonts) and the digest and size of the bytes jmap wrote.

The written records are also the list of files jmap owns: `--prune` only ever
removes a file listed here whose bytes are still the ones jmap wrote.

Records are a NamedTuple and a class with `__slots__`, not dataclasses: importing
`dataclasses` costs every `jmap build` ~10 ms (jmap.records.SlotsRecord gives the class a
dataclass's == and repr). Annotations are evaluated (no `from
__future__ import annotations`): NamedTuple compiles string ones (see jmap.layout.geometry).
"""

import json
import os
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from jmap import __version__
from jmap.fsutil import write_atomic
from jmap.records import SlotsRecord

try:  # the module hashlib takes BLAKE2 from, without hashlib's OpenSSL start-up (~3 ms)
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - a Python built without it
    from hashlib import blake2b

CACHE_FILE = ".jmap-cache.json"
#: Bumped when the cache layout changes; an old cache is then ignored.
CACHE_VERSION = 1


def digest(data: bytes) -> str:
    return blake2b(data, digest_size=16).hexdigest()


def file_digest(path: Path) -> str | None:
    """The digest of a file's bytes, or None when it cannot be read."""
    try:
        with open(path, "rb") as handle:
            return digest(handle.read())
    except OSError:
        return None


def inputs_digest(files: Iterable[Path | str]) -> str | None:
    """One hash over the bytes of files, in order, or None when one of them is unreadable."""
    hasher = blake2b(digest_size=16)
    for path in files:
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError:
            return None
        hasher.update(len(data).to_bytes(8, "little") + data)
    return hasher.hexdigest()


@cache
def toolchain_fingerprint() -> str:
    """A hash of everything in jmap that shapes an output: version, code, templates, themes, fonts.

    Computed once per process. Covering the package's own files, not only its version,
    keeps the cache right in a development checkout too. Files are identified by path, size
    and modification time rather than content: reading the fonts and the generated validator
    on every run cost ~25 ms, and a touched file only makes the cache rebuild (never go stale).
    """
    hasher = blake2b(digest_size=16)
    hasher.update(__version__.encode())
    for root in _toolchain_roots():
        for relative, info in _files_below(root):
            hasher.update(f"{relative}\0{info}\n".encode())
    return hasher.hexdigest()


def _toolchain_roots() -> list[str]:
    """The package folder and the data folders outside it (a checkout keeps templates and schemas at its root)."""
    from jmap.resources import data_dir

    package = os.path.dirname(os.path.abspath(__file__))
    roots = [package]
    for name in ("templates", "themes", "fonts", "schemas"):
        try:
            folder = os.path.abspath(data_dir(name))
        except FileNotFoundError:
            continue
        if not (folder + os.sep).startswith(package + os.sep):
            roots.append(folder)
    return roots


def _files_below(root: str, prefix: str = "") -> list[tuple[str, str]]:
    """(path relative to root, "size:mtime_ns") for every file below root, in name order.

    Skips byte code, hidden and temporary files; a file that cannot be read says "-".
    """
    try:
        entries = sorted(os.scandir(root), key=lambda entry: entry.name)
    except OSError:
        return []
    found: list[tuple[str, str]] = []
    for entry in entries:
        name = entry.name
        if name.startswith(".") or name == "__pycache__" or name.endswith((".pyc", ".tmp")):
            continue
        relative = prefix + name
        if entry.is_dir():
            if not entry.is_symlink():  # as os.walk: a linked folder is not entered
                found += _files_below(entry.path, relative + "/")
            continue
        try:
            info = entry.stat()
        except OSError:
            found.append((relative, "-"))
            continue
        found.append((relative, f"{info.st_size}:{info.st_mtime_ns}"))
    return found


def output_key(inputs: str, fmt: str, settings: dict[str, Any]) -> str:
    """The key an output is rendered under: same key, same bytes."""
    payload = json.dumps({"inputs": inputs, "format": fmt, "settings": settings,
                          "toolchain": toolchain_fingerprint()}, sort_keys=True)
    return digest(payload.encode())


class OutputRecord(NamedTuple):
    """One file jmap wrote."""

    path: str  # relative to the cache's folder, with /
    key: str
    digest: str
    size: int

    def as_json(self) -> dict[str, Any]:
        return {"path": self.path, "key": self.key, "digest": self.digest, "size": self.size}


class MapEntry(SlotsRecord):
    """What the cache knows about one map."""

    __slots__ = ("deps", "inputs", "outputs")

    def __init__(self, deps: list[str], inputs: str, outputs: dict[str, OutputRecord] | None = None) -> None:
        #: Files the map read (relative to the cache's folder), the map first.
        self.deps = deps
        self.inputs = inputs
        self.outputs: dict[str, OutputRecord] = {} if outputs is None else outputs

    def as_json(self) -> dict[str, Any]:
        return {"deps": self.deps, "inputs": self.inputs,
                "outputs": {fmt: self.outputs[fmt].as_json() for fmt in sorted(self.outputs)}}


class BuildCache:
    """The cache of one output folder; paths inside are relative to that folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / CACHE_FILE
        self.maps: dict[str, MapEntry] = {}
        #: Outputs jmap wrote that no map produces any more (a renamed output): path -> digest.
        self.orphans: dict[str, str] = {}
        self.dirty = False
        self._base = os.path.abspath(folder)
        self._rel: dict[str, str] = {}
        self._abs: dict[str, str] = {}

    # paths ---------------------------------------------------------------------------

    def rel(self, path: Path | str) -> str:
        """A path relative to the cache's folder, with / (fast for the thousands a build asks)."""
        absolute = os.path.abspath(path)
        found = self._rel.get(absolute)
        if found is None:
            found = os.path.relpath(absolute, self._base)
            if os.sep != "/":
                found = found.replace(os.sep, "/")
            self._rel[absolute] = found
        return found

    def abs(self, relative: str) -> Path:
        return Path(self.abs_str(relative))

    def abs_str(self, relative: str) -> str:
        found = self._abs.get(relative)
        if found is None:
            found = self._abs[relative] = os.path.normpath(os.path.join(self._base, relative))
        return found

    # reading and writing -------------------------------------------------------------

    @classmethod
    def load(cls, folder: Path) -> "BuildCache":
        """The cache in `folder`; an empty one when it is missing, unreadable or from another version."""
        self = cls(folder)
        try:
            raw = json.loads(self.path.read_bytes())
        except (OSError, ValueError):
            return self
        if not isinstance(raw, dict) or raw.get("version") != CACHE_VERSION:
            return self
        try:
            for source, entry in raw.get("maps", {}).items():
                self.maps[source] = MapEntry(
                    deps=[str(d) for d in entry["deps"]],
                    inputs=str(entry["inputs"]),
                    outputs={fmt: OutputRecord(str(o["path"]), str(o["key"]), str(o["digest"]), int(o["size"]))
                             for fmt, o in entry["outputs"].items()},
                )
            self.orphans = {str(k): str(v) for k, v in raw.get("orphans", {}).items()}
        except (KeyError, TypeError, ValueError, AttributeError):
            self.maps, self.orphans = {}, {}
        return self

    def as_json(self) -> dict[str, Any]:
        return {
            "version": CACHE_VERSION,
            "jmap": __version__,
            "maps": {source: self.maps[source].as_json() for source in sorted(self.maps)},
            "orphans": dict(sorted(self.orphans.items())),
        }

    def save(self) -> None:
        """Write the cache atomically (only when something changed)."""
        if not self.dirty:
            return
        text = json.dumps(self.as_json(), indent=1, sort_keys=False) + "\n"
        write_atomic(self.path, text.encode("utf-8"), within=self.folder)  # never through a link out
        self.dirty = False

    # queries -------------------------------------------------------------------------

    def entry(self, source: Path) -> MapEntry | None:
        return self.maps.get(self.rel(source))

    def current_inputs(self, entry: MapEntry) -> str | None:
        """The hash of the map's files as they are now (None when one is gone)."""
        return inputs_digest(self.abs_str(d) for d in entry.deps)

    def owned(self) -> dict[str, str]:
        """Every output path jmap wrote (relative), with the digest it wrote."""
        owned = dict(self.orphans)
        for entry in self.maps.values():
            for record in entry.outputs.values():
                owned[record.path] = record.digest
        return owned

    # updates -------------------------------------------------------------------------

    def record(self, source: Path, deps: list[Path], inputs: str, outputs: dict[str, OutputRecord]) -> None:
        """Remember what a build of `source` read and wrote."""
        key = self.rel(source)
        entry = self.maps.get(key)
        kept = dict(entry.outputs) if entry else {}
        for fmt, record in outputs.items():
            old = kept.get(fmt)
            if old is not None and old.path != record.path:
                self.orphans[old.path] = old.digest
            self.orphans.pop(record.path, None)
            kept[fmt] = record
        self.maps[key] = MapEntry([self.rel(d) for d in deps], inputs, kept)
        self.dirty = True

    def forget(self, source: str) -> None:
        if self.maps.pop(source, None) is not None:
            self.dirty = True

    def forget_output(self, relative: str) -> None:
        if self.orphans.pop(relative, None) is not None:
            self.dirty = True
        for entry in self.maps.values():
            for fmt, record in list(entry.outputs.items()):
                if record.path == relative:
                    del entry.outputs[fmt]
                    self.dirty = True
