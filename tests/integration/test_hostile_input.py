"""Real hb nodes under hostile input from the heartbeat wire (issue 8), as an intruder without
the key can send it: a flood of garbage does not make a live node look dead nor fill its log,
and a replayed packet of a dead node neither keeps it alive nor, once it is dead, brings it
back and makes the survivor give up what it took over.

Two hb nodes share ``bcast eth1`` (``ucast eth1`` for the small-packet flood; keepalive
100 ms, deadtime 1 s, warntime 500 ms) and the group ``linuxha1 IPaddr2::10.77.1.100/24/eth0``.
The intruder is a namespace of the lab with its own port on eth1 (``hostile_tools.Intruder``).
Assertions count log lines and owners; the one bound on time is the death-detection bound the
cluster tests use. ``bench/flood.py`` prints the figures (CPU, longest silence, log growth).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace

import pytest
from hb_lab.haconf import Medium
from hb_lab.lab import Bcast, ClusterConfig, HbCommand, Lab, LabSpec, Node, Timers, Ucast
from hbcore.node.daemon import PARTITION_RESTART_DELAY_S, STARTUP_BONUS_S
from hostile_tools import (
    UDPPORT,
    CapturedStatus,
    Intruder,
    Replayer,
    StatusCapture,
    flood,
    garbage_packets,
    hb_status,
    lines_with,
    small_packets,
)

pytestmark = [
    pytest.mark.netns,
    pytest.mark.skipif(os.geteuid() != 0, reason="network namespaces need root"),
]

HB_START = HbCommand()
KEEPALIVE, DEADTIME, WARNTIME = 0.1, 1.0, 0.5
ADDRESS = "10.77.1.100"
BCAST = Bcast(("eth1",))
CONFIG = ClusterConfig(
    media=(BCAST,),
    timers=Timers(keepalive=KEEPALIVE, deadtime=DEADTIME, warntime=WARNTIME, initdead=2.0),
    resources=(f"linuxha1 IPaddr2::{ADDRESS}/24/eth0",),
)
DETECTION_MARGIN_S = 0.3
"""Slack on the death-detection bound for process wake-ups and log polling (10 ms), as in
``test_hb_cluster.py``: small enough that a death timed from a replayed packet shows."""
SETTLE_S = 2 * DEADTIME
"""After a flood or a replay: long enough for a death or a late heartbeat it caused to show."""
START_TIMEOUT_S = 30.0
TAKEOVER_TIMEOUT_S = 10.0

BIG_FLOOD = (60.0, 10.0)
"""Issue 8's flood: 60 packets of 65 KB a second for 10 s (600 packets, ~31 Mbit/s)."""
SMALL_FLOOD = (5000.0, 5.0)
"""Issue 8's rate of small random packets (50k in 10 s), for 5 s."""
LOG_LINES_LIMIT = 100

DEATH = ": is dead"
TAKEOVER = ("Taking over resource group", "Acquiring resource group")
RELEASE = ("Giving up all HA resources", "Releasing resource group", "No local heartbeat")
RETURN = ("returning after partition", "Heartbeat restart on node linuxha1")
HANDED_BACK = "Other node completed standby takeover of foreign resources."
"""linuxha1, up alone first, has given linuxha2's groups (none) back once it joined."""


# -- the cluster --------------------------------------------------------------------------------


def holds(node: Node) -> bool:
    return ADDRESS in node.run(["ip", "-4", "addr", "show", "dev", "eth0"]).stdout


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not reached within {timeout} s: {what}")
        time.sleep(0.1)


