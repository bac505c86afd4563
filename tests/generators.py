"""The generators in tools/, imported as modules (they are scripts, next to their shared helper)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType

TOOLS = Path(__file__).resolve().parent.parent / "tools"


def load_generator(name: str) -> ModuleType:
    """tools/<name>.py as a module; tools/ goes on sys.path, as when the script runs."""
    if str(TOOLS) not in sys.path:
        sys.path.insert(0, str(TOOLS))
    return importlib.import_module(name)
