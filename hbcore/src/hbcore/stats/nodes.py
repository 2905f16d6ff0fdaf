"""The figures of one node as a whole: its status changes, lateness, deaths, and the gaps in
its numbering that retransmission had to fill (heartbeat's session works per node, over every
link at once)."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any

from hbcore.stats.events import iso_time

KEPT_TRANSITIONS = 16
"""Status changes kept per node (all are in the event history too)."""


@dataclass(frozen=True)
class Transition:
    """``node`` went from ``previous`` to ``status`` at wall-clock ``time``."""

    time: float
    status: str
    previous: str


class NodeFigures:
    """Counters of one node, updated on the node's loop."""

    __slots__ = (
        "deaths",
        "irretrievable",
        "late",
        "late_beyond_deadtime",
        "lost",
        "rexmit_asked",
        "rexmit_received",
        "transitions",
    )

    def __init__(self) -> None:
        self.transitions: deque[Transition] = deque(maxlen=KEPT_TRANSITIONS)
        self.late = 0
        self.late_beyond_deadtime = 0
        self.deaths = 0
        self.lost = 0
        self.rexmit_asked = 0
        self.rexmit_received = 0
        self.irretrievable = 0

    def changed(self, time: float, status: str, previous: str) -> None:
        """The node's status changed at wall-clock ``time``."""
        self.transitions.append(Transition(time, status, previous))

    def snapshot(self) -> dict[str, Any]:
        """The figures as ``hb status --json`` shows them under a node's ``stats``."""
        return {
            "late": self.late,
            "late_beyond_deadtime": self.late_beyond_deadtime,
            "deaths": self.deaths,
            "gaps": {
                "lost": self.lost,
                "rexmit_asked": self.rexmit_asked,
                "rexmit_received": self.rexmit_received,
                "irretrievable": self.irretrievable,
            },
            "transitions": [
                {"time": iso_time(t.time), "status": t.status, "previous": t.previous}
                for t in self.transitions
            ],
        }
