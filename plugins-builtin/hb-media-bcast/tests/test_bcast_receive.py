"""A flood on the bcast socket cannot hold the loop: each wake-up reads at most ``BATCH``
datagrams, and timers run between two batches."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable, Iterator

import pytest
from hb_media_bcast import bcast
from hb_media_bcast.bcast import BATCH, BcastMedium, batch_reader


@pytest.fixture()
def pair() -> Iterator[tuple[socket.socket, socket.socket]]:
    """A non-blocking receive socket and its sender (a datagram socketpair: no queue limit)."""
    inbox, sender = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
    inbox.setblocking(False)
    sender.settimeout(5)
    with inbox, sender:
        yield inbox, sender


def longest_run_of_packets(events: list[str]) -> int:
    """The most packets delivered with no timer callback in between."""
    return max(len(run) for run in "".join(events).split("t"))


async def deliver_while_ticking(
    register: Callable[[Callable[[bytes], None]], object], expected: int
) -> list[str]:
    """``p`` per packet delivered and ``t`` per turn of a callback that re-arms itself on every
    loop iteration (as the node's timers come due), until ``expected`` packets arrived."""
    loop = asyncio.get_running_loop()
    events: list[str] = []
    arrived = loop.create_future()

    def deliver(packet: bytes) -> None:
        events.append("p")
        if events.count("p") == expected and not arrived.done():
            arrived.set_result(None)

    def tick() -> None:
        events.append("t")
        if not arrived.done():
            loop.call_soon(tick)

    register(deliver)
    loop.call_soon(tick)
    await asyncio.wait_for(arrived, 10)
    return events


def test_one_wake_up_reads_at_most_a_batch_and_leaves_the_rest_queued(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    inbox, sender = pair
    for number in range(BATCH + 5):
        sender.send(b"%d" % number)
    delivered: list[bytes] = []
    readable = batch_reader(inbox, delivered.append)

    readable()
    assert delivered == [b"%d" % number for number in range(BATCH)]
    readable()
    assert delivered[BATCH:] == [b"%d" % number for number in range(BATCH, BATCH + 5)]
    readable()  # empty: returns at once
    assert len(delivered) == BATCH + 5


def test_timers_run_between_two_batches_of_a_backlog(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    inbox, sender = pair
    for _ in range(2 * BATCH + 5):
        sender.send(b"flood")

    async def scenario() -> list[str]:
        loop = asyncio.get_running_loop()

        def register(deliver: Callable[[bytes], None]) -> None:
            loop.add_reader(inbox.fileno(), batch_reader(inbox, deliver))

        try:
            return await deliver_while_ticking(register, 2 * BATCH + 5)
        finally:
            loop.remove_reader(inbox.fileno())

    events = asyncio.run(scenario())

    assert events.count("p") == 2 * BATCH + 5
    assert longest_run_of_packets(events) == BATCH


def test_a_started_medium_reads_a_flood_in_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    # lo has no broadcast address: the medium sends to 127.0.0.1, which its socket hears.
    monkeypatch.setattr(bcast, "broadcast_address", lambda interface: "127.0.0.1")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    medium = BcastMedium("lo", port)
    count = 2 * BATCH + 5

    async def scenario() -> list[str]:
        packets: list[Callable[[bytes], None]] = []
        await medium.start(lambda packet: packets[0](packet))
        try:
            for _ in range(count):
                await medium.send(b"flood")  # never suspends: all queued before any read

            def register(deliver: Callable[[bytes], None]) -> None:
                packets.append(deliver)

            return await deliver_while_ticking(register, count)
        finally:
            await medium.stop()

    events = asyncio.run(scenario())

    assert events.count("p") == count
    assert longest_run_of_packets(events) <= BATCH
