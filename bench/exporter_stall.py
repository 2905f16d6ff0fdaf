"""Does the Prometheus exporter (hb-exporter-prometheus) hold back a heartbeat? Cold starts and a
scraped soak at keepalive 10 ms / deadtime 30 ms, with the exporter on (and, for comparison,
off).

Run as root with the workspace venv: ``.venv/bin/python bench/exporter_stall.py [--runs 10]
[--soak-minutes 2] [--scrape-every 1] [--exporter on|off|both]``. It prints figures and never
asserts.

Each cold start is a new lab of two hb nodes (``bcast eth1``, keepalive 10 ms, deadtime 30 ms,
warntime 20 ms, initdead 2 s, the group ``linuxha1 IPaddr2::10.77.1.100/24/eth0``), left to run
until linuxha1 holds the address, plus a second; with ``--exporter both`` the runs alternate,
on then off, so that both see the same machine. It then counts, over both nodes' logs, the lines
``Late heartbeat`` and ``is dead`` (a false death: nothing was killed), and reads from
``hb status --json`` the longest interval each node ever saw between two heartbeats of its peer
(``interval_ms.max_ever``: the peer's worst stall plus the wire's jitter). With the exporter off
the nodes run with ``HB_DISABLE_PLUGINS=exporter-prometheus``.

The soak (exporter on) is one lab left running ``--soak-minutes``, while this script scrapes
``/metrics`` of both nodes every ``--scrape-every`` seconds from inside their namespaces (and
the status page every tenth time); it prints the same counts for the soak, and the scrapes
answered. The machine has 2 shared vCPUs: every figure carries scheduling noise; repeat when in
doubt.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import statistics
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from hb_lab.lab import Bcast, ClusterConfig, Lab, LabSpec, Node, TemplateCommand, Timers
from hb_lab.netns import socket_in_netns

TIMERS = Timers(keepalive=0.01, deadtime=0.03, warntime=0.02, initdead=2.0)
ADDRESS = "10.77.1.100"
CONFIG = ClusterConfig(
    media=(Bcast(("eth1",)),), timers=TIMERS, resources=(f"linuxha1 IPaddr2::{ADDRESS}/24/eth0",)
)
COUNTED = {"late heartbeats": "Late heartbeat", "false deaths": ": is dead"}
LATE_INTERVAL = re.compile(r"Late heartbeat: Node \S+: interval (\d+) ms")
METRICS_PORT = 9694
START_TIMEOUT_S = 40.0
DISABLE = "exporter-prometheus"


@dataclass
class Figures:
    """One run's counts over both nodes, the longest peer interval each node saw (ms, since
    its last start: a node that restarted after a false death counts from then) and the
    intervals the ``Late heartbeat`` lines reported (ms)."""

    late: int
    deaths: int
    max_interval_ms: list[float]
    late_ms: list[int]


def arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="cold starts per setting (10)")
    parser.add_argument(
        "--soak-minutes", type=float, default=2.0, help="scraped soak, exporter on (2; 0: none)"
    )
    parser.add_argument("--scrape-every", type=float, default=1.0, help="seconds between scrapes")
    parser.add_argument(
        "--exporter", choices=("on", "off", "both"), default="on", help="cold starts with it"
    )
    return parser.parse_args(argv)


@contextmanager
def cluster(exporter: bool) -> Iterator[Lab]:
    """A started two-node lab at the 10 ms profile, the exporter on or off; torn down after."""
    hb = Path(sys.executable).with_name("hb")
    saved = os.environ.get("HB_DISABLE_PLUGINS")
    if exporter:
        os.environ.pop("HB_DISABLE_PLUGINS", None)
    else:
        os.environ["HB_DISABLE_PLUGINS"] = DISABLE
    try:
        with Lab.create(LabSpec(nodes=2, heartbeat_nets=1, client=False)) as lab:
            lab.write_config(CONFIG)
            lab.start(TemplateCommand(f"{hb} start --foreground"))
            yield lab
    finally:
        if saved is None:
            os.environ.pop("HB_DISABLE_PLUGINS", None)
        else:
            os.environ["HB_DISABLE_PLUGINS"] = saved


def holds_address(node: Node) -> bool:
    return ADDRESS in node.run(["ip", "-4", "addr", "show", "dev", "eth0"], check=False).stdout


def wait_for_address(node: Node) -> float:
    """Seconds until ``node`` holds the service address (TimeoutError past the limit)."""
    started = time.monotonic()
    while not holds_address(node):
        if time.monotonic() - started > START_TIMEOUT_S:
            raise TimeoutError(f"{node.name} did not take {ADDRESS} in {START_TIMEOUT_S:g} s")
        time.sleep(0.2)
    return time.monotonic() - started


def peer_max_interval_ms(node: Node) -> float:
    """The longest interval ``node`` ever saw between two heartbeats of another node."""
    hb = str(Path(sys.executable).with_name("hb"))
    report = json.loads(node.run([hb, "status", "--json"]).stdout)
    longest = 0.0
    for entry in report.get("nodes", []):
        if entry.get("name") == node.name:
            continue
        for link in entry.get("stats", {}).get("links", {}).values():
            longest = max(longest, float(link.get("interval_ms", {}).get("max_ever") or 0.0))
    return longest


def figures(lab: Lab, marks: dict[str, int]) -> Figures:
    lines = [line for node in lab.nodes for line in node.read_log(after=marks[node.name])]
    late = sum(COUNTED["late heartbeats"] in line for line in lines)
    deaths = sum(COUNTED["false deaths"] in line for line in lines)
    late_ms = [int(found.group(1)) for line in lines if (found := LATE_INTERVAL.search(line))]
    return Figures(late, deaths, [peer_max_interval_ms(node) for node in lab.nodes], late_ms)


def cold_start(exporter: bool) -> Figures:
    with cluster(exporter) as lab:
        marks = {node.name: 0 for node in lab.nodes}
        wait_for_address(lab.node("linuxha1"))
        time.sleep(1.0)
        return figures(lab, marks)


def scrape(node: Node, path: str) -> bool:
    """``GET path`` from the exporter of ``node``, inside its namespace: True for a 200."""
    connection = socket_in_netns(node.netns, socket.AF_INET, socket.SOCK_STREAM)
    try:
        connection.settimeout(5.0)
        connection.connect(("127.0.0.1", METRICS_PORT))
        connection.sendall(f"GET {path} HTTP/1.0\r\nHost: x\r\n\r\n".encode())
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
        return answer.startswith(b"HTTP/1.0 200") or answer.startswith(b"HTTP/1.1 200")
    except OSError:
        return False
    finally:
        connection.close()


def soak(minutes: float, every: float) -> tuple[Figures, int, int]:
    """The soak's figures, the scrapes sent and those answered 200."""
    with cluster(exporter=True) as lab:
        wait_for_address(lab.node("linuxha1"))
        marks = {node.name: node.log_mark() for node in lab.nodes}
        sent = answered = 0
        deadline = time.monotonic() + minutes * 60
        while time.monotonic() < deadline:
            for node in lab.nodes:
                path = "/" if sent % 20 < 2 else "/metrics"
                sent += 1
                answered += scrape(node, path)
            time.sleep(every)
        return figures(lab, marks), sent, answered


