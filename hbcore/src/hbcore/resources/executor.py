"""Acquiring and releasing groups, one action at a time (heartbeat's ResourceManager).

``acquire`` runs each group left to right: a resource whose agent says it is running is
skipped, the others are started. The first failure gives the whole group up again and reports
it, so the caller can hand the group to the peer (heartbeat runs ``hb_standby`` 30 s later).
``release`` stops each group right to left; a failed stop is retried every second up to ten
times, and a resource still running after that is reported loudly (heartbeat would reboot).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence

import structlog
from hb_hookspecs import ResourceAgent

from hbcore.resources.groups import Group

STOP_RETRIES = 10
STOP_RETRY_INTERVAL_S = 1.0

log = structlog.get_logger("hb.resources")

GroupCallback = Callable[[Group], Awaitable[None]]


class Executor:
    """Runs resource actions strictly one after another.

    ``acquired``/``released`` are awaited after each group changes hands (the node notifies
    plugins there); ``failed`` after a group could not be started and was given up again.
    """

    def __init__(
        self,
        acquired: GroupCallback,
        released: GroupCallback,
        failed: GroupCallback,
        stop_retry_interval_s: float = STOP_RETRY_INTERVAL_S,
    ) -> None:
        self._acquired = acquired
        self._released = released
        self._failed = failed
        self._retry_interval = stop_retry_interval_s
        self._lock = asyncio.Lock()

    @property
    def busy(self) -> bool:
        """True while an action runs (heartbeat's "resource activity")."""
        return self._lock.locked()

    async def acquire(self, groups: Sequence[Group]) -> bool:
        """Start ``groups`` in order; True when every one of them is running."""
        async with self._lock:
            results = [await self._take(group) for group in groups]
        return all(results)

    async def release(self, groups: Sequence[Group]) -> None:
        """Stop ``groups`` in order, each right to left."""
        async with self._lock:
            for group in groups:
                await self._give(group)

    async def running(self, group: Group) -> bool:
        """heartbeat's ``ResourceManager status KEY``: whether the group's first resource, its
        key, runs. Not serialised with actions: a caller that needs a settled answer orders
        it itself."""
        return await _running(group.agents[0])

    async def _take(self, group: Group) -> bool:
        log.info(f"Acquiring resource group: {group.line}", group=group.key)
        for agent in group.agents:
            if await _running(agent):
                continue
            try:
                await agent.start()
            except Exception as error:  # an agent's bug fails its group, never the node
                log.critical(
                    f"Giving up resources due to failure of {agent.name}",
                    group=group.key,
                    output=str(error),
                )
                await self._give(group)
                await self._failed(group)
                return False
        await self._acquired(group)
        return True

    async def _give(self, group: Group) -> None:
        log.info(f"Releasing resource group: {group.line}", group=group.key)
        for agent in reversed(group.agents):
            await self._stop(agent)
        await self._released(group)

    async def _stop(self, agent: ResourceAgent) -> None:
        for attempt in range(STOP_RETRIES + 1):
            try:
                await agent.stop()
                return
            except Exception as error:  # an agent's bug counts as a failed stop
                if attempt == STOP_RETRIES:
                    break
                log.error(f"Resource STOP of {agent.name} failed, retrying: {error}")
                await asyncio.sleep(self._retry_interval)
        if await _running(agent):
            log.critical(f"Resource STOP failure of {agent.name}. Reboot required!")
        else:
            log.warning(
                f"Resource {agent.name} stop failed but it is stopped: probably not LSB-compliant"
            )


async def _running(agent: ResourceAgent) -> bool:
    """The agent's status; an agent that breaks its promise never to raise counts as stopped."""
    try:
        return await agent.status()
    except Exception as error:  # contract breach by a plugin: log it, do not crash
        log.error(f"status of {agent.name} failed: {type(error).__name__}: {error}")
        return False
