"""Split brain and heal in the lab: both heartbeat paths cut until both nodes hold the cluster
address, then restored.

linuxha1 is the preferred node of ``IPaddr2::10.77.1.100/24/eth0`` (``auto_failback on``); the
nodes heartbeat over ``bcast eth1 eth2``. Cutting both paths at the switch makes each node
declare the other dead, and linuxha2 takes the address over while linuxha1 keeps it: the client
on eth0 follows linuxha2's gratuitous ARPs. When the paths come back, each node logs heartbeat's
``Cluster node X returning after partition.``, gives up all its resources and restarts; after
the restarts exactly one node holds the address, and it announced the address again, so the
client's neighbour entry names its MAC without the client asking (keepalived's users report the
address unreachable after a heal: keepalived issue #166).

The same must hold when the owner's heartbeat dies but its kernel keeps the address: the peer
takes it over, and when the restarted owner takes its group back, the executor skips the start
of a resource already running (as heartbeat's ResourceManager does), so hb-ra-ipaddr announces
the address at the group's acquisition instead.

Timers are small (keepalive 100 ms, deadtime 1 s): the two tests take about 35 s.
"""

from __future__ import annotations

import json
import os
import socket
import struct
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass

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
ADDRESS = "10.77.1.100"
CONFIG = ClusterConfig(
    media=(Bcast(("eth1", "eth2")),),
    timers=Timers(keepalive=0.1, deadtime=1.0, initdead=2.0),
    resources=(f"linuxha1 IPaddr2::{ADDRESS}/24/eth0",),
    auto_failback="on",
)
START_TIMEOUT_S = 30.0
"""A cold start waits up to ~10 s for a stable peer before taking its groups."""
HANDED_BACK = "Other node completed standby takeover of foreign resources."
"""linuxha1, up alone first, has given linuxha2's groups (none) back once it joined."""
ETH_P_ARP = 0x0806
ARP_REQUEST, ARP_REPLY = 1, 2


def holds(node: Node) -> bool:
    """The address is on ``node``'s eth0, as ``ip addr`` shows it."""
    return ADDRESS in node.run(["ip", "-4", "addr", "show", "dev", "eth0"]).stdout


def mac_of(node: Node) -> str:
    (link,) = json.loads(node.run(["ip", "-j", "link", "show", "dev", "eth0"]).stdout)
    address: str = link["address"]
    return address


def client_neighbour(client: Client) -> str | None:
    """The MAC the client's neighbour table gives the address, if any."""
    entries = json.loads(client.run(["ip", "-j", "neigh", "show", ADDRESS, "dev", "eth0"]).stdout)
    return next((str(entry["lladdr"]) for entry in entries if "lladdr" in entry), None)


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> float:
    """Poll ``condition`` every 20 ms; the time it first held, or AssertionError."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not reached within {timeout} s: {what}")
        time.sleep(0.02)
    return time.monotonic()


@dataclass(frozen=True)
class GratuitousArp:
    """An ARP frame announcing the address: sender and target protocol address both it."""

    sender_mac: str
    operation: int


class ArpCapture:
    """Every ARP frame arriving on the client's eth0 from now on, read when asked."""

    def __init__(self, client: Client) -> None:
        self._sock = socket_in_netns(
            client.netns, socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(ETH_P_ARP)
        )
        self._sock.bind(("eth0", ETH_P_ARP))
        self._sock.setblocking(False)

    def wait_for(self, announcement: GratuitousArp, timeout: float) -> None:
        """Wait until ``announcement`` arrives; AssertionError with what came instead."""
        deadline = time.monotonic() + timeout
        seen: list[GratuitousArp] = []
        while announcement not in seen:
            if time.monotonic() > deadline:
                raise AssertionError(f"no {announcement} within {timeout} s; got {seen}")
            seen += self._read()
            time.sleep(0.02)

    def _read(self) -> list[GratuitousArp]:
        """The gratuitous ARPs for the address received since the last read."""
        target = socket.inet_aton(ADDRESS)
        found = []
        while True:
            try:
                frame = self._sock.recv(2048)
            except BlockingIOError:
                return found
            if len(frame) < 28:
                continue
            (operation,) = struct.unpack("!H", frame[6:8])
            if frame[14:18] == target and frame[24:28] == target:
                found.append(GratuitousArp(frame[8:14].hex(":"), operation))

    def close(self) -> None:
        self._sock.close()


def start_with_linuxha1_owning(lab: Lab, client: Client) -> None:
    """Start both nodes; return once linuxha1 holds the address, the client has its MAC in
    its neighbour table (a gratuitous ARP only updates an entry) and the start-up bonus is
    over, so that a death takes plain deadtime.

    linuxha1 starts alone and takes the address after initdead, then linuxha2 joins: 7 s
    sooner than a start together, where each waits 10 s for a stable peer (heartbeat's
    RQSTDELAY; ``test_hb_cluster.py`` checks that start)."""
    linuxha1, linuxha2 = lab.node("linuxha1"), lab.node("linuxha2")
    linuxha1.start(HB_START)
    wait_until(lambda: holds(linuxha1), START_TIMEOUT_S, "linuxha1 takes the address")
    mark = linuxha1.log_mark()
    joined = time.monotonic()
    linuxha2.start(HB_START)
    linuxha2.wait_for_log("Status update for node linuxha1: status active", START_TIMEOUT_S)
    linuxha1.wait_for_log(HANDED_BACK, START_TIMEOUT_S, after=mark)
    assert holds(linuxha1) and not holds(linuxha2)
    client.run(["ping", "-c", "1", "-W", "2", ADDRESS])
    assert client_neighbour(client) == mac_of(linuxha1)
    time.sleep(max(0.0, joined + STARTUP_BONUS_S + 1.0 - time.monotonic()))


