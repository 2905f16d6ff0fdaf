"""Print the memory of running hb nodes: RSS, PSS, anonymous memory and locked memory per node
process, and its largest mappings.

Run as root with the workspace venv: ``.venv/bin/python bench/memory.py [--idle] [--settle S]``.
It starts a two-node lab at the 10 ms profile (``hb lab up``, a unique name; ``hb lab down``
always runs after), with the group ``linuxha1 IPaddr2::10.77.1.100/24/eth0`` unless ``--idle``,
waits ``--settle`` seconds, and reads ``/proc/PID/smaps_rollup``, ``/proc/PID/status`` and
``/proc/PID/smaps`` of every process of every node. The Prometheus exporter is disabled
(``HB_DISABLE_PLUGINS``), as in the issue's figures. It prints figures and never asserts.

Caveats: PSS depends on what else maps the same files (the two nodes share libpython and the
venv's extension modules, so each node's PSS reads lower than a node alone would).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

from hb_lab.lab import Lab

HB = Path(sys.executable).with_name("hb")
FAST = ("--keepalive", "0.01", "--deadtime", "0.03", "--warntime", "0.02", "--initdead", "2")
RESOURCE = "linuxha1 IPaddr2::10.77.1.100/24/eth0"
FIELDS = ("Rss", "Pss", "Anonymous")


def rollup(pid: int) -> dict[str, int]:
    """The kB figures of ``/proc/PID/smaps_rollup`` and VmLck of ``/proc/PID/status``."""
    figures: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        key, _, value = line.partition(":")
        figures[key] = int(value.split()[0])
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmLck:"):
            figures["VmLck"] = int(line.split()[1])
    return figures


def mappings(pid: int) -> dict[str, int]:
    """RSS (kB) per mapped file (``[anon]`` for anonymous mappings) of ``pid``."""
    rss: dict[str, int] = defaultdict(int)
    name = "[anon]"
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        fields = line.split()
        if fields and not fields[0].endswith(":"):
            name = fields[5] if len(fields) > 5 else "[anon]"
        elif fields and fields[0] == "Rss:":
            rss[name] += int(fields[1])
    return rss


def report(lab_name: str, top: int) -> None:
    lab = Lab.attach(lab_name)
    for node in lab.nodes:
        for pid in node.pids():
            try:
                command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
                figures = rollup(pid)
                maps = mappings(pid)
            except (FileNotFoundError, ProcessLookupError):
                continue
            print(f"{node.name} pid {pid}: {command.strip()[:100]}")
            cells = [f"{key} {figures.get(key, 0) / 1024:.1f} MB" for key in FIELDS]
            cells.append(f"VmLck {figures.get('VmLck', 0) / 1024:.1f} MB")
            print("  " + ", ".join(cells))
            for path, kb in sorted(maps.items(), key=lambda item: -item[1])[:top]:
                print(f"    {kb / 1024:6.1f} MB  {path}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--idle", action="store_true", help="no resource group")
    parser.add_argument("--settle", type=float, default=5.0, help="seconds before reading")
    parser.add_argument("--top", type=int, default=8, help="largest mappings shown per process")
    args = parser.parse_args()
    name = f"mem{os.getpid() % 100000}"
    command = [str(HB), "lab", "up", "--name", name, *FAST]
    if not args.idle:
        command += ["--resource", RESOURCE]
    env = dict(os.environ, HB_DISABLE_PLUGINS="exporter-prometheus")
    try:
        subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)
        time.sleep(args.settle)
        report(name, args.top)
    finally:
        subprocess.run([str(HB), "lab", "down", "--name", name], stdout=subprocess.DEVNULL)
    return 0


if __name__ == "__main__":
    sys.exit(main())
