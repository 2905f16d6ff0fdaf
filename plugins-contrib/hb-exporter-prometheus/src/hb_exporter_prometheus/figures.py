"""What the exporter counts itself, from the node's cluster events: failover durations,
status transitions and reloads. The node's own figures (links, drops, groups) come from its
snapshot; these have no counter in the node because they are sums over events.

Used on the node's loop only: :meth:`EventFigures.observe` is the view's event listener (it
returns at once), :meth:`EventFigures.copy` is taken on the loop for a scrape.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

FAILOVER_BOUNDS_S = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)
"""Upper bounds of the failover histogram's buckets, in seconds (a last bucket holds more)."""
SPANS = ("detection", "takeover", "outage")
"""The spans of a takeover (docs/metrics.md): last heard -> declared dead, declared dead -> the
group running here, and the two together: how long the service was away."""
TRANSITION_KINDS = frozenset({"node_up", "node_status", "node_dead"})


@dataclass(frozen=True)
class Histogram:
    """Observations counted by bucket of :data:`FAILOVER_BOUNDS_S` (the last one over them),
    their sum in seconds."""

    counts: tuple[int, ...]
    total_s: float


@dataclass(frozen=True)
class FiguresCopy:
    """The event figures at one moment: immutable, safe to hand to another thread."""

    failover: Mapping[str, Histogram]
    transitions: Mapping[str, int]
    reloads: Mapping[str, int]

    @property
    def config_generation(self) -> int:
        """1 for the configuration the node started with, one more per accepted reload."""
        return 1 + self.reloads.get("accepted", 0)


class EventFigures:
    """Sums over the cluster events told since the node started."""

    def __init__(self) -> None:
        self._counts = {span: [0] * (len(FAILOVER_BOUNDS_S) + 1) for span in SPANS}
        self._sums = dict.fromkeys(SPANS, 0.0)
        self._transitions: Counter[str] = Counter()
        self._reloads: Counter[str] = Counter()

    def observe(self, event: Mapping[str, Any]) -> None:
        """One ``hb events --json`` record; anything unexpected in it is ignored."""
        kind = event.get("kind")
        if kind == "takeover":
            self._takeover(event.get("durations_ms"))
        elif kind in TRANSITION_KINDS and isinstance(event.get("node"), str):
            self._transitions[event["node"]] += 1
        elif kind == "reload":
            details = event.get("details")
            accepted = isinstance(details, Mapping) and details.get("accepted") is True
            self._reloads["accepted" if accepted else "refused"] += 1

    def _takeover(self, durations: object) -> None:
        if not isinstance(durations, Mapping):
            return
        silence = _seconds(durations, "silence_ms")
        taken = _seconds(durations, "detected_to_acquired_ms")
        spans = {"detection": silence, "takeover": taken}
        if silence is not None and taken is not None:
            spans["outage"] = silence + taken
        for span, seconds in spans.items():
            if seconds is not None:
                self._counts[span][bisect_left(FAILOVER_BOUNDS_S, seconds)] += 1
                self._sums[span] += seconds

    def copy(self) -> FiguresCopy:
        """The figures now."""
        return FiguresCopy(
            {span: Histogram(tuple(self._counts[span]), self._sums[span]) for span in SPANS},
            dict(self._transitions),
            dict(self._reloads),
        )


def _seconds(durations: Mapping[str, Any], name: str) -> float | None:
    value = durations.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not math.isfinite(value) or value < 0:
        return None
    return float(value) / 1000
