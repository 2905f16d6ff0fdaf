"""Figures of a stream of samples over a fixed window, at O(1) per sample.

A heartbeat every 10 ms must not pay for its own statistics: :meth:`IntervalWindow.add`
writes one slot of a preallocated ring of doubles and updates a running jitter, and nothing
else; the mean and the maximum over the window are computed only when someone asks
(``hb status``), from the ring.
"""

from __future__ import annotations

import math
from array import array

WINDOW = 64
"""Samples kept per window: at a 1 s keepalive the last minute, at 10 ms the last 0.64 s."""
JITTER_GAIN = 16
"""The jitter moves 1/16 of the way to each new difference (RFC 3550 §6.4.1's estimator)."""


class IntervalWindow:
    """The last ``size`` intervals between two events, in seconds.

    ``last`` is the latest interval, ``maximum`` the longest ever seen, ``count`` how many
    were added, ``jitter`` the running mean deviation between consecutive intervals
    (``J += (|I(n) - I(n-1)| - J) / 16``). :meth:`mean` and :meth:`window_max` cover the
    ring only. Not thread-safe: used on the node's loop.
    """

    __slots__ = ("_filled", "_next", "_ring", "count", "jitter", "last", "maximum")

    def __init__(self, size: int = WINDOW) -> None:
        if size < 1:
            raise ValueError(f"a window holds at least one sample, not {size}")
        self._ring = array("d", bytes(8 * size))
        self._next = 0
        self._filled = 0
        self.count = 0
        self.last = 0.0
        self.maximum = 0.0
        self.jitter = 0.0

    def add(self, interval: float) -> None:
        """One more interval (seconds, >= 0)."""
        ring = self._ring
        slot = self._next
        ring[slot] = interval
        slot += 1
        self._next = 0 if slot == len(ring) else slot
        if self._filled < len(ring):
            self._filled += 1
        if self.count:
            self.jitter += (abs(interval - self.last) - self.jitter) / JITTER_GAIN
        self.last = interval
        self.count += 1
        if interval > self.maximum:
            self.maximum = interval

    def samples(self) -> list[float]:
        """The intervals in the window, oldest first."""
        ring = self._ring
        if self._filled < len(ring):
            return list(ring[: self._filled])
        return list(ring[self._next :]) + list(ring[: self._next])

    def mean(self) -> float | None:
        """The mean interval over the window; None before the first."""
        if not self._filled:
            return None
        return math.fsum(self._ring[: self._filled]) / self._filled

    def window_max(self) -> float | None:
        """The longest interval in the window; None before the first."""
        return max(self._ring[: self._filled]) if self._filled else None


class CountWindow:
    """The last ``size`` small counts (the packets lost before each of the last arrivals):
    :meth:`add` is O(1), :meth:`total` sums the ring."""

    __slots__ = ("_filled", "_next", "_ring")

    def __init__(self, size: int = WINDOW) -> None:
        if size < 1:
            raise ValueError(f"a window holds at least one sample, not {size}")
        self._ring = array("q", bytes(8 * size))
        self._next = 0
        self._filled = 0

    def add(self, count: int) -> None:
        """One more sample."""
        slot = self._next
        self._ring[slot] = count
        slot += 1
        self._next = 0 if slot == len(self._ring) else slot
        if self._filled < len(self._ring):
            self._filled += 1

    @property
    def filled(self) -> int:
        """How many samples the window holds."""
        return self._filled

    def total(self) -> int:
        """The sum of the samples in the window."""
        return sum(self._ring[: self._filled])
