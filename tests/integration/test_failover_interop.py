"""The cluster address moves between hb and the real heartbeat 3.0.6, both ways.

linuxha1 is the preferred node of the group ``IPaddr2::10.77.1.100/24/eth0`` (heartbeat runs
its own IPaddr2 agent, hb its hb-ra-ipaddr), ``auto_failback on``. In each direction: the
preferred node takes the address; killed like a dead machine (every process, its public cable,
its address gone as after a reboot) the other node takes it over; back again, the group fails
back; ``hb_standby`` (heartbeat's tool, or ``hb standby``) on the owner hands it over, and it
stays there. The address is never held by both nodes at the moments checked.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hb_lab.commands import NodeCommand
from hb_lab.lab import Bcast, ClusterConfig, HbCommand, HeartbeatCommand, Lab, LabSpec, Node
from hb_lab.lab import Timers as LabTimers

pytestmark = [
    pytest.mark.netns,
    pytest.mark.skipif(os.geteuid() != 0, reason="network namespaces need root"),
]

HB = Path(sys.executable).with_name("hb")
HB_START = HbCommand()
ADDRESS = "10.77.1.100"
CONFIG = ClusterConfig(
    media=(Bcast(("eth1",)),),
    timers=LabTimers(keepalive=0.2, deadtime=1, initdead=2),
    resources=(f"linuxha1 IPaddr2::{ADDRESS}/24/eth0",),
    auto_failback="on",
)
COLD_START_S = 40.0
"""Both implementations wait up to 10 s for a stable peer before taking their own groups."""
MOVE_S = 20.0
STARTED = "Initial resource acquisition complete"
TAKEN_OVER = "mach_down takeover complete"
FAILED_BACK_HERE = ("Standby resource acquisition done [foreign].", STARTED)
FAILED_BACK_THERE = ("Other node completed standby takeover of foreign resources.",)
"""What heartbeat and hb both log once a step has settled, so that the next one starts on a
stable cluster (heartbeat refuses a standby during a resource transition)."""
RESOURCE_SCRIPTS = (b"ResourceManager", b"resource.d/", b"send_arp")
"""In the command line of heartbeat's resource scripts and of the send_arp they leave behind."""


def holds(node: Node) -> bool:
    return ADDRESS in node.run(["ip", "-4", "addr", "show", "dev", "eth0"]).stdout


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not reached within {timeout} s: {what}")
        time.sleep(0.05)


def only(owner: Node, other: Node) -> Callable[[], bool]:
    return lambda: holds(owner) and not holds(other)


def scripts_done(node: Node) -> bool:
    """No resource script runs on ``node`` (heartbeat runs its agents, and their send_arp, in
    processes of their own after it logs its start settled)."""
    for pid in node.pids():
        with contextlib.suppress(OSError):
            if any(s in Path(f"/proc/{pid}/cmdline").read_bytes() for s in RESOURCE_SCRIPTS):
                return False
    return True


def die_like_a_machine(lab: Lab, node: Node) -> set[int]:
    """Kill every process of ``node`` and pull its public cable; return the PIDs killed."""
    pids = set(node.pids())
    node.kill()
    lab.cut_link(node.name, "eth0")
    return pids


def reaped(node: Node, killed: set[int]) -> bool:
    """None of ``killed`` is left, not even a zombie; reap those the lab launched (init reaps
    the daemons' forks)."""
    node.reap()
    return not any(Path(f"/proc/{pid}").exists() for pid in killed)


def reboot(lab: Lab, node: Node, command: NodeCommand, killed: set[int]) -> None:
    """Start ``node`` again once none of its ``killed`` processes is left, as after a reboot
    (heartbeat refuses to start while its pid file names a process that exists)."""
    wait_until(lambda: reaped(node, killed), MOVE_S, f"{node.name}'s killed processes are gone")
    node.run(["ip", "addr", "del", f"{ADDRESS}/24", "dev", "eth0"], check=False)
    lab.restore_link(node.name, "eth0")
    node.start(command)


def run_scenario(
    preferred_command: NodeCommand,
    other_command: NodeCommand,
    standby_argv: list[str],
) -> None:
    with Lab.create(LabSpec(nodes=2, client=False)) as lab:
        lab.write_config(CONFIG)
        preferred, other = lab.node("linuxha1"), lab.node("linuxha2")
        preferred.start(preferred_command)
        other.start(other_command)
        wait_until(only(preferred, other), COLD_START_S, "the preferred node holds the address")
        for node in (preferred, other):  # past initdead: each settled its start
            node.wait_for_log(STARTED, COLD_START_S)
        wait_until(lambda: scripts_done(preferred), MOVE_S, "the owner's start scripts end")

        mark = other.log_mark()
        killed = die_like_a_machine(lab, preferred)
        wait_until(lambda: holds(other), MOVE_S, "the survivor takes the address over")
        other.wait_for_log(TAKEN_OVER, MOVE_S, after=mark)

        marks = {node.name: node.log_mark() for node in (preferred, other)}
        reboot(lab, preferred, preferred_command, killed)
        wait_until(only(preferred, other), MOVE_S, "the address fails back")
        for node, texts in ((preferred, FAILED_BACK_HERE), (other, FAILED_BACK_THERE)):
            for text in texts:
                node.wait_for_log(text, MOVE_S, after=marks[node.name])

        preferred.run(standby_argv)
        wait_until(only(other, preferred), MOVE_S, "standby hands the address over")
        time.sleep(3)
        assert only(other, preferred)(), "auto failback must not undo a standby"


def test_heartbeat_preferred_and_hb_takes_over_fails_back_and_takes_standby() -> None:
    run_scenario(HeartbeatCommand(), HB_START, ["/usr/share/heartbeat/hb_standby"])


def test_hb_preferred_and_heartbeat_takes_over_fails_back_and_takes_standby() -> None:
    run_scenario(HB_START, HeartbeatCommand(), [str(HB), "standby"])
