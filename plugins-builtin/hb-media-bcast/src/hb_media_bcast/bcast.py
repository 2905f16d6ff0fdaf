"""UDP broadcast heartbeats on one interface, as heartbeat's bcast plugin sends them.

The send socket has SO_BROADCAST and SO_DONTROUTE and is bound to the interface; packets go
to the interface's broadcast address on ``udpport``. The receive socket listens on
``0.0.0.0:udpport`` bound to the same interface, so each interface is its own link. Reading
in bounded batches and sending without blocking are :mod:`hbcore.pluginkit.udp`'s.
"""

from __future__ import annotations

import fcntl
import socket
import struct
from collections.abc import Callable

from hbcore.pluginkit.udp import UdpSockets

SIOCGIFBRDADDR = 0x8919


def broadcast_address(interface: str) -> str:
    """The IPv4 broadcast address of ``interface``; ``OSError`` naming it when it has none."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        request = struct.pack("256s", interface.encode()[:15])
        try:
            answer = fcntl.ioctl(probe.fileno(), SIOCGIFBRDADDR, request)
        except OSError as error:
            raise OSError(
                error.errno, f"interface {interface} has no IPv4 broadcast address"
            ) from None
    return socket.inet_ntoa(answer[20:24])


class BcastMedium:
    """One ``bcast`` interface."""

    wire_format = "netstring"

    def __init__(self, interface: str, port: int) -> None:
        self.name = interface
        self.port = port
        self._sockets = UdpSockets(interface, f"cannot bind to interface {interface}")
        self._destination = ("", port)

    async def start(self, deliver: Callable[[bytes], None]) -> None:
        self._destination = (broadcast_address(self.name), self.port)
        with self._sockets.closed_on_error():
            tx = self._sockets.open_sender()
            tx.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
            tx.setsockopt(socket.SOL_SOCKET, socket.SO_DONTROUTE, 1)
            self._sockets.listen(
                ("", self.port), deliver, f"bcast {self.name}: cannot listen on port {self.port}"
            )

    async def send(self, packet: bytes) -> None:
        self._sockets.send(packet, self._destination)

    async def stop(self) -> None:
        self._sockets.close()

    def describe(self) -> str:
        return f"UDP Broadcast heartbeat on port {self.port} interface {self.name}"
