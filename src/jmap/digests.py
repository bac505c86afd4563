"""The digest of the sources a generated module was made from, computed one way everywhere.

jmap ships four modules generated ahead of time for speed (the compiled validator, the
compiled SVG template, the parsed themes and the font metrics). Each keeps the digest of
what it was generated from; at run time it is used only while its sources still have
that digest, else the full path (jsonschema, Jinja, tomllib, fontTools) gives the answer.
The generators in tools/ call these same functions, so the two sides can never differ
in how they hash. BLAKE2b comes from `_blake2`, without hashlib's OpenSSL start-up (~3 ms).
"""

from __future__ import annotations

import os
from collections.abc import Iterable

try:
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - a Python built without it
    from hashlib import blake2b


def source_digest(*sources: bytes | str) -> str:
    """The digest of some sources in order (text as UTF-8), each with its length so none can run into the next."""
    hasher = blake2b(digest_size=16)
    for source in sources:
        data = source.encode("utf-8") if isinstance(source, str) else source
        hasher.update(len(data).to_bytes(8, "little"))
        hasher.update(data)
    return hasher.hexdigest()


def files_digest(paths: Iterable[str | os.PathLike[str]]) -> str | None:
    """`source_digest` of the files' exact bytes, in the order given; None when one cannot be read."""
    contents = []
    for path in paths:
        try:
            with open(path, "rb") as handle:
                contents.append(handle.read())
        except OSError:
            return None
    return source_digest(*contents)


#: The tables of a font (OpenType) that jmap.layout.fontmetrics reads: code points (cmap), advances
#: (hmtx, with hhea, maxp and head's units per em), family and version (name), substitutions and
#: kerning (GSUB, GPOS, GDEF). Outlines (CFF, glyf, loca) and glyph names (post, the CFF charset)
#: are left out: names only label glyphs, which every table refers to by number. Half the bytes.
FONT_TABLES = frozenset({"cmap", "head", "hhea", "hmtx", "maxp", "name", "GSUB", "GPOS", "GDEF"})


def font_tables_digest(paths: Iterable[str | os.PathLike[str]]) -> str | None:
    """`source_digest` of each font's version tag and its `FONT_TABLES` (tag and exact bytes).

    None when a file cannot be read or is not a single OpenType font.
    """
    parts: list[bytes] = []
    for path in paths:
        try:
            with open(path, "rb") as handle:
                header = handle.read(12)
                count = int.from_bytes(header[4:6], "big")
                directory = handle.read(16 * count)
                if len(header) < 12 or header[:4] == b"ttcf" or len(directory) < 16 * count:
                    return None
                parts.append(header[:4])
                for start in range(0, 16 * count, 16):
                    tag = directory[start:start + 4]
                    if tag.decode("latin-1") not in FONT_TABLES:
                        continue
                    handle.seek(int.from_bytes(directory[start + 8:start + 12], "big"))
                    length = int.from_bytes(directory[start + 12:start + 16], "big")
                    table = handle.read(length)
                    if len(table) != length:
                        return None
                    parts += [tag, table]
        except OSError:
            return None
    return source_digest(*parts)
