"""The ping-node monitor: one ICMP echo per host per keepalive, an observation per answer.

Heartbeat pings each time it writes its status, that is every keepalive; so do we, on our own
timer. Every ``ping`` host is a ping node named after itself; a ``ping_group`` is one ping node
made of its members, alive while any of them answers. The monitor only reports answers: the
core declares a ping node dead once ``deadping`` passes without one.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from hb_hookspecs import Observation

from hb_monitor_ping.echo_socket import EchoSocket

log = logging.getLogger("hb.monitor.ping")

MONITOR = "ping"
LATE_ROUNDS = 8
"""How many keepalives a reply may trail its echo and still count; older echoes are
forgotten, so a reply long delayed cannot make a dead host look alive now."""


@dataclass(frozen=True)
class PingNode:
    """One ping node: a ``ping`` host (``hosts == (name,)``) or a ``ping_group``."""

    name: str
    hosts: tuple[str, ...]
    group: bool = False


@dataclass
class _Round:
    waiting: set[str]
    answered: set[str] = field(default_factory=set)


class EchoBook:
    """Which echoes are outstanding, and which ping nodes an answer proves alive.

    :param members: ping node name -> the addresses of its hosts.
    """

    def __init__(self, members: Mapping[str, Sequence[str]]) -> None:
        self._nodes_of: dict[str, list[str]] = {}
        for name, addresses in members.items():
            for address in addresses:
                self._nodes_of.setdefault(address, []).append(name)
        self._rounds: OrderedDict[int, _Round] = OrderedDict()

    @property
    def addresses(self) -> list[str]:
        """Every address to ping, each once (a host may be in several ping nodes)."""
        return list(self._nodes_of)

    def sent(self, sequence: int) -> None:
        """An echo with ``sequence`` went (or was tried) to every address."""
        self._rounds.pop(sequence, None)
        self._rounds[sequence] = _Round(set(self._nodes_of))
        while len(self._rounds) > LATE_ROUNDS:
            self._rounds.popitem(last=False)

    def answered(self, source: str, sequence: int) -> list[str]:
        """The ping nodes that ``source`` answering echo ``sequence`` shows alive, each once per
        round; none for a host we did not ping, a duplicate or a forgotten round."""
        round_ = self._rounds.get(sequence)
        if round_ is None or source not in round_.waiting:
            return []
        round_.waiting.discard(source)
        alive = [name for name in self._nodes_of[source] if name not in round_.answered]
        round_.answered.update(alive)
        return alive


class PingMonitor:
    """Every ping node of this node (``ping`` hosts and ``ping_group`` groups)."""

    name = MONITOR

    def __init__(self, nodes: Sequence[PingNode], interval_s: float) -> None:
        self.nodes = tuple(nodes)
        self.interval_s = interval_s
        self.transport: str | None = None
        """``datagram`` or ``raw`` once started."""
        self._socket: EchoSocket | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._book = EchoBook({})
        self._sequence = 0
        self._send_failures: dict[str, int] = {}

    async def start(self, report: Callable[[Observation], None]) -> None:
        """Resolve the hosts, open the ICMP socket and ping every keepalive from now on.

        A host that does not resolve is logged with heartbeat's text (``unknown host: NAME:
        reason``) and not pinged: its ping node, or its group when no other member answers,
        is declared dead after ``deadping``. ``OSError`` says why no ICMP socket opens, and
        the fix."""
        loop = asyncio.get_running_loop()
        members: dict[str, list[str]] = {}
        for node in self.nodes:
            resolved = [await _resolve(loop, host) for host in node.hosts]
            members[node.name] = [address for address in resolved if address is not None]
        self._book = EchoBook(members)
        self._socket = echo = EchoSocket.open()
        self.transport = echo.kind

        def readable() -> None:
            for source, sequence in echo.replies():
                for name in self._book.answered(source, sequence):
                    report(Observation(MONITOR, name, True, f"echo reply from {source}"))

        loop.add_reader(echo.fileno(), readable)
        for node in self.nodes:
            log.info("ping group heartbeat started." if node.group else "ping heartbeat started.")
        log.info(f"ping nodes use a {echo.kind} ICMP socket")
        self._ping(loop, loop.time())

    def _ping(self, loop: asyncio.AbstractEventLoop, due: float) -> None:
        """Send one round of echoes, then come back one keepalive after ``due``: on a fixed
        grid, skipping rounds the loop was too busy to send rather than sending them late."""
        echo = self._socket
        if echo is None:
            return
        self._sequence = (self._sequence + 1) & 0xFFFF
        self._book.sent(self._sequence)
        for address in self._book.addresses:
            self._send(echo, address)
        due += self.interval_s
        now = loop.time()
        if due < now:
            due += (now - due) // self.interval_s * self.interval_s + self.interval_s
        self._timer = loop.call_at(due, self._ping, loop, due)

    def _send(self, echo: EchoSocket, address: str) -> None:
        """Send one echo. A host we cannot send to (no route, link down) is simply not
        answering: log the first failure of a run of them, not one per keepalive."""
        try:
            echo.send(address, self._sequence)
        except OSError as error:
            errno = error.errno or 0
            if self._send_failures.get(address) != errno:
                log.error(f"ping {address}: Error sending packet: {error.strerror}")
            self._send_failures[address] = errno
        else:
            self._send_failures.pop(address, None)

    async def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        echo, self._socket = self._socket, None
        if echo is not None:
            asyncio.get_running_loop().remove_reader(echo.fileno())
            echo.close()


async def _resolve(loop: asyncio.AbstractEventLoop, host: str) -> str | None:
    """The IPv4 address of ``host`` (resolved off the loop), as heartbeat tries it: a numeric
    address as is, else a lookup; None, logged as heartbeat logs it, when nothing answers."""
    try:
        found = await loop.getaddrinfo(host, None, family=socket.AF_INET, type=socket.SOCK_RAW)
    except socket.gaierror as error:
        log.error(f"unknown host: {host}: {error.strerror}")
        return None
    except (OSError, UnicodeError, ValueError) as error:  # a name no resolver can be asked
        log.error(f"unknown host: {host}: {error}")
        return None
    return str(found[0][4][0])
