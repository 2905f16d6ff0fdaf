"""Numbers in a message header, read as heartbeat reads them: unsigned 64-bit.

heartbeat parses ``seq``, ``hg``, ``ts``, ``dt`` and ``ackseq`` with ``%lx`` and the
retransmission bounds ``firstseq``/``lastseq`` with ``atoi``, into C longs; it never sends
anything but plain lowercase digits. A value that does not fit 64 bits, or text that is not
plain digits (a sign, spaces, a ``0x`` prefix, an empty string), is malformed here: the caller
drops the message. Bounding the digit count first means no parse, log line or arithmetic ever
sees a number of thousands of digits.
"""

from __future__ import annotations

U64_MAX = 2**64 - 1
"""The largest value of a header number."""
_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")
_DEC_DIGITS = frozenset("0123456789")
_MAX_HEX_LENGTH = 16
_MAX_DEC_LENGTH = 20


def hex_u64(text: str | None) -> int | None:
    """``text`` read as hexadecimal (``%lx``), or None when it is absent or is not 1 to 16
    hex digits (16 digits never exceed ``U64_MAX``)."""
    if text is None or not 0 < len(text) <= _MAX_HEX_LENGTH or not _HEX_DIGITS.issuperset(text):
        return None
    return int(text, 16)


def dec_u64(text: str | None) -> int | None:
    """``text`` read as decimal, or None when it is absent, is not 1 to 20 decimal digits, or
    exceeds ``U64_MAX``."""
    if text is None or not 0 < len(text) <= _MAX_DEC_LENGTH or not _DEC_DIGITS.issuperset(text):
        return None
    value = int(text, 10)
    return value if value <= U64_MAX else None
