"""The watchdog device (``watchdog /dev/watchdog``): heartbeat's ``hb_init_watchdog``,
``hb_tickle_watchdog`` and ``hb_close_watchdog``.

heartbeat writes one NUL byte each time its master processes its own status message, which it
sends every keepalive and gets back through the loopback: a master that stalls stops kicking,
and the machine reboots. hb sends its status from a task on the event loop and loops it back
in-process, so a kick from another task on the same loop every keepalive is the same test: a
process that is stopped, or a loop blocked for longer than the timeout, misses its kicks.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import fcntl
import logging
import os
import struct
from collections.abc import Callable

from hb_hookspecs import Observation

from hb_monitor_watchdog.ticking import repeat

log = logging.getLogger("hb.monitor.watchdog")

WDIOC_SETTIMEOUT = 0xC0045706
"""``_IOWR('W', 6, int)`` from ``<linux/watchdog.h>``."""
KICK = b"\0"
MAGIC_CLOSE = b"V"
"""Written just before closing, it tells the driver the close is deliberate: disarm."""


def timeout_seconds(deadtime_ms: int) -> int:
    """The device timeout heartbeat sets: deadtime + 10 ms, rounded up to whole seconds."""
    return -(-(deadtime_ms + 10) // 1000)


class WatchdogDevice:
    """A :class:`~hb_hookspecs.HealthMonitor` that keeps a watchdog device from firing while the
    node's event loop runs, and disarms it when stopped."""

    name = "watchdog"

    def __init__(self, device: str, keepalive_ms: int, deadtime_ms: int) -> None:
        self.device = device
        self.interval_s = keepalive_ms / 1000
        self.timeout_s = timeout_seconds(deadtime_ms)
        self._fd: int | None = None
        self._kicking: asyncio.Task[None] | None = None

    async def start(self, report: Callable[[Observation], None]) -> None:
        """Open and arm the device, set its timeout and kick it every keepalive.

        :raises OSError: "Cannot open watchdog device: DEV: reason" (the node logs it and runs
            on, as heartbeat does).
        """
        if self._fd is not None:
            return
        # Non-blocking: a real device never blocks, but a FIFO standing in for one would block
        # the whole loop on open (no reader) or on a write (a reader that stopped reading).
        flags = os.O_WRONLY | os.O_NONBLOCK | os.O_CLOEXEC
        try:
            self._fd = os.open(self.device, flags)
        except OSError as error:
            raise OSError(
                error.errno, f"Cannot open watchdog device: {self.device}: {error.strerror}"
            ) from error
        log.info(f"Using watchdog device: {self.device}")
        self._set_timeout()
        self._kicking = asyncio.create_task(repeat(self.interval_s, self._kick))

    async def stop(self) -> None:
        """Stop kicking and close with the magic character, so a clean stop never reboots."""
        if self._kicking is not None:
            self._kicking.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._kicking
            self._kicking = None
        self._close()

    def _set_timeout(self) -> None:
        assert self._fd is not None
        log.debug(f"Set watchdog timer to {self.timeout_s} seconds.")
        try:
            fcntl.ioctl(self._fd, WDIOC_SETTIMEOUT, struct.pack("i", self.timeout_s))
        except OSError as error:
            if error.errno == errno.ENOTTY:
                # Not a watchdog driver (a FIFO in tests): its timeout is its own business.
                log.debug(f"{self.device} takes no WDIOC_SETTIMEOUT: {error.strerror}")
                return
            log.error(
                f"WDIOC_SETTIMEOUT: Failed to set watchdog timer to {self.timeout_s} seconds."
                f" ({error.strerror})"
            )

    def _kick(self) -> bool:
        """One NUL byte; False once the device is closed (a failed write closes it)."""
        if self._fd is None:
            return False
        try:
            os.write(self._fd, KICK)
        except OSError as error:
            log.error(f"Watchdog write failure: closing {self.device}! ({error.strerror})")
            self._close()
            return False
        return True

    def _close(self) -> None:
        """heartbeat's ``hb_close_watchdog``: write ``V``, then close."""
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            os.write(fd, MAGIC_CLOSE)
        except OSError as error:
            log.error(
                f"Watchdog write magic character failure: closing {self.device}! ({error.strerror})"
            )
        else:
            log.debug("Successful watchdog 'V' write")
        os.close(fd)
