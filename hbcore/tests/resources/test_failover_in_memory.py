"""Resource negotiation between nodes in one process: start-up, takeover on death, failback,
standby, clean shutdown, a stalled node. A shared world records who runs each resource, so a
moment with two owners fails the test."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from hb_hookspecs import Observation
from hbcore.decisions.binding import ResourceBinding
from hbcore.node import daemon
from hbcore.node.daemon import Node
from hbcore.node.settings import NodeSettings
from hbcore.resources.groups import GroupTable
from hbcore.resources.holdings import Hold
from hbcore.state.paths import NodePaths
from hbcore.testing.cluster import RunningNode as Running
from hbcore.testing.cluster import World, wait_for
from hbcore.testing.memory_bus import MemoryBus
from hbcore.wire import Keyring
from nice_pair import HOME, NAMES, SHA1, TIMERS, fake_groups
from structlog.testing import capture_logs


def binding(world: World, node: str) -> ResourceBinding:
    table = GroupTable(fake_groups(world, node), node)
    return ResourceBinding(table, True, local_takeover_delay_s=0.3)


def make_node(
    tmp: Path, name: str, bus: MemoryBus, world: World, monitor: SwitchablePing | None = None
) -> Node:
    paths = NodePaths(tmp / name, tmp / name, tmp / name)
    if monitor is None:
        settings = NodeSettings(name, NAMES, (), TIMERS, paths)
    else:
        settings = NodeSettings(
            name, NAMES, (PING_NODE,), TIMERS, paths, auto_failback="on", ipfail=True
        )
    keyring = Keyring(1, {1: (SHA1, b"secret")})
    monitors = [] if monitor is None else [monitor]
    return Node(
        settings, keyring, [bus.medium(name)], resources=binding(world, name), monitors=monitors
    )


PING_NODE = "10.0.0.254"


class SwitchablePing:
    """A ping monitor whose ping node answers while ``answering`` is true."""

    name = "ping"

    def __init__(self) -> None:
        self.answering = True
        self.task: asyncio.Task[None] | None = None

    async def start(self, report: Callable[[Observation], None]) -> None:
        async def answer() -> None:
            while True:
                if self.answering:
                    report(Observation("ping", PING_NODE, alive=True))
                await asyncio.sleep(0.05)

        self.task = asyncio.create_task(answer())

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()


@asynccontextmanager
async def pair(tmp: Path, bus: MemoryBus, world: World) -> AsyncIterator[dict[str, Running]]:
    nodes = {name: Running(make_node(tmp, name, bus, world)) for name in NAMES}
    try:
        yield nodes
    finally:
        for running in nodes.values():
            running.kill()
        await asyncio.gather(*(r.task for r in nodes.values()), return_exceptions=True)


def test_each_node_takes_its_own_groups_at_start(tmp_path: Path) -> None:
    world = World()

    async def scenario() -> None:
        async with pair(tmp_path, MemoryBus(), world) as nodes:
            await wait_for(world.settled(HOME))
            await wait_for(lambda: nodes["linuxha1"].node.resources.holding == "local")

    asyncio.run(scenario())
    assert world.conflicts == []


def test_death_moves_the_groups_and_return_moves_them_back(tmp_path: Path) -> None:
    world = World()

    async def scenario() -> None:
        bus = MemoryBus()
        async with pair(tmp_path, bus, world) as nodes:
            await wait_for(world.settled(HOME))
            await asyncio.sleep(0.7)  # past initdead
            nodes["linuxha2"].kill()
            world.owners["10.0.0.2"].discard("linuxha2")  # the machine died with it
            await wait_for(world.settled({r: "linuxha1" for r in HOME}))
            nodes["linuxha2"] = Running(make_node(tmp_path, "linuxha2", bus, world))
            await wait_for(world.settled(HOME))

    with capture_logs() as logs:
        asyncio.run(scenario())
    events = [entry["event"] for entry in logs]
    assert "Resources being acquired from linuxha2." in events
    assert "Taking over resource group 10.0.0.2" in events
    assert "linuxha2 wants to go standby [foreign]" not in events
    assert "linuxha1 wants to go standby [foreign]" in events
    assert world.conflicts == []


def test_standby_hands_everything_to_the_peer_and_it_stays_there(tmp_path: Path) -> None:
    world = World()

    async def scenario() -> None:
        async with pair(tmp_path, MemoryBus(), world) as nodes:
            await wait_for(world.settled(HOME))
            await wait_for(lambda: nodes["linuxha2"].node.resources.holding == "local")
            assert nodes["linuxha1"].node.resources.request_standby(Hold.ALL) is None
            await wait_for(world.settled({r: "linuxha2" for r in HOME}))
            await asyncio.sleep(1.0)  # auto failback must not undo a standby
            assert world.settled({r: "linuxha2" for r in HOME})()

    with capture_logs() as logs:
        asyncio.run(scenario())
    events = [entry["event"] for entry in logs]
    assert "linuxha1 wants to go standby [all]" in events
    assert "Standby resource acquisition done [all]." in events
    assert world.conflicts == []


def test_clean_stop_gives_everything_to_the_peer_at_once(tmp_path: Path) -> None:
    world = World()

    async def scenario() -> None:
        async with pair(tmp_path, MemoryBus(), world) as nodes:
            await wait_for(world.settled(HOME))
            await nodes["linuxha1"].stop()
            await wait_for(world.settled({r: "linuxha2" for r in HOME}), timeout=1.0)

    with capture_logs() as logs:
        asyncio.run(scenario())
    events = [entry["event"] for entry in logs]
    assert "All HA resources relinquished." in events
    assert "Received shutdown notice from 'linuxha1'." in events
    assert world.conflicts == []


def test_healed_partition_makes_both_nodes_give_up_and_restart(tmp_path: Path) -> None:
    world = World()

    async def scenario() -> dict[str, Running]:
        bus = MemoryBus()
        async with pair(tmp_path, bus, world) as nodes:
            await wait_for(world.settled(HOME))
            await asyncio.sleep(0.7)  # past initdead
            bus.cut.add("linuxha2")
            await wait_for(lambda: world.owner("10.0.0.1") == {"linuxha1", "linuxha2"})
            bus.cut.clear()
            await asyncio.wait_for(
                asyncio.gather(*(n.task for n in nodes.values()), return_exceptions=True), 10
            )
            return nodes

    with capture_logs() as logs:
        nodes = asyncio.run(scenario())
    events = [entry["event"] for entry in logs]
    assert "Cluster node linuxha2 returning after partition." in events
    assert "Cluster node linuxha1 returning after partition." in events
    assert all(running.node.restart_requested for running in nodes.values())
    assert all(world.owner(resource) == set() for resource in HOME)


def test_a_stalled_node_finds_no_local_heartbeat_gives_everything_up_and_restarts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Advertise plain deadtime from the start (not deadtime + 2 s), so a short stall will do.
    monkeypatch.setattr(daemon, "STARTUP_DEADTIME_BONUS_MS", 0)
    world = World()

    async def scenario() -> dict[str, Running]:
        bus = MemoryBus()
        async with pair(tmp_path, bus, world) as nodes:
            await wait_for(world.settled(HOME))
            await asyncio.sleep(3 * TIMERS.deadtime / 1000)  # a busy loop keeps hearing itself
            assert not any(running.node.restart_requested for running in nodes.values())
            # The whole process stalls past deadtime, as under SIGSTOP (both nodes live in it).
            time.sleep(TIMERS.deadtime / 1000 + 0.2)
            await asyncio.wait_for(
                asyncio.gather(*(n.task for n in nodes.values()), return_exceptions=True), 10
            )
            return nodes

    with capture_logs() as logs:
        nodes = asyncio.run(scenario())
    said = [(entry["log_level"], entry["event"]) for entry in logs]
    for name in NAMES:
        assert ("warning", f"node {name}: is dead") in said
    assert said.count(("error", "No local heartbeat. Forcing restart.")) == 2
    # linuxha1 scans itself first: restarting, it takes nothing over from linuxha2.
    assert ("info", "Resource takeover cancelled - shutdown in progress.") in said
    assert all(running.node.restart_requested for running in nodes.values())
    assert all(world.owner(resource) == set() for resource in HOME)


def test_ipfail_moves_everything_away_from_the_node_that_lost_its_ping_node(
    tmp_path: Path,
) -> None:
    world = World()
    monitors = {name: SwitchablePing() for name in NAMES}

    async def scenario() -> None:
        bus = MemoryBus()
        nodes = {
            name: Running(make_node(tmp_path, name, bus, world, monitors[name])) for name in NAMES
        }
        try:
            await wait_for(world.settled(HOME))
            await asyncio.sleep(0.7)  # past initdead
            monitors["linuxha1"].answering = False
            await wait_for(world.settled({r: "linuxha2" for r in HOME}))
        finally:
            for running in nodes.values():
                running.kill()
            await asyncio.gather(*(r.task for r in nodes.values()), return_exceptions=True)

    with capture_logs() as logs:
        asyncio.run(scenario())
    events = [entry["event"] for entry in logs]
    assert "Telling other node that we have more visible ping nodes." in events
    assert "linuxha1 wants to go standby [all]" in events
    assert world.conflicts == []
