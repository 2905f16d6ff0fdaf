"""The UDP sockets of a heartbeat medium: what the bcast, ucast and mcast plugins share.

A medium opens its sockets through :class:`UdpSockets` and sets its own options on them (the
broadcast flag, the multicast interface, the peer it sends to: that knowledge stays in its
plugin); :class:`UdpSockets` then owns them until close. Receiving is a reader callback on the
loop (no protocol objects, no copies) that reads at most :data:`BATCH` datagrams per wake-up.
Sending never blocks: a full socket buffer drops the packet, as a congested link would.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager

RECEIVE_BUFFER = 65536
"""Bytes asked of each receive: more than any UDP datagram holds, so none is cut short."""

BATCH = 32
"""The most datagrams one wake-up of the loop reads from the receive socket.

A flood must not hold the loop: reading until the socket is empty, a node under 60 packets/s
of 65 KB garbage sent no heartbeat for 10 s and its peer took over (issue 8). The loop polls
level-triggered, so a socket that still holds datagrams is reported again at its next
iteration, after the timers and the other ready callbacks have run. 32 datagrams cost a few
milliseconds to decode at worst, and a backlog of genuine ones still drains in a few
iterations.
"""

Address = tuple[str, int]
"""An IPv4 address and port, as ``socket.sendto`` and ``socket.bind`` take them."""


def batch_reader(sock: socket.socket, deliver: Callable[[bytes], None]) -> Callable[[], None]:
    """The loop's reader callback for the non-blocking ``sock``: deliver at most :data:`BATCH`
    queued datagrams, then return, leaving the rest for the next wake-up.

    It never raises: a receive error ends the batch (``BlockingIOError`` when the socket is
    empty; a pending ICMP error is consumed by the receive that reports it) and the next
    wake-up reads on.
    """
    receive = sock.recv

    def readable() -> None:
        for _ in range(BATCH):
            try:
                packet = receive(RECEIVE_BUFFER)
            except OSError:
                return
            deliver(packet)

    return readable


class UdpSockets:
    """The send and the receive socket of one UDP medium, from opening to close.

    With an ``interface``, both sockets are bound to it (SO_BINDTODEVICE), so each interface is
    its own link, and ``unusable`` is the medium's words for an interface the kernel refuses
    (its reason follows them). Without one, the medium selects its path by other means (mcast:
    the group membership and IP_MULTICAST_IF).
    """

    def __init__(self, interface: str | None = None, unusable: str = "") -> None:
        self._interface = interface
        self._unusable = unusable
        self._tx: socket.socket | None = None
        self._rx: socket.socket | None = None
        self._reading: asyncio.AbstractEventLoop | None = None

    @contextmanager
    def closed_on_error(self) -> Iterator[None]:
        """Close every socket opened in the block if the block raises, so a medium that cannot
        start holds no port."""
        try:
            yield
        except BaseException:
            self.close()
            raise

    def open_sender(self) -> socket.socket:
        """The send socket, opened once per start, for the medium to set its options on;
        :meth:`send` writes to it."""
        self._tx = self._new_socket()
        return self._tx

    def listen(
        self,
        address: Address,
        deliver: Callable[[bytes], None],
        refused: str,
        join: bytes | None = None,
    ) -> None:
        """Open the receive socket on ``address`` (SO_REUSEADDR), join the multicast group of
        the ``ip_mreqn`` in ``join`` if one is given, and hand what arrives to ``deliver``
        through :func:`batch_reader` on the running loop.

        ``OSError`` when the port is taken or the group cannot be joined: ``refused`` (the
        medium's words) then the kernel's reason, with its errno.
        """
        self._rx = rx = self._new_socket()
        rx.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            rx.bind(address)
            if join is not None:
                rx.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, join)
        except OSError as error:
            raise OSError(error.errno, f"{refused}: {error.strerror}") from None
        self._reading = asyncio.get_running_loop()
        self._reading.add_reader(rx.fileno(), batch_reader(rx, deliver))

    def send(self, packet: bytes, destination: Address) -> None:
        """Send ``packet`` without waiting; nothing before :meth:`open_sender` or after close.

        A full socket buffer drops it, as a congested link would. Any other ``OSError`` (no
        route while the link is down) reaches the caller: the node logs it, and the peer
        notices the silence.
        """
        if self._tx is None:
            return
        # try/except, not contextlib.suppress: its context manager costs more than the send
        try:  # noqa: SIM105
            self._tx.sendto(packet, destination)
        except BlockingIOError:  # the buffer is full: drop, never wait
            pass

    def close(self) -> None:
        """Stop reading and close both sockets. Idempotent; the medium may open them again."""
        if self._rx is not None:
            if self._reading is not None:
                self._reading.remove_reader(self._rx.fileno())
                self._reading = None
            self._rx.close()
            self._rx = None
        if self._tx is not None:
            self._tx.close()
            self._tx = None

    def _new_socket(self) -> socket.socket:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            if self._interface is not None:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, self._interface.encode())
            sock.setblocking(False)
        except OSError as error:
            sock.close()
            raise OSError(error.errno, f"{self._unusable}: {error.strerror}") from None
        return sock
