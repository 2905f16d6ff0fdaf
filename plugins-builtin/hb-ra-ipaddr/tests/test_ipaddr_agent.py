"""The agents against a real kernel: node namespace A joined to peer namespace B by two veth
pairs (eth0: 10.91.1.0/24 and fd91:1::/64, eth1: 10.91.2.0/24 plus a wider 10.91.0.0/16).
Each agent runs inside A (``ipaddr_driver.py``); B listens with a raw socket stamped by the
kernel, so the gratuitous ARPs are counted and timed as the segment sees them.
"""

from __future__ import annotations

import contextlib
import ctypes
import itertools
import json
import os
import re
import socket
import struct
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

pytestmark = [
    pytest.mark.netns,
    pytest.mark.skipif(
        os.geteuid() != 0, reason="needs root to create network namespaces and veth pairs"
    ),
]

DRIVER = Path(__file__).with_name("ipaddr_driver.py")
PREFIX = "hbra"
CLONE_NEWNET = 0x40000000
ETH_P_ALL = 0x0003
SO_TIMESTAMPNS = 35
_libc = ctypes.CDLL(None, use_errno=True)


def ip(*args: str, check: bool = True) -> str:
    run = subprocess.run(["ip", *args], capture_output=True, text=True, check=False, timeout=10)
    if check and run.returncode != 0:
        raise AssertionError(f"ip {' '.join(args)}: {run.stderr.strip()}")
    return run.stdout


def _remove_stale_namespaces() -> None:
    """Namespaces of ours left by an earlier run whose process is gone."""
    for line in ip("netns", "list").splitlines():
        name = line.split()[0] if line.split() else ""
        found = re.fullmatch(rf"{PREFIX}(\d+)[ab]", name)
        if found and not Path(f"/proc/{found.group(1)}").exists():
            ip("netns", "delete", name, check=False)


@dataclass(frozen=True)
class Pair:
    node: str
    peer: str

    def drive(self, token: str, *steps: Any) -> list[dict[str, Any]]:
        return self.drive_logged(token, *steps)[0]

    def drive_logged(self, token: str, *steps: Any) -> tuple[list[dict[str, Any]], list[str]]:
        """The results of ``steps`` and the agent's log lines (``LEVEL: message``)."""
        run = subprocess.run(
            [
                "ip",
                "netns",
                "exec",
                self.node,
                sys.executable,
                str(DRIVER),
                token,
                json.dumps(list(steps)),
            ],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        assert run.returncode == 0, run.stderr
        return list(json.loads(run.stdout)), run.stderr.splitlines()

    def addresses(self, interface: str) -> list[dict[str, Any]]:
        shown = json.loads(ip("-n", self.node, "-j", "addr", "show", "dev", interface))
        return list(shown[0]["addr_info"])

    def address(self, interface: str, local: str) -> dict[str, Any] | None:
        return next((a for a in self.addresses(interface) if a["local"] == local), None)


@pytest.fixture(scope="module")
def pair() -> Iterator[Pair]:
    _remove_stale_namespaces()
    pair = Pair(f"{PREFIX}{os.getpid()}a", f"{PREFIX}{os.getpid()}b")
    try:
        for name in (pair.node, pair.peer):
            ip("netns", "add", name)
            ip("-n", name, "link", "set", "lo", "up")
        for link in ("eth0", "eth1"):
            ip("-n", pair.node, "link", "add", link, "type", "veth", "peer", "name", f"p{link}")
            ip("-n", pair.node, "link", "set", f"p{link}", "netns", pair.peer)
            ip("-n", pair.peer, "link", "set", f"p{link}", "name", link)
            for name in (pair.node, pair.peer):
                ip("-n", name, "link", "set", link, "up")
        a, b = pair.node, pair.peer
        ip("-n", a, "addr", "add", "10.91.1.1/24", "dev", "eth0")
        ip("-n", a, "-6", "addr", "add", "fd91:1::1/64", "dev", "eth0", "nodad")
        ip("-n", a, "addr", "add", "10.91.2.1/24", "dev", "eth1")
        ip("-n", a, "route", "add", "10.91.0.0/16", "dev", "eth1", "metric", "5")
        ip("-n", a, "route", "add", "default", "via", "10.91.1.254")
        ip("-n", b, "addr", "add", "10.91.1.2/24", "dev", "eth0")
        ip("-n", b, "-6", "addr", "add", "fd91:1::2/64", "dev", "eth0", "nodad")
        ip("-n", b, "addr", "add", "10.91.2.2/24", "dev", "eth1")
        yield pair
    finally:
        for name in (pair.node, pair.peer):
            ip("netns", "delete", name, check=False)


@dataclass(frozen=True)
class Frame:
    stamp_ns: int
    data: bytes

    @property
    def ethertype(self) -> int:
        return int.from_bytes(self.data[12:14], "big")

    def arp(self) -> tuple[int, str, str, str] | None:
        """(op, sender MAC, sender IP, target IP) of an ARP frame."""
        if self.ethertype != 0x0806:
            return None
        op, sha, spa, tha, tpa = struct.unpack("!6xH6s4s6s4s", self.data[14:42])
        del tha
        return op, sha.hex(":"), socket.inet_ntoa(spa), socket.inet_ntoa(tpa)

    def neighbour_advertisement(self) -> tuple[str, int] | None:
        """(target, flags byte) of an ICMPv6 neighbour advertisement."""
        if self.ethertype != 0x86DD or self.data[20] != 58 or self.data[54] != 136:
            return None
        return socket.inet_ntop(socket.AF_INET6, self.data[62:78]), self.data[58]


class Sniffer:
    """Every frame arriving on one interface of a namespace, with the kernel's receive time."""

    def __init__(self, netns: str, interface: str) -> None:
        self.frames: list[Frame] = []
        self._sock = _socket_in_netns(netns)
        self._sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        self._sock.bind((interface, ETH_P_ALL))
        self._sock.settimeout(0.1)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._receive)
        self._thread.start()

    def _receive(self) -> None:
        while not self._stop.is_set():
            try:
                data, ancillary, _, _ = self._sock.recvmsg(2048, 64)
            except TimeoutError:
                continue
            stamp = next(
                (s, ns)
                for level, kind, raw in ancillary
                if (level, kind) == (socket.SOL_SOCKET, SO_TIMESTAMPNS)
                for s, ns in [struct.unpack("qq", raw[:16])]
            )
            self.frames.append(Frame(stamp[0] * 1_000_000_000 + stamp[1], data))

    def close(self) -> list[Frame]:
        self._stop.set()
        self._thread.join()
        self._sock.close()
        return self.frames


