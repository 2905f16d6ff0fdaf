"""Failover measurements: how long a takeover and a handover took, as this node saw them.

- A takeover starts when a peer that was up is declared dead (or says it shut down): from that
  moment, each group this node then acquires is measured to its first resource started and to
  the whole group running, and the silence before the detection (last heard -> declared dead)
  is kept, so silence + detected-to-acquired is how long a service was away.
- A handover (``hb standby``, ``hb takeover``, auto failback, ipfail) starts with the giver's
  ``ask_resources info=me`` and ends with the taker's ``info=done``; the giver's own ``done``
  marks the release between.

Pure: the caller passes monotonic ``now`` and gets back the durations, in milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Death:
    """``node`` declared dead (``cause``: ``dead`` or ``shutdone``) at monotonic
    ``detected``, after ``silence_s`` without hearing it (None: unknown)."""

    node: str
    detected: float
    silence_s: float | None
    cause: str


@dataclass
class Handover:
    """``giver`` asked to hand ``hold`` (in its own words) over at monotonic ``asked``."""

    giver: str
    hold: str
    kind: str
    asked: float
    released: float | None = None


@dataclass(frozen=True)
class HandoverDone:
    """A handover completed: ``taker`` holds what ``giver`` gave."""

    handover: Handover
    taker: str
    durations_ms: dict[str, float]


class Timeline:
    """The measurements in progress on one node."""

    def __init__(self) -> None:
        self.deaths: dict[str, Death] = {}
        self.handover: Handover | None = None

    def node_died(self, death: Death) -> None:
        """A peer is gone: what this node acquires next is its takeover."""
        self.deaths[death.node] = death

    def node_back(self, node: str) -> None:
        """``node`` is up again: acquisitions are no longer a takeover from it."""
        self.deaths.pop(node, None)

    def takeover(self) -> Death | None:
        """The most recent death still in progress, if any."""
        return max(self.deaths.values(), key=lambda death: death.detected, default=None)

    def takeover_durations(
        self, death: Death, first_start: float | None, acquired: float
    ) -> dict[str, float]:
        """A group acquired after ``death``: ``silence_ms`` (last heard -> detected),
        ``detected_to_first_start_ms`` (to its first resource started; none when every
        resource ran already) and ``detected_to_acquired_ms``. ``first_start`` and
        ``acquired`` are monotonic times."""
        durations = {"detected_to_acquired_ms": _ms(acquired - death.detected)}
        if death.silence_s is not None:
            durations["silence_ms"] = _ms(death.silence_s)
        if first_start is not None:
            durations["detected_to_first_start_ms"] = _ms(first_start - death.detected)
        return durations

    def asked(self, giver: str, hold: str, kind: str, now: float) -> None:
        """``ask_resources info=me`` from ``giver``: a handover begins (a newer one replaces
        an older that never completed)."""
        self.handover = Handover(giver, hold, kind, now)

    def done(self, node: str, now: float) -> HandoverDone | None:
        """``ask_resources info=done`` from ``node``: the giver released (None), or the taker
        holds (the completed handover, with ``asked_to_released_ms`` when seen and
        ``asked_to_held_ms``)."""
        handover = self.handover
        if handover is None:
            return None
        if node == handover.giver:
            handover.released = now
            return None
        self.handover = None
        durations = {"asked_to_held_ms": _ms(now - handover.asked)}
        if handover.released is not None:
            durations["asked_to_released_ms"] = _ms(handover.released - handover.asked)
        return HandoverDone(handover, node, durations)


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)
