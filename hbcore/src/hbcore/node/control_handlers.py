"""What a running node answers on its control socket: ``status``, ``stop``, ``standby``,
``takeover`` and ``reload``.

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


def control_handlers(
    node: Node, plugin_names: list[str], stopping: asyncio.Event, reloader: Reloader
) -> dict[str, Handler]:
    """The handlers of ``node``, by command; ``plugin_names`` are reported by ``status``,
    ``stopping`` is set by ``stop``, ``reloader`` takes and answers ``reload``."""

    def status(_request: Mapping[str, Any]) -> Mapping[str, Any]:
        return snapshot(node, plugin_names)

    def stop(_request: Mapping[str, Any]) -> Mapping[str, Any]:
        stopping.set()
        return {"stopping": True}

    def standby(request: Mapping[str, Any]) -> Mapping[str, Any]:
        hold = parse_hold(str(request.get("hold", "all")))
        if node.resources is None or hold is None:
            return {"refused": "no resources are managed here"}
        return {"refused": node.resources.request_standby(hold)}

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
        "stop": stop,
        "standby": standby,
        "takeover": takeover,
        "reload": reload,
    }
