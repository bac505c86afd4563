"""Numbers as the map prints them: grouped thousands, no trailing zeros, a true minus sign."""

from __future__ import annotations

#: U+2212: a minus as wide as the plus, where a hyphen would look thin.
MINUS = "\u2212"


def format_number(value: float) -> str:
    """1234567 -> "1,234,567"; 2.50 -> "2.5"."""
    if float(value).is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    if value and not 1e-4 <= abs(value) < 1e15:  # astronomically large or tiny: scientific, bounded length
        return f"{value:.4g}"
    text = f"{value:,.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def with_unit(value: float, unit: str) -> str:
    """A value with its unit: "12%", "3.5 days" (%, ‰ and ° stick to the number)."""
    number = format_number(value).replace("-", MINUS)
    if not unit:
        return number
    return f"{number}{unit}" if unit in ("%", "‰", "°") else f"{number} {unit}"
