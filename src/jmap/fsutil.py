"""Atomic file writes: a reader never sees a half-written output.

The temporary file is made here rather than with `tempfile.mkstemp`: importing tempfile
(shutil, bz2, lzma, random) costs every `jmap build` ~4 ms, for a few lines of work.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

#: As tempfile's: create a new file only, never through a symlink.
_FLAGS = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)


class OutsideError(OSError):
    """A write would land outside the folder it must stay in (through `..` or a symbolic link)."""


def inside(path: Path | str, folder: Path | str) -> bool:
    """Whether `path`, with every link on the way followed (a link at its own name too), is in `folder`.

    Parts that do not exist yet count as plain folders: mkdir makes them so.
    """
    real, base = os.path.realpath(path), os.path.realpath(folder)
    return real == base or real.startswith(base.rstrip(os.sep) + os.sep)


def write_atomic(path: Path, data: bytes, *, within: Path | None = None) -> None:
    """Write to a temporary file beside `path`, then rename it into place.

    The file gets the permissions a plain write would (the temporary file starts private, 0600).
    With `within`, raise OutsideError before touching the disk when `path` resolves outside
    that folder: a committed link (a folder on the way, or at the file's own name) must not
    carry a build out of its output folder.
    """
    if within is not None and not inside(path, within):
        raise OutsideError(f"{path} leads outside {within}")
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = _temporary_file(path)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _temporary_file(path: Path) -> tuple[int, str]:
    """A new private file `.<name>.<random>.tmp` beside `path`, opened for writing."""
    for _ in range(100):
        temporary = os.path.join(path.parent, f".{path.name}.{os.urandom(6).hex()}.tmp")
        try:
            return os.open(temporary, _FLAGS, 0o600), temporary
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name beside {path}")


@functools.cache
def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
