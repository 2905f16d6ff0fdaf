"""ipfail in the lab: the node that loses its uplink hands the cluster address over.

The client namespace (10.77.1.254, on the public network eth0) is the ping node. Both nodes run
ipfail (hb's built in, turned on by heartbeat's usual ``respawn hacluster .../ipfail`` line;
heartbeat's own program on a heartbeat node), ``auto_failback on``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

import pytest
from hb_lab.commands import NodeCommand
from hb_lab.lab import Bcast, ClusterConfig, HbCommand, HeartbeatCommand, Lab, LabSpec, Node
from hb_lab.lab import Timers as LabTimers

pytestmark = [
    pytest.mark.netns,
    pytest.mark.skipif(os.geteuid() != 0, reason="network namespaces need root"),
]

HB_START = HbCommand()
ADDRESS = "10.77.1.100"
KEEPALIVE_S = 0.2
DEADTIME_S = 1.0
DEADPING_S = DEADTIME_S
"""No ``deadping`` line: heartbeat's default is deadtime."""
PING_NODE = "10.77.1.254"
CONFIG = ClusterConfig(
    media=(Bcast(("eth1",)),),
    timers=LabTimers(keepalive=KEEPALIVE_S, deadtime=DEADTIME_S, initdead=2),
    resources=(f"linuxha1 IPaddr2::{ADDRESS}/24/eth0",),
    auto_failback="on",
    extra=(
        f"ping {PING_NODE}",
        "respawn hacluster /usr/libexec/heartbeat/ipfail",
        "apiauth ipfail gid=haclient uid=hacluster",
    ),
)
SETTLE_S = 40.0
MOVE_S = 20.0
"""heartbeat's ipfail takes its time (it polls); the bound for a cluster with one of its nodes."""
STARTED = "Initial resource acquisition complete"
BALANCED = "Ping node count is balanced."
"""Logged by heartbeat and hb alike: a node settled its start; an ipfail compared counts (a
heartbeat node's ipfail answers an hb node's count without asking back, so one side may be
the only one to log it)."""
HB_MOVE_S = DEADPING_S + 10 * KEEPALIVE_S
"""Between hb nodes: the ping node declared dead after deadping, then a few keepalives for the
ipfail exchange and the standby handover (measured here: about 1.4 s)."""


def holds(node: Node) -> bool:
    return ADDRESS in node.run(["ip", "-4", "addr", "show", "dev", "eth0"]).stdout


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not reached within {timeout} s: {what}")
        time.sleep(0.05)


def started(lab: Lab, first: NodeCommand, second: NodeCommand) -> tuple[Node, Node]:
    """linuxha1 (preferred) and linuxha2, both seeing the ping node, linuxha1 holding, both
    settled and past initdead, an ipfail having compared the counts."""
    lab.write_config(CONFIG)
    owner, other = lab.node("linuxha1"), lab.node("linuxha2")
    owner.start(first)
    other.start(second)
    for node in (owner, other):
        node.wait_for_log(f"Status update for node {PING_NODE}: status ping", SETTLE_S)
    wait_until(lambda: holds(owner) and not holds(other), SETTLE_S, "linuxha1 holds")
    for node in (owner, other):
        node.wait_for_log(STARTED, SETTLE_S)
    wait_until(
        lambda: any(BALANCED in line for node in (owner, other) for line in node.read_log()),
        SETTLE_S,
        "ipfail has compared the ping node counts once",
    )
    return owner, other


def test_hb_owner_that_loses_its_uplink_hands_the_address_to_hb() -> None:
    with Lab.create(LabSpec(nodes=2)) as lab:
        owner, other = started(lab, HB_START, HB_START)
        lab.cut_link("linuxha1", "eth0")
        wait_until(lambda: holds(other) and not holds(owner), HB_MOVE_S, "the address moves")
        other.wait_for_log("Telling other node that we have more visible ping nodes.", 5)


def test_losing_the_ping_node_on_both_sides_moves_nothing() -> None:
    with Lab.create(LabSpec(nodes=2)) as lab:
        owner, other = started(lab, HB_START, HB_START)
        assert lab.client is not None
        lab.client.run(["ip", "link", "set", "eth0", "down"])
        owner.wait_for_log(f"node {PING_NODE}: is dead", 10)
        other.wait_for_log(f"node {PING_NODE}: is dead", 10)
        time.sleep(3)
        assert holds(owner) and not holds(other)


def test_hb_owner_losing_its_uplink_hands_over_to_heartbeat_running_ipfail() -> None:
    with Lab.create(LabSpec(nodes=2)) as lab:
        owner, other = started(lab, HB_START, HeartbeatCommand())
        lab.cut_link("linuxha1", "eth0")
        wait_until(lambda: holds(other) and not holds(owner), MOVE_S, "the address moves")


def test_heartbeat_owner_losing_its_uplink_hands_over_to_hb() -> None:
    with Lab.create(LabSpec(nodes=2)) as lab:
        owner, other = started(lab, HeartbeatCommand(), HB_START)
        lab.cut_link("linuxha1", "eth0")
        wait_until(lambda: holds(other) and not holds(owner), MOVE_S, "the address moves")
