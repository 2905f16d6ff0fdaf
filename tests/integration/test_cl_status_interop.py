"""Our ``cl_status`` against heartbeat 3.0.6's, in the lab: two clusters side by side with the
same configuration, one of two real heartbeat nodes and one of two hb nodes (linuxha1 holds a
group, a ping node answers). Every sub-command, with its options and its errors, is asked on
linuxha1 of each cluster, the real ``cl_status`` on the heartbeat node and ours on the hb node,
in three states: everything running, the peer linuxha2 dead, linuxha1 itself stopped. Standard
output, standard error and the exit code must be the same, except the time and pid of
heartbeat's log prefix and the build named in the version.

Two clusters rather than one mixed one, so that a query about the peer asks a peer of the same
kind (heartbeat asks a peer's heartbeat for ``clientstatus``, which hb does not answer).
Timers are small (keepalive 100 ms, deadtime 1 s, initdead 2 s).
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from hb_lab.lab import (
    Bcast,
    ClusterConfig,
    HbCommand,
    HeartbeatCommand,
    Lab,
    LabSpec,
    Node,
    Timers,
)

REAL_CL_STATUS = Path("/usr/bin/cl_status")
OUR_CL_STATUS = Path(sys.executable).with_name("cl_status")

pytestmark = [
    pytest.mark.netns,
    pytest.mark.skipif(os.geteuid() != 0, reason="network namespaces need root"),
    pytest.mark.skipif(
        not REAL_CL_STATUS.exists(), reason="needs heartbeat 3.0.6 (apt-get install heartbeat)"
    ),
]

PING_NODE = "10.77.1.254"
"""The lab's client, on the public network: every node's ping node."""
CONFIG = ClusterConfig(
    media=(Bcast(("eth1",)),),
    timers=Timers(keepalive=0.1, deadtime=1, initdead=2),
    resources=("linuxha1 10.77.1.100/24/eth0",),
    extra=(f"ping {PING_NODE}",),
)
START_TIMEOUT_S = 40.0
DEATH_TIMEOUT_S = 15.0

QUERIES = [
    # help and sub-commands
    "",
    "-h",
    "-h extra",
    "--help",
    "bogus",
    "numnodes",
    # hbstatus
    "hbstatus",
    "hbstatus -v",
    "hbstatus -m -v",
    "hbstatus -x",
    # listnodes
    "listnodes",
    "listnodes -p",
    "listnodes -n",
    "listnodes -p -n",
    "listnodes -v",
    "listnodes -m",
    "listnodes -x",
    # the node queries
    "nodestatus linuxha1",
    "nodestatus linuxha2",
    f"nodestatus {PING_NODE}",
    "nodestatus LINUXHA2",
    "nodestatus nosuch",
    "nodestatus",
    "nodestatus linuxha2 -m",
    "nodestatus -x linuxha2",
    "nodeweight linuxha2",
    "nodeweight -m linuxha2",
    "nodeweight nosuch",
    "nodesite linuxha2",
    "nodesite nosuch",
    "nodetype linuxha1",
    f"nodetype {PING_NODE}",
    "nodetype -m linuxha2",
    "nodetype nosuch",
    "nodetype",
    # links
    "listhblinks linuxha1",
    "listhblinks linuxha2",
    f"listhblinks {PING_NODE}",
    "listhblinks -v linuxha2",
    f"listhblinks -m -v {PING_NODE}",
    "listhblinks nosuch",
    "listhblinks",
    "hblinkstatus linuxha1 eth1",
    "hblinkstatus linuxha2 eth1",
    f"hblinkstatus {PING_NODE} {PING_NODE}",
    "hblinkstatus -m linuxha2 eth1",
    "hblinkstatus linuxha2 eth9",
    "hblinkstatus nosuch eth1",
    "hblinkstatus linuxha2",
    # clients (a live peer's are asked over the wire: see the dead peer below)
    "clientstatus linuxha1 ipfail",
    "clientstatus nosuch ipfail",
    "clientstatus linuxha1",
    # resources
    "rscstatus",
    "rscstatus -m",
    "rscstatus -x",
    # parameters
    "hbparameter",
    "hbparameter -p",
    "hbparameter -x",
    "hbparameter -m -p keepalive",
    *(
        f"hbparameter -p {name}"
        for name in (
            "keepalive",
            "deadtime",
            "warntime",
            "initdead",
            "deadping",
            "udpport",
            "crm",
            "pacemaker",
            "cluster",
            "auto_failback",
            "logfile",
            "logfacility",
            "use_logd",
            "debug",
            "hbversion",
            "node",
            "ping",
            "nosuch",
        )
    ),
    "test",
]
"""Every sub-command of heartbeat 3.0.6's cl_status, each with its options and its errors."""
DEAD_PEER_QUERIES = ["clientstatus linuxha2 ipfail"]
"""A dead peer's client is offline without asking it."""

