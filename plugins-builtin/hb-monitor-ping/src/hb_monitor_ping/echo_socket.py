"""The ICMP socket of the ping-node monitor: a datagram ICMP socket when the kernel allows it,
a raw one otherwise.

A datagram socket (``SOCK_DGRAM, IPPROTO_ICMP``) needs no privilege, only a group inside
``net.ipv4.ping_group_range``; the kernel sets the identifier and checksum and hands it only the
replies to its own identifier. Debian's default range ``1 0`` admits nobody, not even root, and
the setting is per network namespace, so a raw socket (root, or CAP_NET_RAW) is the fallback.
A raw socket sees every ICMP packet the host receives: it filters in the kernel down to echo
replies, and we keep those carrying our identifier (our pid & 0xffff, as heartbeat does).
"""

from __future__ import annotations

import os
import socket
import struct
from collections.abc import Iterator

from hb_monitor_ping.icmp import ECHO_REPLY, echo_request, parse_echo_reply

DATAGRAM, RAW = "datagram", "raw"
RECEIVE_BUFFER = 2048
MOST_PER_WAKEUP = 256
"""Replies read per readable event at most, so a flood of ICMP cannot starve the loop."""
SOL_RAW, ICMP_FILTER = 255, 1
FIX = (
    'allow datagram ICMP sockets with sysctl -w net.ipv4.ping_group_range="0 2147483647" '
    "(per network namespace), or run hb as root"
)


class EchoSocket:
    """A non-blocking ICMP socket sending echoes and returning the replies that are ours."""

    def __init__(self, sock: socket.socket, kind: str, identifier: int) -> None:
        self._sock = sock
        self.kind = kind
        self.identifier = identifier
        """Ours on a raw socket; a datagram socket's is chosen by the kernel (0 here)."""

    @classmethod
    def open(cls) -> EchoSocket:
        """A datagram ICMP socket, else a raw one; ``OSError`` saying why neither and the fix."""
        try:
            sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_ICMP)
            echo = cls(sock, DATAGRAM, 0)
        except OSError as datagram_refused:
            try:
                sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
            except OSError as raw_refused:
                raise OSError(
                    raw_refused.errno,
                    f"ping: cannot open an ICMP socket: datagram ICMP socket refused "
                    f"({datagram_refused.strerror}), raw ICMP socket refused "
                    f"({raw_refused.strerror}): {FIX}",
                ) from None
            blocked = ~(1 << ECHO_REPLY) & 0xFFFFFFFF
            sock.setsockopt(SOL_RAW, ICMP_FILTER, struct.pack("I", blocked))
            echo = cls(sock, RAW, os.getpid() & 0xFFFF)
        sock.setblocking(False)
        return echo

    def fileno(self) -> int:
        return self._sock.fileno()

    def send(self, address: str, sequence: int) -> None:
        """Send one echo to ``address`` without waiting; ``OSError`` when the kernel refuses
        (no route, interface down, buffer full)."""
        self._sock.sendto(echo_request(self.identifier, sequence), (address, 0))

    def replies(self) -> Iterator[tuple[str, int]]:
        """(source, sequence) of every reply to our echoes waiting on the socket."""
        identifier = None if self.kind == DATAGRAM else self.identifier
        for _ in range(MOST_PER_WAKEUP):
            try:
                packet, (source, _port) = self._sock.recvfrom(RECEIVE_BUFFER)
            except BlockingIOError:
                return
            except OSError:
                # An ICMP error (host unreachable) queued on a datagram socket: reported once,
                # and the silence of the host tells the same story.
                continue
            reply = parse_echo_reply(packet, with_ip_header=self.kind == RAW)
            if reply is not None and reply.is_ours(identifier):
                yield source, reply.sequence

    def close(self) -> None:
        self._sock.close()
