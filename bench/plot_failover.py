"""Draw the failover and detection times of hb, heartbeat and keepalived as one SVG.

Run with the tools venv, which has matplotlib (``make dev`` makes it; the workspace venv stays as
light as a production node): ``.venv/tools/bin/python bench/plot_failover.py --failover
bench/results/failover-quick.json --detect bench/results/detect-quick.json --out
bench/results/failover-quick.svg``. It reads the files ``bench/failover.py --json`` and
``bench/detect.py --json`` write and draws, per timer setting, each implementation's runs as
dots over a box (median, quartiles): the crash failover a client of the cluster address saw
(first SIGSTOP of the owner to the first echo reply from the survivor), the outage (last reply
of the owner to that first reply), the standby handover, and the death detection (first SIGKILL
to the peer's ``node X: is dead`` line; keepalived has no such line). Either file may be left
out. It imports nothing of hb: the figures are plain JSON.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

IMPLEMENTATIONS = ("hb", "heartbeat", "keepalived")
COLOURS = {"hb": "#1f77b4", "heartbeat": "#d62728", "keepalived": "#2ca02c"}
FAILOVER_FIGURES = (
    ("failover_s", "Crash failover (kill to first reply)"),
    ("outage_s", "Outage seen by a client (last to first reply)"),
    ("standby_s", "Standby handover (tool to first reply)"),
)


def arguments(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--failover", type=Path, help="bench/failover.py --json output")
    parser.add_argument("--detect", type=Path, help="bench/detect.py --json output")
    parser.add_argument("--out", type=Path, required=True, help="the SVG to write")
    parser.add_argument("--title", default="hb, heartbeat 3.0.6 and keepalived: failover times")
    args = parser.parse_args(argv)
    if args.failover is None and args.detect is None:
        parser.error("give --failover, --detect or both")
    return args


def series(records: list[dict[str, Any]], figure: str) -> dict[str, dict[str, list[float]]]:
    """``setting -> implementation -> values`` of ``figure`` over the runs that measured it."""
    found: dict[str, dict[str, list[float]]] = {}
    for record in records:
        value = record.get(figure)
        if isinstance(value, int | float) and not record.get("error"):
            by_implementation = found.setdefault(str(record["setting"]), {})
            by_implementation.setdefault(str(record["implementation"]), []).append(float(value))
    return found


def main(argv: Sequence[str] | None = None) -> None:
    args = arguments(argv)
    panels: list[tuple[str, dict[str, dict[str, list[float]]]]] = []
    notes = []
    if args.failover is not None:
        raw = json.loads(args.failover.read_text())
        panels += [(title, series(raw["runs"], figure)) for figure, title in FAILOVER_FIGURES]
        notes.append(_machine("failover", raw))
    if args.detect is not None:
        raw = json.loads(args.detect.read_text())
        detections = series(raw["detections"], "latency_s")
        panels.append(("Death detection (kill to `is dead`)", detections))
        notes.append(_machine("detect", raw))
    panels = [(title, data) for title, data in panels if data]
    # Imported once the arguments are read: --help answers in the workspace venv, which has
    # no matplotlib.
    import matplotlib

    matplotlib.use("svg")
    import matplotlib.pyplot as plt

    plt.rcParams["svg.hashsalt"] = "hb-bench"  # the same figures give the same file
    plt.rcParams["svg.fonttype"] = "none"
    settings = sorted({s for _, data in panels for s in data}, key=_setting_order)
    figure, axes = plt.subplots(
        len(panels), len(settings), figsize=(4.2 * len(settings), 2.8 * len(panels)),
        squeeze=False, constrained_layout=True,
    )  # fmt: skip
    for row, (title, data) in enumerate(panels):
        for column, setting in enumerate(settings):
            _draw(axes[row][column], data.get(setting, {}), f"{title}\n{setting}")
    figure.suptitle(args.title, fontsize=13)
    figure.get_layout_engine().set(rect=(0, 0.025, 1, 0.975))  # room for the notes below
    figure.text(0.01, 0.005, "; ".join(notes), fontsize=7, color="#555555", va="bottom")
    figure.savefig(args.out, format="svg", metadata={"Date": None})
    print(f"wrote {args.out}: {len(panels)} figures x {len(settings)} settings")


def _draw(axis: Any, data: dict[str, list[float]], title: str) -> None:
    present = [name for name in IMPLEMENTATIONS if data.get(name)]
    axis.set_title(title, fontsize=9)
    axis.set_ylabel("seconds", fontsize=8)
    axis.tick_params(labelsize=8)
    axis.grid(axis="y", color="#dddddd")
    if not present:
        axis.text(0.5, 0.5, "not measured", ha="center", va="center", transform=axis.transAxes)
        axis.set_xticks([])
        return
    values = [data[name] for name in present]
    boxes = axis.boxplot(values, widths=0.5, patch_artist=True, showfliers=False)
    for patch, name in zip(boxes["boxes"], present, strict=True):
        patch.set(facecolor=COLOURS[name], alpha=0.25, edgecolor=COLOURS[name])
    for position, (name, runs) in enumerate(zip(present, values, strict=True), 1):
        offsets = [position + (index - (len(runs) - 1) / 2) * 0.06 for index in range(len(runs))]
        axis.scatter(offsets, runs, s=14, color=COLOURS[name], zorder=3)
    axis.set_xticks(range(1, len(present) + 1), present)
    axis.set_ylim(bottom=0)


def _setting_order(setting: str) -> float:
    """Slowest first: ``1 s / 5 s`` before ``100 ms / 500 ms``."""
    amount, unit = [*setting.split(" / ")[0].split(), "s"][:2]
    try:
        return -float(amount) * (0.001 if unit == "ms" else 1.0)
    except ValueError:
        return 0.0


def _machine(name: str, raw: dict[str, Any]) -> str:
    load = raw.get("load_average")
    loads = ", ".join(f"{value:.2f}" for value in load) if isinstance(load, list) else "?"
    return f"{name}: {raw.get('cpus', '?')} CPUs, load average at the end {loads}"


if __name__ == "__main__":
    main()
