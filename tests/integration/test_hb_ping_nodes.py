"""Ping nodes in the lab: the client (10.77.1.254 on the public network eth0) is the ping node
of a two-node hb cluster, alone (``ping``) and in a ``ping_group`` with both nodes' public
addresses. Pull the client's cable: every node declares the ping node dead within deadping, the
group lives on through its other members; plug it back: the ping node answers again.

Timers are small (keepalive 100 ms, deadtime and deadping 1 s, initdead 2 s). The lab's node
namespaces keep Debian's ``ping_group_range`` of ``1 0``, so hb pings through its raw socket
fallback here (the plugin's own tests cover the datagram socket).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from hb_lab.lab import Bcast, ClusterConfig, HbCommand, Lab, LabSpec, Node, Timers

pytestmark = [
    pytest.mark.netns,
    pytest.mark.skipif(os.geteuid() != 0, reason="network namespaces need root"),
]

HB = Path(sys.executable).with_name("hb")
HB_START = HbCommand()
KEEPALIVE, DEADTIME, DEADPING, INITDEAD = 0.1, 1.0, 1.0, 2.0
SCHEDULING_MARGIN_S = 1.0
"""Slack for a loaded CI machine on top of a protocol bound (log polling, process wake-ups)."""
START_TIMEOUT_S = 30.0
GROUP = "uplinks"


def _hb_status(node: Node) -> dict[str, Any]:
    report: dict[str, Any] = json.loads(node.run([str(HB), "status", "--json"]).stdout)
    return report


def _entry(node: Node, name: str) -> dict[str, Any]:
    (entry,) = [entry for entry in _hb_status(node)["nodes"] if entry["name"] == name]
    found: dict[str, Any] = entry
    return found


def _query(node: Node, *query: str) -> tuple[int, str]:
    result = node.run([str(HB), "status", *query], check=False)
    return result.returncode, result.stdout


def _client_cable(lab: Lab, plugged: bool) -> None:
    assert lab.client is not None
    lab.client.run(["ip", "link", "set", "eth0", "up" if plugged else "down"])


def test_pull_the_ping_nodes_cable_every_node_declares_it_dead_the_group_lives_on() -> None:
    with Lab.create(LabSpec(nodes=2)) as lab:
        assert lab.client is not None
        pinged = lab.client.address
        linuxha1, linuxha2 = lab.nodes
        public = [node.addresses["eth0"] for node in lab.nodes]
        lab.write_config(
            ClusterConfig(
                media=(Bcast(("eth1",)),),
                timers=Timers(keepalive=KEEPALIVE, deadtime=DEADTIME, initdead=INITDEAD),
                resources=("# membership only: no resource groups",),
                extra=(
                    f"deadping {round(DEADPING * 1000)}ms",
                    f"ping {pinged}",
                    f"ping_group {GROUP} {pinged} {' '.join(public)}",
                ),
            )
        )
        lab.start(HB_START)
        for node in lab.nodes:
            node.wait_for_log(f"Status update for node {pinged}: status ping", START_TIMEOUT_S)
            node.wait_for_log(f"Status update for node {GROUP}: status ping", START_TIMEOUT_S)
            node.wait_for_log("Comm_now_up(): updating status to active", START_TIMEOUT_S)
        for node in lab.nodes:
            entry = _entry(node, pinged)
            assert (entry["type"], entry["status"], entry["links"]) == (
                "ping",
                "ping",
                {pinged: "up"},
            )
            assert _entry(node, GROUP)["status"] == "ping"
            assert _query(node, "nodestatus", pinged) == (0, "ping\n")

        marks = {node.name: node.log_mark() for node in lab.nodes}
        cut_at = time.monotonic()
        _client_cable(lab, plugged=False)
        seen = [
            node.wait_for_log(f"node {pinged}: is dead", 10, after=marks[node.name])
            for node in lab.nodes
        ]
        latency = max(found.at for found in seen) - cut_at
        assert latency <= DEADPING + 2 * KEEPALIVE + SCHEDULING_MARGIN_S
        assert latency >= DEADPING - KEEPALIVE, "declared dead before deadping passed"

        time.sleep(2 * DEADPING)
        for node in lab.nodes:
            assert _query(node, "nodestatus", pinged) == (1, "dead\n")
            assert _query(node, "nodestatus", GROUP) == (0, "ping\n")
            log = node.read_log(after=marks[node.name])
            assert not [line for line in log if f"node {GROUP}: is dead" in line]
            assert not [line for line in log if "node linuxha" in line and "is dead" in line]

        marks = {node.name: node.log_mark() for node in lab.nodes}
        _client_cable(lab, plugged=True)
        for node in (linuxha1, linuxha2):
            node.wait_for_log(
                f"Status update for node {pinged}: status ping", 10, after=marks[node.name]
            )
            assert _query(node, "nodestatus", pinged) == (0, "ping\n")
