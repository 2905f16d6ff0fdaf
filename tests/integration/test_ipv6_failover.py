"""An IPv6 cluster address fails over in the lab as the IPv4 one does.

The public network eth0 gets the ULA prefix fd00:77::/64 besides its IPv4 subnet (node N is
fd00:77::N, the client fd00:77::fe, all without duplicate address detection); linuxha1 is the
preferred node of ``IPv6addr::fd00:77::100/64/eth0``. The client reaches the address at
linuxha1; linuxha1 dies like a machine (every process SIGKILLed, both its cables pulled);
linuxha2 takes the address over, added without DAD so that it is usable at once, and sends
unsolicited neighbour advertisements with the override flag: the client's neighbour entry moves
to linuxha2's MAC without the client asking, and the client reaches the address again.
"""

from __future__ import annotations

import json
import os
import socket
import struct
import time
from collections.abc import Callable
from contextlib import closing
from typing import Any

import pytest
from hb_lab.lab import (
    Bcast,
    Client,
    ClusterConfig,
    HbCommand,
    Lab,
    LabSpec,
    Node,
    Timers,
    socket_in_netns,
)
from hbcore.node.daemon import STARTUP_BONUS_S

pytestmark = [
    pytest.mark.netns,
    pytest.mark.skipif(os.geteuid() != 0, reason="network namespaces need root"),
]

HB_START = HbCommand()
PREFIX = "fd00:77::"
ADDRESS = f"{PREFIX}100"
CONFIG = ClusterConfig(
    media=(Bcast(("eth1",)),),
    timers=Timers(keepalive=0.1, deadtime=1.0, initdead=2.0),
    resources=(f"linuxha1 IPv6addr::{ADDRESS}/64/eth0",),
    auto_failback="on",
)
START_TIMEOUT_S = 30.0
"""A cold start waits up to ~10 s for a stable peer before taking its groups."""
ETH_P_IPV6 = 0x86DD
ECHO_REQUEST, ECHO_REPLY = 128, 129
NEIGHBOUR_ADVERTISEMENT = 136
OVERRIDE = 0x20


def add_ula(lab: Lab) -> None:
    """fd00:77::N on every node's eth0 and fd00:77::fe on the client's, usable at once."""
    for index, node in enumerate(lab.nodes, start=1):
        node.run(["ip", "-6", "addr", "add", f"{PREFIX}{index}/64", "dev", "eth0", "nodad"])
    assert lab.client is not None
    lab.client.run(["ip", "-6", "addr", "add", f"{PREFIX}fe/64", "dev", "eth0", "nodad"])


def address_entry(node: Node) -> dict[str, Any] | None:
    """The address as ``ip -j addr`` shows it on ``node``'s eth0 (its flags too), or None."""
    (link,) = json.loads(node.run(["ip", "-6", "-j", "addr", "show", "dev", "eth0"]).stdout)
    return next((entry for entry in link["addr_info"] if entry["local"] == ADDRESS), None)


def holds(node: Node) -> bool:
    return address_entry(node) is not None


def assert_usable_at_once(node: Node) -> None:
    """Added without duplicate address detection: never tentative, so usable at once."""
    entry = address_entry(node)
    assert entry is not None
    assert entry.get("nodad") and not entry.get("tentative"), entry


def mac_of(node: Node) -> str:
    (link,) = json.loads(node.run(["ip", "-j", "link", "show", "dev", "eth0"]).stdout)
    address: str = link["address"]
    return address


def client_neighbour(client: Client) -> str | None:
    """The MAC the client's neighbour table gives the address, if any."""
    entries = json.loads(
        client.run(["ip", "-6", "-j", "neigh", "show", ADDRESS, "dev", "eth0"]).stdout
    )
    return next((str(entry["lladdr"]) for entry in entries if "lladdr" in entry), None)


