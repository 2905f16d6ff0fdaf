"""Resource monitoring through ``hb start`` in the lab: linuxha1's ha.cf says
``resource_monitor 500ms``, its resource.d service dies, and the node restarts it where it runs
(the peer never starts it). The give-up after repeated failures, with heartbeat's 30 s standby
delay, is tested in memory (hbcore/tests/resources/test_monitor_in_memory.py) and was run in
the lab against heartbeat 3.0.6 as the peer (the log is in docs/resources.md).
"""

from __future__ import annotations

import os
import time

import pytest
from hb_lab.lab import Bcast, ClusterConfig, HbCommand, Lab, LabSpec, Node, Timers

pytestmark = [
    pytest.mark.netns,
    pytest.mark.skipif(os.geteuid() != 0, reason="network namespaces need root"),
]

TIMERS = Timers(keepalive=0.1, deadtime=1, initdead=2)
STEP_TIMEOUT_S = 30.0
SCRIPT = """#!/bin/sh
# demo::NAME: running while /var/log/demo-NAME.running exists; every start and stop is
# recorded in /var/log/demo-events.
state=/var/log/demo-$1.running
case "$2" in
  start)  touch "$state"; echo "start $1" >> /var/log/demo-events;;
  stop)   rm -f "$state"; echo "stop $1" >> /var/log/demo-events;;
  status) if [ -f "$state" ]; then echo running; else echo stopped; fi;;
esac
exit 0
"""


def _events(node: Node) -> list[str]:
    path = node.log_path("/var/log/demo-events")
    return path.read_text().splitlines() if path.exists() else []


def test_a_service_that_dies_is_restarted_where_it_runs() -> None:
    with Lab.create(LabSpec(nodes=2, client=False)) as lab:
        lab.write_config(
            ClusterConfig(
                media=(Bcast(("eth1",)),), timers=TIMERS, resources=("linuxha1 demo::svc",)
            )
        )
        one, two = lab.nodes
        with open(one.dirs.ha_d / "ha.cf", "a") as hacf:
            hacf.write("resource_monitor 500ms failures 3\n")
        for node in lab.nodes:
            script = node.dirs.ha_d / "resource.d" / "demo"
            script.parent.mkdir(exist_ok=True)
            script.write_text(SCRIPT)
            script.chmod(0o755)
        one.start(HbCommand())
        two.start(HbCommand())
        one.wait_for_log("Initial resource acquisition complete", STEP_TIMEOUT_S)
        deadline = time.monotonic() + STEP_TIMEOUT_S
        while _events(one) != ["start svc"] and time.monotonic() < deadline:
            time.sleep(0.1)

        mark = one.log_mark()
        one.log_path("/var/log/demo-svc.running").unlink()  # the service dies
        one.wait_for_log(
            "ERROR: Resource monitor: demo::svc of resource group demo::svc not running "
            "(failure 1 of 3)",
            STEP_TIMEOUT_S,
            after=mark,
        )
        one.wait_for_log(
            "info: Restarting demo::svc of resource group demo::svc", STEP_TIMEOUT_S, after=mark
        )
        while len(_events(one)) < 3 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _events(one) == ["start svc", "stop svc", "start svc"]
        assert one.log_path("/var/log/demo-svc.running").exists()
        assert _events(two) == []
