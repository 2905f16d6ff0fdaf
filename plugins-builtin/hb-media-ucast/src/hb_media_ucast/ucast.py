"""UDP unicast heartbeats to one peer, as heartbeat's ucast plugin sends them.

Packets leave through ``interface`` (SO_BINDTODEVICE) for ``peer:udpport``; the receive socket
listens on ``0.0.0.0:udpport`` bound to the same interface. The peer name is resolved when the
medium starts, so an unresolvable one stops the node from starting half-blind. Sends never
block: a full socket buffer drops the packet.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable

RECEIVE_BUFFER = 65536


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
        receive = self._rx.recv

        def readable() -> None:
            while True:
                try:
                    packet = receive(RECEIVE_BUFFER)
                except OSError:
                    return
                deliver(packet)

        asyncio.get_running_loop().add_reader(self._rx.fileno(), readable)

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
