"""Print, in one run, hb beside keepalived 2.2.7 and heartbeat 3.0.6 at the fastest profile
each holds: client-seen crash failover, reaction (verdict -> first gratuitous ARP, captured),
idle CPU and memory, with min/median/max and ratios; write the run's JSON under bench/results/.

Run as root with the workspace venv: ``.venv/bin/python bench/compare.py [--quick] [--runs N]
[--window S] [--json FILE] [--realtime-parts]``. It prints figures and never asserts.

Profiles: hb at keepalive 10 ms / deadtime 30 ms, keepalived at ``advert_int 0.01`` (VRRPv3),
heartbeat at 10 ms / 50 ms (the fastest it is run at in bench/failover.py). The lab, the
client's pings and the kill are those of ``bench/failover.py``; the reaction's instruments are
``bench/reaction.py``'s: hb's verdict is its JSON log record ``node linuxha1: is dead`` (exact),
heartbeat's the moment its ``is dead`` line was seen and keepalived's the moment its ``Entering
MASTER STATE`` line was seen (both polled every millisecond by a thread from before the kill:
up to ~1 ms late plus the write, so their reactions read a little short). Idle CPU and memory
(``bench/detect.py``'s functions) are read over a window of the settled, idle cluster before the
kill, both nodes, each run. Implementations take turns in every run, their order rotating, so
the machine's drift hits all alike; the machine has 2 shared vCPUs, so every figure carries
scheduling noise: read medians.

``--realtime-parts`` adds hb's death detection at 10 ms / 30 ms (``bench/detect.py``'s kill and
watch) with each part of ``realtime on`` left out in turn (``HB_REALTIME_SKIP``).
``--quick``: 3 runs, 5 s windows; the default is 5 runs, 20 s windows. ``--from-json FILE``
prints the tables of a saved run (``bench/results/compare-quick.json``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from detect import detect_once, measure_window
from failover import (
    ADDRESS,
    KEEPALIVED,
    KILL_MARGIN_S,
    OTHER,
    PREFERRED,
    AddressWatch,
    Bench,
    Pinger,
    Run,
    configure,
    crash,
    macs_of,
    reset,
    sleep_until,
)
from hb_lab.lab import Lab, LabSpec, Node
from hb_lab.logs import wait_for_line
from labbench import COMMANDS, Setting, progress
from reaction import HB_JSON_COMMAND, JSON_LOG, ArpCapture, file_size, json_verdict

HB_FAST = Setting("10 ms / 30 ms", 0.01, 0.03, 0.02, 2.0)
HEARTBEAT_FAST = Setting("10 ms / 50 ms", 0.01, 0.05, 0.03, 2.0)
KEEPALIVED_FAST = Setting("advert 0.01 s", 0.01, 0.03, 0.02, 2.0)
PROFILES = {"hb": HB_FAST, "keepalived": KEEPALIVED_FAST, "heartbeat": HEARTBEAT_FAST}
IMPLEMENTATIONS = tuple(PROFILES)
VERDICT_LINE = {"heartbeat": "node linuxha1: is dead", "keepalived": "Entering MASTER STATE"}
VERDICT_LOG = {"heartbeat": "/var/log/ha-log", "keepalived": "/var/log/hb-lab-console.log"}
OWNER_SETTLE_S = 2.0
REALTIME_VARIANTS = ("", "policy", "mlock", "slack", "policy,mlock,slack")
RESULTS = Path(__file__).with_name("results")


@dataclass
class Sample:
    """One run of one implementation (seconds, %, MB; None: not measured)."""

    implementation: str
    profile: str
    run: int
    failover_s: float | None = None
    reaction_s: float | None = None
    cpu_pct: float | None = None
    rss_mb: float | None = None
    pss_mb: float | None = None
    false_deaths: int = 0
    error: str | None = None


@dataclass
class Detection:
    """hb's death detection at 10 ms / 30 ms with some parts of ``realtime on`` left out."""

    skipped: str
    latencies_s: list[float] = field(default_factory=list)


class LogSighting:
    """A thread that polls ``path`` every millisecond from offset ``after`` and notes the wall
    clock time at which a line containing ``text`` first appeared."""

    def __init__(self, path: Path, text: str, after: int) -> None:
        self.at: float | None = None
        self._args = (path, text, after)
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        path, text, after = self._args
        seen = wait_for_line(path, text, 60, after, 0.001)
        self.at = time.time() - (time.monotonic() - seen.at)

    def wait(self) -> float:
        self._thread.join(61)
        if self.at is None:
            raise TimeoutError(f"no {self._args[1]!r} in {self._args[0]}")
        return self.at


