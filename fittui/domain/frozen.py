"""Small immutable records that cost nothing to define: a client, a rating, the instruments,
an episode, the settings, the expected path's parameters.

Why not ``dataclasses``: a dataclass writes the source of its methods and compiles it each
time its module is imported, about half a millisecond a class whether Python keeps
bytecode or not, and these records are imported by every command that reads a rating and
by the app before its first screen. A
record here lists its fields in ``__slots__`` (in order) and spells out its ``__init__``,
which calls :meth:`Frozen._fill`; equality, hashing, ``repr`` and :meth:`Frozen.replace`
come from the base, field by field, as a frozen dataclass's do. A record made by the
hundred thousand (a rating) sets each field with :data:`set_field` instead, which is
quicker than both ``_fill`` and a dataclass's ``__init__``; a record with a field that
cannot be hashed (a dict) says how it hashes without it, as ``field(hash=False)`` did.
"""

from __future__ import annotations

from typing import Any, TypeVar

R = TypeVar("R", bound="Frozen")

set_field = object.__setattr__
"""Set a field of a record being made, in its ``__init__`` (a record refuses ``setattr``)."""


class Frozen:
    """The base of a record whose fields are its ``__slots__`` and never change."""

    __slots__: tuple[str, ...] = ()

    def _fill(self, *values: object) -> None:
        """Set every field, in the order of ``__slots__`` (only ``__init__`` calls it)."""
        for name, value in zip(self.__slots__, values, strict=True):
            set_field(self, name, value)

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def replace(self: R, **changes: Any) -> R:
        """A copy with some fields changed (``dataclasses.replace`` for these records)."""
        fields = dict(zip(self.__slots__, self._values()))
        fields.update(changes)
        return type(self)(**fields)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__ and isinstance(other, Frozen):
            return self._values() == other._values()
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{type(self).__qualname__}({shown})"

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r}: {type(self).__name__} is frozen")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}: {type(self).__name__} is frozen")

    def __getstate__(self) -> tuple[Any, ...]:
        return self._values()

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        self._fill(*state)
