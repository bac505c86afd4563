"""SVG path data of the shapes cards and curves are drawn with (bubbles, stripes, markers).

Kept apart from the code that places them, so each drawing reads as positions only.
"""

from __future__ import annotations

import math

from jmap.layout.geometry import fmt


def bubble(x: float, y: float, w: float, h: float, r: float, tail: float) -> str:
    """A speech bubble: a rounded box of height `h` with a tail below its left part."""
    t0 = x + 14
    return (
        f"M{fmt(x + r)} {fmt(y)}H{fmt(x + w - r)}A{fmt(r)} {fmt(r)} 0 0 1 {fmt(x + w)} {fmt(y + r)}"
        f"V{fmt(y + h - r)}A{fmt(r)} {fmt(r)} 0 0 1 {fmt(x + w - r)} {fmt(y + h)}"
        f"H{fmt(t0 + 12)}L{fmt(t0)} {fmt(y + h + tail)}L{fmt(t0 + 2)} {fmt(y + h)}"
        f"H{fmt(x + r)}A{fmt(r)} {fmt(r)} 0 0 1 {fmt(x)} {fmt(y + h - r)}"
        f"V{fmt(y + r)}A{fmt(r)} {fmt(r)} 0 0 1 {fmt(x + r)} {fmt(y)}z"
    )


def left_stripe(x: float, y: float, h: float, r: float, w: float = 4) -> str:
    """A coloured edge that follows a card's rounded left corners."""
    return (
        f"M{fmt(x + r)} {fmt(y)}H{fmt(x + w)}V{fmt(y + h)}H{fmt(x + r)}"
        f"A{fmt(r)} {fmt(r)} 0 0 1 {fmt(x)} {fmt(y + h - r)}V{fmt(y + r)}"
        f"A{fmt(r)} {fmt(r)} 0 0 1 {fmt(x + r)} {fmt(y)}z"
    )


#: The persona marker shapes, in the order personas get them (the 9th persona repeats the 1st).
MARKER_SHAPES: tuple[str, ...] = (
    "circle", "square", "diamond", "triangle-up", "triangle-down", "plus", "star", "cross",
)


def _polygon(points: list[tuple[float, float]]) -> str:
    first, *rest = points
    return f"M{fmt(first[0])} {fmt(first[1])}" + "".join(f"L{fmt(x)} {fmt(y)}" for x, y in rest) + "z"


def marker_path(shape: int, cx: float, cy: float, r: float) -> str:
    """A persona's point marker (shapes differ so curves read in greyscale and for colour-blind readers).

    Every shape fills about the same area as a circle of radius `r`, so none looks weightier.
    """
    shape %= len(MARKER_SHAPES)
    if shape == 1:  # square
        s = r * 0.9
        return f"M{fmt(cx - s)} {fmt(cy - s)}h{fmt(2 * s)}v{fmt(2 * s)}h{fmt(-2 * s)}z"
    if shape == 2:  # diamond
        s = r * 1.25
        return f"M{fmt(cx)} {fmt(cy - s)}L{fmt(cx + s)} {fmt(cy)}L{fmt(cx)} {fmt(cy + s)}L{fmt(cx - s)} {fmt(cy)}z"
    if shape == 3:  # triangle up
        s = r * 1.3
        return f"M{fmt(cx)} {fmt(cy - s)}L{fmt(cx + s)} {fmt(cy + s * 0.8)}L{fmt(cx - s)} {fmt(cy + s * 0.8)}z"
    if shape == 4:  # triangle down
        s = r * 1.3
        return f"M{fmt(cx)} {fmt(cy + s)}L{fmt(cx + s)} {fmt(cy - s * 0.8)}L{fmt(cx - s)} {fmt(cy - s * 0.8)}z"
    if shape in (5, 7):  # plus; cross is the plus turned 45 degrees
        a, b = r * 1.2, r * 0.42  # arm length and half width
        arms = [(b, -a), (b, -b), (a, -b), (a, b), (b, b), (b, a), (-b, a), (-b, b), (-a, b), (-a, -b), (-b, -b),
                (-b, -a)]
        if shape == 7:
            k = math.sqrt(0.5)
            arms = [((x - y) * k, (x + y) * k) for x, y in arms]
        return _polygon([(cx + x, cy + y) for x, y in arms])
    if shape == 6:  # five-pointed star
        outer, inner = r * 1.45, r * 0.6
        return _polygon([
            (cx + (outer if i % 2 == 0 else inner) * math.sin(i * math.pi / 5),
             cy - (outer if i % 2 == 0 else inner) * math.cos(i * math.pi / 5))
            for i in range(10)
        ])
    return (  # circle
        f"M{fmt(cx + r)} {fmt(cy)}a{fmt(r)} {fmt(r)} 0 1 1 {fmt(-2 * r)} 0a{fmt(r)} {fmt(r)} 0 1 1 {fmt(2 * r)} 0z"
    )
