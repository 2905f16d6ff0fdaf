"""The netstring encoding (``###``): what heartbeat 3.0.6 sends on UDP.

A message is ``###\\n``, one netstring ``<len>:(<t>)<name>=<value>,`` per field with no
separator, ``%%%\\n``, then the authentication trailer, itself a netstring holding
``<key index> <token>``. Values are raw bytes: no escaping, no base64. The trailer's token
covers the bytes from ``###\\n`` through ``%%%\\n``.

What this encoding can carry (``encode_body`` raises ``ValueError`` for anything else): names
that are not empty and hold no ``=`` or NUL; any value.

Decoding is stricter than heartbeat in ways heartbeat's own output never trips: lengths are
plain decimal without leading zeros, nothing may follow the trailer, and a message has at most
``MAX_FIELDS`` fields. A receiver that authenticates finds the trailer from the end
(``locate_trailer``), verifies it, and only then parses the fields (``fields_before``); ``decode``
reads a packet front to back, for showing one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from hbcore.wire.auth import parse_auth_value
from hbcore.wire.errors import LimitError, WireError, unsupported_type
from hbcore.wire.limits import MAX_FIELDS
from hbcore.wire.memo import Memo
from hbcore.wire.rawfield import RawField, raw_field

HEAD = b"###\n"
TRAILER_MARK = b"%%%\n"

_MAX_DIGITS = 6
"""No netstring inside a packet shorter than MAXMSG (262144) has a longer length."""


class Trailer(NamedTuple):
    """The authentication trailer of a packet: ``packet[:signed_end]`` is what its token covers,
    so ``packet[signed_end - 4 : signed_end]`` is the ``%%%\\n`` line."""

    signed_end: int
    key_index: int
    token: str


class Framed(NamedTuple):
    """A netstring packet taken apart."""

    fields: list[RawField]
    trailer: Trailer


def encode_body(fields: Sequence[RawField]) -> bytes:
    """``###\\n``, the field netstrings and ``%%%\\n``: the bytes the trailer signs.

    Raises ``ValueError`` for a name this encoding cannot carry.
    """
    parts = [HEAD]
    for field in fields:
        parts.append(_NETSTRINGS.get(field) or _netstring_of(field))
    parts.append(TRAILER_MARK)
    return b"".join(parts)


_NETSTRINGS: Memo[RawField, bytes] = Memo()


def _netstring_of(field: RawField) -> bytes:
    name, binary, value = field
    if not name or b"=" in name or b"\0" in name:
        raise ValueError(f"the netstring encoding cannot carry the field name {name!r}")
    item = (b"(1)" if binary else b"(0)") + name + b"=" + value
    return _NETSTRINGS.put(field, b"%d:%b," % (len(item), item), len(item))


def trailer(auth_value: str) -> bytes:
    """The authentication netstring for ``"<key index> <token>"``."""
    text = auth_value.encode("ascii")
    return b"%d:%b," % (len(text), text)


def decode(packet: bytes) -> Framed:
    """Take a netstring packet apart from its first byte to its last (to show it).

    Raises ``WireError`` for a wrong head, a bad or overlong length, a netstring without its
    ``,``, a field not of the form ``(t)name=value`` or of an unsupported type, a missing
    ``%%%`` line or trailer, a malformed trailer, or bytes after the trailer; ``LimitError``
    for more than ``MAX_FIELDS`` fields; never another exception.
    """
    _check_head(packet)
    fields, position = _fields(packet)
    if packet[position : position + len(TRAILER_MARK)] != TRAILER_MARK:
        raise WireError(f"byte {position}: expected the '%%%' line")
    return Framed(fields, _trailer_at(packet, position + len(TRAILER_MARK)))


def locate_trailer(packet: bytes) -> Trailer:
    """The trailer, read from the end of the packet without looking at any field.

    This is what authentication needs first: finding it costs a scan for the last ``%%%\\n``
    (no trailer holds one) and nothing per field, so a packet can be verified, and refused,
    before it is parsed. Raises ``WireError`` for a wrong head, a missing ``%%%`` line or
    trailer, a malformed trailer, or bytes after it; never another exception.
    """
    _check_head(packet)
    mark = packet.rfind(TRAILER_MARK, len(HEAD))
    if mark < 0:
        raise WireError("no '%%%' line: the message is truncated")
    return _trailer_at(packet, mark + len(TRAILER_MARK))


def fields_before(packet: bytes, trailer: Trailer) -> list[RawField]:
    """The fields of a packet whose trailer ``locate_trailer`` found.

    They must fill the packet from ``###\\n`` to that trailer's ``%%%`` line exactly, so a
    packet is accepted here exactly when ``decode`` accepts it. Raises ``WireError`` (and
    ``LimitError``) as ``decode`` does.
    """
    fields, position = _fields(packet)
    mark = trailer.signed_end - len(TRAILER_MARK)
    if position != mark:
        raise WireError(f"byte {position}: the fields end before the last '%%%' line")
    return fields


def _check_head(packet: bytes) -> None:
    if not packet.startswith(HEAD):
        raise WireError("a netstring message starts with '###'")


def _fields(packet: bytes) -> tuple[list[RawField], int]:
    """The fields from ``###\\n`` up to the first field position holding ``%``, and that
    position. At most ``MAX_FIELDS`` are parsed.

    Every packet a node hears goes through here, so a well-formed netstring is framed inline,
    with the checks of ``_netstring``; one that fails any of them is framed again by
    ``_netstring``, which raises the precise error (it accepts nothing more).
    """
    size = len(packet)
    fields: list[RawField] = []
    append, find = fields.append, packet.find
    position = len(HEAD)
    while True:
        if position >= size:
            raise WireError("no '%%%' line: the message is truncated")
        if packet[position] == 0x25:  # '%': the end of the fields
            return fields, position
        if len(fields) == MAX_FIELDS:
            raise LimitError(f"more than {MAX_FIELDS} fields (the limit)")
        colon = find(b":", position, position + _MAX_DIGITS + 1)
        digits = packet[position:colon]
        if colon > position and digits.isdigit() and (digits[0] != 0x30 or len(digits) == 1):
            start, end = colon + 1, colon + 1 + int(digits)
            if end >= size or packet[end] != 0x2C:  # ','
                start, end = _netstring(packet, position)
        else:
            start, end = _netstring(packet, position)
        item = packet[start:end]
        append(_ITEMS.get(item) or _ITEMS.put(item, _parse_item(item, position), len(item)))
        position = end + 1


_ITEMS: Memo[bytes, RawField] = Memo()
"""Fields by their netstring's content: a field heard before is not parsed again."""


def _trailer_at(packet: bytes, signed_end: int) -> Trailer:
    """The trailer netstring that starts at ``signed_end`` and must end the packet."""
    size = len(packet)
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
    return Trailer(signed_end, parsed[0], parsed[1])


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
    return raw_field((name, digit == 1, item[equals + 1 :]))
