"""Fields as bytes: what the framing modules read and write, and the bridge to ``Message``.

Both encodings and the authentication renderings work on these, so a decoded packet's values
are converted to ``str`` once and never re-encoded to be verified.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from hbcore.wire.message import Field, Message


class RawField(NamedTuple):
    """One field as wire bytes: its name, whether it is binary (type 1), and its value."""

    name: bytes
    binary: bool
    value: bytes


def to_message(raw_fields: Iterable[RawField]) -> Message:
    """The message whose fields are ``raw_fields`` (strings decoded with surrogateescape)."""
    return Message(
        tuple(
            Field(
                raw.name.decode("utf-8", "surrogateescape"),
                raw.value if raw.binary else raw.value.decode("utf-8", "surrogateescape"),
            )
            for raw in raw_fields
        )
    )


def from_message(message: Message) -> list[RawField]:
    """The fields of ``message`` as bytes.

    Raises ``UnicodeEncodeError`` for a name or string holding a lone surrogate that
    surrogateescape did not produce (such a string came from no packet).
    """
    return [
        RawField(name.encode("utf-8", "surrogateescape"), True, value)
        if isinstance(value, bytes)
        else RawField(
            name.encode("utf-8", "surrogateescape"),
            False,
            value.encode("utf-8", "surrogateescape"),
        )
        for name, value in message.fields
    ]
