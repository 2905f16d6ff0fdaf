"""Monitoring the groups a node holds (hb's ``resource_monitor`` extension).

:class:`ResourceMonitor` learns from the executor which groups this node holds
(:meth:`~ResourceMonitor.watch` when one is acquired, :meth:`~ResourceMonitor.unwatch` when
it is released) and runs one named background task per held group that the settings monitor.
Every interval that task takes the executor's turn (:meth:`Executor.turn`), so a check never
runs alongside a start, a stop or a handover, and asks each agent of the group, left to right,
for its status, each bounded by the timeout. The first agent that answers "not running",
raises, or overruns is the failure; :class:`~hbcore.decisions.monitoring.MonitorPolicy` says
what it calls for, and the task does it in the same turn:

- restart: the failed resource and every resource after it in the group are stopped right to
  left and started again left to right. A group's order is its dependencies (an address, the
  file system, then the service on them), so what follows the failed resource is restarted
  with it, as Pacemaker restarts a group member's successors; what precedes it keeps running.
  A start that fails there gives the group up, as a failed acquisition does;
- give up: heartbeat's path for a resource that fails to start ("Giving up resources due to
  failure of X", the group stopped, then ``hb_standby`` hands its kind to the peer), so the
  peer acquires the group only after this node released it, through the standby exchange.

Settings are read again right before every check, so a reload's new interval, failures,
window or timeout count from the next one; :meth:`~ResourceMonitor.reconfigure` (a reload's
push) also wakes every loop at once and starts one for a held group monitored from now on.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import structlog
from hb_hookspecs import ResourceAgent

from hbcore.config.resource_monitor import (
    DEFAULT_FAILURES,
    DEFAULT_WINDOW_MS,
    MonitorLine,
    MonitorSettings,
)
from hbcore.decisions.monitoring import MonitorPolicy, Verdict
from hbcore.resources.executor import Executor, Turn
from hbcore.resources.groups import Group
from hbcore.tasks import Background, describe_error

log = structlog.get_logger("hb.resources")

RUNNING = "running"


@dataclass(frozen=True)
class Failure:
    """The resource a check found failed, and how (``not running``, ``timed out after 60 s``,
    ``status failed: ResourceError: ...``)."""

    agent: ResourceAgent
    outcome: str


class _Watch:
    """One held group: its policy, its loop, and what ``hb status`` shows of it."""

    def __init__(self, group: Group) -> None:
        self.group = group
        self.line: MonitorLine | None = None
        self.policy = MonitorPolicy(DEFAULT_FAILURES, DEFAULT_WINDOW_MS / 1000)
        self.held = True
        self.task: asyncio.Task[None] | None = None
        self.wake = asyncio.Event()
        self.last_result: str | None = None
        self.last_resource: str | None = None
        self.last_run: float | None = None
        self.restarts = 0

    def snapshot(self, now: float) -> dict[str, Any]:
        return {
            "state": self.policy.state(now).value,
            "interval_ms": self.line.interval_ms if self.line is not None else 0,
            "last_result": self.last_result,
            "last_resource": self.last_resource,
            "last_run": self.last_run,
            "failures": self.policy.failures(now),
            "failures_allowed": self.policy.failures_allowed,
            "restarts": self.restarts,
        }


class ResourceMonitor:
    """Checks the groups this node holds, as ``settings()`` (read at each check) says."""

    def __init__(self, executor: Executor, settings: Callable[[], MonitorSettings]) -> None:
        self._executor = executor
        self._settings = settings
        self._watches: dict[str, _Watch] = {}
        self._tasks = Background(log)

    def watch(self, group: Group) -> None:
        """``group`` is held here now: check it, with a fresh count of failures."""
        self._forget(group.key)
        watch = _Watch(group)
        self._watches[group.key] = watch
        self._start(watch)

    def unwatch(self, group: Group) -> None:
        """``group`` is no longer held here: stop checking it. Released by its own check (a
        give-up, or a restart that failed to start), it stays in :meth:`snapshot` as ``gave
        up`` until it is held again."""
        watch = self._watches.get(group.key)
        if watch is None or not watch.held:  # unknown, or given up (released again later)
            return
        if watch.task is not None and watch.task is asyncio.current_task():
            watch.policy.gave_up()
            watch.held = False  # the loop ends once its turn is over
        else:
            self._forget(group.key)

    def reconfigure(self) -> None:
        """Settings changed (a reload): every held group's loop starts again with them now
        (a loop waiting for its next check is woken, never cut short inside a check)."""
        for watch in self._watches.values():
            if not watch.held:
                continue
            if watch.task is None or watch.task.done():
                self._start(watch)
            else:
                watch.wake.set()

    def stop(self) -> None:
        """Stop every check (the node stops)."""
        for key in list(self._watches):
            self._forget(key)
        self._tasks.cancel()

    def snapshot(self) -> dict[str, dict[str, Any]]:
        """``hb status``: per monitored group key, ``state`` (``ok``, ``failing``, ``gave
        up``), ``interval_ms``, ``last_result`` (``running``, ``not running``, ``timed out
        after N s``, ``status failed: ...``; None before the first check), ``last_resource``
        (the resource that failed last, else None), ``last_run`` (Unix time of the last
        check, None before it), ``failures`` (those counted in the window),
        ``failures_allowed`` and ``restarts``. Read-only; a held group that is not monitored
        is absent."""
        now = time.monotonic()
        return {
            key: watch.snapshot(now)
            for key, watch in self._watches.items()
            if watch.line is not None or not watch.held
        }

    def state_of(self, key: str) -> dict[str, Any] | None:
        """The :meth:`snapshot` entry of the group ``key``, or None when it is not listed."""
        return self.snapshot().get(key)

    # ------------------------------------------------------------------ the loop

    def _start(self, watch: _Watch) -> None:
        watch.line = self._settings().for_group(watch.group.key)
        if watch.line is not None:
            watch.task = self._tasks.start(self._loop(watch), f"monitor {watch.group.key}")

    def _forget(self, key: str) -> None:
        """Stop checking the group ``key``. Its loop is waiting (for its next check or for the
        executor's turn: whoever released the group holds that turn), so cancelling it never
        cuts a check short."""
        watch = self._watches.pop(key, None)
        if watch is None:
            return
        watch.held = False
        if watch.task is not None:
            watch.task.cancel()

    async def _loop(self, watch: _Watch) -> None:
        while (line := self._line(watch)) is not None:
            watch.wake.clear()
            try:
                await asyncio.wait_for(watch.wake.wait(), line.interval_ms / 1000)
                continue  # reconfigured: wait a new interval
            except TimeoutError:
                pass
            line = self._line(watch)  # what a reload changed meanwhile counts now
            if line is None:
                return
            async with self._executor.turn() as turn:
                if watch.held:
                    await self._check(watch, line, turn)

    def _line(self, watch: _Watch) -> MonitorLine | None:
        """The settings of ``watch``'s group now, applied to its policy; None: not monitored
        (or no longer held)."""
        line = self._settings().for_group(watch.group.key) if watch.held else None
        if line is not None:
            watch.line = line
            watch.policy.configure(line.failures, line.window_ms / 1000)
        elif watch.held:
            watch.line = None
        return line

    async def _check(self, watch: _Watch, line: MonitorLine, turn: Turn) -> None:
        """One check of ``watch``'s group and what its result calls for, in one turn."""
        group = watch.group
        failure = await self._probe(group, line.timeout_ms / 1000)
        watch.last_run = time.time()
        watch.last_result = RUNNING if failure is None else failure.outcome
        now = time.monotonic()
        verdict = watch.policy.judge(failure is None, now)
        if failure is None:
            return
        name = failure.agent.name
        watch.last_resource = name
        log.error(
            f"Resource monitor: {name} of resource group {group.key} {failure.outcome} "
            f"(failure {watch.policy.failures(now)} of {line.failures})",
            group=group.key,
        )
        if verdict is Verdict.GIVE_UP:
            log.error(f"Resource group {group.key} failed {line.failures} times: giving it up")
            await turn.give_up(group, failure.agent, f"monitor: {name} {failure.outcome}")
        elif verdict is Verdict.RESTART:
            watch.restarts += 1
            await turn.restart(group, failure.agent)

    async def _probe(self, group: Group, timeout_s: float) -> Failure | None:
        """The first agent of ``group`` not running, in start order; None when all run."""
        for agent in group.agents:
            outcome = await self._status(agent, timeout_s)
            if outcome != RUNNING:
                return Failure(agent, outcome)
        return None

    async def _status(self, agent: ResourceAgent, timeout_s: float) -> str:
        """``running``, or how ``agent``'s status failed. The status runs as its own task:
        one that overruns is cancelled and left to end on its own, so an agent that ignores
        the cancellation never holds the executor's turn."""
        answers: list[str] = []
        task = self._tasks.start(_ask(agent, answers.append), f"status of {agent.name}")
        await asyncio.wait({task}, timeout=timeout_s)
        if not answers:
            task.cancel()
            return f"timed out after {timeout_s:g} s"
        return answers[0]


async def _ask(agent: ResourceAgent, answer: Callable[[str], None]) -> None:
    try:
        running = await agent.status()
    except Exception as error:  # ResourceError, or a plugin breaking its promise not to raise
        answer(f"status failed: {describe_error(error)}")
        return
    answer(RUNNING if running else "not running")
