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
