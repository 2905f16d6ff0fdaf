"""systemd's readiness protocol and service watchdog (``sd_notify(3)``), in the standard library.

systemd gives a ``Type=notify`` service the address of its notification socket in
``NOTIFY_SOCKET`` (a path, or ``@name`` for an abstract socket) and, when the unit sets
``WatchdogSec=``, the timeout in ``WATCHDOG_USEC`` (for the process ``WATCHDOG_PID``, when set).
Each notification is one datagram of ``KEY=value`` lines.

The core speaks it itself, whatever plugins are installed: ``hb service unit`` writes a
``Type=notify`` unit, and such a unit fails to start a node that never says ``READY=1``.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from collections.abc import Callable, Mapping

import structlog
from hb_hookspecs import Observation

from hbcore.tasks import Background

log = structlog.get_logger("hb.systemd")

READY = "READY=1"
WATCHDOG = "WATCHDOG=1"
STOPPING = "STOPPING=1"
RELOADING = "RELOADING=1"
PINGING_TASK = "systemd watchdog"


def notify_address(notify_socket: str) -> str | None:
    """The ``AF_UNIX`` address for ``NOTIFY_SOCKET``, or None for a kind we do not speak
    (``vsock:``, a relative path)."""
    if notify_socket.startswith("@"):
        return "\0" + notify_socket[1:]
    if notify_socket.startswith("/"):
        return notify_socket
    return None


def watchdog_interval(environ: Mapping[str, str], pid: int) -> float | None:
    """Seconds between ``WATCHDOG=1`` pings: half of ``WATCHDOG_USEC``, as ``sd_watchdog_enabled``
    advises; None when systemd watches no process, or another one."""
    try:
        usec = int(environ.get("WATCHDOG_USEC", "0"))
        watched = int(environ.get("WATCHDOG_PID", str(pid)))
    except ValueError:
        return None
    if usec <= 0 or watched != pid:
        return None
    return usec / 2 / 1_000_000


def reloading() -> str:
    """``RELOADING=1`` with the ``MONOTONIC_USEC`` systemd asks to go with it."""
    now_us = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
    return f"{RELOADING}\nMONOTONIC_USEC={now_us}"


class ServiceNotifier:
    """The node's side of the protocol, run as a health monitor so that the node starts it once
    its media and identity are up and stops it first thing when it shuts down.

    ``start`` says ``READY=1`` and pings the watchdog from a task on the node's own loop: a loop
    that stalls starves systemd's watchdog exactly as it starves the heartbeats. ``stop`` says
    ``STOPPING=1``, or ``RELOADING=1`` when ``restarting()`` is true: the node then executes itself
    again under the same pid, and says ``READY=1`` once more when it is back; ``STOPPING=1`` would
    make systemd stop the service instead.

    A notification never blocks the loop and never raises: a full or vanished socket loses it
    (logged). Only the first ``READY=1`` can fail :meth:`start`, so a socket that takes nothing is
    said once at start-up.
    """

    name = "systemd"

    def __init__(
        self, address: str, interval_s: float | None, restarting: Callable[[], bool]
    ) -> None:
        self.address = address
        self.interval_s = interval_s
        self.restarting = restarting
        self._socket: socket.socket | None = None
        self._pinging: asyncio.Task[None] | None = None
        self._tasks = Background(log)

    async def start(self, report: Callable[[Observation], None]) -> None:
        """Send ``READY=1``, then ``WATCHDOG=1`` every half watchdog timeout. Idempotent.

        :raises OSError: when the notification socket takes no datagram.
        """
        if self._socket is not None:
            return
        self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
        self._socket.setblocking(False)
        try:
            self._socket.sendto(READY.encode(), self.address)
        except OSError:
            self._socket.close()
            self._socket = None
            raise
        if self.interval_s is not None:
            log.info(f"systemd watchdog: pinging every {self.interval_s:g} s")
            self._pinging = self._tasks.start(self._ping_forever(self.interval_s), PINGING_TASK)

    async def stop(self) -> None:
        """Stop pinging and say ``STOPPING=1`` (``RELOADING=1`` when restarting). Idempotent."""
        if self._pinging is not None:
            self._pinging.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pinging
            self._pinging = None
        if self._socket is None:
            return
        self._send(reloading() if self.restarting() else STOPPING)
        self._socket.close()
        self._socket = None

    async def _ping_forever(self, interval_s: float) -> None:
        """``WATCHDOG=1`` now and every ``interval_s`` on a schedule that does not drift; after a
        stall, one ping at once (no burst to catch up), and the period from there."""
        loop = asyncio.get_running_loop()
        next_at = loop.time()
        while True:
            self._send(WATCHDOG)
            next_at = max(next_at + interval_s, loop.time())
            await asyncio.sleep(next_at - loop.time())

    def _send(self, state: str) -> None:
        if self._socket is None:
            return
        try:
            self._socket.sendto(state.encode(), self.address)
        except OSError as error:
            log.warning(f"systemd notification {state.splitlines()[0]} not sent: {error}")


def service_notifier(
    environ: Mapping[str, str], pid: int, restarting: Callable[[], bool]
) -> ServiceNotifier | None:
    """The notifier for process ``pid`` run with ``environ``, or None when systemd does not
    supervise it (no ``NOTIFY_SOCKET``, or a kind of socket we do not speak: logged)."""
    notify_socket = environ.get("NOTIFY_SOCKET", "")
    if not notify_socket:
        return None
    address = notify_address(notify_socket)
    if address is None:
        log.warning(f"NOTIFY_SOCKET={notify_socket}: not a unix socket; systemd not notified")
        return None
    return ServiceNotifier(address, watchdog_interval(environ, pid), restarting)
