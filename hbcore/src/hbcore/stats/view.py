"""A read-only view of a node's statistics: what ``hb status --json`` adds to the node table,
and what a plugin (an exporter, a status page) reads.

:class:`StatisticsView` hands out copies (plain JSON-ready values and frozen
:class:`~hbcore.stats.events.Event` records), never the counters themselves, so nothing a
reader does can change what the node counts. Every method returns at once and must be called
on the node's loop (a plugin serving HTTP from a thread takes :meth:`StatisticsView.snapshot`
through ``loop.call_soon_threadsafe`` or keeps the last one it was given).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from hbcore.node.drops import DropCounter
from hbcore.stats.recorder import Statistics

STATUS_SCHEMA = 2
"""The version of ``hb status --json`` (``"schema"``). 1 was the table before statistics (no
``schema`` key); new keys may appear within a version, a key that changes meaning or goes away
raises it."""
RECENT_EVENTS = 10
"""Events ``hb status`` shows."""


class StatisticsView:
    """Read-only access to ``statistics`` (and to ``drops``, the node's dropped packets)."""

    def __init__(
        self,
        statistics: Statistics,
        drops: DropCounter | None = None,
        holders: Callable[[], Mapping[str, str | None]] | None = None,
    ) -> None:
        """``holders`` answers who runs each configured group now (key -> node, ``none``, or
        None when this node cannot tell), so that the snapshot lists every group."""
        self._statistics = statistics
        self._drops = drops
        self._holders = holders

    def node_figures(self, node: str, now: float | None = None) -> dict[str, Any]:
        """The figures of ``node``: ``heard_ago_ms``, ``late``, ``late_beyond_deadtime``,
        ``deaths``, ``gaps``, ``transitions``, and ``links`` by medium (see
        :meth:`~hbcore.stats.link.LinkFigures.snapshot`)."""
        now = time.monotonic() if now is None else now
        stats = self._statistics
        state = stats.membership.nodes.get(node)
        heard = None if state is None else state.last_heard
        figures = stats.nodes.get(node)
        record: dict[str, Any] = {
            "heard_ago_ms": None if heard is None else round((now - heard) * 1000, 1)
        }
        if figures is not None:
            record |= figures.snapshot()
        else:
            record |= {"late": 0, "late_beyond_deadtime": 0, "deaths": 0}
            record |= {"gaps": dict.fromkeys(_GAPS, 0), "transitions": []}
        paths = {} if state is None else state.links
        record["links"] = {
            name: {"status": paths[name].status if name in paths else None, **link.snapshot(now)}
            for name, link in stats.links.get(node, {}).items()
        }
        return record

    def group_figures(self, key: str) -> dict[str, Any] | None:
        """The figures of group ``key`` as this node ran it; None when it never acted on it."""
        figures = self._statistics.groups.get(key)
        return None if figures is None else figures.snapshot()

    def snapshot(self) -> dict[str, Any]:
        """Every figure, as plain JSON values: ``schema``, ``node`` (this node's name),
        ``nodes`` (name -> ``type``, ``status`` and :meth:`node_figures`), ``groups`` (key ->
        :meth:`group_figures` and ``holder``: every configured group when the view knows the
        holders, else the groups this node acted on), ``dropped`` (see
        :meth:`~hbcore.node.drops.DropCounter.snapshot`) and ``events`` (the last
        :data:`RECENT_EVENTS`)."""
        now = time.monotonic()
        stats = self._statistics
        return {
            "schema": STATUS_SCHEMA,
            "node": stats.me,
            "nodes": {
                name: {"type": state.kind, "status": state.status, **self.node_figures(name, now)}
                for name, state in stats.membership.nodes.items()
            },
            "groups": self._groups(),
            "dropped": {} if self._drops is None else self._drops.snapshot(),
            "events": self.recent(RECENT_EVENTS),
        }

    def _groups(self) -> dict[str, dict[str, Any]]:
        figures = {key: group.snapshot() for key, group in self._statistics.groups.items()}
        if self._holders is None:
            return figures
        return {
            key: {**figures.get(key, {"state": "stopped"}), "holder": holder}
            for key, holder in self._holders().items()
        }

    def recent(self, count: int) -> list[dict[str, Any]]:
        """The newest ``count`` events as JSON records (``hb events --json``), oldest first."""
        return [event.as_json() for event in self._statistics.history.newest(count)]

    def events(
        self, since: float | None = None, after: int | None = None, limit: int | None = None
    ) -> list[dict[str, Any]]:
        """The kept events at or after epoch ``since``, numbered above ``after``, the first
        ``limit`` of them, oldest first: JSON records, each with its number ``n`` (see
        :meth:`~hbcore.stats.history.EventHistory.select`)."""
        chosen = self._statistics.history.select(since, after, limit)
        return [{"n": number, **event.as_json()} for number, event in chosen]

    @property
    def last_number(self) -> int:
        """The number of the newest event."""
        return self._statistics.history.last_number

    def subscribe(self, listener: Callable[[dict[str, Any]], None]) -> Callable[[], None]:
        """Call ``listener(record)`` on the loop with each new event's JSON record; it must
        return at once (queue the work), and a listener that raises is logged and kept.
        Returns the unsubscribe function."""
        return self._statistics.history.subscribe(lambda event: listener(event.as_json()))


_GAPS = ("lost", "rexmit_asked", "rexmit_received", "irretrievable")
