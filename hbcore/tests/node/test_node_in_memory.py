"""Nodes in one process on an in-memory segment: comm up, link loss, death, restart, replay
(of an older generation, of a dead peer's packets), a healed partition, a medium that cannot
start."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from hb_hookspecs import AuthMethod, KeyRule, Observation
from hbcore.config.timers import Timers
from hbcore.node.daemon import Node
from hbcore.node.media import MediumFailed
from hbcore.node.settings import NodeSettings
from hbcore.pluginkit.hmac_auth import HmacAuthenticator
from hbcore.state.paths import NodePaths
from hbcore.testing.cluster import RunningNode as Running
from hbcore.testing.cluster import wait_for
from hbcore.testing.memory_bus import MemoryBus
from hbcore.wire import Keyring
from structlog.testing import capture_logs

TIMERS = Timers(keepalive=50, deadtime=300, warntime=200, initdead=600, deadping=300)
SHA1 = AuthMethod("sha1", KeyRule.REQUIRED, partial(HmacAuthenticator, digest="sha1"), "test")


def keyring() -> Keyring:
    return Keyring(1, {1: (SHA1, b"secret")})


def settings(name: str, state: Path, nodes: tuple[str, ...]) -> NodeSettings:
    return NodeSettings(
        name, nodes, (), TIMERS, NodePaths(state / name, state / name, state / name)
    )


@asynccontextmanager
async def cluster(
    tmp_path: Path, names: tuple[str, ...], bus: MemoryBus
) -> AsyncIterator[dict[str, Running]]:
    running = {
        name: Running(Node(settings(name, tmp_path, names), keyring(), [bus.medium(name)]))
        for name in names
    }
    try:
        yield running
    finally:
        for member in running.values():
            member.kill()
        await asyncio.gather(*(m.task for m in running.values()), return_exceptions=True)


def messages(logs: list[dict[str, Any]]) -> list[str]:
    return [entry["event"] for entry in logs]


def test_two_nodes_go_active_and_see_each_others_links(tmp_path: Path) -> None:
    async def scenario() -> None:
        bus = MemoryBus()
        async with cluster(tmp_path, ("linuxha1", "linuxha2"), bus) as nodes:
            await wait_for(lambda: all(n.node.local_status == "active" for n in nodes.values()))
            await wait_for(
                lambda: nodes["linuxha1"].node.membership.nodes["linuxha2"].status == "active"
            )

    with capture_logs() as logs:
        asyncio.run(scenario())
    text = messages(logs)
    assert "Link linuxha2:eth1 up." in text
    assert "Link linuxha1:eth1 up." in text
    assert text.count("Comm_now_up(): updating status to active") == 2
    assert "Status update for node linuxha2: status active" in text


def test_killed_node_is_declared_dead_within_its_advertised_deadtime(tmp_path: Path) -> None:
    async def scenario() -> float:
        bus = MemoryBus()
        async with cluster(tmp_path, ("linuxha1", "linuxha2"), bus) as nodes:
            await wait_for(lambda: all(n.node.local_status == "active" for n in nodes.values()))
            await asyncio.sleep(0.7)  # past initdead
            loop = asyncio.get_running_loop()
            killed_at = loop.time()
            nodes["linuxha2"].kill()
            survivor = nodes["linuxha1"].node.membership
            await wait_for(lambda: survivor.nodes["linuxha2"].status == "dead")
            return loop.time() - killed_at

    with capture_logs() as logs:
        elapsed = asyncio.run(scenario())
    assert "node linuxha2: is dead" in messages(logs)
    # In its first 5 s a node advertises deadtime + 2 s, as heartbeat does.
    assert elapsed < (TIMERS.deadtime + 2000 + TIMERS.keepalive + 500) / 1000


def test_clean_stop_sends_shutdone_and_the_peer_hears_it(
    tmp_path: Path,
) -> None:
    async def scenario() -> None:
        bus = MemoryBus()
        async with cluster(tmp_path, ("linuxha1", "linuxha2"), bus) as nodes:
            await wait_for(lambda: all(n.node.local_status == "active" for n in nodes.values()))
            await nodes["linuxha2"].stop()
            await asyncio.sleep(0.1)

    with capture_logs() as logs:
        asyncio.run(scenario())
    text = messages(logs)
    assert "linuxha2 Heartbeat shutdown complete." in text
    assert "Received shutdown notice from 'linuxha2'." in text


def test_restarted_node_is_seen_as_a_restart(tmp_path: Path) -> None:
    async def scenario() -> None:
        bus = MemoryBus()
        names = ("linuxha1", "linuxha2")
        async with cluster(tmp_path, names, bus) as nodes:
            await wait_for(lambda: all(n.node.local_status == "active" for n in nodes.values()))
            nodes["linuxha2"].kill()
            await asyncio.sleep(0.05)
            again = Running(
                Node(settings("linuxha2", tmp_path, names), keyring(), [bus.medium("linuxha2")])
            )
            try:
                await wait_for(lambda: again.node.local_status == "active")
            finally:
                again.kill()
                await asyncio.gather(again.task, return_exceptions=True)

    with capture_logs() as logs:
        asyncio.run(scenario())
    assert "Heartbeat restart on node linuxha2" in messages(logs)


def test_replayed_packet_is_dropped_and_logged(tmp_path: Path) -> None:
    async def scenario() -> None:
        bus = MemoryBus()
        names = ("linuxha1", "linuxha2")
        async with cluster(tmp_path, names, bus) as nodes:
            await wait_for(lambda: all(n.node.local_status == "active" for n in nodes.values()))
            old_generation_packet = next(p for p in bus.sent if b"src=linuxha2" in p)
            nodes["linuxha2"].kill()
            again = Running(
                Node(settings("linuxha2", tmp_path, names), keyring(), [bus.medium("linuxha2")])
            )
            try:
                await wait_for(lambda: again.node.local_status == "active")
                nodes["linuxha1"].node.packet_arrived("eth1", old_generation_packet)
            finally:
                again.kill()
                await asyncio.gather(again.task, return_exceptions=True)

    with capture_logs() as logs:
        asyncio.run(scenario())
    assert any(
        m.startswith("should_drop_message: attempted replay attack [linuxha2]?")
        for m in messages(logs)
    )


def last_status_of(bus: MemoryBus, node: str) -> bytes:
    """The last status ``node`` sent on ``bus``, as captured on the wire."""
    return next(p for p in reversed(bus.sent) if b"t=status" in p and f"src={node},".encode() in p)


async def replay_every_100_ms(node: Node, packet: bytes) -> None:
    while True:
        node.packet_arrived("eth1", packet)
        await asyncio.sleep(0.1)


def test_a_killed_peers_packet_replayed_every_100_ms_does_not_keep_it_alive(
    tmp_path: Path,
) -> None:
    """The replay is a duplicate: it refreshes the link, never the node, which dies at its
    deadtime; once dead, the replay is stale and changes nothing."""

    async def scenario() -> Node:
        bus = MemoryBus()
        async with cluster(tmp_path, ("linuxha1", "linuxha2"), bus) as nodes:
            await wait_for(lambda: all(n.node.local_status == "active" for n in nodes.values()))
            await asyncio.sleep(0.7)  # past initdead
            survivor = nodes["linuxha1"].node
            captured = last_status_of(bus, "linuxha2")
            nodes["linuxha2"].kill()
            replay = asyncio.create_task(replay_every_100_ms(survivor, captured))
            try:
                # Advertised: deadtime + 2 s in a node's first 5 s, as heartbeat does.
                await wait_for(lambda: survivor.membership.nodes["linuxha2"].status == "dead")
                await asyncio.sleep(0.5)
            finally:
                replay.cancel()
            return survivor

    with capture_logs() as logs:
        survivor = asyncio.run(scenario())
    assert "node linuxha2: is dead" in messages(logs)
    assert survivor.membership.nodes["linuxha2"].status == "dead"
    assert survivor.drops.by_node["linuxha2"]["stale"] >= 3
    assert not any("returning after partition" in m for m in messages(logs))
    assert survivor.peers["linuxha2"].sequence.sender_dead


def test_an_old_status_replayed_after_the_death_is_not_a_return_after_partition(
    tmp_path: Path,
) -> None:
    """The old status is from the same generation as the dead node: without a floor it would
    pass for the node coming back from a partition (and force a restart)."""

    async def scenario() -> Node:
        bus = MemoryBus()
        async with cluster(tmp_path, ("linuxha1", "linuxha2"), bus) as nodes:
            await wait_for(lambda: all(n.node.local_status == "active" for n in nodes.values()))
            await asyncio.sleep(0.7)  # past initdead
            survivor = nodes["linuxha1"].node
            old = next(p for p in bus.sent if b"t=status" in p and b"src=linuxha2," in p)
            nodes["linuxha2"].kill()
            await wait_for(lambda: survivor.membership.nodes["linuxha2"].status == "dead")
            for _ in range(3):
                survivor.packet_arrived("eth1", old)
                await asyncio.sleep(0.1)
            return survivor

    with capture_logs() as logs:
        survivor = asyncio.run(scenario())
    assert survivor.membership.nodes["linuxha2"].status == "dead"
    assert survivor.drops.by_node["linuxha2"]["stale"] == 3
    said = messages(logs)
    assert not any("returning after partition" in m for m in said)
    after_death = said[said.index("node linuxha2: is dead") :]
    assert "Status update for node linuxha2: status active" not in after_death
    assert any(m.startswith("stale message from linuxha2 dropped") for m in said)


def test_a_partition_that_heals_is_still_a_return_after_partition(tmp_path: Path) -> None:
    """The peer's numbers went on while it was cut off: above the floor, so it is heard."""

    async def scenario() -> None:
        bus = MemoryBus()
        async with cluster(tmp_path, ("linuxha1", "linuxha2"), bus) as nodes:
            await wait_for(lambda: all(n.node.local_status == "active" for n in nodes.values()))
            await asyncio.sleep(0.7)  # past initdead
            bus.cut.add("linuxha2")
            table = nodes["linuxha1"].node.membership
            await wait_for(lambda: table.nodes["linuxha2"].status == "dead")
            bus.cut.clear()
            await wait_for(lambda: table.nodes["linuxha2"].status == "active")

    with capture_logs() as logs:
        asyncio.run(scenario())
    assert "Cluster node linuxha2 returning after partition." in messages(logs)