def answers_echo(client: Client, timeout: float = 2.0) -> bool:
    """An ICMPv6 echo from the client to the address gets its reply within ``timeout`` (a raw
    socket: the kernel fills in the checksum; no ping binary and its options needed)."""
    ident = os.getpid() & 0xFFFF
    with closing(
        socket_in_netns(client.netns, socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
    ) as sock:
        sock.settimeout(timeout)
        sock.sendto(struct.pack("!BBHHH", ECHO_REQUEST, 0, 0, ident, 1) + b"hb-lab", (ADDRESS, 0))
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            sock.settimeout(left)
            try:
                reply, source = sock.recvfrom(2048)
            except TimeoutError:
                return False
            if source[0] == ADDRESS and reply[0] == ECHO_REPLY and reply[4:6] == ident.to_bytes(2):
                return True
    return False


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> float:
    """Poll ``condition`` every 20 ms; the time it first held, or AssertionError."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not reached within {timeout} s: {what}")
        time.sleep(0.02)
    return time.monotonic()


class AdvertisementCapture:
    """The neighbour advertisements for the address arriving on the client's eth0."""

    def __init__(self, client: Client) -> None:
        self._sock = socket_in_netns(
            client.netns, socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(ETH_P_IPV6)
        )
        self._sock.bind(("eth0", ETH_P_IPV6))
        self._sock.setblocking(False)
        self._target = socket.inet_pton(socket.AF_INET6, ADDRESS)

    def wait_for(self, mac: str, timeout: float) -> None:
        """Wait for an advertisement from ``mac`` with the override flag and ``mac`` as its
        target link-layer address; AssertionError with what came instead."""
        deadline = time.monotonic() + timeout
        seen: list[tuple[str, int, str]] = []
        while (mac, OVERRIDE, mac) not in seen:
            if time.monotonic() > deadline:
                raise AssertionError(f"no advertisement from {mac} within {timeout} s: {seen}")
            seen += self._read()
            time.sleep(0.02)

    def _read(self) -> list[tuple[str, int, str]]:
        """(source MAC, override flag, target link-layer option) of each advertisement."""
        found = []
        while True:
            try:
                packet, source = self._sock.recvfrom(2048)
            except BlockingIOError:
                return found
            icmp = packet[40:]
            if packet[6] != socket.IPPROTO_ICMPV6 or len(icmp) < 32:
                continue
            if icmp[0] != NEIGHBOUR_ADVERTISEMENT or icmp[8:24] != self._target:
                continue
            option = icmp[26:32].hex(":") if icmp[24] == 2 else ""
            found.append((source[4].hex(":"), icmp[4] & OVERRIDE, option))

    def close(self) -> None:
        self._sock.close()


def test_the_ipv6_address_moves_to_the_survivor_and_the_client_follows_its_advertisements(
    record_property: pytest.RecordProperty,
) -> None:
    with Lab.create(LabSpec(nodes=2)) as lab:
        assert lab.client is not None
        client = lab.client
        add_ula(lab)
        lab.write_config(CONFIG)
        linuxha1, linuxha2 = lab.nodes
        macs = {node.name: mac_of(node) for node in lab.nodes}
        started = time.monotonic()
        lab.start(HB_START)
        wait_until(lambda: holds(linuxha1), START_TIMEOUT_S, "linuxha1 takes the address")
        assert_usable_at_once(linuxha1)
        assert not holds(linuxha2)
        assert answers_echo(client)
        assert client_neighbour(client) == macs["linuxha1"]
        # Past the start-up bonus, so that the death takes plain deadtime.
        time.sleep(max(0.0, started + STARTUP_BONUS_S + 1.0 - time.monotonic()))

        with closing(AdvertisementCapture(client)) as capture:
            killed_at = time.monotonic()
            linuxha1.kill()
            for interface in ("eth0", "eth1"):
                lab.cut_link("linuxha1", interface)
            linuxha2.wait_for_log("node linuxha1: is dead", 10)
            held_at = wait_until(lambda: holds(linuxha2), 10, "linuxha2 takes the address over")
            assert_usable_at_once(linuxha2)
            capture.wait_for(macs["linuxha2"], 2)
            followed_at = wait_until(
                lambda: client_neighbour(client) == macs["linuxha2"],
                2,
                "the client's neighbour entry moves to linuxha2",
            )
        assert answers_echo(client)
        record_property("kill_to_survivor_holds_s", round(held_at - killed_at, 3))
        record_property("survivor_holds_to_client_follows_s", round(followed_at - held_at, 3))
