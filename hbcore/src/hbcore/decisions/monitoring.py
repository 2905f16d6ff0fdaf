"""What a node does when a resource it holds stops answering (hb's ``resource_monitor``).

One :class:`MonitorPolicy` per held group: a pure state machine, the clock an argument, no I/O.
It is told each check's result and answers what to do:

- a check that finds every resource running changes nothing (``ok`` stays ``ok``; a group
  with failures still in the window stays ``failing``);
- a failed check counts one failure; while fewer than ``failures`` fall within ``window`` it
  answers :attr:`Verdict.RESTART` (``failing``): the resource is restarted here;
- the failure that makes ``failures`` within ``window`` answers :attr:`Verdict.GIVE_UP`
  (``gave up``): the group goes to the peer by heartbeat's failed-start path. That is final:
  the group is no longer ours, and a group acquired again starts a new policy.

The count is Pacemaker's (``migration-threshold`` with ``failure-timeout``), not a run of
consecutive failed checks: a resource that dies again some checks after each restart still
moves once it has failed ``failures`` times within the window.
"""

from __future__ import annotations

import enum
from collections import deque


class Verdict(enum.Enum):
    """What one check's result calls for."""

    NOTHING = "nothing"
    RESTART = "restart"
    GIVE_UP = "give up"


class MonitorState(enum.Enum):
    """Where a monitored group stands (``hb status`` shows the value)."""

    OK = "ok"
    FAILING = "failing"
    GAVE_UP = "gave up"


class MonitorPolicy:
    """The failures of one held group and the verdict on each check.

    :param failures: how many failures within ``window_s`` give the group up (at least 1).
    :param window_s: how long a failure counts, in seconds of the clock ``now`` is read from.
    """

    def __init__(self, failures: int, window_s: float) -> None:
        self.failures_allowed = failures
        self.window_s = window_s
        self._failed_at: deque[float] = deque()
        self._gave_up = False

    def configure(self, failures: int, window_s: float) -> None:
        """New limits (a reload); the failures seen so far still count."""
        self.failures_allowed = failures
        self.window_s = window_s

    def judge(self, running: bool, now: float) -> Verdict:
        """The verdict on a check made at ``now`` that found the group ``running`` or not."""
        if self._gave_up:
            return Verdict.NOTHING
        self._forget(now)
        if running:
            return Verdict.NOTHING
        self._failed_at.append(now)
        if len(self._failed_at) >= self.failures_allowed:
            self._gave_up = True
            return Verdict.GIVE_UP
        return Verdict.RESTART

    def gave_up(self) -> None:
        """The group was given up for another reason (its restart failed to start)."""
        self._gave_up = True

    def failures(self, now: float) -> int:
        """The failures that still count at ``now``."""
        self._forget(now)
        return len(self._failed_at)

    def state(self, now: float) -> MonitorState:
        """``gave up``, else ``failing`` while failures count, else ``ok``."""
        if self._gave_up:
            return MonitorState.GAVE_UP
        return MonitorState.FAILING if self.failures(now) else MonitorState.OK

    def _forget(self, now: float) -> None:
        if self._gave_up:
            return
        while self._failed_at and now - self._failed_at[0] >= self.window_s:
            self._failed_at.popleft()
