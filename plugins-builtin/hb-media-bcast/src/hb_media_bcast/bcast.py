"""UDP broadcast heartbeats on one interface, as heartbeat's bcast plugin sends them.

The send socket has SO_BROADCAST and SO_DONTROUTE and is bound to the interface; packets go
to the interface's broadcast address on ``udpport``. The receive socket listens on
``0.0.0.0:udpport`` bound to the same interface, so each interface is its own link. Receiving
uses a reader callback on the loop (no protocol objects, no copies) that reads at most
``BATCH`` datagrams per wake-up; sending never blocks: a full socket buffer drops the packet,
as a lossy link would.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import socket
import struct
from collections.abc import Callable

SIOCGIFBRDADDR = 0x8919
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


def bound_socket(interface: str) -> socket.socket:
    """A non-blocking UDP socket bound to ``interface`` (SO_BINDTODEVICE)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, interface.encode())
        sock.setblocking(False)
    except OSError as error:
        sock.close()
        raise OSError(
            error.errno, f"cannot bind to interface {interface}: {error.strerror}"
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


class BcastMedium:
    """One ``bcast`` interface."""

    wire_format = "netstring"

    def __init__(self, interface: str, port: int) -> None:
        self.name = interface
        self.port = port
        self._rx: socket.socket | None = None
        self._tx: socket.socket | None = None
        self._destination = ("", port)

    async def start(self, deliver: Callable[[bytes], None]) -> None:
        self._destination = (broadcast_address(self.name), self.port)
        self._tx = bound_socket(self.name)
        self._tx.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
        self._tx.setsockopt(socket.SOL_SOCKET, socket.SO_DONTROUTE, 1)
        self._rx = bound_socket(self.name)
        self._rx.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            self._rx.bind(("", self.port))
        except OSError as error:
            await self.stop()
            raise OSError(
                error.errno,
                f"bcast {self.name}: cannot listen on port {self.port}: {error.strerror}",
            ) from None
        rx = self._rx
        asyncio.get_running_loop().add_reader(rx.fileno(), batch_reader(rx, deliver))

    async def send(self, packet: bytes) -> None:
        if self._tx is None:
            return
        # A full socket buffer drops the packet, as a congested link would.
        with contextlib.suppress(BlockingIOError, InterruptedError):
            self._tx.sendto(packet, self._destination)

    async def stop(self) -> None:
        if self._rx is not None:
            asyncio.get_running_loop().remove_reader(self._rx.fileno())
            self._rx.close()
            self._rx = None
        if self._tx is not None:
            self._tx.close()
            self._tx = None

    def describe(self) -> str:
        return f"UDP Broadcast heartbeat on port {self.port} interface {self.name}"
