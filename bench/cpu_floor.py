"""Print the idle CPU of hb and heartbeat 3.0.6 beside the floor of any node written in CPython.

Run as root with the workspace venv: ``.venv/bin/python bench/cpu_floor.py [--quick]
[--window S] [--json FILE]``. It prints figures and never asserts.

The floor is two processes that do the least a heartbeat node can do, on the same interpreter
and event loop as hb (CPython 3.11, uvloop): every keepalive each one signs a 300-byte packet
with HMAC-SHA1 and sends it to the other over loopback UDP, and verifies each packet it
receives; nothing else (no parsing, no membership, no logging). Its CPU is what the
interpreter, the loop and the kernel cost at that rate before any node logic runs, so
``floor / heartbeat`` bounds from below the ratio any CPython node can reach. hb and heartbeat
are measured as ``bench/detect.py --idle-only`` measures them (two nodes, ``bcast eth1 eth2``,
settled, every process of each node, scheduler run time), in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from detect import cpu_snapshot, idle_all
from hb_lab.lab import Lab, LabSpec
from labbench import FAST, FASTEST, Setting, progress

PACKET_BYTES = 300
FLOOR_PORTS = (47694, 47695)
"""Loopback ports of the two floor processes."""


@dataclass
class Floor:
    """The floor's CPU (% of one core, mean of the two processes) at one keepalive."""

    profile: str
    cpu_pct: float


def floor_node(port: int, peer: int, keepalive_s: float) -> None:
    """One floor process: sign and send every keepalive, verify what arrives, for ever."""
    import uvloop

    key = hmac.new(b"floor", digestmod=hashlib.sha1)
    body = b"x" * (PACKET_BYTES - 40)

    async def serve() -> None:
        loop = asyncio.get_running_loop()
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind(("127.0.0.1", port))
        sock.setblocking(False)

        def readable() -> None:
            try:
                packet = sock.recv(65536)
            except OSError:
                return
            digest = key.copy()
            digest.update(packet[:-40])
            hmac.compare_digest(digest.hexdigest().encode(), packet[-40:])

        loop.add_reader(sock.fileno(), readable)
        next_at = loop.time()
        while True:
            digest = key.copy()
            digest.update(body)
            sock.sendto(body + digest.hexdigest().encode(), ("127.0.0.1", peer))
            next_at += keepalive_s
            await asyncio.sleep(max(0.0, next_at - loop.time()))

    uvloop.run(serve())


def measure_floor(setting: Setting, settle_s: float, window_s: float) -> Floor:
    """Start the two floor processes at ``setting``'s keepalive, read their CPU over the
    window, stop them."""
    first, second = FLOOR_PORTS
    children = [
        subprocess.Popen(
            [sys.executable, __file__, "--floor-node", str(port), str(peer), str(setting.keepalive)]
        )
        for port, peer in ((first, second), (second, first))
    ]
    try:
        progress(f"floor {setting.label}: settle {settle_s:.0f} s, window {window_s:.0f} s")
        time.sleep(settle_s)
        pids = [child.pid for child in children]
        start = [cpu_snapshot([pid])[1] for pid in pids]
        began = time.monotonic()
        time.sleep(window_s)
        end = [cpu_snapshot([pid])[1] for pid in pids]
        elapsed = time.monotonic() - began
    finally:
        for child in children:
            child.terminate()
            child.wait(5)
    used = [(b - a) / 1e9 / elapsed * 100 for a, b in zip(start, end, strict=True) if a and b]
    return Floor(setting.label, statistics.mean(used))


def arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5 s windows")
    parser.add_argument("--window", type=float, help="idle window, s (30; quick 5)")
    parser.add_argument("--settle", type=float, default=15.0, help="settle time, s")
    parser.add_argument("--json", type=Path, help="write the run's figures here")
    parser.add_argument("--floor-node", nargs=3, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = arguments(argv)
    if args.floor_node:
        port, peer, keepalive = args.floor_node
        floor_node(int(port), int(peer), float(keepalive))
        return
    window = args.window or (5.0 if args.quick else 30.0)
    settings = (FAST, FASTEST)
    floors = [measure_floor(setting, 3.0, window) for setting in settings]
    with Lab.create(LabSpec(nodes=2, heartbeat_nets=2, client=False)) as lab:
        idles = idle_all(lab, settings, args.settle, window)
    cpu = {
        (idle.implementation, idle.setting): statistics.mean(
            usage.cpu_pct_sched or 0.0 for usage in idle.nodes
        )
        for idle in idles
    }
    print(f"idle CPU per node, % of one core, {window:.0f} s windows, scheduler run time")
    print(
        f"{'profile':18} {'heartbeat':>10} {'hb':>8} {'floor':>8} {'hb/hb3':>8} {'floor/hb3':>10}"
    )
    for setting, floor in zip(settings, floors, strict=True):
        theirs, ours = cpu[("heartbeat", setting.label)], cpu[("hb", setting.label)]
        print(
            f"{setting.label:18} {theirs:10.2f} {ours:8.2f} {floor.cpu_pct:8.2f} "
            f"{ours / theirs:8.2f} {floor.cpu_pct / theirs:10.2f}"
        )
    if args.json is not None:
        raw = {
            "floor": [asdict(floor) for floor in floors],
            "idle": [asdict(idle) for idle in idles],
            "cpus": os.cpu_count(),
            "load_average": os.getloadavg(),
        }
        args.json.write_text(json.dumps(raw, indent=2) + "\n")


if __name__ == "__main__":
    main()
