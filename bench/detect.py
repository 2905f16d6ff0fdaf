"""Print hb's death-detection latency, idle CPU and memory beside heartbeat 3.0.6's.

Run as root with the workspace venv: ``.venv/bin/python bench/detect.py [--runs N] [--quick]
[--idle-only] [--json FILE]``. It prints figures and never asserts. Everything runs in one lab
(two nodes, heartbeat networks eth1 and eth2), hb and heartbeat taking turns on the same
namespaces.

How it measures
---------------
Death detection. Per run and implementation: kill whatever ran before, start both nodes with
``bcast eth1`` only, wait until linuxha2 logs linuxha1 ``active``, then wait until both
``initdead`` and the first 5 s have passed since the start (a node advertises deadtime + 2 s
during its first 5 s; heartbeat does the same), plus 3 s and a random fraction of
``max(keepalive, 250 ms)`` so that the kill lands at every phase of the send and check ticks.
Then SIGKILL every process of linuxha1 and time, on ``time.monotonic()``, from just before the
first SIGKILL (sending them takes ~0.05 ms for hb, 1-6 ms for heartbeat's processes, master
first; recorded as ``kill_spread_s``) until the line ``node linuxha1: is dead`` appears in
linuxha2's ``/var/log/ha-log``. The file is polled every millisecond (the lab's own
``wait_for_log`` polls every 10 ms, too coarse at 100 ms timers), so a figure is late by at
most ~1 ms plus the read. A packet socket on linuxha2's eth1 also notes when linuxha1's last
packet arrived, and the verdict is timed from it too: that interval is the one deadtime
bounds, free of the kill's random phase. hb and heartbeat alternate run by run, so slow drift
of the machine hits both alike.

Idle CPU and memory. Per timer setting and implementation: start both nodes with ``bcast eth1
eth2``, let them settle (heartbeat waits a fixed ~10 s before its resource exchange), then
read every process of each node at the start and end of a steady window: CPU from
``/proc/PID/stat`` utime+stime (+cutime+cstime, for children reaped meanwhile) in clock ticks,
and also the scheduler's nanosecond run time from ``/proc/PID/schedstat`` as a finer
cross-check (a tick is 10 ms: heartbeat's 0.067 % over 30 s is two ticks). CPU is % of one
core, averaged over the two nodes. RSS is the sum of ``VmRSS`` over the node's processes
(heartbeat runs six: master, FIFO reader, a reader and a writer per medium), PSS the sum of
``Pss`` from ``/proc/PID/smaps_rollup`` (shared pages split between the processes sharing them).

Caveats
-------
The machine has 2 vCPUs and is shared: other jobs add scheduling noise to every latency and
a little CPU to the windows; run it on a quiet machine and read medians, not single runs.
Log lines carry only whole-second timestamps, hence the timing by observation. Five runs give a
median and a range, not a distribution. The 10 ms / 50 ms CPU figure is skipped with
``--quick``, which also shortens the windows and runs three kills per setting.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path

from hb_lab.lab import Bcast, ClusterConfig, Lab, LabSpec, Node
from hb_lab.logs import wait_for_line
from hb_lab.netns import socket_in_netns
from labbench import (
    COMMANDS,
    FAST,
    FASTEST,
    SLOW,
    Setting,
    fmt,
    forget_pid_file,
    progress,
    ratio,
    sigkill_node,
    summary,
)

# hb refuses haresources tokens it has no agent for; a comment-only file holds no resources.
RESOURCES = ("# no resources: this bench measures membership only",)
LOG_POLL_S = 0.001
KILL_MARGIN_S = 3.0
"""Past the start-up rules, counted from the launch: a node's 5 s of longer advertised deadtime
start when its media are up, which for hb (a Python program) can be over 1.5 s after the launch
on a busy machine (a 1.5 s margin once measured deadtime + the 2 s bonus at 10 ms/50 ms)."""
CLK_TCK = os.sysconf("SC_CLK_TCK")

REFERENCE_CPU_PCT = {1.0: 0.067, 0.1: 0.70, 0.01: 4.2}  # heartbeat, issue 3 / lab notes
REFERENCE_RSS_MB = 41.6  # heartbeat's six processes together
TARGET_RSS_MB = 40.0  # per hb node


@dataclass
class Detection:
    """One kill: seconds from the first SIGKILL to the peer's ``is dead`` line."""

    implementation: str
    setting: str
    latency_s: float
    kill_spread_s: float
    killed_after_start_s: float
    since_last_packet_s: float | None
    line: str


