"""respawn on a real hb node: a killed helper comes back, one exiting 100 stays down, and both
are stopped with the node."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest
from hb_lab.lab import Bcast, ClusterConfig, HbCommand, Lab, LabSpec, Node
from hb_lab.lab import Timers as LabTimers

pytestmark = [
    pytest.mark.netns,
    pytest.mark.skipif(os.geteuid() != 0, reason="network namespaces need root"),
]

HB = Path(sys.executable).with_name("hb")
HELPERS = {
    "helper-sleep": "exec sleep 600",
    "helper-done": "exit 100",
}


def runs(node: Node, helper: str) -> list[int]:
    record = node.dirs.outside(f"/var/log/{helper}.runs")
    return [int(pid) for pid in record.read_text().split()] if record.exists() else []


def wait_for_runs(node: Node, helper: str, count: int, timeout: float = 15.0) -> list[int]:
    deadline = time.monotonic() + timeout
    while len(runs(node, helper)) < count:
        assert time.monotonic() < deadline, f"{helper} did not run {count} times"
        time.sleep(0.05)
    return runs(node, helper)


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_killed_helper_comes_back_exit_100_stays_down_and_stop_ends_them() -> None:
    with Lab.create(LabSpec(nodes=2, client=False)) as lab:
        lab.write_config(
            ClusterConfig(
                media=(Bcast(("eth1",)),),
                timers=LabTimers(keepalive=0.2, deadtime=1, initdead=2),
                extra=tuple(f"respawn root /etc/ha.d/{helper}" for helper in HELPERS),
            )
        )
        for node in lab.nodes:
            for helper, body in HELPERS.items():
                script = node.dirs.ha_d / helper
                script.write_text(f"#!/bin/sh\necho $$ >> /var/log/{helper}.runs\n{body}\n")
                script.chmod(0o755)
        lab.start(HbCommand())
        node = lab.node("linuxha1")
        (first,) = wait_for_runs(node, "helper-sleep", 1)
        wait_for_runs(node, "helper-done", 1)

        node.run(["kill", "-9", str(first)])
        second = wait_for_runs(node, "helper-sleep", 2)[1]
        assert alive(second)
        node.wait_for_log(f"Client /etc/ha.d/helper-sleep (pid={first}) killed by signal 9.", 5)
        node.wait_for_log("Respawning client", 5)

        time.sleep(1)
        assert len(runs(node, "helper-done")) == 1
        node.wait_for_log("Client /etc/ha.d/helper-done exited with return code 100.", 5)

        node.run([str(HB), "stop"])
        assert not alive(second)
