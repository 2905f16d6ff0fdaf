"""The node's signals, as heartbeat 3.0.6 takes them (observed in the lab) where that keeps the
node alive:

- SIGTERM, SIGINT: stop cleanly (resources released, ``shutdone`` sent). heartbeat ignores
  SIGINT; hb stops, so that Ctrl-C ends a node run in the foreground.
- SIGHUP: reload the configuration (:mod:`hbcore.node.reloader`), as ``hb reload`` does.
- SIGUSR1, SIGUSR2: debug level up, down ("debug now set to N [pid P]").
- SIGQUIT: logged and ignored. heartbeat dies of it and leaves its addresses up.
- SIGALRM: logged and ignored ("Unexpected alarm in process P").
- SIGPIPE, SIGTTIN, SIGTTOU, SIGXFSZ: ignored; the write that raised them fails instead (a
  closed log pipe, the terminal from the background, the file size limit).

Every other signal keeps its default: SIGKILL and SIGSTOP cannot be caught, SIGTSTP suspends
as asked, and a fault (SIGSEGV, SIGBUS, SIGABRT...) ends a process that can no longer be
trusted.

Contract: :func:`hold_signals` makes the process safe from these signals while the node's loop
does not run (before it starts, after it closes), noting those that arrive; :func:`take_signals`
answers them on the running loop, the noted ones first. The module knows nothing of the node:
the runner hands it the stop switch and the reload request.
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Callable, Sequence

import structlog

from hbcore.log import debug_level, set_debug_level

EARLY_SIGNALS = (signal.SIGHUP, signal.SIGUSR1, signal.SIGUSR2, signal.SIGQUIT, signal.SIGALRM)
"""Signals whose default would kill the process, held (:func:`hold_signals`) while the node's
loop does not run."""
IGNORED_SIGNALS = (signal.SIGPIPE, signal.SIGTTIN, signal.SIGTTOU, signal.SIGXFSZ)
"""Ignored outright (as heartbeat ignores the first three): the write that raised one fails."""

log = structlog.get_logger("hb.node")


def hold_signals() -> list[int]:
    """Ignore :data:`IGNORED_SIGNALS`, and note the :data:`EARLY_SIGNALS` that arrive until
    the node's loop takes them over; returns the list they are noted in.
    :func:`hbcore.node.runner.run` calls it first; calling it earlier (as the process starts)
    narrows the time a signal would kill."""
    for signum in IGNORED_SIGNALS:
        signal.signal(signum, signal.SIG_IGN)
    early: list[int] = []
    for signum in EARLY_SIGNALS:
        signal.signal(signum, lambda received, _frame: early.append(received))
    return early


def take_signals(
    stopping: asyncio.Event, reload: Callable[[], object], early: Sequence[int], version: str
) -> None:
    """Answer the node's signals on its loop (see the module's docstring), those noted before
    it ran (``early``, from :func:`hold_signals`) included.

    :param stopping: the node's stop switch, set by SIGTERM and SIGINT.
    :param reload: asks for a reload (SIGHUP).
    :param version: the heartbeat version logged when SIGUSR1 turns debugging on.
    """
    actions: dict[int, Callable[[], object]] = {
        signal.SIGTERM: stopping.set,
        signal.SIGINT: stopping.set,
        signal.SIGHUP: reload,
        signal.SIGUSR1: lambda: _step_debug_level(signal.SIGUSR1, +1, version),
        signal.SIGUSR2: lambda: _step_debug_level(signal.SIGUSR2, -1, version),
        signal.SIGQUIT: lambda: log.warning(
            "SIGQUIT received and ignored: hb stop (or SIGTERM) stops the node cleanly"
        ),
        signal.SIGALRM: lambda: log.error(f"Unexpected alarm in process {os.getpid()}"),
    }
    loop = asyncio.get_running_loop()
    for signum, action in actions.items():
        loop.add_signal_handler(signum, action)
    for signum in early:
        actions[signum]()


def _step_debug_level(signum: int, step: int, version: str) -> None:
    """SIGUSR1 (``step`` 1) or SIGUSR2 (-1): heartbeat's debug level up or down, with its
    lines. They are debug lines, so the one saying the level is now 0 is written first."""
    pid = os.getpid()
    old = debug_level()
    new = max(0, old + step)
    if new == 0:
        log.debug(f"debug now set to 0 [pid {pid}]")
        set_debug_level(0)
        return
    set_debug_level(new)
    log.debug(f"pid {pid}: received signal {int(signum)}")
    log.debug(f"debug now set to {new} [pid {pid}]")
    if old == 0:
        log.info(f"heartbeat: version {version}")
