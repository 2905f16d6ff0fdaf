"""hb clusters in the lab, as the seed's test plan has them: nodes go active over every medium,
a cut heartbeat path is a dead link and nothing more, a node cut off on every path is dead within
deadtime, a restart is a restart and a replayed or tampered packet is dropped, ``hb stop`` tells
the peers, and ``hb status`` answers cl_status queries as heartbeat does.

Timers are small (keepalive 100 ms, deadtime 1 s, initdead 2 s) so the whole file runs in about
a minute. Every lab is a ``with`` block: it is torn down even when an assertion fails.
"""

from __future__ import annotations

import json
import os
import socket
import struct
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from hb_lab.haconf import Medium
from hb_lab.lab import (
    Bcast,
    ClusterConfig,
    HbCommand,
    Lab,
    LabSpec,
    Mcast,
    Node,
    Serial,
    Timers,
    Ucast,
    socket_in_netns,
)
from hbcore.node.daemon import STARTUP_BONUS_S
from hbcore.wire import Decoded, decode

pytestmark = [
    pytest.mark.netns,
    pytest.mark.skipif(os.geteuid() != 0, reason="network namespaces need root"),
]

HB = Path(sys.executable).with_name("hb")
HB_START = HbCommand()
KEEPALIVE, DEADTIME, INITDEAD = 0.1, 1.0, 2.0
TIMERS = Timers(keepalive=KEEPALIVE, deadtime=DEADTIME, initdead=INITDEAD)
NO_RESOURCES = ("# membership only: no resource groups",)
DETECTION_MARGIN_S = 0.3
"""Slack on the death-detection bound for process wake-ups and log polling (10 ms): small
enough that a death timed with the wrong interval (initdead, the startup deadtime) shows."""
START_TIMEOUT_S = 30.0
UDPPORT = 694
ETH_P_IP = 0x0800


def _config(*media: Medium) -> ClusterConfig:
    return ClusterConfig(media=media, timers=TIMERS, resources=NO_RESOURCES)


def _wait_until_all_active(lab: Lab, timeout: float = START_TIMEOUT_S) -> None:
    """Every node goes active and logs every other node active."""
    for node in lab.nodes:
        node.wait_for_log("Comm_now_up(): updating status to active", timeout)
        for other in lab.nodes:
            if other is not node:
                node.wait_for_log(f"Status update for node {other.name}: status active", timeout)


def _hb_status(node: Node) -> dict[str, Any]:
    report: dict[str, Any] = json.loads(node.run([str(HB), "status", "--json"]).stdout)
    return report


def _links(node: Node, peer: str) -> dict[str, str]:
    """The links ``node`` has to ``peer`` and their status, from ``hb status --json``."""
    (entry,) = [entry for entry in _hb_status(node)["nodes"] if entry["name"] == peer]
    links: dict[str, str] = entry["links"]
    return links


def _wait_for_links(node: Node, peer: str, count: int, timeout: float = 5.0) -> dict[str, str]:
    """Wait until ``node`` has ``count`` links to ``peer``, all up."""
    deadline = time.monotonic() + timeout
    while sorted((links := _links(node, peer)).values()) != ["up"] * count:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{node.name} has links {links} to {peer}, not {count} up")
        time.sleep(0.1)
    return links


def _deaths(node: Node, after: int) -> list[str]:
    return [line for line in node.read_log(after=after) if ": is dead" in line]


# -- going active, losing a path, losing the node ----------------------------------------------

SECOND_PATHS = {
    "serial": (LabSpec(nodes=2, serial_cables=1, client=False), Serial(baud=115200)),
    "ucast-eth2": (LabSpec(nodes=2, heartbeat_nets=2, client=False), Ucast("eth2")),
}


def _cut_second_path(lab: Lab, name: str) -> None:
    if name == "serial":
        lab.cables[0].cut()
    else:
        lab.cut_link("linuxha2", "eth2")


