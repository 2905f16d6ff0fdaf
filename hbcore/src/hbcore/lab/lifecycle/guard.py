"""Tearing owned labs down however the owning process ends: normally, by exception, on
SIGTERM or SIGHUP (turned into SystemExit so ``with`` blocks and atexit run), or at interpreter
exit. A SIGKILLed owner cannot clean up: the next lab's stale sweep does it instead."""

from __future__ import annotations

import atexit
import contextlib
import signal
import sys
import threading
from collections.abc import Callable
from types import FrameType

_live: dict[str, Callable[[], None]] = {}
_lock = threading.Lock()
_installed = False


def protect(prefix: str, teardown: Callable[[], None]) -> None:
    """Run ``teardown`` at exit unless :func:`release` is called for ``prefix`` first."""
    global _installed
    with _lock:
        _live[prefix] = teardown
        if _installed:
            return
        _installed = True
    atexit.register(_teardown_all)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        # Only replace the default action, and only from the main thread (where it is allowed);
        # a host program's own handler stays in charge.
        with contextlib.suppress(ValueError):
            if signal.getsignal(sig) == signal.SIG_DFL:
                signal.signal(sig, _exit_on_signal)


def release(prefix: str) -> None:
    """Forget ``prefix``: its lab is down, or no longer this process's to tear down."""
    with _lock:
        _live.pop(prefix, None)


def _exit_on_signal(sig: int, _frame: FrameType | None) -> None:
    sys.exit(128 + sig)


def _teardown_all() -> None:
    with _lock:
        pending = list(_live.values())
        _live.clear()
    for teardown in pending:
        teardown()
