"""Flood one of two hb nodes with garbage and print what it costs it and its peer.

Run as root with the workspace venv: ``.venv/bin/python bench/flood.py [--seconds 10]
[--quick] [--medium bcast|ucast] [--json FILE]``. It prints figures and never asserts.

Two hb nodes (``bcast eth1``, or ``ucast eth1``; keepalive 100 ms, deadtime 1 s, warntime
500 ms, initdead 2 s) share the group ``linuxha1 IPaddr2::10.77.1.100/24/eth0``. Once linuxha1
holds it and the start-up rules are over, an intruder (a namespace of the lab on eth1, holding
no key) sends linuxha1's heartbeat port, one after the other:

- the big flood: ``--big-rate`` (60) packets a second of 65 KB, each ~8k tiny well-formed
  netstring fields and a made-up trailer (issue 8's shape: 600 packets, ~31 Mbit/s in 10 s);
- the small flood: ``--small-rate`` (5000) small random packets a second (50k in 10 s).

For each it prints: the CPU linuxha1 used during the flood (``/proc/PID/stat`` utime+stime
delta over its processes, % of one core), the longest silence between linuxha1's status
packets as they reached linuxha2's eth1 (a packet socket; the flood window plus the settle
after it), the ``Late heartbeat`` lines linuxha2 logged for linuxha1 and the longest interval
in them, deaths (``is dead`` on either node), takeovers and releases, how often both nodes held
the address (sampled every 0.5 s during the flood) and who holds it after the settle, the lines
each log gained (``ha-log`` and ``ha-debug``) and what ``hb status --json`` reports under any
key naming dropped packets (absent on an hb without drop counters).

Caveats: the machine is shared (2 cores); the flood's sender is this Python process, on the
same cores as the nodes. CPU figures come in 10 ms ticks. ``--quick`` floods 3 s each for CI.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from hb_lab.lab import Bcast, ClusterConfig, HbCommand, Lab, LabSpec, Node, Timers, Ucast
from hbcore.node.daemon import STARTUP_BONUS_S

# The hostile tools live with the tests that use them; this script shares them.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "integration"))
from hostile_tools import (
    UDPPORT,
    FloodReport,
    Intruder,
    StatusCapture,
    cpu_percent,
    flood,
    garbage_packets,
    hb_status,
    lines_with,
    small_packets,
)

ADDRESS = "10.77.1.100"
TIMERS = Timers(keepalive=0.1, deadtime=1.0, warntime=0.5, initdead=2.0)
MEDIA = {"bcast": Bcast(("eth1",)), "ucast": Ucast("eth1")}
CONFIG = ClusterConfig(
    media=(MEDIA["bcast"],),
    timers=TIMERS,
    resources=(f"linuxha1 IPaddr2::{ADDRESS}/24/eth0",),
)
SETTLE_S = 2 * TIMERS.deadtime
"""After a flood: long enough for a death or a late heartbeat it caused to be logged."""
START_TIMEOUT_S = 60.0
OWNER_POLL_S = 0.5
LOG_SAMPLE = 3
DEBUG_LOG = "/var/log/ha-debug"
LATE = re.compile(r"Late heartbeat: Node linuxha1: interval (\d+) ms")
TAKEOVER = ("Taking over resource group", "Acquiring resource group")
RELEASE = ("Giving up all HA resources", "Releasing resource group")


@dataclass
class Result:
    """One flood and what it did."""

    name: str
    packets: int
    packet_bytes: int
    refused: int
    seconds: float
    cpu_pct: float
    max_status_gap_s: float | None
    late_lines: int
    max_late_ms: int | None
    deaths: list[str]
    takeovers: list[str]
    releases: list[str]
    both_held: str
    holders: list[str]
    log_lines: dict[str, int]
    debug_lines: dict[str, int]
    log_sample: list[str]
    dropped: dict[str, Any]


def holds(node: Node) -> bool:
    return ADDRESS in node.run(["ip", "-4", "addr", "show", "dev", "eth0"]).stdout


def wait_until_settled(lab: Lab, timeout: float = START_TIMEOUT_S) -> None:
    """Both nodes see each other active and linuxha1 alone holds the address."""
    linuxha1, linuxha2 = lab.nodes
    deadline = time.monotonic() + timeout
    while True:
        try:
            ready = (
                _status_of(linuxha1, "linuxha2") == "active"
                and _status_of(linuxha2, "linuxha1") == "active"
                and holds(linuxha1)
                and not holds(linuxha2)
            )
        except (OSError, ValueError, RuntimeError):
            ready = False
        if ready:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"the cluster did not settle within {timeout} s")
        time.sleep(0.5)


def _status_of(node: Node, peer: str) -> str:
    for entry in hb_status(node)["nodes"]:
        if entry["name"] == peer:
            return str(entry["status"])
    return "unknown"


def dropped_counters(report: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every entry of ``hb status --json`` whose key names dropped packets, by its path."""
    if isinstance(report, dict):
        for key, value in report.items():
            where = f"{path}.{key}" if path else str(key)
            if "drop" in str(key).lower():
                yield where, value
            else:
                yield from dropped_counters(value, where)
    elif isinstance(report, list):
        for index, value in enumerate(report):
            yield from dropped_counters(value, f"{path}[{index}]")


