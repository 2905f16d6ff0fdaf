"""Statistics in the lab, as issue 13 asks them shown: 30 % loss on one heartbeat path shows on
that link alone in ``hb status --json``; the owner killed like a machine, ``hb events --json``
on the survivor has its death and the takeover, with durations that agree with the log's
timestamps.

linuxha1 starts alone and takes the address; linuxha2 joins (``auto_failback off``: nothing
moves). Timers are small (keepalive 100 ms, deadtime 1 s) so the file runs in about 15 s.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hb_lab.lab import Bcast, ClusterConfig, HbCommand, Lab, LabSpec, Node
from hb_lab.lab import Timers as LabTimers

pytestmark = [
    pytest.mark.netns,
    pytest.mark.skipif(os.geteuid() != 0, reason="network namespaces need root"),
]

HB = Path(sys.executable).with_name("hb")
ADDRESS = "10.77.1.100"
JSON_LOG = "/var/log/hb.json"
CONFIG = ClusterConfig(
    media=(Bcast(("eth1", "eth2")),),
    timers=LabTimers(keepalive=0.1, deadtime=1, initdead=2),
    resources=(f"linuxha1 IPaddr2::{ADDRESS}/24/eth0",),
    auto_failback="off",
)
AGREEMENT_MS = 5.0
"""The events and the log lines are stamped by the same process from the same clock."""


@dataclass(frozen=True)
class HbWithJsonLog(HbCommand):
    """``hb start --foreground`` that also writes its log as JSON (timestamps in µs)."""

    def argv(self, node: str) -> list[str]:
        return [*super().argv(node), "--log-json", JSON_LOG]


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not reached within {timeout} s: {what}")
        time.sleep(0.05)


def holds(node: Node) -> bool:
    return ADDRESS in node.run(["ip", "-4", "addr", "show", "dev", "eth0"]).stdout


def hb_json(node: Node, *argv: str) -> Any:
    return json.loads(node.run([str(HB), *argv]).stdout)


def events(node: Node) -> list[dict[str, Any]]:
    lines = node.run([str(HB), "events", "--json"]).stdout.splitlines()
    return [json.loads(line) for line in lines]


def logged_at(node: Node, text: str) -> float:
    """The timestamp of the JSON log record ``text``."""
    records = [json.loads(line) for line in node.log_path(JSON_LOG).read_text().splitlines()]
    (record,) = [record for record in records if record["event"] == text]
    stamp: float = record["timestamp"]
    return stamp


def test_a_lossy_path_shows_alone_and_a_takeover_agrees_with_the_log() -> None:
    with Lab.create(LabSpec(nodes=2, heartbeat_nets=2, client=False)) as lab:
        lab.write_config(CONFIG)
        owner, survivor = lab.node("linuxha1"), lab.node("linuxha2")
        owner.start(HbWithJsonLog())
        wait_until(lambda: holds(owner), 20, "linuxha1 alone takes the address")
        survivor.start(HbWithJsonLog())
        survivor.wait_for_log("Status update for node linuxha1: status active", 20)
        lab.set_loss("linuxha1", "eth2", 30, "out")
        time.sleep(3)  # 30 heartbeats on each path
        (peer,) = [
            n for n in hb_json(survivor, "status", "--json")["nodes"] if n["name"] == "linuxha1"
        ]
        clean, lossy = peer["stats"]["links"]["eth1"], peer["stats"]["links"]["eth2"]

        owner.kill()
        lab.cut_link("linuxha1", "eth0")
        wait_until(lambda: holds(survivor), 20, "linuxha2 takes the address over")
        wait_until(
            lambda: "takeover" in [e["kind"] for e in events(survivor)], 5, "the takeover recorded"
        )
        recorded = events(survivor)
        detected = logged_at(survivor, "node linuxha1: is dead")
        announced = logged_at(survivor, "mach_down takeover complete for node linuxha1.")

    assert clean["lost"] == 0 and clean["loss"] == 0.0
    assert lossy["lost"] > 0 and lossy["loss"] > 0
    assert lossy["heartbeats"] < clean["heartbeats"]

    (dead,) = [e for e in recorded if e["kind"] == "node_dead"]
    (takeover,) = [e for e in recorded if e["kind"] == "takeover"]
    assert (takeover["node"], takeover["group"]) == ("linuxha1", f"IPaddr2::{ADDRESS}/24/eth0")
    assert abs(dead["epoch"] - detected) * 1000 < AGREEMENT_MS
    durations = takeover["durations_ms"]
    acquired_ms = (takeover["epoch"] - dead["epoch"]) * 1000
    assert abs(durations["detected_to_acquired_ms"] - acquired_ms) < AGREEMENT_MS
    assert durations["detected_to_first_start_ms"] <= durations["detected_to_acquired_ms"]
    assert takeover["epoch"] <= announced + AGREEMENT_MS / 1000
    assert 1000 <= durations["silence_ms"] < 1000 + 500  # deadtime, and a scan after it