def start(node: Node, implementation: str) -> None:
    if implementation == "keepalived":
        node.start(KEEPALIVED)
    else:
        node.start(HB_JSON_COMMAND if implementation == "hb" else COMMANDS[implementation])


def count_deaths(node: Node, after: int) -> int:
    return sum(": is dead" in line for line in node.read_log(after=after))


def one_run(
    bench: Bench, capture: ArpCapture, implementation: str, run: int, window_s: float
) -> Sample:
    """Cold start, idle window, crash of the owner: failover, reaction, usage."""
    setting = PROFILES[implementation]
    sample = Sample(implementation, setting.label, run)
    lab = bench.lab
    survivor = lab.node(OTHER)
    try:
        reset(lab)
        configure(lab, implementation, setting)
        marks = {node.name: node.log_mark() for node in lab.nodes}
        started = time.monotonic()
        for node in lab.nodes:
            start(node, implementation)
        first = bench.answer(PREFERRED, started, 60)
        settled = first + OWNER_SETTLE_S
        if implementation != "keepalived":
            settled = max(settled, started + setting.settled_after_s + KILL_MARGIN_S)
        sleep_until(settled - window_s)
        usages = measure_window(lab.nodes, window_s)
        sample.cpu_pct = statistics.fmean(u.cpu_pct_sched or u.cpu_pct_ticks for u in usages)
        sample.rss_mb = statistics.fmean(u.rss_mb for u in usages)
        pss = [u.pss_mb for u in usages if u.pss_mb is not None]
        sample.pss_mb = statistics.fmean(pss) if pss else None
        sample.false_deaths = sum(count_deaths(node, marks[node.name]) for node in lab.nodes)
        if implementation == "hb":
            json_mark = file_size(survivor.log_path(JSON_LOG))
            sighting = None
        else:
            path = survivor.log_path(VERDICT_LOG[implementation])
            sighting = LogSighting(path, VERDICT_LINE[implementation], file_size(path))
        result = Run(implementation, setting.label, run)
        before_kill = time.time()
        crash(bench, result, setting, time.monotonic())
        sample.failover_s = result.failover_s
        if sighting is None:
            verdict = json_verdict(
                survivor.log_path(JSON_LOG), "node linuxha1: is dead", json_mark, 30
            )
        else:
            verdict = sighting.wait()
        # From the kill: keepalived writes its line after its first ARP, so the reaction of
        # an implementation timed by sighting can be negative (it acted before it logged).
        arp = capture.first_from(ADDRESS, before_kill, 10, bench.macs[OTHER])
        sample.reaction_s = arp.at - verdict
    except (TimeoutError, OSError) as error:
        sample.error = str(error).splitlines()[0]
    return sample


def detections(lab: Lab, runs: int, rng: random.Random) -> list[Detection]:
    """hb's detection at 10 ms / 30 ms per ``HB_REALTIME_SKIP`` variant, taking turns."""
    found = [Detection(variant) for variant in REALTIME_VARIANTS]
    for run in range(runs):
        for detection in found:
            os.environ["HB_REALTIME_SKIP"] = detection.skipped
            try:
                latency = detect_once(lab, "hb", HB_FAST, rng).latency_s
            except TimeoutError as error:
                progress(f"detect skip={detection.skipped!r}: {error}")
                continue
            finally:
                os.environ.pop("HB_REALTIME_SKIP", None)
            detection.latencies_s.append(latency)
            progress(f"detect run {run + 1} skip={detection.skipped!r}: {latency * 1000:.1f} ms")
    return found


# -- report -------------------------------------------------------------------------------------


def cell(values: Sequence[float], scale: float, spec: str) -> str:
    if not values:
        return "-"
    scaled = [value * scale for value in values]
    low, mid, high = min(scaled), statistics.median(scaled), max(scaled)
    return f"{mid:{spec}} [{low:{spec}}-{high:{spec}}]"


def column(samples: Sequence[Sample], implementation: str, measure: str) -> list[float]:
    return [
        value
        for sample in samples
        if sample.implementation == implementation
        and (value := getattr(sample, measure)) is not None
    ]


def ratio(ours: float | None, theirs: float | None) -> str:
    if ours is None or theirs is None or theirs <= 0:
        return "-"
    return f"{ours / theirs:.2f}"


