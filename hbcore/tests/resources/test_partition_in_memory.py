"""A healed partition, to the end (behaviour.md §7): both sides ran everything, both give up
and ask to restart, and once restarted (new generations) the normal start-up negotiation
leaves exactly one owner for each group."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from hbcore.testing.cluster import World, wait_for
from nice_pair import HOME, NAMES, Pair, events, holding_words, nice_pair
from structlog.testing import capture_logs

ALL_ON_1 = dict.fromkeys(HOME, "linuxha1")


async def _partition_and_heal(pair: Pair) -> None:
    """Cut linuxha2 off until it runs linuxha1's group too, then reconnect it, and wait for
    both nodes to give everything up and stop to restart."""
    for name in NAMES:
        pair.start(name)
    await wait_for(pair.world.settled(HOME))
    await asyncio.sleep(0.7)  # past initdead
    pair.bus.cut.add("linuxha2")
    await wait_for(lambda: pair.world.owner("10.0.0.1") == {"linuxha1", "linuxha2"})
    pair.bus.cut.clear()
    await asyncio.wait_for(asyncio.gather(*(running.task for running in pair.nodes.values())), 10)
    assert all(running.node.restart_requested for running in pair.nodes.values())
    assert all(pair.world.owner(resource) == set() for resource in HOME)


@pytest.mark.parametrize(
    ("auto_failback", "second_restart_delay_s", "ends"),
    [(True, 0.0, HOME), (True, 1.0, HOME), (False, 1.0, ALL_ON_1)],
    ids=["on-together", "on-one-later", "off-one-later"],
)
def test_after_the_restart_each_group_has_exactly_one_owner(
    tmp_path: Path, auto_failback: bool, second_restart_delay_s: float, ends: dict[str, str]
) -> None:
    """Restarted together, each node takes its own groups. Restarted one after the other
    (past initdead), the first takes everything alone, and the second gets its own back only
    with ``auto_failback on``."""
    world = World()

    async def scenario() -> None:
        async with nice_pair(tmp_path, world, auto_failback) as pair:
            await _partition_and_heal(pair)
            world.conflicts.clear()  # the partition's own double ownership, seen above
            generations = {name: pair.nodes[name].node.generation for name in NAMES}
            pair.start("linuxha1")
            await asyncio.sleep(second_restart_delay_s)
            pair.start("linuxha2")
            await wait_for(world.settled(ends))
            await wait_for(pair.stable)
            await asyncio.sleep(0.5)  # nothing moves any more
            assert world.settled(ends)(), world.owners
            assert pair.holdings() == holding_words(ends)
            assert all(pair.nodes[name].node.generation > generations[name] for name in NAMES)

    with capture_logs() as logs:
        asyncio.run(scenario())
    said = events(logs)
    assert "Cluster node linuxha2 returning after partition." in said
    assert "Cluster node linuxha1 returning after partition." in said
    assert world.conflicts == []


def test_an_old_status_replayed_after_a_takeover_changes_nothing(tmp_path: Path) -> None:
    """A status captured before linuxha2 was killed, replayed at linuxha1 once it has taken
    everything over: from the dead node's own generation, it would pass for linuxha2 returning
    after a partition, and make linuxha1 give everything up and restart. It is stale."""
    world = World()

    async def scenario() -> Pair:
        async with nice_pair(tmp_path, world, auto_failback=True) as pair:
            for name in NAMES:
                pair.start(name)
            await wait_for(pair.world.settled(HOME))
            await asyncio.sleep(0.7)  # past initdead
            old = [p for p in pair.bus.sent if b"t=status" in p and b"src=linuxha2," in p]
            pair.nodes["linuxha2"].kill()
            world.owners["10.0.0.2"].discard("linuxha2")  # the machine died with it
            await wait_for(world.settled(ALL_ON_1))
            survivor = pair.nodes["linuxha1"].node
            for packet in (old[0], old[-1], old[-1]):
                survivor.packet_arrived("eth1", packet)
                await asyncio.sleep(0.1)
            await asyncio.sleep(2.5)  # past the 2 s a partition's restart waits
            assert world.settled(ALL_ON_1)()
            assert not survivor.restart_requested and not pair.nodes["linuxha1"].task.done()
            return pair

    with capture_logs() as logs:
        pair = asyncio.run(scenario())
    said = events(logs)
    assert "Cluster node linuxha2 returning after partition." not in said
    assert "Giving up all HA resources." not in said
    assert pair.nodes["linuxha1"].node.drops.by_node["linuxha2"]["stale"] == 3
    assert world.conflicts == []
