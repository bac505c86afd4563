"""SlotsRecord: what `@dataclass` gave the mutable records, for plain classes with `__slots__`.

Importing `dataclasses` (with inspect) and creating each dataclass would cost every `jmap
build` milliseconds, so jmap's records are NamedTuples (immutable) or classes with
`__slots__` and a hand-written `__init__` (mutable). A mutable record subclasses
SlotsRecord to get back what `@dataclass` (eq=True, frozen=False) generated:

- `a == b`: the same class and equal fields (compared as tuples, in field order);
  NotImplemented for any other class, as a dataclass does;
- `__hash__ = None`: mutable and equal by content, so not hashable;
- `repr`: `ClassName(field=value, ...)`.

Its fields are the names in `__slots__`, of its base classes first, in the order written.
This module imports nothing.
"""

from typing import Any, ClassVar

__all__ = ["SlotsRecord"]


class SlotsRecord:
    """Equality and repr by the `__slots__` fields, like a (non-frozen) dataclass's."""

    __slots__ = ()

    #: The fields compared and printed: set for each subclass when it is created.
    _record_fields: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        fields: list[str] = []
        for klass in reversed(cls.__mro__):
            slots = klass.__dict__.get("__slots__", ())
            for name in (slots,) if isinstance(slots, str) else slots:
                if name not in ("__dict__", "__weakref__") and name not in fields:
                    fields.append(name)
        cls._record_fields = tuple(fields)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        fields = self._record_fields
        return tuple(getattr(self, name) for name in fields) == tuple(getattr(other, name) for name in fields)

    __hash__: ClassVar[None] = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        values = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._record_fields)
        return f"{self.__class__.__qualname__}({values})"