def test_forged_packet_is_dropped_and_logged(tmp_path: Path) -> None:
    async def scenario() -> None:
        bus = MemoryBus()
        async with cluster(tmp_path, ("linuxha1", "linuxha2"), bus) as nodes:
            await wait_for(lambda: all(n.node.local_status == "active" for n in nodes.values()))
            genuine = next(p for p in bus.sent if b"src=linuxha2" in p)
            # Another last digit of the trailer's token, whatever the genuine one is.
            last_digit = genuine[-2:-1]
            forged = genuine[:-2] + (b"1" if last_digit == b"0" else b"0") + b","
            nodes["linuxha1"].node.packet_arrived("eth1", forged)

    with capture_logs() as logs:
        asyncio.run(scenario())
    assert any("packet on eth1 dropped" in m for m in messages(logs))


@pytest.mark.parametrize("count", [3, 8])
def test_larger_clusters_go_active(tmp_path: Path, count: int) -> None:
    names = tuple(f"node{i}" for i in range(1, count + 1))

    async def scenario() -> None:
        bus = MemoryBus()
        async with cluster(tmp_path, names, bus) as nodes:
            await wait_for(lambda: all(n.node.local_status == "active" for n in nodes.values()))
            first = nodes["node1"].node.membership
            await wait_for(lambda: all(first.nodes[n].status == "active" for n in names))

    asyncio.run(scenario())


