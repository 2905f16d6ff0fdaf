"""The runtime interfaces that registered classes implement.

The hot path of a node is ordinary method calls on these objects, never a pluggy hook call.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast, runtime_checkable

if TYPE_CHECKING:
    from hb_hookspecs.directives import Directive

T = TypeVar("T")
D = TypeVar("D")


@runtime_checkable
class Authenticator(Protocol):
    """One authkeys method bound to its key (``1 sha1 secret``).

    Synchronous and cheap: it runs for every packet sent and received, on the event loop.
    """

    def sign(self, data: bytes) -> str:
        """Return the token for ``data`` as heartbeat writes it (lowercase hex)."""
        ...

    def verify(self, data: bytes, token: str) -> bool:
        """Return True when ``token`` is the token of ``data``. Never raises."""
        ...


@runtime_checkable
class Medium(Protocol):
    """One heartbeat path (a UDP socket pair on one interface, one serial device).

    It moves whole packets and knows nothing of messages. ``name`` is what heartbeat logs as the
    link name: the interface (``eth1``) or the device (``/dev/ttyS0``). ``wire_format`` is the
    encoding the path carries: ``"netstring"`` on UDP, ``"classic"`` (``>>>`` text, 7-bit) on
    serial lines, as heartbeat 3.0.6 sends them.
    """

    name: str
    wire_format: str

    async def start(self, deliver: Callable[[bytes], None]) -> None:
        """Open the path and call ``deliver(packet)`` for every packet received.

        Raises ``OSError`` naming the device or interface when it cannot open; the node then
        refuses to start rather than run half-blind. ``deliver`` is called on the event loop
        and must not be called again before it returns.
        """
        ...

    async def send(self, packet: bytes) -> None:
        """Send one packet. Never waits behind a slow peer or device: drop rather than block."""
        ...

    async def stop(self) -> None:
        """Close the path. Idempotent."""
        ...

    def describe(self) -> str:
        """One line for logs and ``hb status``, e.g. ``bcast eth1 port 694``."""
        ...


@runtime_checkable
class ResourceAgent(Protocol):
    """One resource of a haresources group, built from its token (``192.168.85.3/27``,
    ``httpd``, ``maid::vacuum``).

    Construction must be cheap and free of side effects (``hb check`` builds agents to see that
    every token is handled); the work happens in the coroutines, which must not block the loop
    (run scripts as subprocesses, with a timeout).
    """

    name: str

    async def start(self) -> None:
        """Acquire the resource. Raises ``ResourceError`` with the output on failure.

        Starting a resource that runs already succeeds: heartbeat starts what it is unsure of.
        """
        ...

    async def stop(self) -> None:
        """Release exactly what ``start`` acquired. Raises ``ResourceError`` on failure.

        Stopping a resource that is stopped succeeds: heartbeat stops what it is unsure of.
        """
        ...

    async def status(self) -> bool:
        """Return True when the resource is running here. Answers truthfully, never raises."""
        ...

    def describe(self) -> str:
        """One line for logs and ``hb status``, e.g. ``IPaddr 192.168.85.3/27 on eth0``."""
        ...


class ResourceError(Exception):
    """A resource action failed; the message carries the agent's output."""


@dataclass(frozen=True)
class Observation:
    """What a health monitor saw: ``subject`` (a ping node, the watchdog) is alive or not."""

    monitor: str
    subject: str
    alive: bool
    detail: str = ""


@runtime_checkable
class HealthMonitor(Protocol):
    """A watcher for failures heartbeat alone cannot see (a dead uplink, a hung machine).

    It only reports observations; the core owns every decision.
    """

    name: str

    async def start(self, report: Callable[[Observation], None]) -> None:
        """Begin watching; call ``report`` (on the event loop) for each observation.

        A starting node awaits this before its first heartbeat: do the start-up work here
        (imports, sockets, threads), not in a thread that goes on after it returns, where it
        would hold the interpreter while heartbeats are due."""
        ...

    async def stop(self) -> None:
        """Stop watching and release devices (the watchdog's magic close). Idempotent."""
        ...


@dataclass(frozen=True)
class Settings:
    """The parsed ``ha.cf`` as plugins see it: typed values, by directive.

    Built by the core once the files are read; plugins read it through the declarations of the
    directives they own, or of the core's (:mod:`hb_hookspecs.core_directives`). A plugin's
    tests build one directly: ``Settings("linuxha1", Path("/etc/ha.d"), {"baud": (38400,)})``.
    """

    node_name: str
    """This node's name, lowercased as heartbeat compares names."""
    config_dir: Path
    """The configuration directory (``/etc/ha.d`` unless overridden)."""
    given: Mapping[str, Sequence[object]]
    """Every value written in ``ha.cf``, by directive name, in file order."""

    def get(self, directive: Directive[T, D]) -> T | D:
        """The value in force of a single-valued directive: the last one written, else the
        directive's default (None when it has none)."""
        written = self.given.get(directive.name, ())
        return cast(T, written[-1]) if written else directive.default

    def values(self, directive: Directive[T, Any]) -> Sequence[T]:
        """Every value of ``directive``, in file order (empty when absent)."""
        return cast(Sequence[T], self.given.get(directive.name, ()))


@dataclass(frozen=True)
class ResourceContext:
    """What resolving a haresources token may look at."""

    settings: Settings
    """The parsed ``ha.cf``: a resource plugin reads its own directives here."""
    environment: Mapping[str, str]
    """Extra environment for agents (``HA_CURHOST``, ``HA_debug`` ...)."""

    @property
    def config_dir(self) -> Path:
        """The configuration directory; heartbeat scripts live in its ``resource.d``."""
        return self.settings.config_dir


@runtime_checkable
class StatisticsView(Protocol):
    """Read-only access to a running node's statistics and cluster events, handed to plugins
    by ``hb_statistics_ready``; the core implements it (a plugin never does).

    Every method returns at once with copies (plain JSON values: what a reader does to them
    changes nothing the node counts), and must be called on the node's event loop. A plugin
    working in a thread (an HTTP server) asks the loop: ``loop.call_soon_threadsafe`` a
    function that calls the view and hands the result back, or keeps the last one it got.
    """

    def snapshot(self) -> Mapping[str, Any]:
        """Every figure, as ``hb status --json`` documents them (docs/node.md, *Statistics*):
        ``schema``, ``node`` (this node's name), ``nodes`` (name -> ``type``, ``status``, the
        node's figures and its ``links`` by medium), ``groups`` (key -> figures of the groups
        this node acted on), ``dropped`` (packets dropped, by reason) and ``events`` (the
        latest)."""
        ...

    def events(
        self, since: float | None = None, after: int | None = None, limit: int | None = None
    ) -> Sequence[Mapping[str, Any]]:
        """The kept events at or after epoch ``since``, numbered above ``after``, the first
        ``limit`` of them, oldest first: each an ``hb events --json`` record with its number
        ``n``."""
        ...

    def subscribe(self, listener: Callable[[Mapping[str, Any]], None]) -> Callable[[], None]:
        """Call ``listener(record)`` on the loop with each new event's ``hb events --json``
        record (events read back from disk at start are history, not news: not given). It must
        return at once; one that raises is logged and kept. Returns the function that
        unsubscribes it."""
        ...

    @property
    def last_number(self) -> int:
        """The number ``n`` of the newest event (0: none yet); numbers grow by one per event
        for the life of the node."""
        ...
