"""The classic text encoding (``>>>``): serial links, and the bytes the inner ``auth`` covers.

A message is ``>>>\\n``, one line per field, ``<<<\\n``. A string field is ``name=value`` with
every newline of the value written as byte 0x13; any other field is ``(t)name=`` and its value
in standard base64. heartbeat's ``msg2string`` adds a NUL after ``<<<\\n``; serial links do not.
We write the serial form and accept both.

What this encoding can carry (``encode`` raises ``ValueError`` for anything else): names that
are not empty, hold no ``=``, newline or NUL and do not start with ``(``; string values without
byte 0x13 (it reads back as a newline) or NUL; any binary value.
"""

from __future__ import annotations

import binascii
from collections.abc import Iterable, Sequence

from hbcore.wire.errors import LimitError, WireError, unsupported_type
from hbcore.wire.limits import MAX_FIELDS
from hbcore.wire.memo import Memo
from hbcore.wire.rawfield import RawField

HEAD = b">>>\n"
END_LINE = b"<<<\n"
SPECIAL = b"\x13"
"""heartbeat's SPECIAL_SYM: stands for a newline inside a string value."""

_BINARY_PREFIX = b"(1)"
_END = b"\n" + END_LINE


def render(fields: Iterable[RawField]) -> bytes:
    """The field lines without ``>>>``/``<<<`` (heartbeat's NOHEAD rendering).

    This is exactly what the inner ``auth`` token covers, so it never refuses a value.
    """
    return b"".join([_LINES.get(field) or _line_of(field) for field in fields])


_LINES: Memo[RawField, bytes] = Memo()


def _line_of(field: RawField) -> bytes:
    name, binary, value = field
    if binary:
        line = _BINARY_PREFIX + name + b"=" + binascii.b2a_base64(value, newline=False) + b"\n"
    else:
        line = name + b"=" + value.replace(b"\n", SPECIAL) + b"\n"
    return _LINES.put(field, line, len(line))


def encode(fields: Sequence[RawField]) -> bytes:
    """The serial form: ``>>>\\n``, the lines, ``<<<\\n``, no NUL.

    Raises ``ValueError`` for a field this encoding cannot carry (see the module docstring).
    """
    for name, binary, value in fields:
        if not name or name[:1] == b"(" or b"=" in name or b"\n" in name or b"\0" in name:
            raise ValueError(f"the classic encoding cannot carry the field name {name!r}")
        if not binary and (SPECIAL in value or b"\0" in value):
            raise ValueError(f"the classic encoding cannot carry the value of {name!r}")
    return HEAD + render(fields) + END_LINE


def decode(packet: bytes) -> list[RawField]:
    """The fields of a classic packet, in order.

    Blank lines are skipped, one NUL after ``<<<\\n`` is accepted, nothing else may follow.
    Raises ``LimitError`` for more than ``MAX_FIELDS`` lines (blank ones included) before
    parsing any, ``WireError`` for anything else that is wrong; never another exception.
    """
    if not packet.startswith(HEAD):
        raise WireError("a classic message starts with '>>>'")
    end = packet.find(_END, len(HEAD) - 1)
    if end < 0:
        raise WireError("no '<<<' line: the message is truncated")
    after = packet[end + len(_END) :]
    if after and after != b"\0":
        raise WireError(f"{len(after)} bytes follow the '<<<' line")
    body = packet[len(HEAD) : end]
    # Counted before anything is split or parsed: the per-line work is what a flood costs.
    lines = body.count(b"\n") + 1
    if lines > MAX_FIELDS:
        raise LimitError(f"{lines} lines (the limit is {MAX_FIELDS})")
    if b"\0" in body:
        raise WireError("a NUL byte inside a classic message")
    return [
        _parse_line(line, number) for number, line in enumerate(body.split(b"\n"), start=2) if line
    ]


def _parse_line(line: bytes, number: int) -> RawField:
    if line[:1] == b"(":
        if len(line) < 3 or line[2:3] != b")" or not line[1:2].isdigit():
            raise WireError(f"line {number}: bad type prefix {line[:3]!r}")
        digit = line[1] - 0x30
        line = line[3:]
    else:
        digit = 0
    name, equals, value = line.partition(b"=")
    if not equals:
        raise WireError(f"line {number}: no '=' in {line[:40]!r}")
    if not name:
        raise WireError(f"line {number}: a field without a name")
    if digit == 0:
        return RawField(name, False, value.replace(SPECIAL, b"\n"))
    if digit != 1:
        raise unsupported_type(digit, name)
    try:
        return RawField(name, True, binascii.a2b_base64(value, strict_mode=True))
    except binascii.Error as error:
        raise WireError(f"line {number}: bad base64 in {name!r}: {error}") from None
