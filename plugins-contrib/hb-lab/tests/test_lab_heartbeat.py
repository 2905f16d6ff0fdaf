"""The lab runs the real heartbeat 3.0.6: two nodes on bcast eth1 in haresources mode go
active, and a killed node is declared dead by its peer."""

from __future__ import annotations

import os

import pytest
from hb_lab.lab import Bcast, ClusterConfig, HeartbeatCommand, Lab, LabSpec, Timers

pytestmark = [
    pytest.mark.netns,
    pytest.mark.skipif(os.geteuid() != 0, reason="network namespaces need root"),
]

CONFIG = ClusterConfig(
    media=(Bcast(("eth1",)),),
    timers=Timers(keepalive=1, deadtime=5, initdead=10),
    resources=("linuxha1 IPaddr2::10.77.1.100/24/eth0",),
)


def test_two_heartbeat_nodes_go_active_and_the_survivor_sees_a_killed_peer_dead() -> None:
    with Lab.create(LabSpec(nodes=2)) as lab:
        lab.write_config(CONFIG)
        lab.start(HeartbeatCommand())
        linuxha1, linuxha2 = lab.nodes
        for node in lab.nodes:
            node.wait_for_log("Comm_now_up(): updating status to active", timeout=30)
        linuxha1.wait_for_log("Status update for node linuxha2: status active", timeout=30)
        linuxha2.wait_for_log("Status update for node linuxha1: status active", timeout=30)
        assert "Link linuxha1:eth1 up." in "\n".join(linuxha2.read_log())

        mark = linuxha2.log_mark()
        linuxha1.kill()
        assert linuxha1.pids() == []
        linuxha2.wait_for_log("node linuxha1: is dead", timeout=30, after=mark)
