"""jmap: a compiler for customer-journey maps.

The library API: ``load`` reads a map with source positions, ``validate``
checks it, ``build`` renders it. The CLI (``jmap.cli``) only wraps these.
Heavy modules are imported on first use, so ``jmap --version`` stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["__version__", "load", "validate", "check", "build", "render_svg"]

if TYPE_CHECKING:  # pragma: no cover
    from jmap.api import build, check, load, render_svg, validate


def __getattr__(name: str) -> Any:
    if name in {"load", "validate", "check", "build", "render_svg"}:
        from jmap import api

        return getattr(api, name)
    raise AttributeError(f"module 'jmap' has no attribute {name!r}")
