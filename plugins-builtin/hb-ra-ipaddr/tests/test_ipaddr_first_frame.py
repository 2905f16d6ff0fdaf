"""The announcement frames: built by scapy in a helper process, byte for byte what scapy builds
in this one; built in the node when the helper fails; and scapy never resident in the node once
warmed. The first gratuitous ARP leaves from the event loop the moment the address is added, on
a sending socket opened ahead; the schedule then sends the rest and not the first again. The
socket is faked here (the lab tests in test_ipaddr_agent.py send real frames)."""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import subprocess
import sys
import textwrap
from collections.abc import Iterator

import pytest
from hb_ra_ipaddr import announce
from hb_ra_ipaddr.announce import Schedule, first_frame_now
from scapy.compat import raw
from scapy.layers.inet6 import ICMPv6ND_NA, ICMPv6NDOptDstLLAddr, IPv6
from scapy.layers.l2 import ARP, Ether

ADDRESS = ipaddress.ip_address("10.91.9.9")
ADDRESS6 = ipaddress.ip_address("fd00:91::9")
MAC = "02:00:00:00:09:09"


class FakeSocket:
    def __init__(self) -> None:
        self.sent: list[bytes] = []

    def send(self, frame: bytes) -> int:
        self.sent.append(frame)
        return len(frame)


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


def scapy_frames(address: str, mac: str) -> list[list[bytes]]:
    """What hb sent before the helper: scapy's frames, built here."""
    if ipaddress.ip_address(address).version == 4:
        head = Ether(src=mac, dst="ff:ff:ff:ff:ff:ff")
        request = head / ARP(op=1, hwsrc=mac, psrc=address, hwdst="00:00:00:00:00:00", pdst=address)
        reply = head / ARP(op=2, hwsrc=mac, psrc=address, hwdst=mac, pdst=address)
        return [[raw(request)], [raw(reply)]]
    advertisement = (
        Ether(src=mac, dst="33:33:00:00:00:01")
        / IPv6(src=address, dst="ff02::1", hlim=255)
        / ICMPv6ND_NA(tgt=address, R=0, S=0, O=1)
        / ICMPv6NDOptDstLLAddr(lladdr=mac)
    )
    return [[raw(advertisement)]]


def test_the_helper_builds_the_frames_scapy_builds() -> None:
    pairs = [(ADDRESS, MAC), (ADDRESS6, MAC), (ADDRESS, "02:aa:bb:cc:dd:ee")]
    announce.prepare(pairs)
    for address, mac in pairs:
        assert announce.frames_of(address, mac) == scapy_frames(str(address), mac)


def test_a_failing_helper_is_logged_and_the_node_builds_the_frames(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    address = ipaddress.ip_address("10.91.9.10")
    monkeypatch.setattr(announce, "HELPER", (sys.executable, "-c", "raise SystemExit('broken')"))
    with caplog.at_level(logging.ERROR, "hb.ra.ipaddr"):
        announce.prepare([(address, MAC)])
    assert announce.frames_of(address, MAC) == scapy_frames(str(address), MAC)
    assert "exit status 1: broken; building them in the node with scapy" in caplog.text


@pytest.mark.parametrize(
    "answer",
    ["", "not json", "{}", "[1]", "[[1]]", '[["zz"]]', "[[], []]", '[[["0a"]], [["0b"]]]'],
)
def test_a_helper_answering_nonsense_is_an_error_and_the_node_builds_the_frames(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, answer: str
) -> None:
    address = ipaddress.ip_address("10.91.9.12")
    helper = (sys.executable, "-c", f"import sys; sys.stdin.read(); print({answer!r})")
    monkeypatch.setattr(announce, "HELPER", helper)
    monkeypatch.setattr(announce, "_frames", {})
    with caplog.at_level(logging.ERROR, "hb.ra.ipaddr"):
        announce.prepare([(address, MAC)])
    assert announce.frames_of(address, MAC) == scapy_frames(str(address), MAC)
    assert "building them in the node with scapy" in caplog.text


def test_the_warmed_node_has_its_frames_and_no_scapy() -> None:
    # A process of its own: this one imported scapy for the comparisons above.
    script = textwrap.dedent(
        """
        import asyncio, ipaddress, json, sys, threading
        from pathlib import Path
        import hb_ra_ipaddr
        from hb_hookspecs import ResourceContext, Settings
        from hb_ra_ipaddr import announce, warmup

        def built(address):
            return announce.frames_of(ipaddress.ip_address(address), announce.mac_of("lo"))

        async def main():
            context = ResourceContext(Settings("n1", Path("/etc/ha.d"), {}), {})
            hb_ra_ipaddr.hb_resolve_resource("IPaddr2::10.91.9.11/24/lo", context)
            await warmup.packets_ready()
            warm = [built("10.91.9.11") is not None, "lo" in announce._senders]
            # A reload brings another address: a thread of its own builds its frames.
            hb_ra_ipaddr.hb_resolve_resource("IPaddr2::fd00:91::11/64/lo", context)
            for thread in threading.enumerate():
                if thread.name == "hb-ra-ipaddr-frames":
                    thread.join()
            return [*warm, built("fd00:91::11") is not None, "scapy" in sys.modules]

        print(json.dumps(asyncio.run(main())))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert json.loads(done.stdout) == [True, True, True, False], done.stderr


def test_without_a_socket_opened_ahead_nothing_is_sent_at_once() -> None:
    announce.prepare([(ADDRESS, MAC)])
    assert first_frame_now("nosuch0", ADDRESS, MAC) is None


def test_without_frames_built_ahead_nothing_is_sent_at_once(sock: FakeSocket) -> None:
    assert first_frame_now("fake0", ipaddress.ip_address("10.91.9.12"), MAC) is None
    assert sock.sent == []


def test_the_first_frame_is_the_request_and_the_schedule_does_not_repeat_it(
    sock: FakeSocket,
) -> None:
    announce.prepare([(ADDRESS, MAC)])
    first = first_frame_now("fake0", ADDRESS, MAC)
    assert first is not None
    assert [arp_op(frame) for frame in sock.sent] == [1]
    assert sock.sent[0][28:32] == ADDRESS.packed  # sender address: the one that moved
    asyncio.run(announce.announce("fake0", ADDRESS, MAC, Schedule(2, 0.0), first))
    assert [arp_op(frame) for frame in sock.sent] == [1, 2, 1, 2]


def test_an_address_not_foreseen_gets_its_frames_when_announced(sock: FakeSocket) -> None:
    address = ipaddress.ip_address("10.91.9.13")
    asyncio.run(announce.announce("fake0", address, MAC, Schedule(1, 0.0)))
    assert sock.sent == [frame for group in scapy_frames(str(address), MAC) for frame in group]
