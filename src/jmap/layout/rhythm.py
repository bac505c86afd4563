"""The map's spacing: an 8 px rhythm, margins, insets and gaps, and rounding up to the rhythm.

One place for the numbers every part of the layout shares, so that panels, cells and
cards line up wherever they are drawn.
"""

from __future__ import annotations

import math

GRID = 8  # the rhythm
MARGIN = 40
CELL_INSET = 8  # cell edge to card
GAP = 8  # between cards
PAD_X = 10  # card edge to text
PAD_Y = 8
RADIUS = 6
SECTION_GAP = 32  # between header, grid, legend and footer
FLOW_GAP = 24  # between flowing panels (persona cards, legend blocks, sources)
EMOTION_STEP = 28  # px between two levels of the emotion scale, at 13 px type
MIN_ROW = 48


def snap(value: float, step: float = GRID) -> float:
    """`value` rounded up to the rhythm."""
    return math.ceil(value / step - 1e-9) * step
