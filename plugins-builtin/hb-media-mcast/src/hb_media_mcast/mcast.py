"""UDP multicast heartbeats, as heartbeat's mcast plugin sends them.

The receive socket is bound to ``GROUP:PORT`` and joins the group on the interface; the send
socket selects the interface (IP_MULTICAST_IF), and sets the TTL and whether our own packets
loop back. Sends never block: a full socket buffer drops the packet.
"""

from __future__ import annotations

import asyncio
import socket
import struct
from collections.abc import Callable

RECEIVE_BUFFER = 65536


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
        self._rx: socket.socket | None = None
        self._tx: socket.socket | None = None

    async def start(self, deliver: Callable[[bytes], None]) -> None:
        request = membership_request(self.group, self.name)
        tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._tx = tx
        tx.setblocking(False)
        tx.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, request)
        tx.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, self.ttl)
        tx.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, int(self.loop))
        rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._rx = rx
        rx.setblocking(False)
        rx.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            rx.bind((self.group, self.port))
            rx.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, request)
        except OSError as error:
            await self.stop()
            raise OSError(
                error.errno,
                f"mcast {self.name}: cannot join {self.group}:{self.port}: {error.strerror}",
            ) from None
        receive = rx.recv

        def readable() -> None:
            while True:
                try:
                    packet = receive(RECEIVE_BUFFER)
                except OSError:
                    return
                deliver(packet)

        asyncio.get_running_loop().add_reader(rx.fileno(), readable)

    async def send(self, packet: bytes) -> None:
        if self._tx is None:
            return
        try:
            self._tx.sendto(packet, (self.group, self.port))
        except (BlockingIOError, InterruptedError):
            pass  # socket buffer full: drop, as a congested link would
        except OSError:
            pass  # no route right now (link down): the peers will notice the silence

    async def stop(self) -> None:
        if self._rx is not None:
            asyncio.get_running_loop().remove_reader(self._rx.fileno())
            self._rx.close()
            self._rx = None
        if self._tx is not None:
            self._tx.close()
            self._tx = None

    def describe(self) -> str:
        return (
            f"UDP multicast heartbeat on {self.group}:{self.port} interface {self.name}"
            f" ttl {self.ttl} loop {int(self.loop)}"
        )
