"""The node's log of what a peer, or a bug, can make it repeat at will: dropped packets, failing
handlers and timers, retransmissions refused and lost, gaps in a peer's numbering.

The first of a kind is logged in full at once; the rest of its interval become one summary line
when the interval ends. Dropped packets are counted by :class:`~hbcore.node.drops.DropCounter`
(which ``hb status --json`` shows), the other kinds by :class:`~hbcore.throttle.Throttle`;
this class logs and schedules the summaries on the running loop.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Literal

import structlog

from hbcore.node import drops
from hbcore.node.drops import DropCounter
from hbcore.tasks import describe_error
from hbcore.throttle import Throttle

log = structlog.get_logger("hb.node")

SUMMARY_FLOOR_S = 0.005
"""Summary lines are never written more often than this."""

Level = Literal["warning", "error"]


class QuietLog:
    """Rate-limited log lines of one node. Used on the node's loop."""

    def __init__(self) -> None:
        self.drops = DropCounter()
        self._repeats: Throttle[str] = Throttle()
        self._flush: asyncio.TimerHandle | None = None

    def dropped(
        self,
        reason: str,
        medium: str | None,
        text: Callable[[], str],
        *,
        node: str | None = None,
        claimed: str | None = None,
        level: Level = "warning",
    ) -> None:
        """Count a dropped packet and log ``text()`` if it is the first of its kind lately.
        ``node`` (the sender, authenticated) or ``claimed`` (what an unauthenticated packet
        says) must be a configured node or None, so that forged names grow no counters."""
        if self.drops.drop(reason, medium, time.monotonic(), node=node, claimed=claimed):
            getattr(log, level)(text(), medium=medium, reason=reason)
            self._schedule_flush()

    def handler_failed(self, error: Exception, medium: str | None, node: str | None) -> None:
        """Processing a message from ``node`` (configured, or None) raised: it is dropped,
        counted, and logged with its traceback."""
        if self.drops.drop(drops.HANDLER_ERROR, medium, time.monotonic(), node=node):
            log.error(
                f"message from {node or medium or drops.LOCAL} dropped: handler error: "
                f"{describe_error(error)}",
                medium=medium,
                reason=drops.HANDLER_ERROR,
                exc_info=error,
            )
            self._schedule_flush()

    def failed(self, what: str, error: BaseException) -> None:
        """A timer raised: log it with its traceback, rate-limited by ``what``."""
        if self._repeats.admit(what, time.monotonic()):
            log.error(f"{what}: {describe_error(error)}", exc_info=error)
            self._schedule_flush()

    def say(self, kind: str, level: Level, text: str | None = None) -> None:
        """Log ``text`` (default ``kind``), unless a line of this kind was logged lately."""
        if self._repeats.admit(kind, time.monotonic()):
            getattr(log, level)(kind if text is None else text)
            self._schedule_flush()

    def stop(self) -> None:
        """Write no more summaries (the node stops)."""
        if self._flush is not None:
            self._flush.cancel()

    def _schedule_flush(self) -> None:
        """Make sure the summary lines are written when their interval ends."""
        if self._flush is not None:
            return
        due = [d for d in (self.drops.next_due(), self._repeats.next_due()) if d is not None]
        if due:
            delay = max(min(due) - time.monotonic(), SUMMARY_FLOOR_S)
            self._flush = asyncio.get_running_loop().call_later(delay, self._flush_summaries)

    def _flush_summaries(self) -> None:
        self._flush = None
        now = time.monotonic()
        try:
            for summary in self.drops.due(now):
                log.warning(summary.message, host=summary.host, reason=summary.reason)
            for repeated in self._repeats.due(now):
                log.warning(
                    f"{repeated.key}: {repeated.count} more in the last {repeated.seconds:.3g} s"
                )
        finally:
            self._schedule_flush()
