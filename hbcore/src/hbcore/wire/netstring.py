"""The netstring encoding (``###``): what heartbeat 3.0.6 sends on UDP.

A message is ``###\\n``, one netstring ``<len>:(<t>)<name>=<value>,`` per field with no
separator, ``%%%\\n``, then the authentication trailer, itself a netstring holding
``<key index> <token>``. Values are raw bytes: no escaping, no base64. The trailer's token
covers the bytes from ``###\\n`` through ``%%%\\n``.

What this encoding can carry (``encode_body`` raises ``ValueError`` for anything else): names
that are not empty and hold no ``=`` or NUL; any value.

Decoding is stricter than heartbeat in ways heartbeat's own output never trips: lengths are
plain decimal without leading zeros, and nothing may follow the trailer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from hbcore.wire.auth import parse_auth_value
from hbcore.wire.errors import WireError, unsupported_type
from hbcore.wire.rawfield import RawField

HEAD = b"###\n"
TRAILER_MARK = b"%%%\n"

_MAX_DIGITS = 6
"""No netstring inside a packet shorter than MAXMSG (262144) has a longer length."""


class Framed(NamedTuple):
    """A netstring packet taken apart; ``signed`` is what the trailer's token covers."""

    fields: list[RawField]
    signed: bytes
    auth_index: int
    auth_token: str


def encode_body(fields: Sequence[RawField]) -> bytes:
    """``###\\n``, the field netstrings and ``%%%\\n``: the bytes the trailer signs.

    Raises ``ValueError`` for a name this encoding cannot carry.
    """
    parts = [HEAD]
    for name, binary, value in fields:
        if not name or b"=" in name or b"\0" in name:
            raise ValueError(f"the netstring encoding cannot carry the field name {name!r}")
        item = (b"(1)" if binary else b"(0)") + name + b"=" + value
        parts.append(b"%d:%b," % (len(item), item))
    parts.append(TRAILER_MARK)
    return b"".join(parts)


def trailer(auth_value: str) -> bytes:
    """The authentication netstring for ``"<key index> <token>"``."""
    text = auth_value.encode("ascii")
    return b"%d:%b," % (len(text), text)


def decode(packet: bytes) -> Framed:
    """Take a netstring packet apart.

    Raises ``WireError`` for a wrong head, a bad or overlong length, a netstring without its
    ``,``, a field not of the form ``(t)name=value`` or of an unsupported type, a missing
    ``%%%`` line or trailer, a malformed trailer, or bytes after the trailer; never another
    exception.
    """
    if not packet.startswith(HEAD):
        raise WireError("a netstring message starts with '###'")
    size = len(packet)
    fields = []
    position = len(HEAD)
    while True:
        if position >= size:
            raise WireError("no '%%%' line: the message is truncated")
        if packet[position] == 0x25:  # '%': the end of the fields
            break
        start, end = _netstring(packet, position)
        fields.append(_parse_item(packet[start:end], position))
        position = end + 1
    signed_end = position + len(TRAILER_MARK)
    if packet[position:signed_end] != TRAILER_MARK:
        raise WireError(f"byte {position}: expected the '%%%' line")
    if signed_end == size:
        raise WireError("no authentication trailer after the '%%%' line")
    start, end = _netstring(packet, signed_end)
    if end + 1 != size:
        raise WireError(f"{size - end - 1} bytes follow the authentication trailer")
    parsed = parse_auth_value(packet[start:end])
    if parsed is None:
        raise WireError(
            f"bad authentication trailer {packet[start:end][:40]!r}: expected '<key index> <token>'"
        )
    return Framed(fields, packet[:signed_end], parsed[0], parsed[1])


def _netstring(packet: bytes, position: int) -> tuple[int, int]:
    """The start and end of the netstring at ``position`` (``end`` is the ``,``)."""
    colon = packet.find(b":", position, position + _MAX_DIGITS + 1)
    if colon < 0:
        raise WireError(f"byte {position}: expected a netstring length and ':'")
    digits = packet[position:colon]
    if not digits.isdigit() or (digits[0] == 0x30 and len(digits) > 1):
        raise WireError(f"byte {position}: bad netstring length {digits!r}")
    start = colon + 1
    end = start + int(digits)
    if end >= len(packet):
        raise WireError(
            f"byte {position}: a netstring of {int(digits)} bytes runs past the end of the packet"
        )
    if packet[end] != 0x2C:  # ','
        raise WireError(f"byte {end}: a netstring does not end with ','")
    return start, end


def _parse_item(item: bytes, position: int) -> RawField:
    if len(item) < 4 or item[0] != 0x28 or item[2] != 0x29 or not 0x30 <= item[1] <= 0x39:
        raise WireError(f"byte {position}: {item[:20]!r} is not '(t)name=value'")
    equals = item.find(b"=", 3)
    if equals < 0:
        raise WireError(f"byte {position}: no '=' in {item[:40]!r}")
    name = item[3:equals]
    if not name or b"\0" in name:
        raise WireError(f"byte {position}: bad field name {name!r}")
    digit = item[1] - 0x30
    if digit > 1:
        raise unsupported_type(digit, name)
    return RawField(name, digit == 1, item[equals + 1 :])
