"""The first gratuitous ARP leaves from the event loop the moment the address is added, on a
sending socket opened ahead, with a frame scapy built; the schedule then sends the rest and not
the first again. The socket is faked here (the lab tests in test_ipaddr_agent.py send real
frames)."""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Iterator
from typing import Any

import pytest
from hb_ra_ipaddr import announce
from hb_ra_ipaddr.announce import Schedule, first_frame_now
from scapy.compat import raw

ADDRESS = ipaddress.ip_address("10.91.9.9")
MAC = "02:00:00:00:09:09"


class FakeSocket:
    def __init__(self) -> None:
        self.sent: list[bytes] = []

    def send(self, frame: Any) -> int:
        self.sent.append(raw(frame))
        return len(self.sent[-1])


@pytest.fixture
def sock() -> Iterator[FakeSocket]:
    fake = FakeSocket()
    announce._senders["fake0"] = fake  # type: ignore[assignment]
    try:
        yield fake
    finally:
        del announce._senders["fake0"]


def arp_op(frame: bytes) -> int:
    return int.from_bytes(frame[20:22], "big")


def test_warming_builds_every_kind_of_frame() -> None:
    announce.warm()


def test_without_a_socket_opened_ahead_nothing_is_sent_at_once() -> None:
    assert first_frame_now("nosuch0", ADDRESS, MAC) is None


def test_the_first_frame_is_the_request_and_the_schedule_does_not_repeat_it(
    sock: FakeSocket,
) -> None:
    first = first_frame_now("fake0", ADDRESS, MAC)
    assert first is not None
    assert [arp_op(frame) for frame in sock.sent] == [1]
    assert sock.sent[0][28:32] == ADDRESS.packed  # sender address: the one that moved
    asyncio.run(announce.announce("fake0", ADDRESS, MAC, Schedule(2, 0.0), first))
    assert [arp_op(frame) for frame in sock.sent] == [1, 2, 1, 2]