@pytest.mark.parametrize("second_path", list(SECOND_PATHS))
def test_cut_eth1_the_peer_logs_the_link_dead_and_nobody_dies_cut_both_the_peer_is_dead(
    second_path: str, record_property: pytest.RecordProperty
) -> None:
    spec, medium = SECOND_PATHS[second_path]
    with Lab.create(spec) as lab:
        lab.write_config(_config(Bcast(("eth1",)), medium))
        started = time.monotonic()
        lab.start(HB_START)
        linuxha1, linuxha2 = lab.nodes
        _wait_until_all_active(lab)
        record_property("time_to_active_s", round(time.monotonic() - started, 3))
        (second_link,) = set(_wait_for_links(linuxha1, "linuxha2", 2)) - {"eth1"}

        marks = {node.name: node.log_mark() for node in lab.nodes}
        lab.cut_link("linuxha2", "eth1")
        linuxha1.wait_for_log("Link linuxha2:eth1 dead.", 10, after=marks["linuxha1"])
        linuxha2.wait_for_log("Link linuxha1:eth1 dead.", 10, after=marks["linuxha2"])
        time.sleep(3 * DEADTIME)
        assert _deaths(linuxha1, marks["linuxha1"]) == []
        assert _deaths(linuxha2, marks["linuxha2"]) == []
        assert _links(linuxha1, "linuxha2") == {"eth1": "dead", second_link: "up"}

        # A node advertises deadtime + 2 s for its first seconds (and takes a moment to start);
        # measure with plain deadtime.
        time.sleep(max(0.0, started + STARTUP_BONUS_S + DEADTIME - time.monotonic()))
        marks = {node.name: node.log_mark() for node in lab.nodes}
        cutting_at = time.monotonic()
        _cut_second_path(lab, second_path)
        cut_at = time.monotonic()
        seen = [
            linuxha1.wait_for_log("node linuxha2: is dead", 10, after=marks["linuxha1"]),
            linuxha2.wait_for_log("node linuxha1: is dead", 10, after=marks["linuxha2"]),
        ]
        # Each node last heard the other about a keepalive before the cut at most: dead a
        # deadtime later, not before (measured from when the cut began) nor after (from when it
        # was done), give or take the margin.
        early = min(found.at for found in seen) - cutting_at
        assert early >= DEADTIME - KEEPALIVE - DETECTION_MARGIN_S
        latency = max(found.at for found in seen) - cut_at
        record_property("detection_latency_s", round(latency, 3))
        assert latency <= DEADTIME + KEEPALIVE + DETECTION_MARGIN_S


CLUSTERS = {
    "3-bcast": (3, Bcast(("eth1",))),
    "3-mcast": (3, Mcast("eth1")),
    "8-bcast": (8, Bcast(("eth1",))),
    "8-mcast": (8, Mcast("eth1")),
}


@pytest.mark.parametrize("cluster", list(CLUSTERS))
def test_every_node_goes_active_and_sees_every_other_node_active(
    cluster: str, record_property: pytest.RecordProperty
) -> None:
    size, medium = CLUSTERS[cluster]
    with Lab.create(LabSpec(nodes=size, client=False)) as lab:
        lab.write_config(_config(medium))
        started = time.monotonic()
        lab.start(HB_START)
        _wait_until_all_active(lab)
        record_property("time_to_active_s", round(time.monotonic() - started, 3))
        names = list(lab.spec.node_names)
        for node in lab.nodes:
            report = _hb_status(node)
            assert report["status"] == "active"
            table = {entry["name"]: entry for entry in report["nodes"]}
            assert sorted(table) == sorted(names)
            assert {name: table[name]["status"] for name in names} == dict.fromkeys(names, "active")
            # Our own link shows only where our packets loop back (not mcast with loop 0).
            for name in names:
                if name != node.name:
                    assert table[name]["links"] == {"eth1": "up"}, f"{node.name} sees {name}"


# -- restarts, replays and forgeries -----------------------------------------------------------


def _capture_socket(node: Node, interface: str = "eth1") -> socket.socket:
    """Every IPv4 packet crossing ``node``'s ``interface``, as the wire carries it."""
    sock = socket_in_netns(node.netns, socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(ETH_P_IP))
    sock.bind((interface, 0))
    return sock


def _capture_status(sock: socket.socket, source: str, timeout: float = 5.0) -> bytes:
    """The payload of the next heartbeat status packet sent from address ``source``."""
    sock.settimeout(timeout)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        frame = sock.recv(65535)
        header = (frame[0] & 0x0F) * 4
        sender = socket.inet_ntoa(frame[12:16])
        (port,) = struct.unpack("!H", frame[header + 2 : header + 4])
        payload = frame[header + 8 :]
        if frame[9] == socket.IPPROTO_UDP and sender == source and port == UDPPORT:
            decoded = decode(payload, None)
            if isinstance(decoded, Decoded) and decoded.message.get("t") == "status":
                return payload
    raise TimeoutError(f"no status packet from {source} within {timeout}s")


def _inject(lab: Lab, node: Node, packet: bytes) -> None:
    """Broadcast ``packet`` on eth1 from ``node``'s namespace, as an intruder on the wire."""
    with socket_in_netns(node.netns) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b"eth1")
        sock.sendto(packet, (lab.wiring.network("eth1").broadcast, UDPPORT))


def _generation(packet: bytes) -> int:
    decoded = decode(packet, None)
    assert isinstance(decoded, Decoded)
    return int(decoded.message.get("hg") or "", 16)


