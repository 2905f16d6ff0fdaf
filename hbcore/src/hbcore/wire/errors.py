"""The one exception of the framing layer, and the texts both encodings share."""

from hbcore.wire.message import FieldType


class WireError(ValueError):
    """A packet that is not a well-formed heartbeat message; the text says what is wrong.

    Raised by the framing modules only. ``codec.decode`` turns it into a ``Rejected`` result,
    so it never escapes decoding.
    """


class LimitError(WireError):
    """A packet over one of the bounds of ``hbcore.wire.limits``: refused before the work
    it would cost, whatever else is wrong with it."""


def unsupported_type(digit: int, name: bytes) -> WireError:
    """The error for a field whose type hb does not carry (struct, list, compressed...)."""
    shown = name.decode("utf-8", "backslashreplace")
    try:
        kind = FieldType(digit).name.lower()
    except ValueError:
        return WireError(f"field {shown!r} has unknown type {digit}")
    return WireError(f"field {shown!r} has type {digit} ({kind}), which hb does not support")
