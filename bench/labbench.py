"""What the lab benchmarks share: timer settings, the commands that start a node, a precise
SIGKILL of a node, and the median [range] cells of their tables.

Imported by ``bench/detect.py`` and ``bench/failover.py`` (run as scripts, so this directory is
on ``sys.path``).
"""

from __future__ import annotations

import signal
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass

from hb_lab.lab import HbCommand, HeartbeatCommand, Node, NodeCommand, Timers
from hb_lab.netns import signal_in_netns

COMMANDS: dict[str, NodeCommand] = {
    "hb": HbCommand(),
    "heartbeat": HeartbeatCommand(),
}
ADVERTISE_PERIOD_S = 5.0  # a starting node advertises deadtime + 2 s for this long


@dataclass(frozen=True)
class Setting:
    """One timer configuration (seconds) and its name in the tables."""

    label: str
    keepalive: float
    deadtime: float
    warntime: float
    initdead: float

    def timers(self) -> Timers:
        return Timers(self.keepalive, self.deadtime, self.warntime, self.initdead)

    @property
    def target_s(self) -> float:
        """The detection target: within deadtime + one keepalive."""
        return self.deadtime + self.keepalive

    @property
    def settled_after_s(self) -> float:
        """Seconds after a node's start from which its peer detects its death on deadtime
        alone: past ``initdead`` and past the start-up advertisement of a longer deadtime."""
        return max(self.initdead, ADVERTISE_PERIOD_S)


# warntime: three lost heartbeats; initdead: heartbeat's advice (>= 10 s) at 1 s, and four
# deadtimes below that (it only warns).
SLOW = Setting("1 s / 5 s", 1.0, 5.0, 3.0, 10.0)
FAST = Setting("100 ms / 500 ms", 0.1, 0.5, 0.3, 2.0)
FASTEST = Setting("10 ms / 50 ms", 0.01, 0.05, 0.03, 2.0)


def forget_pid_file(node: Node) -> None:
    """Remove ``/run/heartbeat.pid`` of a killed node, as a reboot empties /run. It matters:
    PID 1 of this VM reaps orphans late, so a killed, daemonised heartbeat can linger as a
    zombie that the pid file check of either implementation (kill(pid, 0)) takes for a
    running node."""
    (node.dirs.run / "heartbeat.pid").unlink(missing_ok=True)


def sigkill_node(node: Node) -> tuple[float, float]:
    """SIGKILL every process of ``node``; return (time before the first signal, spread)."""
    pids = node.pids()
    before = time.monotonic()
    for pid in pids:
        signal_in_netns(node.netns, pid, signal.SIGKILL)
    spread = time.monotonic() - before
    node.kill()  # anything forked meanwhile, and wait until all are gone
    return before, spread


def freeze_and_kill(node: Node) -> tuple[float, float]:
    """SIGSTOP every process of ``node``, then SIGKILL them; return (time before the first
    signal, spread). Stopping first makes the death simultaneous: with SIGKILL alone, a child
    whose parent died a moment earlier can act on its parent-death signal (keepalived's VRRP
    process then resigns with a priority 0 advertisement, which no dead machine sends)."""
    pids = node.pids()
    before = time.monotonic()
    for pid in pids:
        signal_in_netns(node.netns, pid, signal.SIGSTOP)
    spread = time.monotonic() - before
    for pid in pids:
        signal_in_netns(node.netns, pid, signal.SIGKILL)
    node.kill()
    return before, spread


def progress(message: str) -> None:
    print(f"  .. {message}", file=sys.stderr, flush=True)


def summary(values: Sequence[float]) -> str:
    return f"{statistics.median(values):6.3f} [{min(values):.3f}-{max(values):.3f}]"


def ratio(ours: float | None, theirs: float | None) -> str:
    return "-" if ours is None or not theirs else f"{ours / theirs:.2f}"


def fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)
