"""Measuring how long the event loop was held: the probe for "does not block the loop"."""

from __future__ import annotations

import asyncio
import contextlib
import time
from types import TracebackType


class LoopLagProbe:
    """An async context manager that runs a task waking every ``interval_s`` and keeps the
    longest it woke late: about how long the code under test held the loop at once.

    ``async with LoopLagProbe() as probe: await agent.start()`` then ``probe.longest_s``.
    A coroutine that calls ``time.sleep`` or ``subprocess.run`` shows as a lag of that length;
    one that awaits a subprocess shows none.
    """

    def __init__(self, interval_s: float = 0.005) -> None:
        self.interval_s = interval_s
        self.longest_s = 0.0
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> LoopLagProbe:
        self._task = asyncio.create_task(self._tick(), name="loop-lag-probe")
        await asyncio.sleep(0)  # let the probe take its first turn
        return self

    async def __aexit__(
        self,
        _type: type[BaseException] | None,
        _error: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        await asyncio.sleep(self.interval_s)  # the probe, overdue, wakes before this does
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task

    async def _tick(self) -> None:
        last = time.perf_counter()
        while True:
            await asyncio.sleep(self.interval_s)
            now = time.perf_counter()
            self.longest_s = max(self.longest_s, now - last - self.interval_s)
            last = now
