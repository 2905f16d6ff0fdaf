"""UDP unicast heartbeats to one peer, as heartbeat's ucast plugin sends them.

Packets leave through ``interface`` (SO_BINDTODEVICE) for ``peer:udpport``; the receive socket
listens on ``0.0.0.0:udpport`` bound to the same interface. The peer name is resolved when the
medium starts, so an unresolvable one stops the node from starting half-blind. Reading in
bounded batches and sending without blocking are :mod:`hbcore.pluginkit.udp`'s.
"""

from __future__ import annotations

import socket
from collections.abc import Callable

from hbcore.pluginkit.udp import UdpSockets


def resolve(peer: str) -> str:
    """The IPv4 address of ``peer`` (an address or a host name); ``OSError`` naming it."""
    try:
        return str(socket.getaddrinfo(peer, None, socket.AF_INET, socket.SOCK_DGRAM)[0][4][0])
    except socket.gaierror as error:
        raise OSError(f"ucast: cannot resolve hostname {peer}: {error.strerror}") from None


class UcastMedium:
    """One ``ucast IFACE PEER`` line."""

    wire_format = "netstring"

    def __init__(self, interface: str, peer: str, port: int, peer_port: int) -> None:
        """Listen on ``port`` (udpport); send to ``peer:peer_port``."""
        self.name = interface
        self.peer = peer
        self.port = port
        self.peer_port = peer_port
        self._sockets = UdpSockets(interface, f"ucast: interface [{interface}] cannot be used")
        self._destination = (peer, peer_port)

    async def start(self, deliver: Callable[[bytes], None]) -> None:
        self._destination = (resolve(self.peer), self.peer_port)
        with self._sockets.closed_on_error():
            tx = self._sockets.open_sender()
            tx.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            self._sockets.listen(
                ("", self.port), deliver, f"ucast {self.name}: cannot listen on port {self.port}"
            )

    async def send(self, packet: bytes) -> None:
        self._sockets.send(packet, self._destination)

    async def stop(self) -> None:
        self._sockets.close()

    def describe(self) -> str:
        return (
            f"UDP unicast heartbeat to {self.peer}:{self.peer_port} on port {self.port}"
            f" interface {self.name}"
        )
