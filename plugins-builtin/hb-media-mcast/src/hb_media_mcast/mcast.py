"""UDP multicast heartbeats, as heartbeat's mcast plugin sends them.

The receive socket is bound to ``GROUP:PORT`` and joins the group on the interface; the send
socket selects the interface (IP_MULTICAST_IF), and sets the TTL and whether our own packets
loop back. Neither is bound to the interface: the group membership selects it. Reading in
bounded batches and sending without blocking are :mod:`hbcore.pluginkit.udp`'s.
"""

from __future__ import annotations

import socket
import struct
from collections.abc import Callable

from hbcore.pluginkit.udp import UdpSockets


def membership_request(group: str, interface: str) -> bytes:
    """``struct ip_mreqn`` selecting ``interface`` by index; ``OSError`` when it is unknown."""
    try:
        index = socket.if_nametoindex(interface)
    except OSError:
        raise OSError(f"mcast: interface [{interface}] does not exist") from None
    return struct.pack("4s4si", socket.inet_aton(group), socket.inet_aton("0.0.0.0"), index)


class McastMedium:
    """One ``mcast IFACE GROUP PORT TTL LOOP`` line."""

    wire_format = "netstring"

    def __init__(self, interface: str, group: str, port: int, ttl: int, loop: bool) -> None:
        self.name = interface
        self.group = group
        self.port = port
        self.ttl = ttl
        self.loop = loop
        self._sockets = UdpSockets()

    async def start(self, deliver: Callable[[bytes], None]) -> None:
        request = membership_request(self.group, self.name)
        with self._sockets.closed_on_error():
            tx = self._sockets.open_sender()
            tx.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, request)
            tx.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, self.ttl)
            tx.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, int(self.loop))
            self._sockets.listen(
                (self.group, self.port),
                deliver,
                f"mcast {self.name}: cannot join {self.group}:{self.port}",
                join=request,
            )

    async def send(self, packet: bytes) -> None:
        self._sockets.send(packet, (self.group, self.port))

    async def stop(self) -> None:
        self._sockets.close()

    def describe(self) -> str:
        return (
            f"UDP multicast heartbeat on {self.group}:{self.port} interface {self.name}"
            f" ttl {self.ttl} loop {int(self.loop)}"
        )
