"""UDP unicast heartbeats to one peer, as heartbeat's ucast plugin sends them.

Packets leave through ``interface`` (SO_BINDTODEVICE) for ``peer:udpport``; the receive socket
listens on ``0.0.0.0:udpport`` bound to the same interface. The peer name is resolved when the
medium starts, so an unresolvable one stops the node from starting half-blind. Receiving reads
at most ``BATCH`` datagrams per wake-up of the loop. Sends never block: a full socket buffer
drops the packet.
"""

from __future__ import annotations

import asyncio
import socket
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


def resolve(peer: str) -> str:
    """The IPv4 address of ``peer`` (an address or a host name); ``OSError`` naming it."""
    try:
        return str(socket.getaddrinfo(peer, None, socket.AF_INET, socket.SOCK_DGRAM)[0][4][0])
    except socket.gaierror as error:
        raise OSError(f"ucast: cannot resolve hostname {peer}: {error.strerror}") from None


def interface_socket(interface: str) -> socket.socket:
    """A non-blocking UDP socket bound to ``interface``."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, interface.encode())
        sock.setblocking(False)
    except OSError as error:
        sock.close()
        raise OSError(
            error.errno, f"ucast: interface [{interface}] cannot be used: {error.strerror}"
        ) from None
    return sock


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


class UcastMedium:
    """One ``ucast IFACE PEER`` line."""

    wire_format = "netstring"

    def __init__(self, interface: str, peer: str, port: int, peer_port: int) -> None:
        """Listen on ``port`` (udpport); send to ``peer:peer_port``."""
        self.name = interface
        self.peer = peer
        self.port = port
        self.peer_port = peer_port
        self._rx: socket.socket | None = None
        self._tx: socket.socket | None = None
        self._destination = (peer, peer_port)

    async def start(self, deliver: Callable[[bytes], None]) -> None:
        self._destination = (resolve(self.peer), self.peer_port)
        self._tx = interface_socket(self.name)
        self._tx.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        self._rx = interface_socket(self.name)
        self._rx.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            self._rx.bind(("", self.port))
        except OSError as error:
            await self.stop()
            raise OSError(
                error.errno,
                f"ucast {self.name}: cannot listen on port {self.port}: {error.strerror}",
            ) from None
        asyncio.get_running_loop().add_reader(self._rx.fileno(), batch_reader(self._rx, deliver))

    async def send(self, packet: bytes) -> None:
        if self._tx is None:
            return
        try:
            self._tx.sendto(packet, self._destination)
        except (BlockingIOError, InterruptedError):
            pass  # socket buffer full: drop, as a congested link would
        except OSError:
            pass  # no route right now (link down): the peer will notice the silence

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
            f"UDP unicast heartbeat to {self.peer}:{self.peer_port} on port {self.port}"
            f" interface {self.name}"
        )
