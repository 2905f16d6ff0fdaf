"""UDP multicast heartbeats, as heartbeat's mcast plugin sends them.

The receive socket is bound to ``GROUP:PORT`` and joins the group on the interface; the send
socket selects the interface (IP_MULTICAST_IF), and sets the TTL and whether our own packets
loop back. Receiving reads at most ``BATCH`` datagrams per wake-up of the loop. Sends never
block: a full socket buffer drops the packet.
"""

from __future__ import annotations

import asyncio
import socket
import struct
from collections.abc import Callable

RECEIVE_BUFFER = 65536
BATCH = 32
"""The most datagrams one wake-up of the loop reads from the receive socket.

A flood must not hold the loop: reading until the socket is empty, a node under 60 packets/s
of 65 KB garbage sent no heartbeat for 10 s and its peer took over (issue 8). The loop polls
level-triggered, so a socket that still holds datagrams is reported again at its next
iteration, after the timers and the other ready callbacks have run. 32 datagrams cost a few
milliseconds to decode at worst, and a backlog of genuine ones still drains in a few
iterations.
"""


def membership_request(group: str, interface: str) -> bytes:
    """``struct ip_mreqn`` selecting ``interface`` by index; ``OSError`` when it is unknown."""
    try:
        index = socket.if_nametoindex(interface)
    except OSError:
        raise OSError(f"mcast: interface [{interface}] does not exist") from None
    return struct.pack("4s4si", socket.inet_aton(group), socket.inet_aton("0.0.0.0"), index)


def batch_reader(sock: socket.socket, deliver: Callable[[bytes], None]) -> Callable[[], None]:
    """The loop's reader callback for ``sock``: deliver at most ``BATCH`` queued datagrams,
    then return, leaving the rest for the next wake-up."""
    receive = sock.recv

    def readable() -> None:
        for _ in range(BATCH):
            try:
                packet = receive(RECEIVE_BUFFER)
            except OSError:
                return  # empty (BlockingIOError), or an error the next wake-up retries
            deliver(packet)

    return readable


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
        asyncio.get_running_loop().add_reader(rx.fileno(), batch_reader(rx, deliver))

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