@dataclass
class Usage:
    """One node's processes over a window: CPU as % of a core, memory in MB."""

    node: str
    processes: list[str]
    cpu_pct_ticks: float
    cpu_pct_sched: float | None
    rss_mb: float
    pss_mb: float | None
    pids_changed: bool


@dataclass
class Idle:
    """Idle usage of both nodes of one implementation at one setting."""

    implementation: str
    setting: str
    window_s: float
    nodes: list[Usage] = field(default_factory=list)

    def mean(self, attribute: str) -> float | None:
        values = [getattr(usage, attribute) for usage in self.nodes]
        return None if None in values else statistics.fmean(values)


# -- running nodes ------------------------------------------------------------------------------


def config(setting: Setting, interfaces: tuple[str, ...]) -> ClusterConfig:
    return ClusterConfig(media=(Bcast(interfaces),), timers=setting.timers(), resources=RESOURCES)


def start_cluster(lab: Lab, implementation: str, cluster: ClusterConfig) -> float:
    """Kill whatever runs on the nodes, then start ``implementation`` on both; return the
    monotonic time just before the start and wait until linuxha2 sees linuxha1 active."""
    for node in lab.nodes:
        node.kill()
        forget_pid_file(node)
    lab.write_config(cluster)
    observer = lab.node("linuxha2")
    mark = observer.log_mark()
    started = time.monotonic()
    lab.start(COMMANDS[implementation])
    observer.wait_for_log("Status update for node linuxha1: status active", 60, after=mark)
    return started


# -- death detection ----------------------------------------------------------------------------