@contextlib.contextmanager
def sniffing(netns: str, interface: str) -> Iterator[Sniffer]:
    sniffer = Sniffer(netns, interface)
    try:
        yield sniffer
    finally:
        sniffer.close()


def _socket_in_netns(netns: str) -> socket.socket:
    """A packet socket created in ``netns`` (setns is per thread; the socket keeps it)."""
    made: dict[str, Any] = {}

    def work() -> None:
        fd = os.open(f"/run/netns/{netns}", os.O_RDONLY)
        try:
            if _libc.setns(fd, CLONE_NEWNET) != 0:
                raise OSError(ctypes.get_errno(), "setns")
            made["socket"] = socket.socket(
                socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL)
            )
        except OSError as error:
            made["error"] = error
        finally:
            os.close(fd)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    if "error" in made:
        raise made["error"]
    return made["socket"]


def _arps(frames: list[Frame], address: str) -> list[tuple[int, tuple[int, str, str, str]]]:
    found = []
    for frame in frames:
        arp = frame.arp()
        if arp is not None and arp[2] == address:
            found.append((frame.stamp_ns, arp))
    return found


def _gaps_ms(stamps: list[int]) -> list[float]:
    return [(later - earlier) / 1e6 for earlier, later in itertools.pairwise(stamps)]


def _mac(pair: Pair, interface: str) -> str:
    return str(json.loads(ip("-n", pair.node, "-j", "link", "show", interface))[0]["address"])


def test_ipaddr_shorthand_lands_on_the_subnet_interface_and_sends_ten_garps(pair: Pair) -> None:
    with sniffing(pair.peer, "eth0") as sniffer:
        results = pair.drive("10.91.1.50", "status", "start", "status", "describe")
    frames = sniffer.frames
    try:
        assert [r.get("result") for r in results] == [
            False,
            None,
            True,
            "IPaddr 10.91.1.50/24 on eth0:0 broadcast 10.91.1.255",
        ]
        held = pair.address("eth0", "10.91.1.50")
        assert held is not None
        assert (held["prefixlen"], held["broadcast"], held["label"]) == (
            24,
            "10.91.1.255",
            "eth0:0",
        )
        arps = _arps(frames, "10.91.1.50")
        mac = _mac(pair, "eth0")
        # heartbeat's send_arp: request then reply, half an interval apart, ten rounds.
        assert [arp[0] for _, arp in arps] == [1, 2] * 10
        assert all(arp[1] == mac and arp[3] == "10.91.1.50" for _, arp in arps)
        requests = [stamp for stamp, arp in arps if arp[0] == 1]
        assert all(abs(gap - 500) < 60 for gap in _gaps_ms(requests)), _gaps_ms(requests)
        started = results[1]
        latency_ms = (arps[0][0] - started["after"]) / 1e6
        took_ms = (started["after"] - started["before"]) / 1e6
        print(
            f"first ARP {latency_ms:.2f} ms after start returned (start took {took_ms:.2f} ms; "
            "a process 0.1 s old, its imports still warming)"
        )
        assert latency_ms < 500
    finally:
        pair.drive("10.91.1.50", "stop")
    assert pair.address("eth0", "10.91.1.50") is None


