"""Layout: turns a journey model into positioned geometry (pure, no I/O).

`jmap.layout.text` measures and wraps text with the metrics of the bundled fonts,
so that nothing a card holds overflows it in any renderer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["Layout", "layout"]

if TYPE_CHECKING:  # pragma: no cover
    from jmap.layout.engine import layout
    from jmap.layout.geometry import Layout


def __getattr__(name: str) -> Any:
    # Lazy, so importing jmap.layout.text alone stays cheap.
    if name == "layout":
        from jmap.layout.engine import layout

        return layout
    if name == "Layout":
        from jmap.layout.geometry import Layout

        return Layout
    raise AttributeError(f"module 'jmap.layout' has no attribute {name!r}")
