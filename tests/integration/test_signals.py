"""Signals to a running hb node, as an operator (or logrotate) sends them to heartbeat: SIGHUP,
SIGUSR1 and SIGUSR2 again and again on the node holding the group while its peer watches; an
edited deadtime read with SIGHUP and with ``hb reload``; a broken edit refused.

Two hb nodes share ``bcast eth1`` (keepalive 100 ms, deadtime 1 s, warntime 500 ms) and the
group ``linuxha1 IPaddr2::10.77.1.100/24/eth0``, which linuxha1 holds. heartbeat 3.0.6 in the
same lab: SIGHUP after an ``ha.cf`` edit restarts it (its peer logs a restart), a broken ``ha.cf``
stops it with the address still up, and SIGQUIT kills it (see docs/node.md).
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hb_lab.lab import Bcast, ClusterConfig, HbCommand, Lab, LabSpec, Node, Timers
from hbcore.node.daemon import STARTUP_BONUS_S

pytestmark = [
    pytest.mark.netns,
    pytest.mark.skipif(os.geteuid() != 0, reason="network namespaces need root"),
]

HB = Path(sys.executable).with_name("hb")
HB_START = HbCommand()
KEEPALIVE, DEADTIME, WARNTIME = 0.1, 1.0, 0.5
ADDRESS = "10.77.1.100"
CONFIG = ClusterConfig(
    media=(Bcast(("eth1",)),),
    timers=Timers(keepalive=KEEPALIVE, deadtime=DEADTIME, warntime=WARNTIME, initdead=2.0),
    resources=(f"linuxha1 IPaddr2::{ADDRESS}/24/eth0",),
)
START_TIMEOUT_S = 30.0
SETTLE_S = 2 * DEADTIME
"""After the signals: long enough for a death or a takeover they caused to show."""
ROUNDS = 5
DEBUG_LOG = "/var/log/ha-debug"

DEATH = ": is dead"
TAKEOVER = ("Taking over resource group", "Acquiring resource group")
RELEASE = ("Giving up all HA resources", "Releasing resource group", "No local heartbeat")
RESTART = ("Heartbeat restart on node linuxha1", "returning after partition")


def holds(node: Node) -> bool:
    return ADDRESS in node.run(["ip", "-4", "addr", "show", "dev", "eth0"]).stdout


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not reached within {timeout} s: {what}")
        time.sleep(0.1)


def lines_with(node: Node, mark: int, *texts: str, inside: str = "/var/log/ha-log") -> list[str]:
    return [line for line in node.read_log(inside, mark) if any(t in line for t in texts)]


def pid_of(node: Node) -> int:
    return int(node.log_path("/run/heartbeat.pid").read_text().split()[0])


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def status(node: Node) -> dict[str, Any]:
    report: dict[str, Any] = json.loads(node.run([str(HB), "status", "--json"]).stdout)
    return report


def edit_hacf(node: Node, old: str, new: str) -> None:
    hacf = node.dirs.ha_d / "ha.cf"
    text = hacf.read_text()
    assert old in text
    hacf.write_text(text.replace(old, new))


@pytest.fixture(scope="module")
def cluster() -> Iterator[Lab]:
    """linuxha1 holding the address alone, both nodes past their start-up rules."""
    with Lab.create(LabSpec(nodes=2, client=False)) as lab:
        lab.write_config(CONFIG)
        started = time.monotonic()
        lab.start(HB_START)
        linuxha1, linuxha2 = lab.nodes
        linuxha2.wait_for_log("Status update for node linuxha1: status active", START_TIMEOUT_S)
        wait_until(
            lambda: holds(linuxha1) and not holds(linuxha2),
            START_TIMEOUT_S,
            "linuxha1 alone holds the address",
        )
        time.sleep(max(0.0, started + STARTUP_BONUS_S + DEADTIME - time.monotonic()))
        yield lab


def test_hup_usr1_usr2_again_and_again_on_the_holder_no_death_no_takeover(
    cluster: Lab, record_property: pytest.RecordProperty
) -> None:
    linuxha1, linuxha2 = cluster.nodes
    pid = pid_of(linuxha1)
    marks = {node.name: node.log_mark() for node in cluster.nodes}
    debug_mark = linuxha1.log_mark(DEBUG_LOG)
    owners: list[tuple[bool, bool]] = []
    for _ in range(ROUNDS):
        for signum in (signal.SIGHUP, signal.SIGUSR1, signal.SIGUSR2, signal.SIGHUP):
            os.kill(pid, signum)
            time.sleep(KEEPALIVE * 3)
        for signum in (signal.SIGQUIT, signal.SIGALRM, signal.SIGPIPE):
            os.kill(pid, signum)
        owners.append((holds(linuxha1), holds(linuxha2)))
    time.sleep(SETTLE_S)
    owners.append((holds(linuxha1), holds(linuxha2)))

    assert alive(pid) and pid_of(linuxha1) == pid
    assert set(owners) == {(True, False)}, "the address left linuxha1"
    assert lines_with(linuxha2, marks["linuxha2"], DEATH, *TAKEOVER, *RESTART) == []
    assert lines_with(linuxha1, marks["linuxha1"], DEATH, *RELEASE) == []
    assert len(lines_with(linuxha1, marks["linuxha1"], "Configuration unchanged.")) >= ROUNDS
    assert lines_with(linuxha1, marks["linuxha1"], f"Unexpected alarm in process {pid}")
    assert lines_with(linuxha1, marks["linuxha1"], "SIGQUIT received and ignored")
    record_property(
        "late_heartbeats_seen_by_peer",
        len(lines_with(linuxha2, marks["linuxha2"], "Late heartbeat")),
    )
    # Debug lines appear in the debug file between each SIGUSR1 and the SIGUSR2 after it,
    # and none after the last SIGUSR2.
    debug = linuxha1.read_log(DEBUG_LOG, debug_mark)
    raised = [i for i, line in enumerate(debug) if "debug now set to 1" in line]
    lowered = [i for i, line in enumerate(debug) if "debug now set to 0" in line]
    assert len(raised) == len(lowered) == ROUNDS
    for start, end in zip(raised, lowered, strict=True):
        assert any(
            "debug: process_clustermsg: node [linuxha2]" in line for line in debug[start:end]
        )
        assert "info: heartbeat: version 3.0.6" in debug[start + 1]
    assert not [line for line in debug[lowered[-1] + 1 :] if ": debug: " in line]


def test_an_edited_deadtime_takes_effect_with_sighup_and_hb_reload_puts_it_back(
    cluster: Lab,
) -> None:
    linuxha1, linuxha2 = cluster.nodes
    marks = {node.name: node.log_mark() for node in cluster.nodes}
    assert status(linuxha1)["timers"]["deadtime"] == 1000
    edit_hacf(linuxha1, "deadtime 1\n", "deadtime 2\n")
    os.kill(pid_of(linuxha1), signal.SIGHUP)
    linuxha1.wait_for_log("deadtime 1000 ms -> 2000 ms: applied", 10, marks["linuxha1"])
    timers = status(linuxha1)["timers"]
    assert (timers["deadtime"], timers["warntime"], timers["initdead"]) == (2000, 500, 2000)

    edit_hacf(linuxha1, "deadtime 2\n", "deadtime 1\n")
    answer = linuxha1.run([str(HB), "reload"], check=False)
    assert answer.returncode == 0, answer.stderr
    assert "deadtime 2000 ms -> 1000 ms: applied" in answer.stdout
    assert status(linuxha1)["timers"]["deadtime"] == 1000
    unchanged = linuxha1.run([str(HB), "reload"])
    assert unchanged.stdout.strip() == "Configuration unchanged."
    time.sleep(SETTLE_S)
    assert lines_with(linuxha2, marks["linuxha2"], DEATH, *TAKEOVER, *RESTART) == []
    assert holds(linuxha1) and not holds(linuxha2)


def test_a_broken_edit_is_refused_with_its_line_and_the_node_runs_on(cluster: Lab) -> None:
    linuxha1, linuxha2 = cluster.nodes
    pid = pid_of(linuxha1)
    marks = {node.name: node.log_mark() for node in cluster.nodes}
    hacf = linuxha1.dirs.ha_d / "ha.cf"
    good = hacf.read_text()
    line = len(good.splitlines()) + 1
    hacf.write_text(good + "deadtime_typo 5\n")
    try:
        answer = linuxha1.run([str(HB), "reload"], check=False)
        os.kill(pid, signal.SIGHUP)
        wait_until(
            lambda: len(lines_with(linuxha1, marks["linuxha1"], "Config errors")) == 2,
            10,
            "hb reload and SIGHUP both refused",
        )
    finally:
        hacf.write_text(good)
    assert answer.returncode == 1
    assert f"ha.cf:{line}: unknown directive 'deadtime_typo'" in answer.stderr
    assert "Configuration not reloaded" in answer.stderr
    refused = lines_with(linuxha1, marks["linuxha1"], f"ha.cf:{line}: unknown directive")
    assert len(refused) == 2, "refused by hb reload and by SIGHUP, each logged"
    time.sleep(SETTLE_S)
    assert alive(pid) and status(linuxha1)["status"] == "active"
    assert status(linuxha1)["timers"]["deadtime"] == 1000
    assert lines_with(linuxha2, marks["linuxha2"], DEATH, *TAKEOVER, *RESTART) == []
    assert holds(linuxha1) and not holds(linuxha2)
