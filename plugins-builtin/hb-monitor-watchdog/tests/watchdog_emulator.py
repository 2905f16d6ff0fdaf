"""A watchdog device for tests: a FIFO read by a thread that applies the kernel's watchdog rules.

This machine has no softdog, so the tests give ``watchdog`` a FIFO and judge what arrives the
way ``drivers/watchdog/watchdog_dev.c`` would: any write is a kick; the writer closing with
``V`` as its last byte (the magic close) disarms; closing without it leaves the timer running;
no kick for ``timeout_s`` while armed means the machine reboots, recorded here as FIRED.

The reader opens the FIFO ``O_RDONLY | O_NONBLOCK`` and, after each writer goes away, opens it
again before closing the old descriptor, so a writer never finds the FIFO without a reader.
"""

from __future__ import annotations

import os
import select
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

DISARMED, ARMED, FIRED = "disarmed", "armed", "fired"
MAGIC_CLOSE = "magic close"
CLOSED_ARMED = "closed without V"
POLL_S = 0.01


class WatchdogEmulator:
    """Reads the FIFO at ``path`` (created if missing) until :meth:`close`; use as a context."""

    def __init__(self, path: Path, timeout_s: float) -> None:
        self.path = path
        self.timeout_s = timeout_s
        self.state = DISARMED
        self.kicks = 0
        self.received = bytearray()
        self.events: list[tuple[float, str]] = []
        """(monotonic time, what happened): "armed", "magic close", "closed without V", "fired"."""
        self.last_kick_at = 0.0
        self.fired_at: float | None = None
        self._lock = threading.RLock()
        self._closing = threading.Event()
        if not path.exists():
            os.mkfifo(path)
        self._fd = self._open()
        self._thread = threading.Thread(target=self._read, name="watchdog-emulator", daemon=True)
        self._thread.start()

    def __enter__(self) -> WatchdogEmulator:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop reading: afterwards the FIFO has no reader (writers get EPIPE, openers ENXIO)."""
        self._closing.set()
        self._thread.join()
        os.close(self._fd)

    def wait_for(self, condition: Callable[[WatchdogEmulator], bool], timeout_s: float) -> float:
        """Wait until ``condition(self)`` holds; return when (monotonic) or raise TimeoutError."""
        deadline = time.monotonic() + timeout_s
        while True:
            with self._lock:
                if condition(self):
                    return time.monotonic()
            if time.monotonic() > deadline:
                raise TimeoutError(f"watchdog emulator: still {self.state}, events {self.events}")
            time.sleep(POLL_S)

    def happened(self, what: str) -> bool:
        with self._lock:
            return any(event == what for _, event in self.events)

    def _open(self) -> int:
        return os.open(self.path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)

    def _read(self) -> None:
        poller = select.poll()
        poller.register(self._fd, select.POLLIN)
        while not self._closing.is_set():
            if poller.poll(POLL_S * 1000):
                data = os.read(self._fd, 4096)
                with self._lock:
                    if data:
                        self._kicked(data)
                    else:
                        self._writer_closed()
                if not data:
                    # Reopen before closing: a reader is always there for the next writer.
                    old, self._fd = self._fd, self._open()
                    poller.unregister(old)
                    os.close(old)
                    poller.register(self._fd, select.POLLIN)
            with self._lock:
                self._check_timer()

    def _kicked(self, data: bytes) -> None:
        if self.state == FIRED:
            return
        if self.state == DISARMED:
            self._note(ARMED)
        self.state = ARMED
        self.kicks += len(data)
        self.received += data
        self.last_kick_at = time.monotonic()

    def _writer_closed(self) -> None:
        if self.state != ARMED:
            return
        if self.received.endswith(b"V"):
            self.state = DISARMED
            self._note(MAGIC_CLOSE)
        else:
            self._note(CLOSED_ARMED)

    def _check_timer(self) -> None:
        if self.state == ARMED and time.monotonic() - self.last_kick_at > self.timeout_s:
            self.state = FIRED
            self.fired_at = time.monotonic()
            self._note(FIRED)

    def _note(self, what: str) -> None:
        self.events.append((time.monotonic(), what))
