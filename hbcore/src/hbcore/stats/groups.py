"""The figures of each resource group as this node runs it: its state, and its last
acquisition and release with how long each took."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hbcore.stats.events import iso_time

STOPPED, STARTING, RUNNING, STOPPING, FAILED = (
    "stopped",
    "starting",
    "running",
    "stopping",
    "failed",
)


@dataclass
class Action:
    """One acquisition or release: begun at wall-clock ``time``; ``duration_s`` once done;
    ``first_start_s`` (acquisitions) when its first resource was started, from the
    beginning."""

    time: float
    begun: float
    duration_s: float | None = None
    first_start_s: float | None = None

    def as_json(self) -> dict[str, Any]:
        record: dict[str, Any] = {"time": iso_time(self.time), "duration_ms": _ms(self.duration_s)}
        if self.first_start_s is not None:
            record["first_start_ms"] = _ms(self.first_start_s)
        return record


class GroupFigures:
    """One group here. Times: ``begun`` and the ``now`` arguments are monotonic seconds,
    ``wall`` ones wall-clock."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.state = STOPPED
        self.since: float | None = None
        self.acquisitions = 0
        self.releases = 0
        self.failures = 0
        self.last_acquire: Action | None = None
        self.last_release: Action | None = None

    def starting(self, now: float, wall: float) -> None:
        self._enter(STARTING, wall)
        self.last_acquire = Action(wall, now)

    def resource_started(self, now: float) -> None:
        action = self.last_acquire
        if action is not None and action.first_start_s is None and self.state == STARTING:
            action.first_start_s = now - action.begun

    def acquired(self, now: float, wall: float) -> Action | None:
        """The group runs; its acquisition, when this node saw it begin."""
        self._enter(RUNNING, wall)
        self.acquisitions += 1
        return _finish(self.last_acquire, now)

    def failed(self, wall: float) -> None:
        self._enter(FAILED, wall)
        self.failures += 1

    def stopping(self, now: float, wall: float) -> None:
        self._enter(STOPPING, wall)
        self.last_release = Action(wall, now)

    def released(self, now: float, wall: float) -> Action | None:
        """The group is stopped; its release, when this node saw it begin."""
        if self.state != FAILED:  # a failed start is given up: it stays failed
            self._enter(STOPPED, wall)
        self.releases += 1
        return _finish(self.last_release, now)

    def _enter(self, state: str, wall: float) -> None:
        self.state, self.since = state, wall

    def snapshot(self) -> dict[str, Any]:
        """The figures as ``hb status --json`` shows them under ``groups``."""
        return {
            "state": self.state,
            "since": None if self.since is None else iso_time(self.since),
            "acquisitions": self.acquisitions,
            "releases": self.releases,
            "failures": self.failures,
            "last_acquire": None if self.last_acquire is None else self.last_acquire.as_json(),
            "last_release": None if self.last_release is None else self.last_release.as_json(),
        }


def _finish(action: Action | None, now: float) -> Action | None:
    if action is not None and action.duration_s is None:
        action.duration_s = now - action.begun
    return action


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)
