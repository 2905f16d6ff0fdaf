"""Legacy mode (``auto_failback legacy``) between nodes in one process: each node pulls its own
groups with ip-request, takes everything from a dead or departing peer, and pulls its groups
back when it returns. A shared world records who runs each resource, so a moment with two
owners fails the test."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from hbcore.decisions.binding import ResourceBinding
from hbcore.decisions.legacy import STANDBY_REFUSED
from hbcore.node.daemon import Node
from hbcore.node.settings import NodeSettings
from hbcore.resources.groups import GroupTable
from hbcore.resources.holdings import Hold
from hbcore.state.paths import NodePaths
from hbcore.testing.cluster import RunningNode as Running
from hbcore.testing.cluster import World, wait_for
from hbcore.testing.memory_bus import MemoryBus
from hbcore.wire import Keyring, Message
from nice_pair import HOME, NAMES, SHA1, TIMERS, fake_groups
from structlog.testing import capture_logs


def binding(world: World, node: str) -> ResourceBinding:
    return ResourceBinding(GroupTable(fake_groups(world, node), node), False, legacy=True)


def make_node(tmp: Path, name: str, bus: MemoryBus, world: World) -> Node:
    settings = NodeSettings(name, NAMES, (), TIMERS, NodePaths(tmp / name, tmp / name, tmp / name))
    keyring = Keyring(1, {1: (SHA1, b"secret")})
    return Node(settings, keyring, [bus.medium(name)], resources=binding(world, name))


@asynccontextmanager
async def pair(tmp: Path, bus: MemoryBus, world: World) -> AsyncIterator[dict[str, Running]]:
    nodes = {name: Running(make_node(tmp, name, bus, world)) for name in NAMES}
    try:
        yield nodes
    finally:
        for running in nodes.values():
            running.kill()
        await asyncio.gather(*(r.task for r in nodes.values()), return_exceptions=True)


def events(logs: list[dict[str, Any]]) -> list[str]:
    return [entry["event"] for entry in logs]


def test_both_nodes_start_and_each_pulls_its_own_groups(tmp_path: Path) -> None:
    world = World()

    async def scenario() -> None:
        async with pair(tmp_path, MemoryBus(), world) as nodes:
            await wait_for(world.settled(HOME))
            await wait_for(lambda: nodes["linuxha1"].node.resources.holding == "local")
            await wait_for(lambda: nodes["linuxha2"].node.resources.holding == "local")

    with capture_logs() as logs:
        asyncio.run(scenario())
    seen = events(logs)
    assert seen.count("Local Resource acquisition completed.") == 2
    assert "received ip-request-resp 10.0.0.1 OK no" in seen
    assert "received ip-request-resp 10.0.0.2 OK no" in seen
    assert world.conflicts == []


def test_the_preferred_node_dies_then_returns_and_pulls_its_groups_back(tmp_path: Path) -> None:
    world = World()

    async def scenario() -> None:
        bus = MemoryBus()
        async with pair(tmp_path, bus, world) as nodes:
            await wait_for(world.settled(HOME))
            await asyncio.sleep(0.7)  # past initdead
            nodes["linuxha1"].kill()
            for resource in ("10.0.0.1", "httpd"):  # the machine died with it
                world.owners[resource].discard("linuxha1")
            await wait_for(world.settled({r: "linuxha2" for r in HOME}))
            await wait_for(lambda: nodes["linuxha2"].node.resources.holding == "all")
            nodes["linuxha1"] = Running(make_node(tmp_path, "linuxha1", bus, world))
            await wait_for(world.settled(HOME))
            await wait_for(lambda: nodes["linuxha2"].node.resources.holding == "local")

    with capture_logs() as logs:
        asyncio.run(scenario())
    seen = events(logs)
    assert "No STONITH device configured." in seen
    assert "Resources being acquired from linuxha1." in seen
    assert "Taking over resource group 10.0.0.1" in seen
    assert "mach_down takeover complete for node linuxha1." in seen
    assert "received ip-request-resp 10.0.0.1 OK yes" in seen
    assert world.conflicts == []


def test_a_node_alone_answers_its_own_request(tmp_path: Path) -> None:
    world = World()

    async def scenario() -> None:
        bus = MemoryBus()
        alone = Running(make_node(tmp_path, "linuxha1", bus, world))
        try:
            await wait_for(world.settled({r: "linuxha1" for r in HOME}))
        finally:
            alone.kill()
            await asyncio.gather(alone.task, return_exceptions=True)

    with capture_logs() as logs:
        asyncio.run(scenario())
    seen = events(logs)
    assert "received ip-request-resp 10.0.0.1 OK yes" in seen
    assert "Taking over resource group 10.0.0.2" in seen
    assert world.conflicts == []


def test_clean_stop_hands_everything_over_at_once(tmp_path: Path) -> None:
    world = World()

    async def scenario() -> None:
        async with pair(tmp_path, MemoryBus(), world) as nodes:
            await wait_for(world.settled(HOME))
            await nodes["linuxha1"].stop()
            await wait_for(world.settled({r: "linuxha2" for r in HOME}), timeout=1.0)

    with capture_logs() as logs:
        asyncio.run(scenario())
    seen = events(logs)
    assert "Giving up all HA resources." in seen
    assert "All HA resources relinquished." in seen
    assert "Received shutdown notice from 'linuxha1'." in seen
    assert "mach_down takeover complete for node linuxha1." in seen
    assert world.conflicts == []


def test_standby_and_takeover_are_refused(tmp_path: Path) -> None:
    world = World()

    async def scenario() -> None:
        async with pair(tmp_path, MemoryBus(), world) as nodes:
            await wait_for(world.settled(HOME))
            assert nodes["linuxha1"].node.resources.request_standby(Hold.ALL) == STANDBY_REFUSED
            assert nodes["linuxha1"].node.resources.request_takeover("all") == STANDBY_REFUSED
            await asyncio.sleep(0.2)
            assert world.settled(HOME)()

    with capture_logs() as logs:
        asyncio.run(scenario())
    assert "Standby mode only implemented when nice_failback on" in events(logs)


# ---------------------------------------------------------------------- one node's decisions


class Recorder:
    """A manager on its own: what it sends, and the world its agents act on."""

    def __init__(self, me: str = "linuxha2") -> None:
        self.world = World()
        self.sent: list[tuple[list[tuple[str, str]], str | None]] = []
        self.manager = binding(self.world, me).bind(self.send)

    async def send(self, message: Message, dest: str | None = None) -> None:
        self.sent.append(([(f.name, str(f.value)) for f in message.fields], dest))


async def settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0.01)


def test_an_ip_request_releases_the_group_and_answers_in_heartbeats_field_order() -> None:
    async def scenario() -> Recorder:
        node = Recorder()
        node.manager.message("shutdone", "linuxha1", Message.of(("t", "shutdone")))
        await asyncio.sleep(0.2)
        assert node.world.owner("10.0.0.1") == {"linuxha2"}
        request = Message.of(("t", "ip-request"), ("ipaddr", "10.0.0.1"))
        node.manager.message("ip-request", "linuxha1", request)
        await asyncio.sleep(0.2)
        return node

    node = asyncio.run(scenario())
    assert node.world.owner("10.0.0.1") == set()
    fields = [
        ("t", "ip-request-resp"),
        ("dest", "linuxha1"),
        ("ipaddr", "10.0.0.1"),
        ("weown", "yes"),
        ("ok", "OK"),
    ]
    assert (fields, "linuxha1") in node.sent


def test_a_request_for_a_group_we_do_not_run_is_still_answered() -> None:
    async def scenario() -> Recorder:
        node = Recorder()
        node.manager.message(
            "ip-request", "linuxha1", Message.of(("t", "ip-request"), ("ipaddr", "10.0.0.1"))
        )
        await settle()
        return node

    node = asyncio.run(scenario())
    [(fields, dest)] = node.sent
    assert dest == "linuxha1"
    assert ("weown", "no") in fields


def test_our_own_ip_request_looped_back_is_ignored() -> None:
    async def scenario() -> Recorder:
        node = Recorder()
        node.manager.message(
            "ip-request", "linuxha2", Message.of(("t", "ip-request"), ("ipaddr", "10.0.0.2"))
        )
        await settle()
        return node

    assert asyncio.run(scenario()).sent == []


def test_an_answer_for_another_node_or_not_ok_takes_nothing() -> None:
    async def scenario() -> Recorder:
        node = Recorder()
        for dest, ok in (("linuxha1", "OK"), ("linuxha2", "no")):
            answer = Message.of(
                ("t", "ip-request-resp"),
                ("dest", dest),
                ("ipaddr", "10.0.0.2"),
                ("weown", "no"),
                ("ok", ok),
            )
            node.manager.message("ip-request-resp", "linuxha1", answer)
        await settle()
        return node

    assert asyncio.run(scenario()).world.owners == {}


def test_comm_up_with_a_peer_asks_and_alone_answers_itself() -> None:
    async def scenario() -> tuple[Recorder, Recorder]:
        with_peer, alone = Recorder(), Recorder()
        with_peer.manager.comm_up(["linuxha1"])
        alone.manager.comm_up([])
        await settle()
        return with_peer, alone

    with_peer, alone = asyncio.run(scenario())
    assert with_peer.sent == [([("t", "ip-request"), ("ipaddr", "10.0.0.2")], None)]
    [(fields, dest)] = alone.sent
    assert dest == "linuxha2"
    assert fields[:4] == [
        ("t", "ip-request-resp"),
        ("dest", "linuxha2"),
        ("ipaddr", "10.0.0.2"),
        ("weown", "yes"),
    ]


def test_a_node_with_no_groups_says_so() -> None:
    async def scenario() -> None:
        node = Recorder(me="linuxha3")
        node.manager.comm_up(["linuxha1"])
        await settle()

    with capture_logs() as logs:
        asyncio.run(scenario())
    assert (
        "No local resources [/usr/share/heartbeat/ResourceManager listkeys linuxha3] to acquire."
        in events(logs)
    )


def test_a_peer_that_shut_down_needs_no_stonith_when_it_dies() -> None:
    async def scenario() -> Recorder:
        node = Recorder()
        node.manager.message("shutdone", "linuxha1", Message.of(("t", "shutdone")))
        node.manager.node_died("linuxha1")
        await settle()
        return node

    with capture_logs() as logs:
        node = asyncio.run(scenario())
    assert "Dead node linuxha1 gave up resources." in events(logs)
    stonith = [fields for fields, _ in node.sent if fields[0] == ("t", "stonith")]
    assert stonith == [[("t", "stonith"), ("node", "linuxha1"), ("result", "unneeded")]]
