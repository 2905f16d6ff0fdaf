"""ipfail's decisions, message by message, with heartbeat's field order on the wire."""

from __future__ import annotations

import asyncio

from hbcore.decisions.ipfail import Ipfail
from hbcore.resources.holdings import Hold
from hbcore.wire import Message


class Harness:
    def __init__(self, visible: int, auto_failback: bool = False) -> None:
        self.sent: list[Message] = []
        self.standbys: list[Hold] = []
        self.visible = visible

        async def send(message: Message) -> None:
            self.sent.append(message)

        def standby(hold: Hold) -> str | None:
            self.standbys.append(hold)
            return None

        self.ipfail = Ipfail("linuxha1", 0.05, auto_failback, send, lambda: self.visible, standby)

    def kinds(self) -> list[str]:
        return [m.get("t") or "" for m in self.sent]


def peer_count(count: int) -> Message:
    return Message.of(("t", "num_ping_nodes"), ("src", "linuxha2"), ("num_ping", str(count)))


async def settle() -> None:
    await asyncio.sleep(0.2)


def test_join_then_count_in_heartbeats_field_order() -> None:
    async def scenario() -> Harness:
        harness = Harness(visible=1)
        harness.ipfail.comm_up(["linuxha2"])
        await settle()
        return harness

    harness = asyncio.run(scenario())
    join, count = harness.sent
    assert [f.name for f in join.fields] == [
        "t", "st", "from_id", "to_id", "src", "info", "client_gen",
    ]  # fmt: skip
    assert [f.name for f in count.fields] == [
        "t", "src", "num_ping", "dest", "from_id", "to_id", "client_gen",
    ]  # fmt: skip
    assert (count.get("num_ping"), count.get("dest")) == ("1", "linuxha2")


def test_fewer_ping_nodes_here_gives_everything_up_after_the_delay() -> None:
    async def scenario() -> Harness:
        harness = Harness(visible=0)
        harness.ipfail.message("num_ping_nodes", "linuxha2", peer_count(1))
        assert harness.standbys == []
        await settle()
        return harness

    assert asyncio.run(scenario()).standbys == [Hold.ALL]


def test_more_ping_nodes_here_tells_the_peer_it_is_dead() -> None:
    async def scenario() -> Harness:
        harness = Harness(visible=2)
        harness.ipfail.message("num_ping_nodes", "linuxha2", peer_count(1))
        await settle()
        return harness

    harness = asyncio.run(scenario())
    assert harness.kinds() == ["you_are_dead"] and harness.standbys == []


def test_equal_counts_abort_a_pending_giveup() -> None:
    async def scenario() -> Harness:
        harness = Harness(visible=1)
        harness.ipfail.message("you_are_dead", "linuxha2", Message.of(("t", "you_are_dead")))
        harness.ipfail.message("num_ping_nodes", "linuxha2", peer_count(1))
        await settle()
        return harness

    harness = asyncio.run(scenario())
    assert harness.kinds() == ["abort_giveup"] and harness.standbys == []


def test_equal_counts_with_auto_failback_give_back_foreign_groups() -> None:
    async def scenario() -> Harness:
        harness = Harness(visible=1, auto_failback=True)
        harness.ipfail.message("num_ping_nodes", "linuxha2", peer_count(1))
        await settle()
        return harness

    assert asyncio.run(scenario()).standbys == [Hold.FOREIGN]


def test_abort_giveup_cancels_and_own_messages_are_ignored() -> None:
    async def scenario() -> Harness:
        harness = Harness(visible=0)
        harness.ipfail.message("num_ping_nodes", "linuxha2", peer_count(1))
        harness.ipfail.message("abort_giveup", "linuxha2", Message.of(("t", "abort_giveup")))
        harness.ipfail.message("you_are_dead", "linuxha1", Message.of(("t", "you_are_dead")))
        await settle()
        return harness

    assert asyncio.run(scenario()).standbys == []