def run_flood(
    lab: Lab,
    intruder: Intruder,
    capture: StatusCapture,
    name: str,
    packets: Iterator[bytes],
    rate: float,
    seconds: float,
) -> Result:
    linuxha1, linuxha2 = lab.nodes
    marks = {node.name: node.log_mark() for node in lab.nodes}
    debug_marks = {node.name: node.log_mark(DEBUG_LOG) for node in lab.nodes}
    destination = (linuxha1.addresses["eth1"], UDPPORT)
    began = time.monotonic()
    both_held = samples = 0
    done = threading.Event()
    with intruder.socket() as sock:

        def send() -> FloodReport:
            try:
                return flood(sock, destination, packets, rate, seconds)
            finally:
                done.set()

        with ThreadPoolExecutor(1) as pool:
            measured = pool.submit(cpu_percent, linuxha1.pids(), send)
            while not done.wait(OWNER_POLL_S):
                samples += 1
                both_held += holds(linuxha1) and holds(linuxha2)
            cpu, report = measured.result()
    time.sleep(SETTLE_S)
    ended = time.monotonic()
    late = lines_with(linuxha2, marks["linuxha2"], "Late heartbeat: Node linuxha1")
    intervals = [int(match.group(1)) for line in late if (match := LATE.search(line))]
    try:
        dropped = dict(dropped_counters(hb_status(linuxha1)))
    except (OSError, ValueError, RuntimeError) as error:
        dropped = {"error": str(error)}
    return Result(
        name=name,
        packets=report.sent,
        packet_bytes=report.bytes,
        refused=report.refused,
        seconds=report.seconds,
        cpu_pct=cpu,
        max_status_gap_s=capture.max_gap(began, ended),
        late_lines=len(late),
        max_late_ms=max(intervals, default=None),
        deaths=[
            f"{node.name}: {line}"
            for node in lab.nodes
            for line in lines_with(node, marks[node.name], ": is dead")
        ],
        takeovers=lines_with(linuxha2, marks["linuxha2"], *TAKEOVER),
        releases=lines_with(linuxha1, marks["linuxha1"], *RELEASE),
        both_held=f"{both_held}/{samples}",
        holders=[node.name for node in lab.nodes if holds(node)],
        log_lines={node.name: len(node.read_log(after=marks[node.name])) for node in lab.nodes},
        debug_lines={
            node.name: len(node.read_log(DEBUG_LOG, after=debug_marks[node.name]))
            for node in lab.nodes
        },
        log_sample=linuxha1.read_log(after=marks["linuxha1"])[:LOG_SAMPLE],
        dropped=dropped,
    )