@contextmanager
def owned_cluster(medium: Medium = BCAST) -> Iterator[tuple[Lab, Intruder, StatusCapture]]:
    """Two hb nodes heartbeating over ``medium``, linuxha1 holding the address alone and both
    past their start-up rules (a node advertises a longer deadtime for its first seconds); an
    intruder on eth1; every status of linuxha1 captured on linuxha2's eth1 from the start.

    linuxha1 starts alone and takes the address after initdead, then linuxha2 joins: 7 s
    sooner than a start together, where each waits 10 s for a stable peer (heartbeat's
    RQSTDELAY; ``test_hb_cluster.py`` checks that start)."""
    with Lab.create(LabSpec(nodes=2, client=False)) as lab:
        lab.write_config(replace(CONFIG, media=(medium,)))
        linuxha1, linuxha2 = lab.nodes
        capture = StatusCapture(linuxha2, linuxha1.addresses["eth1"])
        try:
            linuxha1.start(HB_START)
            wait_until(lambda: holds(linuxha1), START_TIMEOUT_S, "linuxha1 takes the address")
            mark = linuxha1.log_mark()
            joined = time.monotonic()
            linuxha2.start(HB_START)
            linuxha2.wait_for_log("Status update for node linuxha1: status active", START_TIMEOUT_S)
            linuxha1.wait_for_log(HANDED_BACK, START_TIMEOUT_S, after=mark)
            wait_until(
                lambda: holds(linuxha1) and not holds(linuxha2),
                START_TIMEOUT_S,
                "linuxha1 alone holds the address",
            )
            time.sleep(max(0.0, joined + STARTUP_BONUS_S + DEADTIME - time.monotonic()))
            with Intruder(lab) as intruder:
                yield lab, intruder, capture
        finally:
            capture.stop()


# -- floods -------------------------------------------------------------------------------------


def test_a_flood_of_65_kb_garbage_packets_no_late_heartbeat_no_death_no_takeover() -> None:
    with owned_cluster() as (lab, intruder, _capture):
        linuxha1, linuxha2 = lab.nodes
        marks = {node.name: node.log_mark() for node in lab.nodes}
        rate, seconds = BIG_FLOOD
        target = (linuxha1.addresses["eth1"], UDPPORT)
        owners: list[tuple[bool, bool]] = []
        with intruder.socket() as sock:
            sender = threading.Thread(
                target=flood, args=(sock, target, garbage_packets(), rate, seconds)
            )
            sender.start()
            while sender.is_alive():
                owners.append((holds(linuxha1), holds(linuxha2)))
                time.sleep(0.5)
            sender.join()
        time.sleep(SETTLE_S)
        owners.append((holds(linuxha1), holds(linuxha2)))

        assert lines_with(linuxha1, marks["linuxha1"], "dropped"), "linuxha1 saw no flood"
        late = lines_with(linuxha2, marks["linuxha2"], "Late heartbeat: Node linuxha1")
        assert late == [], f"linuxha1's heartbeats were late beyond warntime {WARNTIME} s"
        assert lines_with(linuxha1, marks["linuxha1"], DEATH) == []
        assert lines_with(linuxha2, marks["linuxha2"], DEATH) == []
        assert lines_with(linuxha2, marks["linuxha2"], *TAKEOVER) == []
        assert lines_with(linuxha1, marks["linuxha1"], *RELEASE) == []
        assert set(owners) == {(True, False)}, "the address left linuxha1 during the flood"


def test_a_flood_of_small_random_packets_adds_under_100_log_lines() -> None:
    # ucast here, bcast elsewhere: each UDP medium's reader takes one flood.
    with owned_cluster(Ucast("eth1")) as (lab, intruder, _capture):
        linuxha1, _linuxha2 = lab.nodes
        marks = {node.name: node.log_mark() for node in lab.nodes}
        rate, seconds = SMALL_FLOOD
        with intruder.socket() as sock:
            report = flood(
                sock, (linuxha1.addresses["eth1"], UDPPORT), small_packets(), rate, seconds
            )
        time.sleep(SETTLE_S)

        added = linuxha1.read_log(after=marks["linuxha1"])
        assert report.sent >= rate * seconds * 0.9
        assert [line for line in added if "dropped" in line], "linuxha1 saw no flood"
        assert len(added) < LOG_LINES_LIMIT, f"{report.sent} packets added {len(added)} lines"
        for node in lab.nodes:
            assert lines_with(node, marks[node.name], DEATH) == []


