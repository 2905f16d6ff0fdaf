"""What a running node answers on its control socket: ``status``, ``events``, ``stop``,
``standby``, ``takeover`` and ``reload``.

:func:`control_handlers` builds the table :class:`hbcore.control.server.ControlServer` serves.
Each handler is a plain function of the request that returns at once, never blocks the loop
and never raises on what a client sent: a bad or missing field gets an answer that says so
(``refused`` or ``error``). ``stop`` only sets the node's stopping event and ``reload`` only
queues a reload; the node's loop does the work.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from hbcore.control.server import Handler
from hbcore.node.daemon import Node
from hbcore.node.reloader import Reloader
from hbcore.node.report import snapshot
from hbcore.resources.holdings import parse_hold
from hbcore.stats.view import StatisticsView

EVENTS_PAGE = 200
"""The most events one ``events`` answer carries: encoding the whole history (2000 events,
about 1 MB of JSON) at once would hold the loop for milliseconds, a heartbeat at 10 ms."""


def control_handlers(
    node: Node, plugin_names: list[str], stopping: asyncio.Event, reloader: Reloader
) -> dict[str, Handler]:
    """The handlers of ``node``, by command; ``plugin_names`` are reported by ``status``,
    ``stopping`` is set by ``stop``, ``reloader`` takes and answers ``reload``."""

    def status(_request: Mapping[str, Any]) -> Mapping[str, Any]:
        return snapshot(node, plugin_names)

    def events(request: Mapping[str, Any]) -> Mapping[str, Any]:
        """``since`` (epoch seconds) and ``after`` (an event number) select, oldest first, at
        most ``limit`` (and :data:`EVENTS_PAGE`). The answer: ``events`` (each with its
        ``n``), ``more`` (true: ask again after the last ``n``), ``last`` (the newest number)
        and ``generation`` (numbers start over when it changes)."""
        since, after, limit = request.get("since"), request.get("after"), request.get("limit")
        if since is not None and type(since) not in (int, float):
            return {"ok": False, "error": "since takes a time in seconds since the epoch"}
        if any(v is not None and type(v) is not int for v in (after, limit)):
            return {"ok": False, "error": "after and limit take whole numbers"}
        view = StatisticsView(node.stats)
        page = EVENTS_PAGE if limit is None else max(0, min(limit, EVENTS_PAGE))
        chosen = view.events(since, after, page + 1)
        return {
            "events": chosen[:page],
            "more": len(chosen) > page,
            "last": view.last_number,
            "generation": node.generation,
        }

    def stop(_request: Mapping[str, Any]) -> Mapping[str, Any]:
        stopping.set()
        return {"stopping": True}

    def standby(request: Mapping[str, Any]) -> Mapping[str, Any]:
        hold = parse_hold(str(request.get("hold", "all")))
        if node.resources is None or hold is None:
            return {"refused": "no resources are managed here"}
        refused = node.resources.request_standby(hold)
        if refused is None:
            node.stats.standby_requested()
        return {"refused": refused}

    def takeover(request: Mapping[str, Any]) -> Mapping[str, Any]:
        if node.resources is None:
            return {"refused": "no resources are managed here"}
        return {"refused": node.resources.request_takeover(str(request.get("hold", "all")))}

    def reload(request: Mapping[str, Any]) -> Mapping[str, Any]:
        number = request.get("wait")
        if number is None:
            return {"reload": reloader.request(), "done": False}
        if type(number) is not int:
            return {"ok": False, "error": "wait takes the number of a reload"}
        return reloader.answer(number)

    return {
        "status": status,
        "events": events,
        "stop": stop,
        "standby": standby,
        "takeover": takeover,
        "reload": reload,
    }
