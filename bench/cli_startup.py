"""Print how long `hb status`, `hb --help`, `hb plugins list` and `hb --version` take with
every installed plugin.

The target is "well under half a second": these commands must never import scapy or other
heavy modules. `hb status` (run by failover scripts) loads no plugin at all: a plugin's command
is looked up only when no core command has its name. `hb status` with no node running exits 1
after the same imports. Run with the workspace venv: `.venv/bin/python bench/cli_startup.py`.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

RUNS = 15
HB = str(Path(sys.executable).with_name("hb"))


def wall_times(argv: list[str]) -> list[float]:
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        subprocess.run(argv, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    for argv in ([HB, "status"], [HB, "--help"], [HB, "plugins", "list"], [HB, "--version"]):
        times = wall_times(argv)
        print(
            f"{' '.join(argv[1:]):<14} median {statistics.median(times) * 1000:6.1f} ms"
            f"  (min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f}, {RUNS} runs)"
        )


if __name__ == "__main__":
    main()
