"""A fixed-period action on the running event loop: the watchdog device's kicks.

Running on the node's own loop is the point: while the loop is stopped (SIGSTOP) or blocked,
nothing runs, so the watchdog starves exactly when heartbeats stop too.
"""

import asyncio
from collections.abc import Callable


async def repeat(interval_s: float, action: Callable[[], bool]) -> None:
    """Call ``action`` now and then every ``interval_s`` until it returns False.

    The schedule does not drift. After a stall it does not catch up with a burst of calls: it
    acts once, at once, and keeps the period from there.
    """
    loop = asyncio.get_running_loop()
    next_at = loop.time()
    while action():
        next_at += interval_s
        now = loop.time()
        next_at = max(next_at, now)
        await asyncio.sleep(next_at - now)