def test_both_paths_cut_both_hold_the_address_after_the_heal_one_owner_the_client_follows(
    record_property: pytest.RecordProperty,
) -> None:
    with Lab.create(LabSpec(nodes=2, heartbeat_nets=2)) as lab:
        assert lab.client is not None
        client = lab.client
        lab.write_config(CONFIG)
        linuxha1, linuxha2 = lab.nodes
        macs = {node.name: mac_of(node) for node in lab.nodes}
        start_with_linuxha1_owning(lab, client)

        marks = {node.name: node.log_mark() for node in lab.nodes}
        for interface in ("eth1", "eth2"):
            lab.cut_link("linuxha2", interface)
        linuxha1.wait_for_log("node linuxha2: is dead", 10, after=marks["linuxha1"])
        linuxha2.wait_for_log("node linuxha1: is dead", 10, after=marks["linuxha2"])
        wait_until(lambda: holds(linuxha2), 10, "linuxha2 takes the address over")
        assert holds(linuxha1), "linuxha1 never lost its peer's death: it must keep the address"
        wait_until(
            lambda: client_neighbour(client) == macs["linuxha2"],
            5,
            "the client follows linuxha2's gratuitous ARPs",
        )

        with closing(ArpCapture(client)) as capture:
            marks = {node.name: node.log_mark() for node in lab.nodes}
            healed_at = time.monotonic()
            for interface in ("eth1", "eth2"):
                lab.restore_link("linuxha2", interface)
            for node, peer in ((linuxha1, linuxha2), (linuxha2, linuxha1)):
                mark = marks[node.name]
                node.wait_for_log(f"Cluster node {peer.name} returning after partition.", 10, mark)
                node.wait_for_log("Giving up all HA resources.", 10, mark)
                node.wait_for_log("Restarting heartbeat.", 10, mark)
            owner, other = linuxha1, linuxha2  # auto_failback on: the preferred node
            mark = marks[owner.name]
            owner.wait_for_log(
                f"IPaddr2 {ADDRESS}/24 on eth0 broadcast 10.77.1.255 added", START_TIMEOUT_S, mark
            )
            owned_at = wait_until(
                lambda: holds(owner) and not holds(other), 5, "exactly one node holds the address"
            )
            followed_at = wait_until(
                lambda: client_neighbour(client) == macs[owner.name],
                5,
                "the client's neighbour entry moves to the owner",
            )
            # heartbeat's send_arp pair: a request, then a reply.
            capture.wait_for(GratuitousArp(macs[owner.name], ARP_REQUEST), 2)
            capture.wait_for(GratuitousArp(macs[owner.name], ARP_REPLY), 2)
        client.run(["ping", "-c", "1", "-W", "1", ADDRESS])
        time.sleep(1.0)
        assert holds(owner) and not holds(other)
        record_property("heal_to_single_owner_s", round(owned_at - healed_at, 3))
        record_property("owner_to_client_follows_s", round(max(0.0, followed_at - owned_at), 3))


def test_a_restarted_owner_that_kept_the_address_announces_it_when_it_takes_it_back() -> None:
    with Lab.create(LabSpec(nodes=2, heartbeat_nets=2)) as lab:
        assert lab.client is not None
        client = lab.client
        lab.write_config(CONFIG)
        linuxha1, linuxha2 = lab.nodes
        macs = {node.name: mac_of(node) for node in lab.nodes}
        start_with_linuxha1_owning(lab, client)

        # Only the process dies: the kernel keeps the address, as after a crash of heartbeat.
        linuxha1.kill()
        wait_until(lambda: holds(linuxha2), 10, "linuxha2 takes the address over")
        wait_until(
            lambda: client_neighbour(client) == macs["linuxha2"],
            5,
            "the client follows linuxha2's gratuitous ARPs",
        )
        with closing(ArpCapture(client)) as capture:
            mark = linuxha1.log_mark()
            linuxha1.start(HB_START)
            linuxha1.wait_for_log(
                f"Acquiring resource group: linuxha1 IPaddr2::{ADDRESS}", START_TIMEOUT_S, mark
            )
            wait_until(lambda: not holds(linuxha2), 10, "linuxha2 gives the address back")
            linuxha1.wait_for_log(
                f"IPaddr2 {ADDRESS} is already up on eth0: announcing it", 5, mark
            )
            capture.wait_for(GratuitousArp(macs["linuxha1"], ARP_REQUEST), 3)
        wait_until(
            lambda: client_neighbour(client) == macs["linuxha1"],
            2,
            "the client's neighbour entry moves back to linuxha1",
        )
        client.run(["ping", "-c", "1", "-W", "1", ADDRESS])
