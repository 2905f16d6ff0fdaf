"""Background tasks that are never lost: each named, its failure logged, all cancelled at stop.

A task started with ``create_task`` and kept in a set dies silently when it raises: asyncio
reports it, if ever, when the task is garbage-collected. For an HA daemon a takeover that dies
so is the worst failure. :class:`Background` starts each task under a name, logs its failure
with that name and its traceback as soon as it ends, and cancels whatever still runs when its
owner stops.

A failure can repeat at a peer's pace (one task per packet), so failures are rate-limited by
task name (:mod:`hbcore.throttle`): the first is logged at once, the rest of the interval
are counted and summarised in one line when it ends.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable

from structlog.typing import FilteringBoundLogger

from hbcore.throttle import SUMMARY_INTERVAL_S, Throttle

ERROR_TEXT_LIMIT = 200
"""An exception's text is cut to this many characters in a log line: it may quote a field."""
SUMMARY_FLOOR_S = 0.005
"""A summary line is never scheduled sooner than this."""


def describe_error(error: BaseException) -> str:
    """``error`` for a log line: its type and its text, cut to ``ERROR_TEXT_LIMIT``."""
    text = f"{type(error).__name__}: {error}"
    return text if len(text) <= ERROR_TEXT_LIMIT else text[:ERROR_TEXT_LIMIT] + "..."


class Background:
    """The background tasks of one owner (a node, a resource manager, the hook relay).

    :meth:`start` runs a coroutine as a task named ``name``. When it raises, ``log`` gets
    ``task NAME failed: Type: text`` at error level with the traceback; further failures of
    that name within ``summary_interval_s`` become one ``task NAME failed: N more in the last
    S s`` warning. A cancelled task is not a failure.
    :meth:`cancel` ends every task still running. Used on the loop that runs the tasks; it may
    be built before that loop starts.
    """

    def __init__(
        self, log: FilteringBoundLogger, summary_interval_s: float = SUMMARY_INTERVAL_S
    ) -> None:
        self._log = log
        self._tasks: set[asyncio.Task[None]] = set()
        self._repeats: Throttle[str] = Throttle(summary_interval_s)
        self._summary: asyncio.TimerHandle | None = None

    def start(self, work: Awaitable[None], name: str) -> asyncio.Task[None]:
        """Run ``work`` as a task named ``name`` and return the task."""
        coroutine = work if inspect.iscoroutine(work) else _awaiting(work)
        task = asyncio.get_running_loop().create_task(coroutine, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def cancel(self) -> None:
        """Cancel every running task, without waiting for them to end."""
        for task in list(self._tasks):
            task.cancel()
        if self._summary is not None:
            self._summary.cancel()
            self._summary = None

    async def wait(self) -> None:
        """Wait until every task running now has ended (not the tasks they start)."""
        if self._tasks:
            await asyncio.wait(set(self._tasks))

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        error = task.exception()
        if error is None:
            return
        what = f"task {task.get_name()} failed"
        if self._repeats.admit(what, time.monotonic()):
            self._log.error(f"{what}: {describe_error(error)}", exc_info=error)
        self._schedule_summary()

    def _schedule_summary(self) -> None:
        """Make sure the count of a rate-limited failure is logged when its interval ends."""
        due = self._repeats.next_due()
        if self._summary is not None or due is None:
            return
        delay = max(due - time.monotonic(), SUMMARY_FLOOR_S)
        self._summary = asyncio.get_running_loop().call_later(delay, self._summarise)

    def _summarise(self) -> None:
        self._summary = None
        for repeated in self._repeats.due(time.monotonic()):
            self._log.warning(
                f"{repeated.key}: {repeated.count} more in the last {repeated.seconds:.3g} s"
            )
        self._schedule_summary()


async def _awaiting(work: Awaitable[None]) -> None:
    """A coroutine of any awaitable (a task needs a coroutine)."""
    await work
