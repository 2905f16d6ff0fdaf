"""Start-up work must not delay a heartbeat: what plugins begin in threads while the node is
built (hb-ra-ipaddr imports pyroute2 and has its announcement frames built by a helper process,
about a third of a second) ends before the node's first heartbeat.

A thread holds the interpreter's lock while it imports; the loop, which needs the lock after
every wake-up, then waits up to the switch interval (5 ms) each time, and a heartbeat due every
10 ms goes out tens of milliseconds late: the peer declares a death right after comm up. So the
runner notes the threads alive before it builds the node's parts and, before starting the node,
waits (off the loop, bounded) for the non-daemon threads begun since. Daemon threads are
services that live as long as the process (a private event loop, say) and are not waited for.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Collection

import structlog

WARM_UP_LIMIT_S = 10.0
"""The longest the node waits for start-up threads; past it, it starts anyway, and says so."""

log = structlog.get_logger("hb.node")


def threads_now() -> frozenset[threading.Thread]:
    """The threads alive now: :func:`settle`'s reference."""
    return frozenset(threading.enumerate())


def begun_since(before: Collection[threading.Thread]) -> list[threading.Thread]:
    """The non-daemon threads alive now that were not in ``before``."""
    return [
        thread
        for thread in threading.enumerate()
        if thread not in before and not thread.daemon and thread.is_alive()
    ]


async def settle(
    before: Collection[threading.Thread], limit_s: float = WARM_UP_LIMIT_S
) -> list[str]:
    """Wait until the non-daemon threads begun since ``before`` have ended, at most
    ``limit_s`` seconds, without holding the loop. Returns the names of those still running
    (each logged as a warning)."""
    begun = begun_since(before)
    if not begun:
        return []
    deadline = time.monotonic() + limit_s

    def join() -> None:
        for thread in begun:
            thread.join(max(0.0, deadline - time.monotonic()))

    await asyncio.to_thread(join)
    running = [thread.name for thread in begun if thread.is_alive()]
    for name in running:
        log.warning(f"start-up thread {name} still runs after {limit_s:g} s: starting anyway")
    return running
