"""Packets to messages and back: the one entry point of the wire format.

``decode`` accepts both encodings (chosen by the first four bytes) and never raises: a packet
is either ``Decoded`` or ``Rejected`` with a reason fit for a log line. ``encode`` signs a
message the way heartbeat 3.0.6 does and frames it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from hbcore.wire import auth, classic, netstring
from hbcore.wire.auth import AUTH_FIELD, AuthStatus, AuthVerdict
from hbcore.wire.errors import LimitError, WireError
from hbcore.wire.keyring import Keyring
from hbcore.wire.limits import MAX_FIELDS, MAXMSG
from hbcore.wire.message import Message
from hbcore.wire.rawfield import RawField, from_message, to_message

SKIPPED = AuthVerdict(AuthStatus.SKIPPED)
"""The inner verdict of a netstring packet decoded with ``check_inner=False``."""


class Encoding(enum.Enum):
    """The two encodings of a message."""

    CLASSIC = "classic"
    """``>>>`` text: serial links. Authenticated by the inner ``auth`` field alone."""
    NETSTRING = "netstring"
    """``###`` netstrings: UDP media. Authenticated by the trailer."""

    @property
    def marker(self) -> str:
        """The first line of a packet in this encoding."""
        return ">>>" if self is Encoding.CLASSIC else "###"


class RejectKind(enum.StrEnum):
    """Why a packet was dropped, as a stable category to count by (the text is ``reason``).

    The value is the wording for a summary line: ``3 packets dropped ...: bad authentication``.
    """

    TOO_BIG = "too big"
    """Over a bound: ``MAXMSG`` bytes, or ``MAX_FIELDS`` fields or lines."""
    NOT_HEARTBEAT = "not heartbeat"
    """Empty, or starts with neither ``###`` nor ``>>>``: another program's traffic."""
    MALFORMED = "malformed"
    """Starts like a heartbeat message but is not a well-formed one."""
    BAD_AUTHENTICATION = "bad authentication"
    """Well-framed, but the authentication that decides did not verify (wrong token, a key
    index not in authkeys, a missing or malformed inner ``auth`` field)."""


@dataclass(frozen=True, slots=True)
class Decoded:
    """A well-formed packet: its message (every field, the inner ``auth`` too, in wire order),
    its encoding, and both authentications.

    ``trailer`` is None for classic packets, which have none.
    """

    message: Message
    encoding: Encoding
    inner: AuthVerdict
    trailer: AuthVerdict | None


@dataclass(frozen=True, slots=True)
class Rejected:
    """A packet to drop: why (``reason``, a short text for a log line) and its category
    (``kind``, to count by).

    ``decoded`` is the packet's content when it failed authentication alone and the caller
    asked for it (``decode(..., describe=True)``, for ``hb wire decode``); never act on it.
    """

    reason: str
    decoded: Decoded | None = None
    kind: RejectKind = RejectKind.MALFORMED


def decode(
    packet: bytes,
    keyring: Keyring | None,
    *,
    check_inner: bool = True,
    describe: bool = False,
) -> Decoded | Rejected:
    """Decode and authenticate one packet; never raises, and costs O(``len(packet)``).

    With a keyring, a netstring packet is accepted when its trailer verifies and a classic
    packet when its inner ``auth`` field verifies. Without one, every well-formed packet is
    accepted and the verdicts say ``unchecked``. A netstring packet's inner field decides
    nothing (heartbeat treats it as an ordinary field): it is checked and reported for the
    operator, or with ``check_inner=False`` (the node's receive path) left ``skipped``.

    With a keyring, a netstring packet's trailer is found from the end and verified over the
    raw bytes before any field is parsed: refusing a forged packet costs one hash over it.
    ``describe=True`` parses a packet that failed authentication anyway, so that
    ``Rejected.decoded`` shows it (an operator's tool; a node never asks). A classic packet is
    parsed (at most ``MAX_FIELDS`` lines) before its inner field can be checked.
    """
    if len(packet) >= MAXMSG:
        return Rejected(
            f"packet of {len(packet)} bytes is too big (the limit is {MAXMSG - 1})",
            kind=RejectKind.TOO_BIG,
        )
    try:
        if packet.startswith(netstring.HEAD):
            if keyring is not None and not describe:
                return _authenticate_netstring(packet, keyring, check_inner)
            return _decode_netstring(packet, keyring, check_inner)
        if packet.startswith(classic.HEAD):
            return _decode_classic(packet, keyring, describe)
    except LimitError as error:
        return Rejected(str(error), kind=RejectKind.TOO_BIG)
    except WireError as error:
        return Rejected(str(error), kind=RejectKind.MALFORMED)
    if not packet:
        return Rejected("empty packet", kind=RejectKind.NOT_HEARTBEAT)
    return Rejected(
        f"not a heartbeat message: it starts with {packet[:8]!r}", kind=RejectKind.NOT_HEARTBEAT
    )


