"""Rate-limited logging: the first of a kind at once, then one count per interval.

A flood of bad packets must not become a flood of log lines. For each kind (any hashable key)
the first occurrence is admitted (the caller logs it in full); the ones that follow within the
interval are only counted, and when the interval ends the count is handed back as one
:class:`Suppressed` for a summary line. A kind quiet for a whole interval is admitted at once
again. So a sustained flood of one kind costs two log lines, then one per interval.

Pure: the caller passes the monotonic time and logs.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)

SUMMARY_INTERVAL_S = 10.0
"""How long the occurrences of a kind are counted before one summary line says how many."""


@dataclass(frozen=True)
class Suppressed(Generic[K]):
    """``count`` occurrences of ``key`` not logged during the last ``seconds``."""

    key: K
    count: int
    seconds: float


@dataclass
class _Window:
    opened_at: float
    count: int = 0


class Throttle(Generic[K]):
    """Decides which occurrences are logged, per kind."""

    def __init__(self, interval_s: float = SUMMARY_INTERVAL_S) -> None:
        self.interval_s = interval_s
        self._windows: dict[K, _Window] = {}

    def admit(self, key: K, now: float) -> bool:
        """One occurrence of ``key``: True when it is to be logged now (the first of its kind
        since the kind was last quiet for an interval), False when only counted."""
        window = self._windows.get(key)
        if window is None:
            self._windows[key] = _Window(now)
            return True
        window.count += 1
        return False

    def due(self, now: float) -> list[Suppressed[K]]:
        """The counts of every interval that has ended by ``now``, for a summary line each.
        A kind with nothing counted in its interval is closed (its next occurrence is admitted
        at once); the others start a new interval."""
        summaries: list[Suppressed[K]] = []
        for key, window in list(self._windows.items()):
            if now - window.opened_at < self.interval_s:
                continue
            if window.count == 0:
                del self._windows[key]
                continue
            summaries.append(Suppressed(key, window.count, now - window.opened_at))
            self._windows[key] = _Window(now)
        return summaries

    def next_due(self) -> float | None:
        """When the earliest open interval ends (monotonic time), or None when none is open."""
        return min((w.opened_at + self.interval_s for w in self._windows.values()), default=None)