RUN_QUERIES = """
import json, subprocess, sys
from concurrent.futures import ThreadPoolExecutor
binary, queries = sys.argv[1], json.loads(sys.stdin.read())
def ask(query):
    done = subprocess.run([binary, *query.split()], capture_output=True, text=True, timeout=20)
    return [done.returncode, done.stdout, done.stderr]
with ThreadPoolExecutor(2) as pool:
    answers = list(pool.map(ask, queries))
print(json.dumps(answers))
"""
"""Runs every query inside the node, in one entry into its namespaces, two at a time (cl_status
only reads, and the cluster holds still while it is asked; ours spends most of its ~0.1 s a
query starting Python, so two at a time nearly halve a round on two cores)."""

LOG_PREFIX = re.compile(r"^[A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} (\S+) cl_status: \[\d+\]: ", re.M)
VERSION = re.compile(r"3\.0\.6 \([^)\n]*\)")


def _normalised(text: str) -> str:
    """Without what differs by nature: the log prefix's time and pid, the build in the
    version (heartbeat's changeset, hb's version)."""
    return VERSION.sub("3.0.6 (build)", LOG_PREFIX.sub(r"\1 cl_status: ", text))


def _answers(node: Node, binary: Path, queries: list[str]) -> list[tuple[int, str, str]]:
    done = node.run([sys.executable, "-c", RUN_QUERIES, str(binary)], stdin=json.dumps(queries))
    raw: list[list[Any]] = json.loads(done.stdout)
    return [(code, _normalised(out), _normalised(err)) for code, out, err in raw]


def _assert_same_answers(heartbeat: Node, hb: Node, queries: list[str]) -> None:
    with ThreadPoolExecutor(2) as pool:
        real = pool.submit(_answers, heartbeat, REAL_CL_STATUS, queries)
        ours = pool.submit(_answers, hb, OUR_CL_STATUS, queries)
        pairs = list(zip(queries, real.result(), ours.result(), strict=True))
    differences = [
        f"cl_status {query}:\n  heartbeat: {theirs!r}\n  hb:        {mine!r}"
        for query, theirs, mine in pairs
        if theirs != mine
    ]
    assert differences == [], "\n".join(differences)


def _wait_for_answer(node: Node, binary: Path, query: str, expected: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        done = node.run([str(binary), *query.split()], check=False)
        if done.stdout == expected:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(
                f"{node.name}: cl_status {query} exited {done.returncode}: {done.stdout!r}, "
                f"{done.stderr!r}; last log lines: {node.read_log()[-5:]}"
            )
        time.sleep(0.2)


@pytest.fixture
def clusters() -> Iterator[tuple[Lab, Lab]]:
    """A heartbeat cluster and an hb cluster, configured alike, started together."""
    with ExitStack() as stack:
        heartbeat = stack.enter_context(Lab.create(LabSpec(nodes=2)))
        hb = stack.enter_context(Lab.create(LabSpec(nodes=2)))
        for lab in (heartbeat, hb):
            lab.write_config(CONFIG)
        heartbeat.start(HeartbeatCommand())
        hb.start(HbCommand())
        yield heartbeat, hb


def test_our_cl_status_answers_as_heartbeats_running_with_a_dead_peer_and_stopped(
    clusters: tuple[Lab, Lab], record_property: pytest.RecordProperty
) -> None:
    started = time.monotonic()
    (heartbeat, heartbeat_peer), (hb, hb_peer) = (lab.nodes for lab in clusters)
    for node, binary in ((heartbeat, REAL_CL_STATUS), (hb, OUR_CL_STATUS)):
        _wait_for_answer(node, binary, "rscstatus", "local\n", START_TIMEOUT_S)
        _wait_for_answer(node, binary, f"nodestatus {PING_NODE}", "ping\n", START_TIMEOUT_S)
        _wait_for_answer(node, binary, "nodestatus linuxha2", "active\n", START_TIMEOUT_S)
    record_property("clusters_ready_s", round(time.monotonic() - started, 1))
    _assert_same_answers(heartbeat, hb, QUERIES)

    marks = [heartbeat.log_mark(), hb.log_mark()]
    heartbeat_peer.kill()
    hb_peer.kill()
    for (node, binary), mark in zip(
        ((heartbeat, REAL_CL_STATUS), (hb, OUR_CL_STATUS)), marks, strict=True
    ):
        node.wait_for_log("node linuxha2: is dead", DEATH_TIMEOUT_S, after=mark)
        _wait_for_answer(node, binary, "rscstatus", "all\n", DEATH_TIMEOUT_S)
    _assert_same_answers(heartbeat, hb, QUERIES + DEAD_PEER_QUERIES)

    heartbeat.kill()
    hb.kill()
    _assert_same_answers(heartbeat, hb, QUERIES + DEAD_PEER_QUERIES)
    record_property("total_s", round(time.monotonic() - started, 1))