def _authenticate_netstring(
    packet: bytes, keyring: Keyring, check_inner: bool
) -> Decoded | Rejected:
    """The receive path: the trailer first, over the raw bytes; the fields only if it verifies."""
    located = netstring.locate_trailer(packet)
    signed = packet[: located.signed_end]
    trailer = auth.check_trailer(signed, located.key_index, located.token, keyring)
    if not trailer.ok:
        return _auth_failed(Encoding.NETSTRING, trailer, None)
    fields = netstring.fields_before(packet, located)
    inner = auth.check_inner(fields, keyring) if check_inner else SKIPPED
    return Decoded(to_message(fields), Encoding.NETSTRING, inner, trailer)


def _decode_netstring(
    packet: bytes, keyring: Keyring | None, check_inner: bool
) -> Decoded | Rejected:
    """Front to back, then the trailer: to show a packet whatever its authentication."""
    fields, located = netstring.decode(packet)
    signed = packet[: located.signed_end]
    trailer = auth.check_trailer(signed, located.key_index, located.token, keyring)
    inner = auth.check_inner(fields, keyring) if check_inner else SKIPPED
    decoded = Decoded(to_message(fields), Encoding.NETSTRING, inner, trailer)
    if keyring is None or trailer.ok:
        return decoded
    return _auth_failed(Encoding.NETSTRING, trailer, decoded)


def _decode_classic(packet: bytes, keyring: Keyring | None, describe: bool) -> Decoded | Rejected:
    fields = classic.decode(packet)
    inner = auth.check_inner(fields, keyring)
    if keyring is None or inner.ok:
        return Decoded(to_message(fields), Encoding.CLASSIC, inner, None)
    decoded = Decoded(to_message(fields), Encoding.CLASSIC, inner, None) if describe else None
    return _auth_failed(Encoding.CLASSIC, inner, decoded)


def _auth_failed(encoding: Encoding, verdict: AuthVerdict, decoded: Decoded | None) -> Rejected:
    return Rejected(
        f"{encoding.value} authentication failed: {verdict}",
        decoded,
        RejectKind.BAD_AUTHENTICATION,
    )


def encode(message: Message, keyring: Keyring, encoding: Encoding) -> bytes:
    """The packet heartbeat 3.0.6 would send for ``message``.

    The inner ``auth`` field is (re)computed with the outbound key and takes the place of an
    existing ``auth`` field, or comes last. A netstring packet also gets its trailer; a classic
    one is the serial form (no NUL). Raises ``ValueError`` when the encoding cannot carry a
    field (see ``classic`` and ``netstring``), or the message would have more than
    ``MAX_FIELDS`` fields or the packet reach ``MAXMSG``: no receiver would accept it.
    """
    fields = from_message(message)
    inner = keyring.sign(auth.signed_by_inner(fields)).encode("ascii")
    fields = _with_auth(fields, inner)
    if len(fields) > MAX_FIELDS:
        raise ValueError(f"message of {len(fields)} fields (the limit is {MAX_FIELDS})")
    if encoding is Encoding.CLASSIC:
        packet = classic.encode(fields)
    else:
        body = netstring.encode_body(fields)
        packet = body + netstring.trailer(keyring.sign(body))
    if len(packet) >= MAXMSG:
        raise ValueError(f"message too big: {len(packet)} bytes (the limit is {MAXMSG - 1})")
    return packet


def _with_auth(fields: list[RawField], value: bytes) -> list[RawField]:
    name = AUTH_FIELD.encode()
    field = RawField(name, False, value)
    for position, existing in enumerate(fields):
        if existing.name == name:
            fields[position] = field
            return fields
    fields.append(field)
    return fields
