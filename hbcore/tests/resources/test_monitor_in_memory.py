"""Resource monitoring in a nice-mode pair: httpd crashes on linuxha1. Once, it is restarted
there and nothing moves; every time, its third failure gives the group up ("Giving up
resources due to failure of httpd"), and the standby that follows hands it to linuxha2, with
never a moment where both nodes run it."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from hbcore.config.resource_monitor import MonitorLine, MonitorSettings
from hbcore.decisions import nice_failback
from hbcore.decisions.binding import ResourceBinding
from hbcore.node.daemon import Node
from hbcore.node.report import snapshot
from hbcore.node.settings import NodeSettings
from hbcore.resources.groups import Group, GroupTable
from hbcore.state.paths import NodePaths
from hbcore.testing.cluster import FakeAgent, RunningNode, World, wait_for
from hbcore.wire import Keyring
from nice_pair import NAMES, SHA1, TIMERS, Pair, events
from structlog.testing import capture_logs

STANDBY_DELAY_S = 0.3
SETTINGS = MonitorSettings((MonitorLine(50, failures=3),))


class Crashing(FakeAgent):
    """httpd: while ``crashing``, it has died by the time anyone asks its status."""

    def __init__(self, world: World, resource: str, node: str) -> None:
        super().__init__(world, resource, node)
        self.crashing = 0
        """How many more checks find it dead (-1: every one)."""
        self.starts = 0

    async def start(self) -> None:
        self.starts += 1
        await super().start()

    async def status(self) -> bool:
        if self.crashing and self.node in self.world.owner(self.name):
            self.crashing -= 1
            self.world.owner(self.name).discard(self.node)
        return await super().status()


class MonitoredPair(Pair):
    """The pair of ``nice_pair``, each node monitoring its groups as :data:`SETTINGS` says."""

    def start(self, name: str) -> RunningNode:
        paths = NodePaths(self.tmp / name, self.tmp / name, self.tmp / name)
        word = "on" if self.auto_failback else "off"
        settings = NodeSettings(name, NAMES, (), TIMERS, paths, auto_failback=word)
        groups = GroupTable(self.make_groups(self.world, name), name)
        binding = ResourceBinding(
            groups, self.auto_failback, local_takeover_delay_s=0.3, monitoring=lambda: SETTINGS
        )
        keyring = Keyring(1, {1: (SHA1, b"secret")})
        node = Node(settings, keyring, [self.bus.medium(name)], resources=binding)
        self.nodes[name] = RunningNode(node)
        return self.nodes[name]


@pytest.fixture(autouse=True)
def _short_standby_delay(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(nice_failback, "FAILED_GROUP_STANDBY_DELAY_S", STANDBY_DELAY_S)


def _pair(tmp: Path, world: World, httpd: dict[str, Crashing]) -> MonitoredPair:
    def groups(world: World, node: str) -> list[Group]:
        address = FakeAgent(world, "10.0.0.1", node)
        return [
            Group("10.0.0.1", "linuxha1", ("10.0.0.1", "httpd"), (address, httpd[node])),
            Group("10.0.0.2", "linuxha2", ("10.0.0.2",), (FakeAgent(world, "10.0.0.2", node),)),
        ]

    return MonitoredPair(tmp, world, True, groups)


def _monitor_state(pair: Pair, name: str) -> dict[str, object]:
    """What ``hb status --json`` shows of the group ``10.0.0.1``'s monitor on ``name``."""
    [group] = [g for g in snapshot(pair.nodes[name].node, [])["groups"] if g["key"] == "10.0.0.1"]
    return group["monitor"] or {}


def test_httpd_that_crashes_once_is_restarted_where_it_runs(tmp_path: Path) -> None:
    world = World()
    httpd = {node: Crashing(world, "httpd", node) for node in NAMES}

    async def scenario() -> None:
        pair = _pair(tmp_path, world, httpd)
        try:
            pair.start("linuxha1")
            pair.start("linuxha2")
            await wait_for(world.settled({"httpd": "linuxha1", "10.0.0.2": "linuxha2"}))
            await wait_for(lambda: _monitor_state(pair, "linuxha1").get("last_result") == "running")
            httpd["linuxha1"].crashing = 1
            await wait_for(lambda: _monitor_state(pair, "linuxha1").get("restarts") == 1)
            await wait_for(world.settled({"httpd": "linuxha1", "10.0.0.1": "linuxha1"}))
            await wait_for(lambda: _monitor_state(pair, "linuxha1").get("last_result") == "running")
            assert httpd["linuxha1"].starts == 2 and httpd["linuxha2"].starts == 0
            assert _monitor_state(pair, "linuxha1")["state"] == "failing"
            assert pair.holdings() == {"linuxha1": "local", "linuxha2": "local"}
        finally:
            await pair.finish()

    with capture_logs() as logs:
        asyncio.run(scenario())
    said = events(logs)
    assert "Resource monitor: httpd of resource group 10.0.0.1 not running (failure 1 of 3)" in said
    assert "Restarting httpd of resource group 10.0.0.1" in said
    assert "Giving up resources due to failure of httpd" not in said
    assert world.conflicts == []


def test_httpd_that_keeps_crashing_moves_to_the_peer_after_three_failures(
    tmp_path: Path,
) -> None:
    world = World()
    httpd = {node: Crashing(world, "httpd", node) for node in NAMES}

    async def scenario() -> None:
        pair = _pair(tmp_path, world, httpd)
        try:
            pair.start("linuxha1")
            pair.start("linuxha2")
            await wait_for(world.settled({"httpd": "linuxha1", "10.0.0.2": "linuxha2"}))
            await wait_for(pair.stable)
            httpd["linuxha1"].crashing = -1
            await wait_for(world.settled({"10.0.0.1": "linuxha2", "httpd": "linuxha2"}))
            await wait_for(pair.stable)
            assert pair.holdings() == {"linuxha1": "none", "linuxha2": "all"}
            assert _monitor_state(pair, "linuxha1")["state"] == "gave up"
            assert httpd["linuxha1"].starts == 3  # acquired, then restarted twice
            await wait_for(lambda: _monitor_state(pair, "linuxha2").get("last_result") == "running")
        finally:
            await pair.finish()

    with capture_logs() as logs:
        asyncio.run(scenario())
    said = events(logs)
    failures = [e for e in said if e.startswith("Resource monitor: httpd of resource group")]
    assert failures == [
        f"Resource monitor: httpd of resource group 10.0.0.1 not running (failure {n} of 3)"
        for n in (1, 2, 3)
    ]
    gave_up = said.index("Giving up resources due to failure of httpd")
    assert said.index("Resource group 10.0.0.1 failed 3 times: giving it up") < gave_up
    assert said.index("linuxha1 wants to go standby [local]") > gave_up
    assert world.conflicts == []
