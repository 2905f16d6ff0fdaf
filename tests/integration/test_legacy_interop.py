"""hb and the real heartbeat 3.0.6 in ``auto_failback legacy`` mode: the ip-request exchange
between them. linuxha1 runs heartbeat and prefers group ``demo::a``; linuxha2 runs hb and
prefers ``demo::b``. Each group is a tiny resource.d script that records every start and stop,
with a timestamp, in the node's /var/log.

- both start together, and each gets its own group through ip-request;
- hb's machine dies: heartbeat takes ``b``; hb comes back: its ip-request makes heartbeat give
  ``b`` up, and hb takes it on the answer;
- the same with the roles swapped for ``a``.

A group is never started on one node before the other has stopped it.

Neither node starts alone: heartbeat alone runs two ``req_our_resources`` at the end of its
initdead (comm up, and the takeover of the absent peer), whose messages to its FIFO can
interleave ("NV failure (msgfromsteam)"), and then it never asks for its own group.
"""

from __future__ import annotations

import os
import time

import pytest
from hb_lab.lab import (
    Bcast,
    ClusterConfig,
    HbCommand,
    HeartbeatCommand,
    Lab,
    LabSpec,
    Node,
    NodeCommand,
    Timers,
)

pytestmark = [
    pytest.mark.netns,
    pytest.mark.skipif(os.geteuid() != 0, reason="network namespaces need root"),
]

HB_START = HbCommand()
TIMERS = Timers(keepalive=0.1, deadtime=1, initdead=2)
RESOURCES = ("linuxha1 demo::a", "linuxha2 demo::b")
EVENTS = "/var/log/demo-events"
STEP_TIMEOUT_S = 30.0

SCRIPT = """#!/bin/sh
# demo::NAME: running while /var/log/demo-NAME.running exists; every start and stop is
# recorded in /var/log/demo-events as "<time> <start|stop> NAME".
state=/var/log/demo-$1.running
case "$2" in
  start)  touch "$state"; echo "$(date +%s.%N) start $1" >> /var/log/demo-events;;
  stop)   rm -f "$state"; echo "$(date +%s.%N) stop $1" >> /var/log/demo-events;;
  status) if [ -f "$state" ]; then echo running; else echo stopped; fi;;
esac
exit 0
"""


def _install_script(node: Node) -> None:
    script = node.dirs.ha_d / "resource.d" / "demo"
    script.parent.mkdir(exist_ok=True)
    script.write_text(SCRIPT)
    script.chmod(0o755)


def _events(node: Node) -> list[tuple[float, str, str]]:
    """(time, start|stop, group) for every action the node's script recorded."""
    path = node.log_path(EVENTS)
    if not path.exists():
        return []
    records = []
    for line in path.read_text().splitlines():
        at, action, name = line.split()
        records.append((float(at), action, name))
    return records


def _wait_for_event(node: Node, action: str, name: str, after: float) -> float:
    """The time at which ``node`` recorded ``action name`` later than ``after``."""
    deadline = time.monotonic() + STEP_TIMEOUT_S
    while time.monotonic() < deadline:
        for at, seen_action, seen_name in _events(node):
            if (seen_action, seen_name) == (action, name) and at > after:
                return at
        time.sleep(0.1)
    raise AssertionError(f"{node.name} did not {action} {name}: {_events(node)}")


def _dies_and_returns(lab: Lab, node: Node, group: str, command: NodeCommand) -> None:
    """Kill ``node``, wait for its peer to take ``group``, start it again and wait for its
    ip-request to pull ``group`` back: the peer stops it before ``node`` starts it."""
    peer = next(other for other in lab.nodes if other is not node)
    time.sleep(TIMERS.initdead or 0)  # heartbeat declares nobody dead before its initdead
    died = time.time()
    node.kill()
    # As after a reboot: the group is not running, and /run holds no pid file (a killed
    # heartbeat's pid may still answer kill(pid, 0) for a while: "already running").
    node.log_path(f"/var/log/demo-{group}.running").unlink()
    (node.dirs.run / "heartbeat.pid").unlink(missing_ok=True)
    _wait_for_event(peer, "start", group, died)
    peer.wait_for_log(f"mach_down takeover complete for node {node.name}.", STEP_TIMEOUT_S)

    mark = node.log_mark()
    restarted = time.time()
    node.start(command)
    given = _wait_for_event(peer, "stop", group, restarted)
    taken = _wait_for_event(node, "start", group, restarted)
    assert given <= taken
    node.wait_for_log(f"received ip-request-resp demo::{group} OK yes", STEP_TIMEOUT_S, after=mark)


def test_each_side_pulls_its_group_back_from_the_other_with_ip_request() -> None:
    with Lab.create(LabSpec(nodes=2, client=False)) as lab:
        lab.write_config(
            ClusterConfig(
                media=(Bcast(("eth1",)),),
                timers=TIMERS,
                resources=RESOURCES,
                auto_failback="legacy",
            )
        )
        heartbeat, hb = lab.nodes
        for node in lab.nodes:
            _install_script(node)
        heartbeat.start(HeartbeatCommand())
        hb.start(HB_START)
        _wait_for_event(heartbeat, "start", "a", 0)
        _wait_for_event(hb, "start", "b", 0)
        hb.wait_for_log("received ip-request-resp demo::b OK no", STEP_TIMEOUT_S)

        _dies_and_returns(lab, hb, "b", HB_START)
        _dies_and_returns(lab, heartbeat, "a", HeartbeatCommand())

        # Each took the other's group once and its own twice (at start, and after returning).
        assert [name for _, action, name in _events(heartbeat) if action == "start"] == [
            "a",
            "b",
            "a",
        ]
        assert [name for _, action, name in _events(hb) if action == "start"] == ["b", "b", "a"]
