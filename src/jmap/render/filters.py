"""What every template prints through, shared by the Jinja environment and the compiled SVG template.

Kept free of jinja2 so that rendering the compiled template never imports it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache, partial
from typing import Any

from markupsafe import Markup

from jmap.layout.geometry import fmt

# Characters XML 1.0 cannot hold even as references: C0 controls but tab, LF and CR;
# surrogates; U+FFFE and U+FFFF. The loader refuses most; this keeps any valid map well formed.
# None is printable, so the pattern (~0.7 ms to compile, for the surrogate range) is compiled
# only when a value that is not printable (but for tabs and line breaks) comes by.
_NOT_XML = "[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]"

#: How templates are read and escaped: `get_env()` is built with these, the compiled SVG template
#: records the ones it was compiled with, and jmap.render.svg uses it only while they are equal.
TEMPLATE_OPTIONS: dict[str, bool] = {
    "autoescape": True, "trim_blocks": True, "lstrip_blocks": True, "keep_trailing_newline": True,
}

#: Text known to be safe as Markup: what `Markup(text)` gives for a str, without its Python-level checks.
as_markup: Callable[[str], Markup] = partial(str.__new__, Markup)


def xml_safe(value: Any) -> Any:
    """The environment's `finalize`: every printed value passes here before escaping; drop what XML cannot hold."""
    if isinstance(value, str) and not isinstance(value, Markup) and not _printable(value):
        pattern = re.compile(_NOT_XML)  # cached by re
        if pattern.search(value):
            return pattern.sub("", value)
    return value


def _printable(text: str) -> bool:
    """Printable but for tabs and line breaks (the titles of cards hold line breaks)."""
    return text.isprintable() or text.replace("\n", "").replace("\t", "").replace("\r", "").isprintable()


@lru_cache(maxsize=4096)
def num(value: float) -> Markup:
    """The `num` filter: numbers print with at most 2 decimals; they are safe, so they skip escaping.

    A map repeats few numbers (online-shop: 3,227 printed, 510 distinct), and equal numbers
    print alike (1, 1.0 and True all print "1"), hence the cache.
    """
    return as_markup(fmt(value))
