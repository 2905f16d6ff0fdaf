"""Runs one agent inside a network namespace for the tests (``ip netns exec NS python ...``).

argv: the token, then the steps as JSON: ``["status", "start", {"sleep": 1.0}, "stop"]``;
``"acquired"`` is the node's ``hb_resources_acquired`` for a group of that one token.
Prints one JSON list: per step its name, result (or error) and CLOCK_REALTIME nanoseconds
before and after. Waits for the background announcements before exiting. The agent's log lines
go to stderr as ``LEVEL: message``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import time
from pathlib import Path
from typing import Any

import hb_ra_ipaddr
from hb_hookspecs import ResourceContext, ResourceError, Settings


async def run(token: str, steps: list[Any]) -> list[dict[str, Any]]:
    context = ResourceContext(Settings("linuxha1", Path("/etc/ha.d"), {}), {})
    agent = hb_ra_ipaddr.hb_resolve_resource(token, context)
    assert agent is not None
    results: list[dict[str, Any]] = []
    for step in steps:
        before = time.time_ns()
        record: dict[str, Any] = {"step": step, "before": before}
        if isinstance(step, dict):
            await asyncio.sleep(step["sleep"])
        elif step == "describe":
            record["result"] = agent.describe()
        elif step == "acquired":
            await hb_ra_ipaddr.hb_resources_acquired([token])
        else:
            try:
                record["result"] = await getattr(agent, step)()
            except ResourceError as error:
                record["error"] = str(error)
        record["after"] = time.time_ns()
        results.append(record)
    others = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
    await asyncio.gather(*others, return_exceptions=True)
    return results


if __name__ == "__main__":
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(levelname)s: %(message)s")
    # The node runs its loop on uvloop where installed: the agent must work there too.
    try:
        from uvloop import run as run_loop
    except ImportError:
        run_loop = asyncio.run
    print(json.dumps(run_loop(run(sys.argv[1], json.loads(sys.argv[2])))))
