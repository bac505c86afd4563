"""Shared fixtures: a throw-away project folder to write maps into."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

#: The shortest valid map (no warnings: its one stage has an emotion score).
MINIMAL_MAP = "jmap: 1\ntitle: Minimal\nstages:\n  - id: start\n    name: Start\n    emotion: 0\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """An empty project folder: its jmap.toml makes it the root that includes may not leave."""
    root = tmp_path / "project"
    root.mkdir()
    (root / "jmap.toml").write_text("# test project\n", encoding="utf-8")
    return root


@pytest.fixture
def write_map(project: Path) -> Callable[..., Path]:
    """Write text (or bytes) to a file in the project and return its path."""

    def write(content: str | bytes = MINIMAL_MAP, name: str = "journey.yaml") -> Path:
        path = project / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        return path

    return write


@pytest.fixture
def minimal_map() -> str:
    return MINIMAL_MAP
