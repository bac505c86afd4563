"""Read old versions of maps through git itself, for `jmap diff REV [PATH...]`.

Git runs with a list argv (never a shell); a revision must not start with '-' (it
would be read as an option), and paths always come after `--`. A map read from a
revision is written, with the files it includes, into a temporary mirror of the
repository, so that it loads exactly as the working-tree map does (includes
resolved and confined to the project); the images it names (avatars, storyboard
pictures) are mirrored too, so they pass the same checks and a visual diff can draw them.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from tempfile import TemporaryDirectory
from typing import Any

from jmap.diagnostics import clip
from jmap.loading.load import DEFAULT_MAX_BYTES, MAX_INCLUDE_DEPTH, MAX_INCLUDES, find_root

__all__ = ["GitError", "RevRange", "Snapshot", "changed_maps", "check_rev", "git", "parse_range", "repo_root"]

_TIMEOUT = 60
_MAP_SUFFIXES = (".yaml", ".yml")


class GitError(Exception):
    """Git is missing, the folder is not a repository, or a revision or path does not exist."""


def check_rev(rev: str) -> str:
    """A revision as typed by the user, refused when git could mistake it for an option."""
    if not rev:
        raise GitError("a git revision is empty")
    if rev.startswith("-"):
        raise GitError(f"'{clip(rev, 40)}' is not a git revision (revisions cannot start with '-')")
    if any(ch in rev for ch in "\0\n\r") or len(rev) > 256:
        raise GitError(f"'{clip(rev, 40)}' is not a git revision")
    return rev


def _run(args: Sequence[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, timeout=_TIMEOUT, check=False, env=env)
    except FileNotFoundError:
        raise GitError("git is not installed (jmap diff REV reads old versions through git)") from None
    except subprocess.TimeoutExpired:
        raise GitError(f"git {args[0]} took longer than {_TIMEOUT} s") from None


def git(args: Sequence[str], cwd: Path, *, binary: bool = False, check: bool = True) -> Any:
    """Run git with a list argv in `cwd`; return stdout (text, or bytes when `binary`)."""
    done = _run(args, cwd)
    if check and done.returncode != 0:
        message = done.stderr.decode("utf-8", errors="replace").strip().splitlines()
        raise GitError(clip(message[0] if message else f"git {args[0]} failed", 200))
    return done.stdout if binary else done.stdout.decode("utf-8", errors="replace")


def repo_root(cwd: Path) -> Path:
    try:
        return Path(git(["rev-parse", "--show-toplevel"], cwd).strip()).resolve()
    except GitError:
        raise GitError(f"{cwd} is not inside a git repository") from None


def resolve_commit(rev: str, cwd: Path) -> str:
    """The commit id of a revision (`HEAD~2`, a branch, a tag, a hash)."""
    check_rev(rev)
    found = git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"], cwd, check=False).strip()
    if not found:
        raise GitError(f"'{clip(rev, 40)}' is not a git revision here")
    return str(found)


@dataclass(frozen=True)
class RevRange:
    """Commits to compare: `old` against `new`, or against the working tree when `new` is None."""

    old: str
    new: str | None
    label_old: str
    label_new: str


def parse_range(spec: str, cwd: Path) -> RevRange:
    """`REV` (working tree against REV), `A..B`, or `A...B` (B against the merge base of A and B)."""
    check_rev(spec)
    if "..." in spec:
        left, right = spec.split("...", 1)
        left_id = resolve_commit(check_rev(left or "HEAD"), cwd)
        right_id = resolve_commit(check_rev(right or "HEAD"), cwd)
        base = git(["merge-base", left_id, right_id], cwd).strip()
        return RevRange(base, right_id, left or "HEAD", right or "HEAD")
    if ".." in spec:
        left, right = spec.split("..", 1)
        return RevRange(resolve_commit(check_rev(left or "HEAD"), cwd), resolve_commit(check_rev(right or "HEAD"), cwd),
                        left or "HEAD", right or "HEAD")
    return RevRange(resolve_commit(spec, cwd), None, spec, "working tree")


def changed_maps(revs: RevRange, pathspecs: Sequence[str], cwd: Path) -> list[str]:
    """Repository-relative paths of YAML files that differ between the two sides (untracked ones too)."""
    top = repo_root(cwd)
    specs = [_pathspec(p, cwd, top) for p in pathspecs] or ["."]
    args = ["diff", "--name-only", "--no-renames", "-z", revs.old]
    if revs.new is not None:
        args.append(revs.new)
    names = [n for n in git([*args, "--", *specs], top).split("\0") if n]
    if revs.new is None:
        untracked = git(["ls-files", "--others", "--exclude-standard", "-z", "--", *specs], top)
        names.extend(n for n in untracked.split("\0") if n)
    return sorted({n for n in names if n.lower().endswith(_MAP_SUFFIXES)})


def _pathspec(path: str, cwd: Path, top: Path) -> str:
    """A user path as a literal pathspec relative to the repository root."""
    resolved = (cwd / path).resolve()
    try:
        relative = resolved.relative_to(top)
    except ValueError:
        raise GitError(f"{path} is outside the git repository {top}") from None
    return f":(literal){relative.as_posix() or '.'}"


def relative_to_repo(path: str | os.PathLike[str], cwd: Path) -> str:
    top = repo_root(cwd)
    resolved = (cwd / path).resolve()
    try:
        return resolved.relative_to(top).as_posix()
    except ValueError:
        raise GitError(f"{path} is outside the git repository {top}") from None


class Snapshot:
    """Files of one commit, mirrored on demand into a temporary folder laid out like the repository."""

    def __init__(self, commit: str, top: Path, folder: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.commit = commit
        self.top = top
        self.folder = folder
        self.max_bytes = max_bytes
        self.fetched = 0

    def exists(self, relative: str) -> bool:
        return _run(["cat-file", "-e", f"{self.commit}:{relative}"], self.top).returncode == 0

    def read(self, relative: str) -> bytes:
        """A file's bytes at the commit, refusing files over the size limit."""
        size = git(["cat-file", "-s", f"{self.commit}:{relative}"], self.top, check=False).strip()
        if not size.isdigit():
            raise GitError(f"{relative} does not exist at {self.commit[:12]}")
        if int(size) > self.max_bytes:
            raise GitError(f"{relative} at {self.commit[:12]} is {int(size):,} bytes, over the limit of "
                           f"{self.max_bytes:,}")
        return git(["cat-file", "blob", f"{self.commit}:{relative}"], self.top, binary=True)  # type: ignore[no-any-return]

    def mirror(self, relative: str) -> Path:
        """Write a map and the files it includes into the mirror; return the map's path there."""
        target = self._place(relative)
        self._write_map(relative, target, depth=0)
        return target

    def project_root(self, relative: str) -> Path:
        """The project root of the mirrored map: where the working tree's root lies, relative to the repository."""
        working = find_root((self.top / relative).parent)
        try:
            inside = working.resolve().relative_to(self.top)
        except ValueError:
            inside = Path()
        return (self.folder / inside).resolve()

    def _place(self, relative: str) -> Path:
        parts = PurePosixPath(relative).parts
        if not parts or any(p in ("", ".", "..") for p in parts) or PurePosixPath(relative).is_absolute():
            raise GitError(f"'{clip(relative, 60)}' is not a path inside the repository")
        return self.folder.joinpath(*parts)

    def _write_map(self, relative: str, target: Path, depth: int) -> None:
        from jmap.loading.load import parse_all

        data = self.read(relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        self.fetched += 1
        try:
            # parse_all: a duplicate key or a tag is reported later with the rest; the includes are still needed
            parsed = parse_all(data.decode("utf-8", errors="replace").removeprefix("\ufeff"), relative)[0]
        except Exception:  # noqa: BLE001 - the loader reports broken YAML properly later
            return
        if not isinstance(parsed, dict):
            return
        self._write_images(parsed, relative)
        includes = parsed.get("include")
        if not isinstance(includes, list) or depth >= MAX_INCLUDE_DEPTH:
            return
        for reference in includes[:MAX_INCLUDES]:
            if not isinstance(reference, str) or self.fetched > MAX_INCLUDES:
                continue
            included = _join(relative, reference)
            if included is None or not self.exists(included):
                continue  # the loader reports the missing or outside file
            place = self._place(included)
            if not place.exists():
                self._write_map(included, place, depth + 1)

    def _write_images(self, data: dict[str, Any], relative: str) -> None:
        """Mirror the persona avatars and storyboard pictures a map names (an image over the size
        limit as a sparse file of that size, so it is refused as the working tree's would be)."""
        from jmap.images import MAX_IMAGE_BYTES

        for reference in _image_references(data):
            image = _join(relative, reference)
            if image is None or not self.exists(image):
                continue  # the loader reports the missing or outside file
            place = self._place(image)
            if place.exists():
                continue
            place.parent.mkdir(parents=True, exist_ok=True)
            size = git(["cat-file", "-s", f"{self.commit}:{image}"], self.top, check=False).strip()
            if size.isdigit() and int(size) > MAX_IMAGE_BYTES:
                with place.open("wb") as handle:
                    handle.truncate(MAX_IMAGE_BYTES + 1)
                continue
            place.write_bytes(git(["cat-file", "blob", f"{self.commit}:{image}"], self.top, binary=True))


def _image_references(data: dict[str, Any]) -> list[str]:
    """The image paths a parsed map names: persona avatars, then storyboard pictures."""
    found: list[str] = []
    personas = data.get("personas")
    for persona in personas if isinstance(personas, list) else []:
        avatar = persona.get("avatar") if isinstance(persona, dict) else None
        if isinstance(avatar, str):
            found.append(avatar)
    stages = data.get("stages")
    columns = [s for s in stages if isinstance(s, dict)] if isinstance(stages, list) else []
    columns += [step for s in columns if isinstance(s.get("steps"), list)
                for step in s["steps"] if isinstance(step, dict)]
    for column in columns:
        pictures = column.get("storyboard")
        for picture in pictures if isinstance(pictures, list) else []:
            image = picture.get("image") if isinstance(picture, dict) else None
            if isinstance(image, str):
                found.append(image)
    return found


def _join(relative: str, reference: str) -> str | None:
    """A reference written in a map (relative to it) as a repository path; None when it leaves the repository."""
    if "://" in reference or reference.startswith(("/", "\\")) or ":" in reference:
        return None
    parts: list[str] = list(PurePosixPath(relative).parent.parts)
    for part in PurePosixPath(reference.replace("\\", "/")).parts:
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                return None
            parts.pop()
        else:
            parts.append(part)
    return "/".join(parts) if parts else None


@contextmanager
def snapshot(commit: str, cwd: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Snapshot]:
    """A Snapshot of `commit` in a temporary folder, removed afterwards."""
    top = repo_root(cwd)
    with TemporaryDirectory(prefix="jmap-diff-") as folder:
        yield Snapshot(commit, top, Path(folder).resolve(), max_bytes)