def test_first_garp_leaves_within_milliseconds_once_imports_are_warm(pair: Pair) -> None:
    with sniffing(pair.peer, "eth0") as sniffer:
        results = pair.drive(
            "IPaddr2::10.91.1.51/24/eth0", {"sleep": 1.0}, "start", {"sleep": 0.5}, "stop"
        )
    arps = _arps(sniffer.frames, "10.91.1.51")
    latency_ms = (arps[0][0] - results[1]["after"]) / 1e6
    print(f"first ARP {latency_ms:.2f} ms after start returned (imports warmed for 1 s)")
    assert latency_ms < 10


def test_ipaddr2_with_everything_given_and_its_five_garps(pair: Pair) -> None:
    with sniffing(pair.peer, "eth1") as sniffer:
        results = pair.drive("IPaddr2::10.91.3.7/24/eth1:web", "start", "describe")
    try:
        assert results[1]["result"] == "IPaddr2 10.91.3.7/24 on eth1:web broadcast 10.91.3.255"
        held = pair.address("eth1", "10.91.3.7")
        assert held is not None
        assert (held["prefixlen"], held["broadcast"], held["label"]) == (
            24,
            "10.91.3.255",
            "eth1:web",
        )
        arps = _arps(sniffer.frames, "10.91.3.7")
        assert [arp[0] for _, arp in arps] == [1, 2] * 5
        stamps = [stamp for stamp, _ in arps]
        assert all(abs(gap - 100) < 40 for gap in _gaps_ms(stamps)), _gaps_ms(stamps)
    finally:
        pair.drive("IPaddr2::10.91.3.7/24/eth1:web", "stop")


def test_an_address_only_the_wide_route_covers_takes_its_interface_and_netmask(
    pair: Pair,
) -> None:
    results = pair.drive("10.91.7.7", "start", "describe", "stop", "status")
    assert results[1]["result"] == "IPaddr 10.91.7.7/16 on eth1:0 broadcast 10.91.255.255"
    assert results[3]["result"] is False


def test_ipaddr_labels_count_up_past_those_in_use(pair: Pair) -> None:
    ip("-n", pair.node, "addr", "add", "10.91.1.90/24", "dev", "eth0", "label", "eth0:0")
    try:
        results = pair.drive("10.91.1.91", "start", "describe", "stop")
        assert results[1]["result"] == "IPaddr 10.91.1.91/24 on eth0:1 broadcast 10.91.1.255"
    finally:
        ip("-n", pair.node, "addr", "del", "10.91.1.90/24", "dev", "eth0")


def test_start_and_stop_twice_are_harmless(pair: Pair) -> None:
    token = "IPaddr2::10.91.1.60/24/eth0"
    results = pair.drive(token, "start", "start", "status", "stop", "stop", "status")
    assert [(r.get("result"), r.get("error")) for r in results] == [
        (None, None),
        (None, None),
        (True, None),
        (None, None),
        (None, None),
        (False, None),
    ]
    assert pair.address("eth0", "10.91.1.60") is None


def test_an_address_already_up_is_reported_running_and_stop_removes_it(pair: Pair) -> None:
    ip("-n", pair.node, "addr", "add", "10.91.1.70/24", "dev", "eth0")
    try:
        with sniffing(pair.peer, "eth0") as sniffer:
            results = pair.drive("10.91.1.70", "status", "start")
        assert [r.get("result") for r in results] == [True, None]
        assert _arps(sniffer.frames, "10.91.1.70") == []  # start was a no-op, as IPaddr2's
        pair.drive("10.91.1.70", "stop")
        assert pair.address("eth0", "10.91.1.70") is None
    finally:
        ip("-n", pair.node, "addr", "del", "10.91.1.70/24", "dev", "eth0", check=False)


def test_an_address_found_up_is_announced_when_its_group_is_acquired(pair: Pair) -> None:
    """The executor skips start for a running resource: the acquisition announces it."""
    ip("-n", pair.node, "addr", "add", "10.91.1.71/24", "dev", "eth0")
    try:
        with sniffing(pair.peer, "eth0") as sniffer:
            results = pair.drive("IPaddr2::10.91.1.71/24/eth0", "status", "acquired")
        assert results[0]["result"] is True
        arps = _arps(sniffer.frames, "10.91.1.71")
        assert [arp[0] for _, arp in arps] == [1, 2] * 5
        assert {arp[1] for _, arp in arps} == {_mac(pair, "eth0")}
    finally:
        ip("-n", pair.node, "addr", "del", "10.91.1.71/24", "dev", "eth0", check=False)


