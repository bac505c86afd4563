"""Render: place a positioned `Layout` into SVG (and later HTML) through Jinja templates.

Templates never measure text or compute positions; they print what the layout holds.
"""

from __future__ import annotations

from jmap.render.svg import render_layout_svg, render_svg

__all__ = ["render_layout_svg", "render_svg"]