def test_a_killed_and_restarted_peer_is_a_restart_and_its_old_packets_are_replays() -> None:
    with Lab.create(LabSpec(nodes=2, client=False)) as lab:
        lab.write_config(_config(Bcast(("eth1",))))
        linuxha1, linuxha2 = lab.nodes
        with _capture_socket(linuxha1) as capture:
            lab.start(HB_START)
            _wait_until_all_active(lab)
            old = _capture_status(capture, linuxha2.addresses["eth1"])
        generation = _generation(old)

        mark = linuxha1.log_mark()
        linuxha2.kill()
        linuxha2.start(HB_START)
        linuxha1.wait_for_log("Heartbeat restart on node linuxha2", 10, after=mark)
        linuxha1.wait_for_log("Status update for node linuxha2: status active", 10, after=mark)

        mark = linuxha1.log_mark()
        _inject(lab, linuxha2, old)
        linuxha1.wait_for_log(
            f"should_drop_message: attempted replay attack [linuxha2]? [gen = {generation}, "
            f"curgen = {generation + 1}]",
            5,
            after=mark,
        )
        time.sleep(2 * KEEPALIVE)
        assert not [line for line in linuxha1.read_log(after=mark) if "Status update" in line]


def test_a_tampered_packet_fails_authentication_and_changes_nothing() -> None:
    with Lab.create(LabSpec(nodes=2, client=False)) as lab:
        lab.write_config(_config(Bcast(("eth1",))))
        linuxha1, linuxha2 = lab.nodes
        with _capture_socket(linuxha1) as capture:
            lab.start(HB_START)
            _wait_until_all_active(lab)
            genuine = _capture_status(capture, linuxha2.addresses["eth1"])
        generation = _generation(genuine)
        # A newer generation would announce a restart, if the packet were believed.
        forged = genuine.replace(
            f"hg={generation:x},".encode(), f"hg={generation + 1:x},".encode(), 1
        )
        assert forged != genuine

        mark = linuxha1.log_mark()
        _inject(lab, linuxha2, forged)
        linuxha1.wait_for_log("authentication failed", 5, after=mark)
        time.sleep(2 * KEEPALIVE)
        assert not [line for line in linuxha1.read_log(after=mark) if "restart" in line]
        assert _deaths(linuxha1, mark) == []


# -- stopping, and asking ---------------------------------------------------------------------


def test_hb_stop_sends_a_shutdown_notice_the_peer_logs() -> None:
    with Lab.create(LabSpec(nodes=2, client=False)) as lab:
        lab.write_config(_config(Bcast(("eth1",))))
        linuxha1, linuxha2 = lab.nodes
        lab.start(HB_START)
        _wait_until_all_active(lab)

        mark = linuxha1.log_mark()
        linuxha2.run([str(HB), "stop"])
        linuxha1.wait_for_log("Received shutdown notice from 'linuxha2'.", 5, after=mark)
        linuxha2.wait_for_log("linuxha2 Heartbeat shutdown complete.", 5)
        assert linuxha2.pids() == []


def _query(node: Node, *query: str) -> tuple[int, str]:
    result = node.run([str(HB), "status", *query], check=False)
    return result.returncode, result.stdout


def test_cl_status_queries_give_heartbeats_output_and_exit_codes() -> None:
    with Lab.create(LabSpec(nodes=2, client=False)) as lab:
        lab.write_config(_config(Bcast(("eth1",))))
        linuxha1, linuxha2 = lab.nodes
        lab.start(HB_START)
        _wait_until_all_active(lab)

        assert _query(linuxha1, "hbstatus") == (0, "Heartbeat is running on this machine.\n")
        assert _query(linuxha1, "listnodes") == (0, "linuxha2\nlinuxha1\n")
        assert _query(linuxha1, "nodestatus", "linuxha2") == (0, "active\n")
        assert _query(linuxha1, "nodestatus", "linuxha1") == (0, "active\n")
        assert _query(linuxha1, "nodestatus", "nosuch") == (11, "")
        assert _query(linuxha1, "nodestatus") == (11, "")
        assert _query(linuxha1, "listhblinks", "linuxha2") == (0, "\teth1\n")
        assert _query(linuxha1, "hblinkstatus", "linuxha2", "eth1") == (0, "up\n")
        assert _query(linuxha1, "hblinkstatus", "linuxha2", "eth9") == (13, "")
        assert _query(linuxha1, "bogus") == (11, "")

        mark = linuxha1.log_mark()
        linuxha2.kill()
        linuxha1.wait_for_log("node linuxha2: is dead", 10, after=mark)
        assert _query(linuxha1, "nodestatus", "linuxha2") == (1, "dead\n")
        assert _query(linuxha1, "hblinkstatus", "linuxha2", "eth1") == (1, "dead\n")

        linuxha1.run([str(HB), "stop"])
        assert _query(linuxha1, "hbstatus") == (1, "Heartbeat is stopped on this machine.\n")
        assert _query(linuxha1, "listnodes") == (1, "")
        assert _query(linuxha1, "bogus") == (11, "")
