"""hb and the real heartbeat 3.0.6 in one cluster: linuxha1 runs heartbeat (haresources mode,
no resources), linuxha2 runs hb. On ucast and bcast, with sha1 and crc, both go active, each
sees the other's link, each rejects nothing the other sends, and each declares the other dead
when it is killed. ``hb status`` answers the cl_status queries as ``cl_status`` does on the
heartbeat node, and heartbeat acts on hb's shutdown notice.

Timers are small (keepalive 100 ms, deadtime 1 s, initdead 2 s); heartbeat declares a peer dead
only once initdead has passed since its own start, which the tests leave time for.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest
from hb_lab.haconf import Medium
from hb_lab.lab import (
    Auth,
    Bcast,
    ClusterConfig,
    HbCommand,
    HeartbeatCommand,
    Lab,
    LabSpec,
    Node,
    Timers,
    Ucast,
)

pytestmark = [
    pytest.mark.netns,
    pytest.mark.skipif(os.geteuid() != 0, reason="network namespaces need root"),
]

HB = Path(sys.executable).with_name("hb")
HB_START = HbCommand()
TIMERS = Timers(keepalive=0.1, deadtime=1, initdead=2)
NO_RESOURCES = ("# membership only: no resource groups",)
START_TIMEOUT_S = 30.0
DEATH_TIMEOUT_S = 10.0
REJECTIONS = ("authentication failed", "dropped", "bad node", "replay attack")
"""Log text of either daemon refusing a packet: none may appear between the two."""


def _config(medium: Medium, auth: str) -> ClusterConfig:
    return ClusterConfig(media=(medium,), auth=Auth(auth), timers=TIMERS, resources=NO_RESOURCES)


def _rejections(node: Node, after: int = 0) -> list[str]:
    return [line for line in node.read_log(after=after) if any(text in line for text in REJECTIONS)]


def _start_mixed_cluster(lab: Lab) -> tuple[Node, Node]:
    """heartbeat on linuxha1, hb on linuxha2; both active and seeing each other active."""
    heartbeat, hb = lab.nodes
    heartbeat.start(HeartbeatCommand())
    hb.start(HB_START)
    for node in lab.nodes:
        node.wait_for_log("Comm_now_up(): updating status to active", START_TIMEOUT_S)
    heartbeat.wait_for_log("Status update for node linuxha2: status active", START_TIMEOUT_S)
    hb.wait_for_log("Status update for node linuxha1: status active", START_TIMEOUT_S)
    return heartbeat, hb


MEDIA = {"ucast": Ucast("eth1"), "bcast": Bcast(("eth1",))}


@pytest.mark.parametrize("auth", ["sha1", "crc"])
@pytest.mark.parametrize("medium", list(MEDIA))
def test_heartbeat_and_hb_go_active_together_and_each_sees_the_other_die(
    medium: str, auth: str, record_property: pytest.RecordProperty
) -> None:
    with Lab.create(LabSpec(nodes=2, client=False)) as lab:
        lab.write_config(_config(MEDIA[medium], auth))
        started = time.monotonic()
        heartbeat, hb = _start_mixed_cluster(lab)
        record_property("time_to_active_s", round(time.monotonic() - started, 3))
        heartbeat.wait_for_log("Link linuxha2:eth1 up.", 5)
        hb.wait_for_log("Link linuxha1:eth1 up.", 5)

        mark = heartbeat.log_mark()
        killed_at = time.monotonic()
        hb.kill()
        found = heartbeat.wait_for_log("node linuxha2: is dead", DEATH_TIMEOUT_S, after=mark)
        record_property("heartbeat_sees_hb_dead_s", round(found.at - killed_at, 3))

        hb_mark = hb.log_mark()
        hb.start(HB_START)
        heartbeat.wait_for_log("Heartbeat restart on node linuxha2", START_TIMEOUT_S, after=mark)
        heartbeat.wait_for_log(
            "Status update for node linuxha2: status active", START_TIMEOUT_S, after=mark
        )
        hb.wait_for_log("Comm_now_up(): updating status to active", START_TIMEOUT_S, after=hb_mark)

        mark = hb.log_mark()
        killed_at = time.monotonic()
        heartbeat.kill()
        found = hb.wait_for_log("node linuxha1: is dead", DEATH_TIMEOUT_S, after=mark)
        record_property("hb_sees_heartbeat_dead_s", round(found.at - killed_at, 3))

        assert _rejections(heartbeat) == []
        assert _rejections(hb) == []


CL_STATUS_QUERIES = [
    ["hbstatus"],
    ["listnodes"],
    ["nodestatus", "linuxha1"],
    ["nodestatus", "linuxha2"],
    ["nodestatus", "nosuch"],
    ["nodestatus"],
    ["listhblinks", "{peer}"],
    ["listhblinks", "nosuch"],
    ["hblinkstatus", "{peer}", "eth1"],
    ["hblinkstatus", "{peer}", "eth9"],
    ["bogus"],
]

STOPPED_QUERIES = [["hbstatus"], ["listnodes"], ["nodestatus"], ["nodestatus", "{peer}"], ["bogus"]]


def test_hb_status_answers_like_cl_status_running_and_stopped_and_heartbeat_hears_hb_stop() -> None:
    with Lab.create(LabSpec(nodes=2, client=False)) as lab:
        lab.write_config(_config(Bcast(("eth1",)), "sha1"))
        heartbeat, hb = _start_mixed_cluster(lab)
        _assert_same_answers(heartbeat, hb, CL_STATUS_QUERIES)

        mark = heartbeat.log_mark()
        hb.run([str(HB), "stop"])
        heartbeat.wait_for_log("Received shutdown notice from 'linuxha2'.", 5, after=mark)
        assert _rejections(heartbeat) == []

        heartbeat.kill()
        _assert_same_answers(heartbeat, hb, STOPPED_QUERIES)


def _assert_same_answers(heartbeat: Node, hb: Node, queries: list[list[str]]) -> None:
    """Each query gives the same exit code and output from cl_status on the heartbeat node as
    from ``hb status`` on the hb node (asked about the other node where a query names one)."""
    for template in queries:
        real = heartbeat.run(
            ["cl_status", *(word.format(peer="linuxha2") for word in template)], check=False
        )
        ours = hb.run(
            [str(HB), "status", *(word.format(peer="linuxha1") for word in template)],
            check=False,
        )
        assert (ours.returncode, ours.stdout) == (real.returncode, real.stdout), template