def reported(late_ms: list[int]) -> str:
    return f" (reported intervals {', '.join(map(str, late_ms))} ms)" if late_ms else ""


def summary(runs: list[Figures]) -> str:
    intervals = [interval for run in runs for interval in run.max_interval_ms]
    false_runs = sum(run.deaths > 0 for run in runs)
    return (
        f"{len(runs)} cold starts: {sum(run.late for run in runs)} late heartbeats, "
        f"{sum(run.deaths for run in runs)} false deaths ({false_runs} runs with one); "
        f"longest peer interval per node min/median/max {min(intervals):.1f} / "
        f"{statistics.median(intervals):.1f} / {max(intervals):.1f} ms"
    )


def main(argv: Sequence[str] | None = None) -> None:
    options = arguments(argv)
    settings = {"on": [True], "off": [False], "both": [True, False]}[options.exporter]
    print(
        f"exporter stall: 2 hb nodes, bcast eth1, keepalive {TIMERS.keepalive * 1000:g} ms, "
        f"deadtime {TIMERS.deadtime * 1000:g} ms, warntime {(TIMERS.warntime or 0) * 1000:g} ms"
    )
    runs: dict[bool, list[Figures]] = {exporter: [] for exporter in settings}
    for index in range(options.runs):
        for exporter in settings:  # interleaved: both settings see the same machine
            run = cold_start(exporter)
            runs[exporter].append(run)
            peers = ", ".join(f"{interval:.1f}" for interval in run.max_interval_ms)
            print(
                f"  exporter {'on ' if exporter else 'off'} run {index + 1}: {run.late} late"
                f"{reported(run.late_ms)}, {run.deaths} dead; longest peer interval {peers} ms",
                flush=True,
            )
    for exporter in settings:
        print(f"exporter {'on' if exporter else 'off'}: {summary(runs[exporter])}", flush=True)
    if options.soak_minutes > 0:
        result, sent, answered = soak(options.soak_minutes, options.scrape_every)
        print(
            f"soak, exporter on, scraped every {options.scrape_every:g} s, "
            f"{options.soak_minutes:g} min: {answered}/{sent} scrapes answered, {result.late} "
            f"late heartbeats{reported(result.late_ms)}, {result.deaths} false deaths; "
            "longest peer interval since the last start "
            f"{', '.join(f'{interval:.1f}' for interval in result.max_interval_ms)} ms"
        )


if __name__ == "__main__":
    main()
