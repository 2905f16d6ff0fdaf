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
from hbcore.wire.errors import WireError
from hbcore.wire.keyring import Keyring
from hbcore.wire.message import Message
from hbcore.wire.rawfield import RawField, from_message, to_message

MAXMSG = 262144
"""heartbeat's receive buffer: a packet of this many bytes or more is refused ("msg too big")."""
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
    """A packet to drop, and why.

    ``decoded`` is the packet's content when it was well-formed and only failed
    authentication (for logs and ``hb wire decode``); never act on it.
    """

    reason: str
    decoded: Decoded | None = None


def decode(
    packet: bytes, keyring: Keyring | None, *, check_inner: bool = True
) -> Decoded | Rejected:
    """Decode and authenticate one packet; never raises.

    With a keyring, a netstring packet is accepted when its trailer verifies and a classic
    packet when its inner ``auth`` field verifies. Without one, every well-formed packet is
    accepted and the verdicts say ``unchecked``. A netstring packet's inner field decides
    nothing (heartbeat treats it as an ordinary field): it is checked and reported for the
    operator, or with ``check_inner=False`` (the node's receive path) left ``skipped``.
    """
    if len(packet) >= MAXMSG:
        return Rejected(f"packet of {len(packet)} bytes is too big (the limit is {MAXMSG - 1})")
    try:
        if packet.startswith(netstring.HEAD):
            return _decode_netstring(packet, keyring, check_inner)
        if packet.startswith(classic.HEAD):
            return _decode_classic(packet, keyring)
    except WireError as error:
        return Rejected(str(error))
    if not packet:
        return Rejected("empty packet")
    return Rejected(f"not a heartbeat message: it starts with {packet[:8]!r}")


def _decode_netstring(
    packet: bytes, keyring: Keyring | None, check_inner: bool
) -> Decoded | Rejected:
    framed = netstring.decode(packet)
    trailer = auth.check_trailer(framed.signed, framed.auth_index, framed.auth_token, keyring)
    inner = auth.check_inner(framed.fields, keyring) if check_inner else SKIPPED
    decoded = Decoded(to_message(framed.fields), Encoding.NETSTRING, inner, trailer)
    if keyring is None or trailer.ok:
        return decoded
    return Rejected(f"netstring authentication failed: {trailer}", decoded)


def _decode_classic(packet: bytes, keyring: Keyring | None) -> Decoded | Rejected:
    fields = classic.decode(packet)
    inner = auth.check_inner(fields, keyring)
    decoded = Decoded(to_message(fields), Encoding.CLASSIC, inner, None)
    if keyring is None or inner.ok:
        return decoded
    return Rejected(f"classic authentication failed: {inner}", decoded)


def encode(message: Message, keyring: Keyring, encoding: Encoding) -> bytes:
    """The packet heartbeat 3.0.6 would send for ``message``.

    The inner ``auth`` field is (re)computed with the outbound key and takes the place of an
    existing ``auth`` field, or comes last. A netstring packet also gets its trailer; a classic
    one is the serial form (no NUL). Raises ``ValueError`` when the encoding cannot carry a
    field (see ``classic`` and ``netstring``) or the packet would reach ``MAXMSG``.
    """
    fields = from_message(message)
    inner = keyring.sign(auth.signed_by_inner(fields)).encode("ascii")
    fields = _with_auth(fields, inner)
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
