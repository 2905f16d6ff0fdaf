"""Fields as bytes: what the framing modules read and write, and the bridge to ``Message``.

Both encodings and the authentication renderings work on these, so a decoded packet's values
are converted to ``str`` once and never re-encoded to be verified.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import NamedTuple

from hbcore.wire.memo import Memo
from hbcore.wire.message import Field, Message


class RawField(NamedTuple):
    """One field as wire bytes: its name, whether it is binary (type 1), and its value."""

    name: bytes
    binary: bool
    value: bytes


raw_field = partial(tuple.__new__, RawField)
_field = partial(tuple.__new__, Field)
"""``RawField`` and ``Field`` from a tuple without the Python-level ``__new__`` of a named
tuple: every field of every packet sent or heard comes through here."""


def to_message(raw_fields: Iterable[RawField]) -> Message:
    """The message whose fields are ``raw_fields`` (strings decoded with surrogateescape)."""
    return Message(tuple([_DECODED.get(raw) or _decoded(raw) for raw in raw_fields]))


def from_message(message: Message) -> list[RawField]:
    """The fields of ``message`` as bytes.

    Raises ``UnicodeEncodeError`` for a name or string holding a lone surrogate that
    surrogateescape did not produce (such a string came from no packet).
    """
    return [_ENCODED.get(field) or _encoded(field) for field in message.fields]


_DECODED: Memo[RawField, Field] = Memo()
_ENCODED: Memo[Field, RawField] = Memo()


def _decoded(raw: RawField) -> Field:
    name, binary, value = raw
    field = _field(
        (
            name.decode("utf-8", "surrogateescape"),
            value if binary else value.decode("utf-8", "surrogateescape"),
        )
    )
    return _DECODED.put(raw, field, len(name) + len(value))


def _encoded(field: Field) -> RawField:
    name, value = field
    name_bytes = name.encode("utf-8", "surrogateescape")
    if isinstance(value, bytes):
        raw = raw_field((name_bytes, True, value))
    else:
        raw = raw_field((name_bytes, False, value.encode("utf-8", "surrogateescape")))
    return _ENCODED.put(field, raw, len(name_bytes) + len(raw.value))
