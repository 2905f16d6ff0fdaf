"""A group of an address, two real OCF Dummy agents (one per token form) and a heartbeat
resource.d script fails over between two hb nodes in the lab and back.

linuxha1 prefers ``IPaddr2::10.77.1.100/24/eth0 ocf:heartbeat:Dummy::state=/run/hb-ocf.state
OCF::Dummy::lab marker::/run/hb-script.state`` (the instance file sets
``OCF_RESKEY_state=/run/hb-wrapped.state``; ``marker`` creates the file it is given),
``auto_failback on``. Dummy creates exactly the file its ``OCF_RESKEY_state`` names, in the
node's private /run: that the files appear where the parameters say, on the node holding the
group and only there, shows the agents got their parameters through the OCF interface.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

import pytest
from hb_lab.lab import Bcast, ClusterConfig, HbCommand, Lab, LabSpec, Node, Timers
from ocf_helpers import REAL_ROOT

pytestmark = [
    pytest.mark.netns,
    pytest.mark.skipif(os.geteuid() != 0, reason="network namespaces need root"),
    pytest.mark.skipif(
        not (REAL_ROOT / "resource.d/heartbeat/Dummy").exists(),
        reason="needs Debian's resource-agents (/usr/lib/ocf)",
    ),
]

ADDRESS = "10.77.1.100"
STATE_FILES = ("/run/hb-ocf.state", "/run/hb-wrapped.state", "/run/hb-script.state")
MARKER_SCRIPT = """#!/bin/sh
# marker FILE start|stop|status: a heartbeat resource.d script; FILE exists while it runs.
case "$2" in
  start) touch "$1" ;;
  stop) rm -f "$1" ;;
  status) if [ -e "$1" ]; then echo running; else echo stopped; fi ;;
esac
"""
CONFIG = ClusterConfig(
    media=(Bcast(("eth1",)),),
    timers=Timers(keepalive=0.2, deadtime=1, initdead=2),
    resources=(
        f"linuxha1 IPaddr2::{ADDRESS}/24/eth0 ocf:heartbeat:Dummy::state={STATE_FILES[0]} "
        f"OCF::Dummy::lab marker::{STATE_FILES[2]}",
    ),
    auto_failback="on",
)
COLD_START_S = 40.0
"""hb waits up to 10 s for a stable peer before taking its own groups."""
MOVE_S = 20.0


def holds(node: Node) -> bool:
    """The node holds every resource of the group: the address and the three state files."""
    address = ADDRESS in node.run(["ip", "-4", "addr", "show", "dev", "eth0"]).stdout
    return address and all(node.dirs.outside(state).exists() for state in STATE_FILES)


def holds_nothing(node: Node) -> bool:
    address = ADDRESS in node.run(["ip", "-4", "addr", "show", "dev", "eth0"]).stdout
    return not address and not any(node.dirs.outside(state).exists() for state in STATE_FILES)


def only(owner: Node, other: Node) -> Callable[[], bool]:
    return lambda: holds(owner) and holds_nothing(other)


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not reached within {timeout} s: {what}")
        time.sleep(0.05)


def test_the_ocf_group_fails_over_to_the_survivor_and_back() -> None:
    with Lab.create(LabSpec(nodes=2, client=False)) as lab:
        lab.write_config(CONFIG)
        for node in lab.nodes:
            instance = node.dirs.ha_d / "conf" / "OCF" / "Dummy" / "lab"
            instance.parent.mkdir(parents=True)
            instance.write_text(f"# the wrapped Dummy\nOCF_RESKEY_state={STATE_FILES[1]}\n")
            marker = node.dirs.ha_d / "resource.d" / "marker"
            marker.parent.mkdir(exist_ok=True)
            marker.write_text(MARKER_SCRIPT)
            marker.chmod(0o755)
        preferred, other = lab.node("linuxha1"), lab.node("linuxha2")
        lab.start(HbCommand())
        wait_until(only(preferred, other), COLD_START_S, "the preferred node holds the group")
        time.sleep(3)  # past initdead on both sides

        preferred.kill()  # like a dead machine: its address and state files stay behind
        lab.cut_link(preferred.name, "eth0")
        wait_until(lambda: holds(other), MOVE_S, "the survivor takes the group over")

        # A reboot: the address and /run (where Dummy keeps its state) are gone.
        preferred.run(["ip", "addr", "del", f"{ADDRESS}/24", "dev", "eth0"], check=False)
        for state in STATE_FILES:
            preferred.dirs.outside(state).unlink()
        lab.restore_link(preferred.name, "eth0")
        mark = preferred.log_mark()
        preferred.start(HbCommand())
        wait_until(only(preferred, other), MOVE_S, "the group fails back")

        started = "\n".join(preferred.read_log(after=mark))
        assert f"Running {REAL_ROOT}/resource.d/heartbeat/Dummy start" in started
        assert "Running /etc/ha.d/resource.d/OCF Dummy lab start" in started
