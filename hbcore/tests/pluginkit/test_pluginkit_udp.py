"""The UDP sockets the bcast, ucast and mcast plugins share: a flood cannot hold the loop (each
wake-up reads at most ``BATCH`` datagrams and timers run between two batches), a medium that
cannot open says why in its own words and keeps no socket, and a send never waits."""

from __future__ import annotations

import asyncio
import os
import select
import socket
from collections.abc import Callable, Iterator

import pytest
from hbcore.pluginkit.udp import BATCH, UdpSockets, batch_reader
from hbcore.testing.media import free_udp_port
from hypothesis import given
from hypothesis import strategies as st


@pytest.fixture()
def pair() -> Iterator[tuple[socket.socket, socket.socket]]:
    """A non-blocking receive socket and its sender (a datagram socketpair: no queue limit)."""
    inbox, sender = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
    inbox.setblocking(False)
    sender.settimeout(5)
    with inbox, sender:
        yield inbox, sender


def open_descriptors() -> int:
    return len(os.listdir("/proc/self/fd"))


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


# -- the reader ----------------------------------------------------------------------------------


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


@given(st.lists(st.binary(max_size=512), max_size=3 * BATCH + 1))
def test_any_datagrams_arrive_whole_and_in_order_a_batch_per_wake_up(
    datagrams: list[bytes],
) -> None:
    inbox, sender = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
    with inbox, sender:
        inbox.setblocking(False)
        sender.settimeout(5)
        for datagram in datagrams:
            sender.send(datagram)
        delivered: list[bytes] = []
        readable = batch_reader(inbox, delivered.append)
        sizes = []
        for _ in range(len(datagrams) // BATCH + 2):
            before = len(delivered)
            readable()
            sizes.append(len(delivered) - before)

    assert delivered == datagrams
    full, rest = divmod(len(datagrams), BATCH)
    assert sizes == [BATCH] * full + [rest] + [0] * (len(sizes) - full - 1)


def test_a_pending_socket_error_ends_the_batch_and_the_next_wake_up_reads_on() -> None:
    port = free_udp_port()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as inbox:
        inbox.bind(("127.0.0.1", 0))
        inbox.connect(("127.0.0.1", port))
        inbox.setblocking(False)
        inbox.send(b"to a closed port")  # answered by ICMP port unreachable
        assert select.select([inbox], [], [], 5)[0]
        delivered: list[bytes] = []
        readable = batch_reader(inbox, delivered.append)

        readable()  # ConnectionRefusedError: consumed, not raised
        assert delivered == []
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as peer:
            peer.bind(("127.0.0.1", port))
            peer.sendto(b"heard", inbox.getsockname())
        readable()
        assert delivered == [b"heard"]


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


# -- the sockets of a medium ---------------------------------------------------------------------


def test_open_sockets_on_an_interface_hear_a_flood_in_order_in_batches() -> None:
    port = free_udp_port()
    sockets = UdpSockets("lo", "cannot bind to interface lo")
    count = 2 * BATCH + 5

    async def scenario() -> tuple[list[str], list[bytes]]:
        packets: list[bytes] = []
        handlers: list[Callable[[bytes], None]] = []

        def deliver(packet: bytes) -> None:
            packets.append(packet)
            handlers[0](packet)

        sockets.open_sender()
        sockets.listen(("", port), deliver, "cannot listen")
        try:
            for number in range(count):
                sockets.send(b"%d" % number, ("127.0.0.1", port))  # all queued before any read
            return await deliver_while_ticking(handlers.append, count), packets
        finally:
            sockets.close()

    events, packets = asyncio.run(scenario())

    assert packets == [b"%d" % number for number in range(count)]
    assert longest_run_of_packets(events) <= BATCH


def test_a_taken_port_is_refused_in_the_mediums_words_and_no_socket_stays_open() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as holder:
        holder.bind(("", 0))  # no SO_REUSEADDR: nobody may share it
        port = holder.getsockname()[1]
        sockets = UdpSockets("lo", "cannot bind to interface lo")

        async def scenario() -> tuple[int, int, str]:
            before = open_descriptors()
            with pytest.raises(OSError) as refused, sockets.closed_on_error():
                sockets.open_sender()
                sockets.listen(
                    ("", port), lambda packet: None, f"bcast lo: cannot listen on {port}"
                )
            return before, open_descriptors(), str(refused.value)

        before, after, message = asyncio.run(scenario())

    assert message == f"[Errno 98] bcast lo: cannot listen on {port}: Address already in use"
    assert after == before


def test_an_interface_the_kernel_refuses_is_named_in_the_mediums_words() -> None:
    sockets = UdpSockets("hbnosuch0", "ucast: interface [hbnosuch0] cannot be used")
    before = open_descriptors()

    with pytest.raises(OSError) as refused:
        sockets.open_sender()

    assert refused.value.strerror == "ucast: interface [hbnosuch0] cannot be used: No such device"
    assert open_descriptors() == before


def test_a_send_error_other_than_a_full_buffer_reaches_the_node_which_logs_it() -> None:
    sockets = UdpSockets()
    sockets.open_sender()
    try:
        with pytest.raises(PermissionError):  # a broadcast without SO_BROADCAST
            sockets.send(b"beat", ("255.255.255.255", free_udp_port()))
    finally:
        sockets.close()


def test_before_opening_and_after_closing_a_send_does_nothing_and_close_is_idempotent() -> None:
    port = free_udp_port()
    sockets = UdpSockets()
    sockets.send(b"before", ("127.0.0.1", port))
    sockets.close()

    async def scenario() -> None:
        sockets.open_sender()
        sockets.listen(("127.0.0.1", port), lambda packet: None, "cannot listen")
        sockets.close()
        sockets.close()

    asyncio.run(scenario())
    sockets.send(b"after", ("127.0.0.1", port))
