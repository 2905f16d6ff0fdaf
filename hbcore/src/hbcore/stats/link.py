"""The figures of one path to one node: what arrived on it, how regularly, and what it lost.

Every node sends each packet on every medium with the same sequence number, so a link that
skips numbers another link delivered has lost them: :meth:`LinkFigures.heard` counts the
numbers skipped on this link alone (heartbeat's retransmission, which works per node, hides
them from the node's view). Intervals are those between two status messages on this link,
late ones being over ``warntime``.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from typing import Any

from hbcore.stats.window import CountWindow, IntervalWindow

INTERVAL_BOUNDS_MS = (5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000)
"""Upper bounds of the interval histogram's buckets (an interval on a bound counts in it), fixed
whatever the keepalive so that an exporter can publish them as they are; a last bucket holds
the longer ones."""
_BOUNDS_S = tuple(bound / 1000 for bound in INTERVAL_BOUNDS_MS)
MAX_COUNTED_GAP = 1000
"""A jump of more numbers than this is a reset (a peer's counter jumped), not a loss: an
authenticated peer may send any number, and one packet must not add millions to the loss."""


class LinkFigures:
    """Counters of one (node, medium). Times are ``time.monotonic()`` seconds.

    Updated on the node's loop only, through :meth:`heard` (every packet accepted on the link)
    and :meth:`went_dead`; read through :meth:`snapshot`.
    """

    __slots__ = (
        "_generation",
        "_last_seq",
        "_last_status_at",
        "deaths",
        "heartbeats",
        "histogram",
        "interval_sum",
        "intervals",
        "last_heard",
        "late",
        "losses",
        "lost",
        "packets",
    )

    def __init__(self) -> None:
        self.packets = 0
        self.heartbeats = 0
        self.late = 0
        self.lost = 0
        self.deaths = 0
        self.last_heard: float | None = None
        self.intervals = IntervalWindow()
        self.histogram = array("q", bytes(8 * (len(_BOUNDS_S) + 1)))
        """Intervals counted by bucket of :data:`INTERVAL_BOUNDS_MS`, the last over them."""
        self.interval_sum = 0.0
        self.losses = CountWindow()
        self._last_status_at: float | None = None
        self._generation: int | None = None
        self._last_seq = 0

    def heard(
        self,
        now: float,
        is_status: bool,
        warntime_s: float,
        generation: int | None = None,
        seq: int | None = None,
    ) -> None:
        """A packet arrived on this link at ``now``; a status (``is_status``) more than
        ``warntime_s`` after the previous one on this link is late. ``generation`` and
        ``seq`` are its sender's numbering when it has one."""
        self.packets += 1
        self.last_heard = now
        if seq is not None:
            self._sequence(generation, seq)
        if is_status:
            self.heartbeats += 1
            previous = self._last_status_at
            self._last_status_at = now
            if previous is not None:
                interval = now - previous
                self.intervals.add(interval)
                self.histogram[bisect_left(_BOUNDS_S, interval)] += 1
                self.interval_sum += interval
                if interval > warntime_s:
                    self.late += 1

    def _sequence(self, generation: int | None, seq: int) -> None:
        if generation != self._generation:
            self._generation, self._last_seq = generation, seq
            return
        gap = seq - self._last_seq - 1
        if gap < 0:  # a retransmission, or a copy that overtook: not a loss of this link
            return
        self._last_seq = seq
        if gap > MAX_COUNTED_GAP:
            return
        self.lost += gap
        self.losses.add(gap)

    def went_dead(self) -> None:
        """The link was declared dead: a new interval starts when it comes back."""
        self.deaths += 1
        self._last_status_at = None

    def snapshot(self, now: float) -> dict[str, Any]:
        """The figures as ``hb status --json`` shows them under a node's ``stats.links`` (times in
        milliseconds, rounded to 0.1 ms; ``null`` for what was never measured)."""
        intervals = self.intervals
        lost_window = self.losses.total()
        expected = lost_window + self.losses.filled
        return {
            "packets": self.packets,
            "heartbeats": self.heartbeats,
            "late": self.late,
            "lost": self.lost,
            "loss": round(lost_window / expected, 4) if expected else 0.0,
            "deaths": self.deaths,
            "heard_ago_ms": _ms(None if self.last_heard is None else now - self.last_heard),
            "interval_ms": {
                "last": _ms(intervals.last if intervals.count else None),
                "mean": _ms(intervals.mean()),
                "max": _ms(intervals.window_max()),
                "max_ever": _ms(intervals.maximum if intervals.count else None),
                "jitter": _ms(intervals.jitter if intervals.count > 1 else None),
                "samples": intervals.count,
            },
            "interval_histogram": {
                "bounds_ms": list(INTERVAL_BOUNDS_MS),
                "counts": list(self.histogram),
                "sum_ms": round(self.interval_sum * 1000, 1),
            },
        }


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)