def report(samples: Sequence[Sample], found: Sequence[Detection]) -> Iterator[str]:
    runs = max((len(column(samples, name, "failover_s")) for name in IMPLEMENTATIONS), default=0)
    yield (
        f"hb vs keepalived vs heartbeat, fastest profiles, median [min-max] of {runs} runs "
        "(crash: SIGSTOP+SIGKILL of the owner and its public link cut)"
    )
    yield "  profiles: " + ", ".join(f"{n} {s.label}" for n, s in PROFILES.items())
    rows = (
        ("client-seen failover, ms", "failover_s", 1000, ".1f"),
        ("reaction: verdict -> 1st GARP, ms", "reaction_s", 1000, ".2f"),
        ("idle CPU, % of a core per node", "cpu_pct", 1, ".3f"),
        ("RSS per node, MB", "rss_mb", 1, ".1f"),
        ("PSS per node, MB", "pss_mb", 1, ".1f"),
    )
    yield (
        f"{'':36} "
        + " ".join(f"{n:<24}" for n in IMPLEMENTATIONS)
        + "  hb/keepalived  hb/heartbeat"
    )
    for title, measure, scale, spec in rows:
        groups = {name: column(samples, name, measure) for name in IMPLEMENTATIONS}
        medians = {n: statistics.median(v) if v else None for n, v in groups.items()}
        # No ratio to a negative median: keepalived logs its verdict after its first ARP.
        ratios = [ratio(medians["hb"], medians[other]) for other in ("keepalived", "heartbeat")]
        cells = " ".join(f"{cell(groups[n], scale, spec):<24}" for n in IMPLEMENTATIONS)
        yield f"{title:36} {cells}  {ratios[0]:>13}  {ratios[1]:>12}"
    deaths = {
        n: sum(s.false_deaths for s in samples if s.implementation == n) for n in IMPLEMENTATIONS
    }
    yield "false deaths before the kill (all runs, both nodes): " + ", ".join(
        f"{n} {c}" for n, c in deaths.items()
    )
    for sample in samples:
        if sample.error:
            yield f"ERROR {sample.implementation} run {sample.run}: {sample.error}"
    if found:
        yield ""
        yield f"hb death detection at {HB_FAST.label} by realtime part left out (ms, target <= 40)"
        for detection in found:
            label = detection.skipped or "(none: SCHED_RR + mlockall + slack)"
            yield f"  skip {label:<38} {cell(detection.latencies_s, 1000, '.1f')}"


def arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=None, help="runs (5; quick 3)")
    parser.add_argument("--quick", action="store_true", help="3 runs, 5 s idle windows")
    parser.add_argument("--window", type=float, default=None, help="idle window, s (20; quick 5)")
    parser.add_argument("--json", type=Path, default=None, help="the run's JSON (bench/results/)")
    parser.add_argument("--realtime-parts", action="store_true", help="detection per part")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--from-json", type=Path, default=None, help="print a saved run's tables")
    args = parser.parse_args(argv)
    args.runs = args.runs or (3 if args.quick else 5)
    args.window = args.window or (5.0 if args.quick else 20.0)
    name = f"compare{'-quick' if args.quick else ''}.json"
    args.json = args.json or RESULTS / name
    return args


def main(argv: Sequence[str] | None = None) -> None:
    args = arguments(argv)
    if args.from_json is not None:
        saved = json.loads(args.from_json.read_text())
        for line in report(
            [Sample(**item) for item in saved["samples"]],
            [Detection(**item) for item in saved["detections"]],
        ):
            print(line)
        return
    rng = random.Random(args.seed)
    samples: list[Sample] = []
    found: list[Detection] = []
    with Lab.create(LabSpec(nodes=2, heartbeat_nets=1, client=True)) as lab:
        assert lab.client is not None
        watch = AddressWatch(lab.nodes, ADDRESS)
        pinger = Pinger(lab.client.netns, ADDRESS)
        capture = ArpCapture(lab.client.netns)
        bench = Bench(lab, pinger, watch, macs_of(lab), rng)
        try:
            for run in range(args.runs):
                shift = run % len(IMPLEMENTATIONS)
                for name in [*IMPLEMENTATIONS[shift:], *IMPLEMENTATIONS[:shift]]:
                    sample = one_run(bench, capture, name, run + 1, args.window)
                    progress(f"{name} run {run + 1}: {sample}")
                    samples.append(sample)
            reset(lab)
            if args.realtime_parts:
                found = detections(lab, args.runs, rng)
        finally:
            capture.stop()
            pinger.stop()
            watch.stop()
    for line in report(samples, found):
        print(line)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    raw = {
        "samples": [asdict(sample) for sample in samples],
        "detections": [asdict(detection) for detection in found],
        "profiles": {name: asdict(setting) for name, setting in PROFILES.items()},
        "environment": {
            key: os.environ[key] for key in ("HB_DISABLE_PLUGINS",) if key in os.environ
        },
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
        "argv": sys.argv[1:],
    }
    args.json.write_text(json.dumps(raw, indent=2) + "\n")
    print(f"(raw figures: {args.json})")


if __name__ == "__main__":
    main()
