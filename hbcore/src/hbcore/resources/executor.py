"""Acquiring and releasing groups, one action at a time (heartbeat's ResourceManager).

``acquire`` runs each group left to right: a resource whose agent says it is running is
skipped, the others are started. The first failure gives the whole group up again and reports
it, so the caller can hand the group to the peer (heartbeat runs ``hb_standby`` 30 s later).
``release`` stops each group right to left; a failed stop is retried every second up to ten
times, and a resource still running after that is reported loudly (heartbeat would reboot).
Between actions, the resource monitor takes a :meth:`Executor.turn` to check a held group and
restart a resource or give the group up by the same path as a failed start.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Protocol

import structlog
from hb_hookspecs import ResourceAgent

from hbcore.resources.groups import Group

STOP_RETRIES = 10
STOP_RETRY_INTERVAL_S = 1.0

log = structlog.get_logger("hb.resources")

GroupCallback = Callable[[Group], Awaitable[None]]


class Progress(Protocol):
    """Who follows each group's progress as it happens (the node's statistics): called on
    the loop, must return at once."""

    def group_starting(self, group: Group) -> None: ...
    def resource_started(self, group: Group) -> None: ...
    def group_acquired(self, group: Group) -> None: ...
    def group_failed(self, group: Group) -> None: ...
    def group_stopping(self, group: Group) -> None: ...
    def group_released(self, group: Group) -> None: ...


class Unobserved:
    """The :class:`Progress` of an executor nobody follows."""

    def group_starting(self, group: Group) -> None:
        pass

    resource_started = group_acquired = group_failed = group_starting
    group_stopping = group_released = group_starting


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
        progress: Progress | None = None,
    ) -> None:
        self._progress: Progress = Unobserved() if progress is None else progress
        self._acquired = acquired
        self._released = released
        self._failed = failed
        self._retry_interval = stop_retry_interval_s
        self._lock = asyncio.Lock()
        self._actions = 0

    @property
    def busy(self) -> bool:
        """True while an action runs or waits to (heartbeat's "resource activity"); a monitor's
        turn that only asks agents for their status is no activity."""
        return self._actions > 0

    async def acquire(self, groups: Sequence[Group]) -> bool:
        """Start ``groups`` in order; True when every one of them is running."""
        async with self._action(), self._lock:
            results = [await self._take(group) for group in groups]
        return all(results)

    async def release(self, groups: Sequence[Group]) -> None:
        """Stop ``groups`` in order, each right to left."""
        async with self._action(), self._lock:
            for group in groups:
                await self._give(group)

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[Turn]:
        """Wait until no action runs, and keep every other action waiting until the block
        ends: the resource monitor checks a group here and acts through the :class:`Turn`."""
        async with self._lock:
            yield Turn(self)

    @asynccontextmanager
    async def _action(self) -> AsyncIterator[None]:
        self._actions += 1
        try:
            yield
        finally:
            self._actions -= 1

    async def running(self, group: Group) -> bool:
        """heartbeat's ``ResourceManager status KEY``: whether the group's first resource, its
        key, runs. Not serialised with actions: a caller that needs a settled answer orders
        it itself."""
        return await _running(group.agents[0])

    async def _take(self, group: Group) -> bool:
        log.info(f"Acquiring resource group: {group.line}", group=group.key)
        self._progress.group_starting(group)
        if not await self._start(group, group.agents):
            return False
        self._progress.group_acquired(group)
        await self._acquired(group)
        return True

    async def _start(self, group: Group, agents: Sequence[ResourceAgent]) -> bool:
        """Start each of ``agents`` (of ``group``) that does not run yet, in order. The first
        failure gives the group up (:meth:`_give_up`); returns whether they all run."""
        for agent in agents:
            if await _running(agent):
                continue
            try:
                await agent.start()
                self._progress.resource_started(group)
            except Exception as error:  # an agent's bug fails its group, never the node
                await self._give_up(group, agent, str(error))
                return False
        return True

    async def _give_up(self, group: Group, agent: ResourceAgent, output: str) -> None:
        """heartbeat's answer to a resource that fails: the group stopped, the failure
        reported (the caller then hands the group to the peer)."""
        log.critical(
            f"Giving up resources due to failure of {agent.name}", group=group.key, output=output
        )
        await self._give(group)
        self._progress.group_failed(group)
        await self._failed(group)

    async def _restart(self, group: Group, failed: ResourceAgent) -> bool:
        """Stop ``failed`` and the resources after it in ``group`` right to left, then start
        them left to right; a start that fails gives the group up. True when they run again."""
        position = next(i for i, agent in enumerate(group.agents) if agent is failed)
        tail = group.agents[position:]
        names = " ".join(agent.name for agent in tail)
        log.info(f"Restarting {names} of resource group {group.key}", group=group.key)
        for agent in reversed(tail):
            await self._stop(agent)
        return await self._start(group, tail)

    async def _give(self, group: Group) -> None:
        log.info(f"Releasing resource group: {group.line}", group=group.key)
        self._progress.group_stopping(group)
        for agent in reversed(group.agents):
            await self._stop(agent)
        self._progress.group_released(group)
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


class Turn:
    """The executor held by :meth:`Executor.turn`: what the monitor may do to a held group.
    Each method is an action (the executor is busy meanwhile) that needs no further turn."""

    def __init__(self, executor: Executor) -> None:
        self._executor = executor

    async def restart(self, group: Group, failed: ResourceAgent) -> bool:
        """Restart ``failed`` and every resource after it in ``group`` (they may depend on
        it); a start that fails gives the group up as :meth:`give_up` does. True when they
        all run again."""
        async with self._executor._action():
            return await self._executor._restart(group, failed)

    async def give_up(self, group: Group, failed: ResourceAgent, output: str) -> None:
        """Give ``group`` up because ``failed`` fails (``output`` says how), by heartbeat's
        path for a failed start: logged, the group stopped, the failure reported."""
        async with self._executor._action():
            await self._executor._give_up(group, failed, output)


async def _running(agent: ResourceAgent) -> bool:
    """The agent's status; an agent that breaks its promise never to raise counts as stopped."""
    try:
        return await agent.status()
    except Exception as error:  # contract breach by a plugin: log it, do not crash
        log.error(f"status of {agent.name} failed: {type(error).__name__}: {error}")
        return False
