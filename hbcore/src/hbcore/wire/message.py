"""A heartbeat message: an ordered list of named fields, as both encodings carry it.

Only the two field types of haresources mode exist here: a ``str`` value is a string field
(type 0), a ``bytes`` value is a binary field (type 1, e.g. ``srcuuid``). The other types of
heartbeat's codec (struct, list, compressed) are refused by the decoder, so a ``Message`` never
holds them.

Strings and names are the wire bytes decoded as UTF-8 with ``surrogateescape``: any byte
sequence decodes, and encoding gives back exactly the same bytes, so a message read from a peer
re-encodes (and re-authenticates) byte for byte even when a peer sent invalid UTF-8.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

Value = str | bytes


class FieldType(enum.IntEnum):
    """The type digit of a field, ``(1)srcuuid=...``. Only STRING and BINARY are supported."""

    STRING = 0
    BINARY = 1
    STRUCT = 2
    LIST = 3
    COMPRESSED = 4
    UNCOMPRESSED = 5


class Field(NamedTuple):
    """One field: a string field when ``value`` is ``str``, a binary field when ``bytes``."""

    name: str
    value: Value

    @property
    def type(self) -> FieldType:
        """STRING or BINARY, from the type of ``value``."""
        return FieldType.BINARY if isinstance(self.value, bytes) else FieldType.STRING


@dataclass(frozen=True, slots=True)
class Message:
    """The fields of one message, in wire order; duplicates are kept as they come.

    Equality compares names, values and order, so it is exact: a message decoded from a packet
    equals the message that was encoded into it.
    """

    fields: tuple[Field, ...]

    @classmethod
    def of(cls, *pairs: tuple[str, Value]) -> Message:
        """``Message.of(("t", "status"), ("st", "up"))``: the fields in the order given."""
        return cls(tuple(Field(name, value) for name, value in pairs))

    def get(self, name: str) -> str | None:
        """The value of the first string field so named, or None when there is none."""
        for field in self.fields:
            if field.name == name and isinstance(field.value, str):
                return field.value
        return None

    def get_binary(self, name: str) -> bytes | None:
        """The value of the first binary field so named, or None when there is none."""
        for field in self.fields:
            if field.name == name and isinstance(field.value, bytes):
                return field.value
        return None

    def set(self, name: str, value: Value) -> Message:
        """A copy where the first field so named has ``value``, or with the field appended.

        This is how heartbeat adds a field that may already exist: the field keeps its
        position, so re-signing a message read from the wire leaves its order unchanged.
        """
        return self.set_all(((name, value),))

    def set_all(self, pairs: Iterable[tuple[str, Value]]) -> Message:
        """What :meth:`set` gives for each pair in turn, in one copy (the send path stamps
        every message with the whole common header)."""
        fields = list(self.fields)
        first: dict[str, int] = {}
        for index, field in enumerate(fields):
            first.setdefault(field.name, index)
        for name, value in pairs:
            position = first.get(name)
            if position is None:
                first[name] = len(fields)
                fields.append(Field(name, value))
            else:
                fields[position] = Field(name, value)
        return Message(tuple(fields))
