"""ICMP echo packets as the ping-node monitor sends and recognises them (RFC 792).

The data of each echo is a fixed marker and the sequence number. Heartbeat puts a signed
``t=NS_st`` message there and believes the reply once its signature checks out; we believe a
reply because it answers an echo we sent to that very address (same sequence number, same
source, same data, and on a raw socket our identifier), so the data need not be signed. A
forger able to answer our echoes for a host could as well forward them to it.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

ECHO_REPLY, ECHO_REQUEST = 0, 8
HEADER = struct.Struct("!BBHHH")
"""type, code, checksum, identifier, sequence number."""
MARKER = b"hb ping\x00"


def checksum(data: bytes) -> int:
    """The Internet checksum: one's complement of the one's complement sum of 16-bit words."""
    if len(data) % 2:
        data += b"\x00"
    total: int = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total > 0xFFFF:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def echo_data(sequence: int) -> bytes:
    """What our echo with ``sequence`` carries, and so what its reply must carry back."""
    return MARKER + struct.pack("!H", sequence)


def echo_request(identifier: int, sequence: int) -> bytes:
    """An echo request with its checksum. A datagram ICMP socket rewrites the identifier and
    the checksum; a raw socket sends the packet as it is."""
    data = echo_data(sequence)
    unsigned = HEADER.pack(ECHO_REQUEST, 0, 0, identifier, sequence) + data
    return HEADER.pack(ECHO_REQUEST, 0, checksum(unsigned), identifier, sequence) + data


@dataclass(frozen=True)
class EchoReply:
    """An echo reply as received."""

    identifier: int
    sequence: int
    data: bytes

    def is_ours(self, identifier: int | None) -> bool:
        """True when it answers one of our echoes: our data for its sequence number and, when
        ``identifier`` is given (raw sockets see every echo reply), our identifier. A datagram
        socket passes None: the kernel only hands it replies to its own identifier."""
        if identifier is not None and self.identifier != identifier:
            return False
        return self.data == echo_data(self.sequence)


def parse_echo_reply(packet: bytes, with_ip_header: bool) -> EchoReply | None:
    """The echo reply in ``packet``, or None for anything else (another ICMP type, a truncated
    or corrupt packet). A raw socket delivers the IPv4 header first, a datagram socket not."""
    if with_ip_header:
        if len(packet) < 20 or packet[0] >> 4 != 4:
            return None
        packet = packet[(packet[0] & 0x0F) * 4 :]
    if len(packet) < HEADER.size:
        return None
    kind, code, _, identifier, sequence = HEADER.unpack_from(packet)
    if kind != ECHO_REPLY or code != 0 or checksum(packet) != 0:
        return None
    return EchoReply(identifier, sequence, packet[HEADER.size :])