def table(results: Sequence[Result], medium: str) -> Iterator[str]:
    yield (
        f"Flood at linuxha1 from an intruder on eth1 (2 hb nodes, {medium} eth1, keepalive "
        f"{TIMERS.keepalive * 1000:g} ms, deadtime {TIMERS.deadtime * 1000:g} ms, warntime "
        f"{(TIMERS.warntime or 0) * 1000:g} ms; settle {SETTLE_S:g} s after each flood)"
    )
    for result in results:
        gap = "-" if result.max_status_gap_s is None else f"{result.max_status_gap_s * 1000:.0f}"
        yield ""
        yield (
            f"{result.name}: {result.packets} packets ({result.packet_bytes / 1e6:.1f} MB, "
            f"{result.refused} refused by the sender's kernel) in {result.seconds:.1f} s"
        )
        yield f"  linuxha1 CPU during the flood       {result.cpu_pct:.0f} % of one core"
        yield f"  max silence of linuxha1 at linuxha2 {gap} ms (status packets on the wire)"
        yield (
            f"  Late heartbeat lines at linuxha2    {result.late_lines}"
            f" (longest {result.max_late_ms if result.max_late_ms is not None else '-'} ms)"
        )
        yield f"  deaths                              {len(result.deaths)}"
        for line in result.deaths[:4]:
            yield f"    {line}"
        yield (
            f"  takeovers at linuxha2 / releases at linuxha1  "
            f"{len(result.takeovers)} / {len(result.releases)}"
        )
        yield f"  both held the address (samples)     {result.both_held}"
        yield f"  address held by after the settle    {', '.join(result.holders) or 'nobody'}"
        yield (
            "  log lines added (ha-log)            "
            + ", ".join(f"{name} {count}" for name, count in result.log_lines.items())
        )
        yield (
            "  debug lines added (ha-debug)        "
            + ", ".join(f"{name} {count}" for name, count in result.debug_lines.items())
        )
        yield f"  dropped counters (hb status --json) {json.dumps(result.dropped) or '-'}"
        yield f"  first lines added at linuxha1 ({LOG_SAMPLE} at most):"
        for line in result.log_sample:
            yield f"    {line[:160]}"


def arguments(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=None, help="each flood (10; quick 3)")
    parser.add_argument("--quick", action="store_true", help="3 s floods, for CI")
    parser.add_argument("--big-rate", type=float, default=60.0, help="65 KB packets a second")
    parser.add_argument("--small-rate", type=float, default=5000.0, help="small packets a second")
    parser.add_argument("--medium", choices=sorted(MEDIA), default="bcast", help="on eth1")
    parser.add_argument("--json", type=Path, default=None, help="write the raw numbers here")
    args = parser.parse_args(argv)
    args.seconds = args.seconds or (3.0 if args.quick else 10.0)
    return args


def main(argv: Sequence[str] | None = None) -> None:
    args = arguments(argv)
    results = []
    with Lab.create(LabSpec(nodes=2, client=False)) as lab:
        lab.write_config(replace(CONFIG, media=(MEDIA[args.medium],)))
        linuxha1, linuxha2 = lab.nodes
        started = time.monotonic()
        lab.start(HbCommand())
        wait_until_settled(lab)
        time.sleep(max(0.0, started + STARTUP_BONUS_S + 3.0 - time.monotonic()))
        with Intruder(lab) as intruder:
            capture = StatusCapture(linuxha2, linuxha1.addresses["eth1"])
            try:
                floods = (
                    ("big flood (65 KB garbage)", garbage_packets(), args.big_rate),
                    ("small flood (random)", small_packets(), args.small_rate),
                )
                for name, packets, rate in floods:
                    print(f"  .. {name}: {args.seconds:g} s at {rate:g}/s", file=sys.stderr)
                    results.append(
                        run_flood(lab, intruder, capture, name, packets, rate, args.seconds)
                    )
                    try:
                        wait_until_settled(lab)
                    except TimeoutError as error:
                        print(f"  .. after the {name}: {error}", file=sys.stderr)
            finally:
                capture.stop()
    for line in table(results, args.medium):
        print(line)
    if args.json is not None:
        args.json.write_text(json.dumps([asdict(result) for result in results], indent=2) + "\n")


if __name__ == "__main__":
    main()
