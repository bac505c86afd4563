"""jmap: a compiler for customer-journey maps.

The library API: ``load`` reads a map with source positions, ``validate``
checks it, ``build`` renders it. The CLI (``jmap.cli.cli``) only wraps these.
Heavy modules are imported on first use, so ``jmap --version`` stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: The public API, each name imported from its module on first use.
_LAZY = {
    "load": "jmap.api",
    "validate": "jmap.api",
    "check": "jmap.api",
    "build": "jmap.api",
    "render_svg": "jmap.api",
    "CheckResult": "jmap.api",
    "BuildOptions": "jmap.project.builder",
    "BuildReport": "jmap.project.builder",
    "Diagnostic": "jmap.diagnostics",
    "JmapError": "jmap.diagnostics",
}

__all__ = [
    "__version__", "load", "validate", "check", "build", "render_svg",
    "CheckResult", "BuildOptions", "BuildReport", "Diagnostic", "JmapError",
]  # fmt: skip

if TYPE_CHECKING:  # pragma: no cover
    from jmap.api import CheckResult, build, check, load, render_svg, validate
    from jmap.diagnostics import Diagnostic, JmapError
    from jmap.project.builder import BuildOptions, BuildReport


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'jmap' has no attribute {name!r}")


def __dir__() -> list[str]:
    """The module's own names and the lazily imported API, so `dir(jmap)` shows the API."""
    return sorted({*__all__, *(name for name in globals() if name.startswith("_"))})