# -- replays ------------------------------------------------------------------------------------


def _kill(node: Node) -> float:
    """SIGKILL every process of ``node`` (as a power cut); the time just before."""
    before = time.monotonic()
    node.kill()
    return before


def _last_status(capture: StatusCapture) -> CapturedStatus:
    """The last status the killed node sent, once any still on the wire has arrived."""
    time.sleep(2 * KEEPALIVE)
    return capture.latest()


def _wait_for_death(survivor: Node, killed_at: float, mark: int) -> float:
    """``survivor`` logs linuxha1 dead within deadtime + one keepalive of the kill; return
    how long after the kill."""
    bound = DEADTIME + KEEPALIVE + DETECTION_MARGIN_S
    try:
        dead = survivor.wait_for_log("node linuxha1: is dead", bound + 5, after=mark)
    except TimeoutError:
        pytest.fail(f"linuxha2 still holds the killed linuxha1 alive {bound + 5:.1f} s later")
    latency = dead.at - killed_at
    assert latency <= bound, f"dead {latency:.3f} s after the kill"
    return latency


def test_a_killed_nodes_replayed_packet_does_not_keep_it_alive_the_peer_takes_over(
    record_property: pytest.RecordProperty,
) -> None:
    with owned_cluster() as (lab, intruder, capture):
        linuxha1, linuxha2 = lab.nodes
        mark = linuxha2.log_mark()
        killed_at = _kill(linuxha1)
        last = _last_status(capture)  # linuxha2 accepted it: a duplicate from now on
        with intruder.socket() as sock:
            replayer = Replayer(sock, (linuxha2.addresses["eth1"], UDPPORT), last.payload)
            try:
                latency = _wait_for_death(linuxha2, killed_at, mark)
                record_property("detection_latency_s", round(latency, 3))
                wait_until(lambda: holds(linuxha2), TAKEOVER_TIMEOUT_S, "linuxha2 takes over")
                time.sleep(PARTITION_RESTART_DELAY_S + SETTLE_S)
            finally:
                replayer.stop()

        dead = linuxha2.wait_for_log("node linuxha1: is dead", 0, after=mark)
        assert lines_with(linuxha2, dead.end, *RETURN, *RELEASE) == []
        assert lines_with(linuxha2, dead.end, "Status update for node linuxha1") == []
        assert lines_with(linuxha2, dead.end, "dropped"), "no replayed packet reached linuxha2"
        assert holds(linuxha2)


def test_an_old_status_replayed_after_a_takeover_changes_nothing() -> None:
    with owned_cluster() as (lab, intruder, capture):
        linuxha1, linuxha2 = lab.nodes
        captured = capture.snapshot()
        old = captured[len(captured) // 2]  # seconds old, from the same generation
        mark = linuxha2.log_mark()
        killed_at = _kill(linuxha1)
        last = _last_status(capture)
        assert old.seq is not None and last.seq is not None and old.seq < last.seq
        _wait_for_death(linuxha2, killed_at, mark)
        wait_until(lambda: holds(linuxha2), TAKEOVER_TIMEOUT_S, "linuxha2 takes over")
        took_over = linuxha2.log_mark()

        with intruder.socket() as sock:
            replayer = Replayer(sock, (linuxha2.addresses["eth1"], UDPPORT), old.payload)
            try:
                time.sleep(5 * KEEPALIVE)
                replayer.switch(last.payload)
                time.sleep(5 * KEEPALIVE)
            finally:
                replayer.stop()
        time.sleep(PARTITION_RESTART_DELAY_S + SETTLE_S)

        assert lines_with(linuxha2, took_over, *RETURN, *RELEASE) == []
        assert lines_with(linuxha2, took_over, "Status update for node linuxha1") == []
        assert lines_with(linuxha2, took_over, "dropped"), "no replayed packet reached linuxha2"
        assert holds(linuxha2)
        (entry,) = [e for e in hb_status(linuxha2)["nodes"] if e["name"] == "linuxha1"]
        assert entry["status"] == "dead"
