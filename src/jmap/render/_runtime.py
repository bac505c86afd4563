"""What templates compiled ahead of time (`_map_svg`) run on instead of `jinja2.runtime`.

Jinja compiles a template to Python that imports a few names from `jinja2.runtime`
and calls a few methods of its environment and context; importing jinja2 costs more
than rendering the map. This module gives exactly those names, with the semantics
of `jmap.render.env.get_env()`: autoescape (markupsafe), its `finalize` and `num`
filter (the same functions, from `jmap.render.filters`), attribute-then-item lookup,
and `StrictUndefined` (a missing name or attribute raises as soon as it is used).
tools/gen_templates.py refuses to generate code that needs anything else.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, NoReturn

import markupsafe
from markupsafe import Markup

from jmap.render.filters import as_markup, num, xml_safe

__all__ = ["ENVIRONMENT", "Markup", "TemplateRuntimeError", "Undefined", "escape", "internalcode", "missing", "render"]


class _Missing:
    """The type of `missing`: a context has no such name (Jinja's own sentinel is another object)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "missing"


missing: Any = _Missing()


class TemplateRuntimeError(Exception):
    """A template failed while rendering (as jinja2.TemplateRuntimeError)."""


class UndefinedError(TemplateRuntimeError):
    """A template used a name or an attribute that is not there (as jinja2.UndefinedError)."""


def escape(value: Any) -> Markup:
    """markupsafe.escape, with its two commonest cases done without its Python-level Markup() call.

    A Markup (a `num`) is already safe: escape() would return an equal copy. A plain str is
    escaped by the same replacements as markupsafe's own pure-Python `_escape_inner`.
    tests/test_compiled_svg.py checks this equals markupsafe.escape on any text.
    """
    if type(value) is Markup:
        return value
    if type(value) is str:
        text = value.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")
        return as_markup(text.replace("'", "&#39;").replace('"', "&#34;"))
    return markupsafe.escape(value)


def internalcode(function: Callable[..., Any]) -> Callable[..., Any]:
    """Jinja marks its helpers to hide them from tracebacks; nothing to hide here."""
    return function


def _type_repr(obj: Any) -> str:
    """As jinja2.utils.object_type_repr, so both paths word their errors alike."""
    if obj is None:
        return "None"
    if obj is Ellipsis:
        return "Ellipsis"
    cls = type(obj)
    return f"{cls.__name__} object" if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__name__} object"


class StrictUndefined:
    """What a missing name or attribute evaluates to: as jinja2.StrictUndefined, any use raises.

    Printing, testing, comparing, iterating, arithmetic, calls and lookups all raise
    UndefinedError; dunder probes raise AttributeError so Python's protocols (and
    markupsafe's `__html__` check) fall through to an operation that raises.
    """

    __slots__ = ("_hint", "_obj", "_name")

    def __init__(self, hint: str | None = None, obj: Any = missing, name: Any = None) -> None:
        self._hint, self._obj, self._name = hint, obj, name

    def _message(self) -> str:
        if self._hint:
            return self._hint
        if self._obj is missing:
            return f"{self._name!r} is undefined"
        if not isinstance(self._name, str):
            return f"{_type_repr(self._obj)} has no element {self._name!r}"
        return f"{_type_repr(self._obj)!r} has no attribute {self._name!r}"

    def _fail(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise UndefinedError(self._message())

    def __getattr__(self, name: str) -> Any:
        if name[:2] == "__" and name[-2:] == "__":
            raise AttributeError(name)
        self._fail()

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _fail
    __truediv__ = __rtruediv__ = __floordiv__ = __rfloordiv__ = __mod__ = __rmod__ = _fail
    __pos__ = __neg__ = __pow__ = __rpow__ = __call__ = __getitem__ = _fail
    __lt__ = __le__ = __gt__ = __ge__ = __int__ = __float__ = __complex__ = _fail
    __iter__ = __str__ = __len__ = __bool__ = __contains__ = _fail
    __eq__ = __ne__ = __hash__ = _fail

    def __repr__(self) -> str:
        return "Undefined"


#: Compiled code always binds `cond_expr_undefined = Undefined`; it only calls it for an inline
#: `if` without `else` (plain Undefined there prints ""), which the generator refuses.
Undefined = StrictUndefined


class Environment:
    """The parts of `get_env()`'s jinja2.Environment that compiled code calls."""

    __slots__ = ()
    undefined = StrictUndefined
    concat = "".join
    finalize = staticmethod(xml_safe)
    filters: Mapping[str, Callable[..., Any]] = {"num": num}

    def getattr(self, obj: Any, attribute: str) -> Any:
        """`obj.attribute`: the attribute, else the item, else undefined (jinja2.Environment.getattr)."""
        try:
            return getattr(obj, attribute)
        except AttributeError:
            pass
        try:
            return obj[attribute]
        except (TypeError, LookupError, AttributeError):
            return self.undefined(obj=obj, name=attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        """`obj[argument]`: the item, else a string's attribute, else undefined (jinja2.Environment.getitem)."""
        try:
            return obj[argument]
        except (AttributeError, TypeError, LookupError):
            if isinstance(argument, str):
                try:
                    return getattr(obj, argument)
                except AttributeError:
                    pass
            return self.undefined(obj=obj, name=argument)


ENVIRONMENT = Environment()


class Context:
    """The names a template renders with (as jinja2.runtime.Context, without globals)."""

    __slots__ = ("vars",)

    def __init__(self, variables: Mapping[str, Any]) -> None:
        self.vars = variables

    def resolve_or_missing(self, key: str) -> Any:
        return self.vars.get(key, missing)


def render(root: Callable[[Context], Iterator[str]], variables: Mapping[str, Any]) -> str:
    """A compiled template's text (its `root` function) for these variables, as Template.render."""
    return ENVIRONMENT.concat(root(Context(variables)))
