"""The resource monitor on one node's executor: a resource found stopped is restarted with
those after it in its group, the Nth failure gives the group up by the failed-start path, a
status that hangs or raises is a failure, and no check ever overlaps a start or a stop."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from hb_hookspecs import ResourceError
from hbcore.config.resource_monitor import MonitorLine, MonitorSettings
from hbcore.resources.executor import Executor
from hbcore.resources.groups import Group
from hbcore.resources.monitor import ResourceMonitor
from hbcore.testing.cluster import wait_for
from structlog.testing import capture_logs

INTERVAL_MS = 20


class Agent:
    """A resource that records its actions; ``running`` is what its status says, after
    ``next_status_delay`` seconds for the next status only."""

    def __init__(self, name: str, journal: list[str]) -> None:
        self.name = name
        self.journal = journal
        self.running = False
        self.next_status_delay = 0.0
        self.status_error: Exception | None = None

    async def start(self) -> None:
        self.journal.append(f"start {self.name}")
        await asyncio.sleep(0.002)
        self.running = True

    async def stop(self) -> None:
        self.journal.append(f"stop {self.name}")
        await asyncio.sleep(0.002)
        self.running = False

    async def status(self) -> bool:
        self.journal.append(f"status {self.name}")
        delay, self.next_status_delay = self.next_status_delay, 0.0
        await asyncio.sleep(delay)
        self.journal.append(f"answered {self.name}")
        if self.status_error is not None:
            raise self.status_error
        return self.running

    def describe(self) -> str:
        return self.name


class Node:
    """One executor with a monitor over the group ``10.0.0.1 fs httpd``."""

    def __init__(self, line: MonitorLine) -> None:
        self.journal: list[str] = []
        self.agents = [Agent(name, self.journal) for name in ("10.0.0.1", "fs", "httpd")]
        self.group = Group("10.0.0.1", "linuxha1", ("10.0.0.1", "fs", "httpd"), tuple(self.agents))
        self.failed: list[str] = []
        self.settings = MonitorSettings((line,))
        self.monitor: ResourceMonitor | None = None

        async def acquired(group: Group) -> None:
            assert self.monitor is not None
            self.monitor.watch(group)

        async def released(group: Group) -> None:
            assert self.monitor is not None
            self.monitor.unwatch(group)

        async def failed(group: Group) -> None:
            self.failed.append(group.key)

        self.executor = Executor(acquired, released, failed, stop_retry_interval_s=0.001)
        self.monitor = ResourceMonitor(self.executor, lambda: self.settings)

    def state(self) -> dict[str, Any]:
        assert self.monitor is not None
        return self.monitor.snapshot().get(self.group.key, {})


def run(line: MonitorLine, scenario: Callable[[Node], Awaitable[None]]) -> list[dict[str, Any]]:
    async def main() -> None:
        node = Node(line)
        try:
            await node.executor.acquire([node.group])
            await scenario(node)
        finally:
            assert node.monitor is not None
            node.monitor.stop()

    with capture_logs() as logs:
        asyncio.run(main())
    return logs


def test_a_stopped_resource_is_restarted_with_the_resources_after_it() -> None:
    async def scenario(node: Node) -> None:
        await wait_for(lambda: node.state().get("last_result") == "running")
        fs = node.agents[1]
        fs.running = False  # the file system went away
        before = len(node.journal)
        await wait_for(lambda: node.state().get("restarts") == 1 and not node.executor.busy)
        assert all(agent.running for agent in node.agents)
        after = node.journal[before:]
        actions = [entry for entry in after if not entry.startswith(("status", "answered"))]
        assert actions[:4] == ["stop httpd", "stop fs", "start fs", "start httpd"]
        assert "stop 10.0.0.1" not in node.journal
        state = node.state()
        assert state["state"] == "failing" and state["failures"] == 1
        assert state["last_resource"] == "fs" and state["failures_allowed"] == 3
        assert node.failed == []

    logs = run(MonitorLine(INTERVAL_MS, failures=3), scenario)
    said = [str(entry["event"]) for entry in logs]
    assert "Resource monitor: fs of resource group 10.0.0.1 not running (failure 1 of 3)" in said
    assert "Restarting fs httpd of resource group 10.0.0.1" in said


def test_the_nth_failure_gives_the_group_up_by_the_failed_start_path() -> None:
    async def scenario(node: Node) -> None:
        httpd = node.agents[2]
        for restarts in (1, 2):
            await wait_for(lambda: httpd.running and node.state().get("last_result") == "running")
            httpd.running = False
            await wait_for(lambda n=restarts: node.state().get("restarts") == n)
        await wait_for(lambda: node.state().get("last_result") == "running")
        httpd.running = False
        await wait_for(lambda: node.failed == ["10.0.0.1"])
        assert not any(agent.running for agent in node.agents)  # released, right to left
        state = node.state()
        assert state["state"] == "gave up" and state["failures"] == 3
        assert state["last_result"] == "not running" and state["restarts"] == 2
        journal = len(node.journal)
        await asyncio.sleep(5 * INTERVAL_MS / 1000)
        assert len(node.journal) == journal  # no more checks of a group given up

    logs = run(MonitorLine(INTERVAL_MS, failures=3), scenario)
    said = [str(entry["event"]) for entry in logs]
    assert "Resource group 10.0.0.1 failed 3 times: giving it up" in said
    [giving_up] = [e for e in logs if e["event"] == "Giving up resources due to failure of httpd"]
    assert giving_up["log_level"] == "critical"
    assert giving_up["output"] == "monitor: httpd not running"
    assert said.index("Releasing resource group: linuxha1 10.0.0.1 fs httpd") > said.index(
        "Giving up resources due to failure of httpd"
    )


def test_a_status_that_hangs_is_a_failure_and_never_holds_the_executor() -> None:
    async def scenario(node: Node) -> None:
        await wait_for(lambda: node.state().get("last_result") == "running")
        node.agents[0].next_status_delay = 3600
        await wait_for(lambda: node.state().get("restarts") == 1)
        assert node.state()["last_result"] == "timed out after 0.05 s"
        await node.executor.release([node.group])  # the executor is free again

    run(MonitorLine(INTERVAL_MS, timeout_ms=50), scenario)


def test_a_status_that_raises_is_a_failure() -> None:
    async def scenario(node: Node) -> None:
        node.agents[1].status_error = ResourceError("mount: /data: no medium")
        await wait_for(lambda: node.failed == ["10.0.0.1"])
        assert node.state()["last_result"] == (
            "status failed: ResourceError: mount: /data: no medium"
        )

    run(MonitorLine(INTERVAL_MS, failures=1), scenario)


def test_a_check_never_overlaps_an_action_nor_makes_the_executor_busy() -> None:
    """A release asked for during a slow check waits for it; the check is no "resource
    activity" (``cl_status rscstatus`` does not say ``transition`` every interval)."""

    async def scenario(node: Node) -> None:
        node.agents[2].next_status_delay = 0.1
        await wait_for(lambda: node.journal[-1:] == ["status httpd"])
        assert not node.executor.busy
        await node.executor.release([node.group])
        stopped = node.journal.index("stop httpd")
        assert node.journal[stopped - 1] == "answered httpd"
        journal = len(node.journal)
        await asyncio.sleep(5 * INTERVAL_MS / 1000)
        assert len(node.journal) == journal  # released: no longer checked
        assert node.state() == {}

    run(MonitorLine(INTERVAL_MS), scenario)


def test_a_reload_applies_to_the_loop_at_once() -> None:
    async def scenario(node: Node) -> None:
        assert node.monitor is not None
        acquired = len(node.journal)
        await asyncio.sleep(0.05)
        assert len(node.journal) == acquired  # the first check is an hour away
        node.settings = MonitorSettings((MonitorLine(INTERVAL_MS, failures=2),))
        node.monitor.reconfigure()
        await wait_for(lambda: node.state().get("last_result") == "running")
        assert node.state()["failures_allowed"] == 2
        node.settings = MonitorSettings((MonitorLine(0),))
        node.monitor.reconfigure()
        await wait_for(lambda: node.state() == {})

    run(MonitorLine(3_600_000), scenario)


def test_new_settings_count_from_the_next_check_without_a_restart_of_the_loop() -> None:
    async def scenario(node: Node) -> None:
        await wait_for(lambda: node.state().get("last_result") == "running")
        node.settings = MonitorSettings((MonitorLine(INTERVAL_MS, failures=1),))
        node.agents[2].running = False
        await wait_for(lambda: node.failed == ["10.0.0.1"])
        assert node.state()["restarts"] == 0

    run(MonitorLine(INTERVAL_MS, failures=3), scenario)