class WireWatch:
    """When the last IPv4 packet from ``source`` reached ``interface`` of a namespace, on the
    monotonic clock: a packet socket read by a thread, so the verdict can be timed from the
    victim's last heartbeat (the figure that deadtime bounds) as well as from the kill."""

    def __init__(self, netns: str, interface: str, source: str) -> None:
        eth_p_ip = 0x0800
        self._socket = socket_in_netns(
            netns, socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(eth_p_ip)
        )
        self._socket.bind((interface, eth_p_ip))
        self._socket.settimeout(0.05)
        self._source = socket.inet_aton(source)
        self._stopping = threading.Event()
        self.last_at: float | None = None
        self._thread = threading.Thread(target=self._read, name="wire-watch", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        while not self._stopping.is_set():
            try:
                packet = self._socket.recv(65535)
            except TimeoutError:
                continue
            if packet[12:16] == self._source:  # the IPv4 source address
                self.last_at = time.monotonic()

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join()
        self._socket.close()


def detect_once(lab: Lab, implementation: str, setting: Setting, rng: random.Random) -> Detection:
    """Start a cluster, kill linuxha1 once detection runs on deadtime, time linuxha2's verdict."""
    started = start_cluster(lab, implementation, config(setting, ("eth1",)))
    victim, observer = lab.node("linuxha1"), lab.node("linuxha2")
    phase = rng.uniform(0, max(setting.keepalive, 0.25))
    kill_at = started + setting.settled_after_s + KILL_MARGIN_S + phase
    watch = WireWatch(observer.netns, "eth1", victim.addresses["eth1"])
    time.sleep(max(0.0, kill_at - time.monotonic()))
    mark = observer.log_mark()
    try:
        killed, spread = sigkill_node(victim)
        seen = wait_for_line(
            observer.log_path(),
            "node linuxha1: is dead",
            4 * setting.deadtime + 10,
            mark,
            LOG_POLL_S,
        )
    finally:
        watch.stop()
    last = watch.last_at
    return Detection(
        implementation=implementation,
        setting=setting.label,
        latency_s=seen.at - killed,
        kill_spread_s=spread,
        killed_after_start_s=killed - started,
        since_last_packet_s=None if last is None else seen.at - last,
        line=seen.line,
    )


def detect_all(
    lab: Lab, settings: Sequence[Setting], runs: int, rng: random.Random
) -> list[Detection]:
    """``runs`` kills per setting and implementation, hb and heartbeat taking turns."""
    results = []
    for setting in settings:
        for run in range(runs):
            order = list(COMMANDS) if run % 2 == 0 else list(reversed(COMMANDS))
            for implementation in order:
                result = detect_once(lab, implementation, setting, rng)
                progress(
                    f"detect {setting.label} {implementation} run {run + 1}: "
                    f"{result.latency_s * 1000:.0f} ms"
                )
                results.append(result)
    return results


# -- idle CPU and memory ------------------------------------------------------------------------


def proc_read(pid: int, name: str) -> str | None:
    with suppress(OSError):
        return Path(f"/proc/{pid}/{name}").read_text()
    return None


def cpu_ticks(pid: int) -> int:
    """utime + stime + cutime + cstime of ``pid`` in clock ticks (0 once it is gone)."""
    stat = proc_read(pid, "stat")
    if stat is None:
        return 0
    fields = stat.rsplit(")", 1)[1].split()
    return sum(int(value) for value in fields[11:15])  # fields 14-17 of proc(5)


def sched_ns(pid: int) -> int | None:
    """Nanoseconds ``pid`` has run on a CPU (``/proc/PID/schedstat``), None if unavailable."""
    schedstat = proc_read(pid, "schedstat")
    return None if schedstat is None else int(schedstat.split()[0])


def status_kb(pid: int, key: str, file: str = "status") -> int | None:
    """A ``Key:   N kB`` line of ``/proc/PID/<file>``."""
    text = proc_read(pid, file)
    for line in (text or "").splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return None


def cpu_snapshot(pids: Sequence[int]) -> tuple[int, int | None]:
    """(ticks, scheduler ns) summed over ``pids``; ns is None if any process lacks it."""
    ns = [sched_ns(pid) for pid in pids]
    total_ns = None if None in ns else sum(n for n in ns if n is not None)
    return sum(cpu_ticks(pid) for pid in pids), total_ns


def memory_mb(pids: Sequence[int]) -> tuple[float, float | None]:
    """(sum of VmRSS, sum of Pss or None) in MB (10^6 bytes) over ``pids``."""
    rss = sum(status_kb(pid, "VmRSS") or 0 for pid in pids)
    pss = [status_kb(pid, "Pss", "smaps_rollup") for pid in pids]
    total_pss = None if None in pss else sum(p for p in pss if p is not None)
    return rss * 1024 / 1e6, None if total_pss is None else total_pss * 1024 / 1e6


def process_names(pids: Sequence[int]) -> list[str]:
    return [(proc_read(pid, "comm") or "?").strip() for pid in pids]


def measure_window(nodes: Sequence[Node], window_s: float) -> list[Usage]:
    """CPU of each node's processes over ``window_s`` seconds, and their memory at the end."""
    before = {node.name: node.pids() for node in nodes}
    start = {name: cpu_snapshot(pids) for name, pids in before.items()}
    began = time.monotonic()
    time.sleep(window_s)
    end = {name: cpu_snapshot(pids) for name, pids in before.items()}
    elapsed = time.monotonic() - began
    usages = []
    for node in nodes:
        pids = before[node.name]
        (ticks0, ns0), (ticks1, ns1) = start[node.name], end[node.name]
        sched = None if ns0 is None or ns1 is None else (ns1 - ns0) / 1e9 / elapsed * 100
        rss, pss = memory_mb(pids)
        usages.append(
            Usage(
                node=node.name,
                processes=process_names(pids),
                cpu_pct_ticks=(ticks1 - ticks0) / CLK_TCK / elapsed * 100,
                cpu_pct_sched=sched,
                rss_mb=rss,
                pss_mb=pss,
                pids_changed=node.pids() != pids,
            )
        )
    return usages


def idle_all(lab: Lab, settings: Sequence[Setting], settle_s: float, window_s: float) -> list[Idle]:
    """Idle usage per setting and implementation, both media up."""
    results = []
    for setting in settings:
        for implementation in COMMANDS:
            start_cluster(lab, implementation, config(setting, ("eth1", "eth2")))
            progress(
                f"idle {setting.label} {implementation}: settle {settle_s:.0f} s, "
                f"window {window_s:.0f} s"
            )
            time.sleep(settle_s)
            idle = Idle(implementation, setting.label, window_s)
            idle.nodes = measure_window(lab.nodes, window_s)
            results.append(idle)
    for node in lab.nodes:
        node.kill()
    return results


# -- report -------------------------------------------------------------------------------------


def by_key(items: Sequence[Detection], measure: str) -> Mapping[tuple[str, str], list[float]]:
    """(setting, implementation) -> the non-missing values of ``measure``."""
    groups: dict[tuple[str, str], list[float]] = {}
    for item in items:
        value = getattr(item, measure)
        if value is not None:
            groups.setdefault((item.setting, item.implementation), []).append(value)
    return groups


def detection_table(settings: Sequence[Setting], detections: Sequence[Detection]) -> Iterator[str]:
    runs = max((len(v) for v in by_key(detections, "latency_s").values()), default=0)
    yield (
        f"Death detection: SIGKILL of linuxha1 -> linuxha2 logs 'is dead' (seconds, median "
        f"[min-max] of {runs} runs; bcast eth1, 2 nodes; log polled every "
        f"{LOG_POLL_S * 1000:.0f} ms)"
    )
    yield (
        f"{'keepalive/deadtime':<18} {'from':<12} {'hb':<22} {'heartbeat 3.0.6':<22} "
        f"{'hb/heartbeat':>12}  hb within target"
    )
    for measure, name in (("latency_s", "kill"), ("since_last_packet_s", "last packet")):
        groups = by_key(detections, measure)
        for setting in settings:
            ours = groups.get((setting.label, "hb"))
            theirs = groups.get((setting.label, "heartbeat"))
            if not ours or not theirs:
                continue
            within = (
                f"{sum(v <= setting.target_s for v in ours)}/{len(ours)} "
                f"(<= {setting.target_s:.3f})"
                if measure == "latency_s"
                else ""
            )
            yield (
                f"{setting.label:<18} {name:<12} {summary(ours):<22} {summary(theirs):<22} "
                f"{ratio(statistics.median(ours), statistics.median(theirs)):>12}  {within}"
            )
    yield (
        "('last packet': from linuxha1's last packet seen on linuxha2's eth1, which deadtime "
        "bounds; 'kill' is shorter by the gap between that packet and the kill, 0 to one keepalive)"
    )


def idle_table(settings: Sequence[Setting], idles: Sequence[Idle]) -> Iterator[str]:
    found = {(idle.setting, idle.implementation): idle for idle in idles}
    window = idles[0].window_s if idles else 0
    yield ""
    yield (
        f"Idle node: 2 nodes, bcast eth1 eth2, window {window:.0f} s; CPU % of one core per node "
        "(utime+stime; in brackets the schedstat run time)"
    )
    yield (
        f"{'keepalive/deadtime':<18} {'hb CPU %':<16} {'heartbeat CPU %':<16} "
        f"{'hb/heartbeat':>12}  {'issue ref':>9}"
    )
    for setting in settings:
        ours = found.get((setting.label, "hb"))
        theirs = found.get((setting.label, "heartbeat"))
        if ours is None or theirs is None:
            continue
        reference = REFERENCE_CPU_PCT.get(setting.keepalive)
        yield (
            f"{setting.label:<18} {cpu_cell(ours):<16} {cpu_cell(theirs):<16} "
            f"{ratio(ours.mean('cpu_pct_sched'), theirs.mean('cpu_pct_sched')):>12}  "
            f"{fmt(reference, '9.3f')}"
        )
    yield ""
    yield (
        f"Memory per node, MB (sum over the node's processes; target hb <= {TARGET_RSS_MB:.0f} MB"
        f" RSS, heartbeat ref {REFERENCE_RSS_MB} MB RSS)"
    )
    yield f"{'keepalive/deadtime':<18} {'impl':<10} {'procs':>5} {'RSS':>7} {'PSS':>7}"
    for setting in settings:
        for implementation in COMMANDS:
            idle = found.get((setting.label, implementation))
            if idle is None:
                continue
            yield (
                f"{setting.label:<18} {implementation:<10} {len(idle.nodes[0].processes):>5} "
                f"{fmt(idle.mean('rss_mb'), '7.1f')} {fmt(idle.mean('pss_mb'), '7.1f')}"
            )
    changed = [
        f"{i.implementation} {i.setting}" for i in idles if any(u.pids_changed for u in i.nodes)
    ]
    if changed:
        yield f"note: processes came or went during the window: {', '.join(changed)}"


def cpu_cell(idle: Idle) -> str:
    return f"{fmt(idle.mean('cpu_pct_ticks'), '.3f')} [{fmt(idle.mean('cpu_pct_sched'), '.3f')}]"


# -- main ---------------------------------------------------------------------------------------


def arguments(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=None, help="kills per setting (5; quick 3)")
    parser.add_argument("--quick", action="store_true", help="fewer runs, short windows, no 10 ms")
    parser.add_argument("--settle", type=float, default=None, help="seconds before a CPU window")
    parser.add_argument("--window", type=float, default=None, help="CPU window seconds")
    parser.add_argument("--json", type=Path, default=None, help="write the raw numbers here")
    parser.add_argument("--seed", type=int, default=None, help="seed of the kill phases")
    parser.add_argument(
        "--idle-only", action="store_true", help="idle CPU and memory only, no kills"
    )
    args = parser.parse_args(argv)
    args.runs = args.runs or (3 if args.quick else 5)
    args.settle = args.settle if args.settle is not None else (10.0 if args.quick else 20.0)
    args.window = args.window if args.window is not None else (10.0 if args.quick else 30.0)
    return args


def main(argv: Sequence[str] | None = None) -> None:
    args = arguments(argv)
    rng = random.Random(args.seed)
    detect_settings = (SLOW, FAST)
    idle_settings = (SLOW, FAST) if args.quick else (SLOW, FAST, FASTEST)
    with Lab.create(LabSpec(nodes=2, heartbeat_nets=2, client=False)) as lab:
        detections = [] if args.idle_only else detect_all(lab, detect_settings, args.runs, rng)
        idles = idle_all(lab, idle_settings, args.settle, args.window)
    tables = [] if args.idle_only else list(detection_table(detect_settings, detections))
    for line in [*tables, *idle_table(idle_settings, idles)]:
        print(line)
    if args.json is not None:
        raw = {
            "detections": [asdict(item) for item in detections],
            "idle": [asdict(item) for item in idles],
            "log_poll_s": LOG_POLL_S,
            "cpus": os.cpu_count(),
            "load_average": os.getloadavg(),
        }
        args.json.write_text(json.dumps(raw, indent=2) + "\n")


if __name__ == "__main__":
    main()