def test_an_address_its_start_announced_is_not_announced_again_at_acquisition(pair: Pair) -> None:
    token = "IPaddr2::10.91.1.72/24/eth0"
    with sniffing(pair.peer, "eth0") as sniffer:
        pair.drive(token, "start", "acquired", {"sleep": 1.2}, "acquired")
    try:
        # The second acquisition (a later failback, start skipped) announces again.
        assert [arp[0] for _, arp in _arps(sniffer.frames, "10.91.1.72")] == [1, 2] * 10
    finally:
        pair.drive(token, "stop")


def test_acquisition_announces_nothing_for_an_address_that_is_not_up(pair: Pair) -> None:
    with sniffing(pair.peer, "eth0") as sniffer:
        pair.drive("IPaddr2::10.91.1.73/24/eth0", "acquired")
    assert _arps(sniffer.frames, "10.91.1.73") == []


def test_stop_cancels_the_announcement_of_an_address_found_up(pair: Pair) -> None:
    ip("-n", pair.node, "addr", "add", "10.91.1.75/24", "dev", "eth0")
    try:
        with sniffing(pair.peer, "eth0") as sniffer:
            # Long enough for the first frames of a process 0.1 s old, well short of the 1 s
            # the five rounds take.
            results = pair.drive("IPaddr2::10.91.1.75/24/eth0", "acquired", {"sleep": 0.5}, "stop")
        arps = _arps(sniffer.frames, "10.91.1.75")
        assert 0 < len(arps) < 10
        assert all(stamp < results[2]["after"] for stamp, _ in arps)
        assert pair.address("eth0", "10.91.1.75") is None
    finally:
        ip("-n", pair.node, "addr", "del", "10.91.1.75/24", "dev", "eth0", check=False)


def test_status_is_false_when_the_address_is_on_another_interface(pair: Pair) -> None:
    ip("-n", pair.node, "addr", "add", "10.91.1.80/24", "dev", "eth1")
    try:
        assert pair.drive("IPaddr2::10.91.1.80/24/eth0", "status")[0]["result"] is False
        assert pair.drive("10.91.1.80", "status")[0]["result"] is True
    finally:
        ip("-n", pair.node, "addr", "del", "10.91.1.80/24", "dev", "eth1")


@pytest.mark.parametrize(
    ("token", "error"),
    [
        ("10.200.0.1", "no connected route contains 10.200.0.1"),
        ("IPaddr2::10.91.1.99/24/eth9", "there is no interface eth9"),
        ("IPaddr2::fd99::1", "no connected route contains fd99::1"),
    ],
)
def test_start_fails_with_a_reason_when_the_address_has_nowhere_to_go(
    pair: Pair, token: str, error: str
) -> None:
    [result] = pair.drive(token, "start")
    assert error in result["error"]


def test_ipv6_is_added_without_dad_and_announced_with_override(pair: Pair) -> None:
    token = "IPaddr2::fd91:1::50"
    with sniffing(pair.peer, "eth0") as sniffer:
        results = pair.drive(token, "start", "status", "describe")
    try:
        assert results[2]["result"] == "IPaddr2 fd91:1::50/64 on eth0"
        held = pair.address("eth0", "fd91:1::50")
        assert held is not None and held["prefixlen"] == 64
        assert not held.get("tentative") and not held.get("dadfailed")
        adverts = [
            (frame.stamp_ns, advert)
            for frame in sniffer.frames
            if (advert := frame.neighbour_advertisement()) is not None and advert[0] == "fd91:1::50"
        ]
        assert len(adverts) == 5
        assert all(flags & 0x20 for _, (_, flags) in adverts)  # O: override cached MACs
        assert all(abs(gap - 200) < 60 for gap in _gaps_ms([s for s, _ in adverts]))
    finally:
        results = pair.drive(token, "stop", "status")
    assert results[1]["result"] is False
    assert pair.address("eth0", "fd91:1::50") is None


def test_start_and_stop_log_heartbeats_running_line(pair: Pair) -> None:
    """ResourceManager's ``Running PATH ARGS start|stop``, with the wrapper heartbeat ran."""
    _, logged = pair.drive_logged("10.91.1.40/24/eth0", "start", "stop")
    running = [line for line in logged if "Running" in line]
    assert running == [
        "INFO: Running /etc/ha.d/resource.d/IPaddr 10.91.1.40/24/eth0 start",
        "INFO: Running /etc/ha.d/resource.d/IPaddr 10.91.1.40/24/eth0 stop",
    ]
    _, logged = pair.drive_logged("IPaddr2::10.91.1.99/24/eth9", "start")
    assert logged[0] == "INFO: Running /etc/ha.d/resource.d/IPaddr2 10.91.1.99/24/eth9 start"
    assert "ERROR: IPaddr2 10.91.1.99/24 on eth9: there is no interface eth9" in logged