class PingingMonitor:
    """A health monitor that hears a ping node answer every 50 ms until stopped."""

    name = "ping"

    def __init__(self, host: str) -> None:
        self.host = host
        self.task: asyncio.Task[None] | None = None
        self.stopped = False

    async def start(self, report: Callable[[Observation], None]) -> None:
        async def answer() -> None:
            while True:
                report(Observation("ping", self.host, alive=True))
                await asyncio.sleep(0.05)

        self.task = asyncio.create_task(answer())

    async def stop(self) -> None:
        self.stopped = True
        if self.task is not None:
            self.task.cancel()


def test_a_ping_node_reported_alive_by_a_monitor_has_status_ping(tmp_path: Path) -> None:
    monitor = PingingMonitor("10.0.0.254")

    async def scenario() -> None:
        bus = MemoryBus()
        node_settings = NodeSettings(
            "linuxha1", ("linuxha1",), ("10.0.0.254",), TIMERS,
            NodePaths(tmp_path, tmp_path, tmp_path),
        )  # fmt: skip
        running = Running(
            Node(node_settings, keyring(), [bus.medium("linuxha1")], monitors=[monitor])
        )
        try:
            await wait_for(lambda: running.node.membership.nodes["10.0.0.254"].status == "ping")
            await wait_for(lambda: running.node.local_status == "active")
        finally:
            await running.stop()

    with capture_logs() as logs:
        asyncio.run(scenario())
    assert "Status update for node 10.0.0.254: status ping" in messages(logs)
    assert "Link 10.0.0.254:10.0.0.254 up." in messages(logs)
    assert monitor.stopped


class UnopenableMedium:
    """A path whose interface is gone: it cannot start."""

    name = "eth9"
    wire_format = "netstring"

    async def start(self, deliver: Callable[[bytes], None]) -> None:
        raise OSError(19, "No such device")

    async def send(self, packet: bytes) -> None:
        raise AssertionError("a medium that never started sends nothing")

    async def stop(self) -> None:
        raise AssertionError("a medium that never started is not stopped")

    def describe(self) -> str:
        return "unopenable eth9"


def test_a_medium_that_cannot_start_stops_the_others_and_the_node_never_runs(
    tmp_path: Path,
) -> None:
    bus = MemoryBus()
    working, broken = bus.medium("linuxha1"), UnopenableMedium()
    node_settings = settings("linuxha1", tmp_path, ("linuxha1", "linuxha2"))
    node = Node(node_settings, keyring(), [working, broken])

    async def scenario() -> MediumFailed:
        with pytest.raises(MediumFailed) as failed:
            await asyncio.wait_for(node.run(asyncio.Event()), 5)
        return failed.value

    with capture_logs() as logs:
        failure = asyncio.run(scenario())
    assert failure.medium is broken
    assert failure.error.strerror == "No such device"
    assert working.deliver is None  # started, then stopped again: no half-blind node
    assert bus.sent == []
    assert not node_settings.paths.generation_file.exists()
    assert not any(m.startswith("Heartbeat generation") for m in messages(logs))
