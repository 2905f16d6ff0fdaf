"""systemd's readiness protocol and service watchdog (``sd_notify(3)``), in the standard library.

systemd gives a ``Type=notify`` service the address of its notification socket in
``NOTIFY_SOCKET`` (a path, or ``@name`` for an abstract socket) and, when the unit sets
``WatchdogSec=``, the timeout in ``WATCHDOG_USEC`` (for the process ``WATCHDOG_PID``, when set).
Each notification is one datagram of ``KEY=value`` lines.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import Callable, Mapping

from hb_hookspecs import Observation

from hb_monitor_watchdog.ticking import repeat

log = logging.getLogger("hb.monitor.systemd")

READY = "READY=1"
WATCHDOG = "WATCHDOG=1"
STOPPING = "STOPPING=1"


def notify_address(notify_socket: str) -> str | None:
    """The ``AF_UNIX`` address for ``NOTIFY_SOCKET``, or None for a kind we do not speak
    (``vsock:``)."""
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


def from_environment(environ: Mapping[str, str]) -> SystemdNotifier | None:
    """The notifier for this process, or None when it does not run under systemd's notify."""
    notify_socket = environ.get("NOTIFY_SOCKET", "")
    if not notify_socket:
        return None
    address = notify_address(notify_socket)
    if address is None:
        log.warning(f"NOTIFY_SOCKET={notify_socket}: not a unix socket; systemd not notified")
        return None
    return SystemdNotifier(address, watchdog_interval(environ, os.getpid()))


class SystemdNotifier:
    """A :class:`~hb_hookspecs.HealthMonitor` that tells systemd the node is ready, pings its
    watchdog from the node's event loop, and says when the node stops."""

    name = "systemd"

    def __init__(self, address: str, interval_s: float | None) -> None:
        self.address = address
        self.interval_s = interval_s
        self._socket: socket.socket | None = None
        self._pinging: asyncio.Task[None] | None = None

    async def start(self, report: Callable[[Observation], None]) -> None:
        """Send ``READY=1``, then ``WATCHDOG=1`` every half watchdog timeout.

        :raises OSError: when the notification socket takes no datagram.
        """
        if self._socket is not None:
            return
        self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
        # A full socket queue must never hold up the loop: a notification is then lost.
        self._socket.setblocking(False)
        try:
            self._socket.sendto(READY.encode(), self.address)
        except OSError:
            self._socket.close()
            self._socket = None
            raise
        if self.interval_s is not None:
            log.info(f"systemd watchdog: pinging every {self.interval_s:g} s")
            self._pinging = asyncio.create_task(repeat(self.interval_s, self._ping))

    async def stop(self) -> None:
        """Stop pinging and send ``STOPPING=1``."""
        if self._pinging is not None:
            self._pinging.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pinging
            self._pinging = None
        if self._socket is None:
            return
        self._send(STOPPING)
        self._socket.close()
        self._socket = None

    def _ping(self) -> bool:
        self._send(WATCHDOG)
        return True

    def _send(self, state: str) -> None:
        assert self._socket is not None
        try:
            self._socket.sendto(state.encode(), self.address)
        except OSError as error:
            log.warning(f"systemd notification {state} not sent: {error}")
