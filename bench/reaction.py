"""Print hb's reaction time: from the moment membership declares the peer dead to the first
gratuitous ARP for the service address on the wire, captured.

Run as root with the workspace venv: ``.venv/bin/python bench/reaction.py [--runs N]
[--keepalive S --deadtime S]``. It prints figures and never asserts. ``bench/compare.py`` uses
its instruments to put hb beside heartbeat and keepalived.

How it measures
---------------
The lab of ``bench/failover.py`` (two nodes, ``bcast eth1``, the group
``linuxha1 IPaddr2::10.77.1.100/24/eth0``, a client on eth0). hb runs with ``--log-json``, whose
records carry the wall-clock time at which the log call was made: the ``node linuxha1: is dead``
record is membership's verdict (hb logs it as it hands the death on, before acting). A packet
socket in the client's namespace reads every ARP frame on its eth0 with the kernel's receive
timestamp (``SO_TIMESTAMPNS``, the same wall clock): the first frame whose sender address is the
service address after the verdict is the first gratuitous ARP on the wire. Reaction = that
timestamp - the verdict's. For heartbeat and keepalived, whose logs have whole seconds, the
verdict is the moment their log line was seen (the log polled every millisecond): later than
the verdict by up to ~1 ms plus the write, so their reaction reads a little short.

Caveats: the machine has 2 shared vCPUs; every figure carries scheduling noise. Read medians.
"""

from __future__ import annotations

import argparse
import json
import random
import socket
import statistics
import struct
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from hb_lab.lab import Lab, LabSpec, Node, TemplateCommand
from hb_lab.logs import wait_for_line
from hb_lab.netns import socket_in_netns

ETH_P_ARP = 0x0806
SO_TIMESTAMPNS = 35
HB = Path(sys.executable).with_name("hb")
JSON_LOG = "/var/log/hb.json"
HB_JSON_COMMAND = TemplateCommand(f"{HB} start --foreground --log-json {JSON_LOG}")
LOG_POLL_S = 0.001
TRACE = False


@dataclass(frozen=True)
class Frame:
    """One ARP frame seen on the wire: kernel receive time (wall clock), opcode, sender."""

    at: float
    op: int
    sender_mac: str
    sender_ip: str


class ArpCapture:
    """Every ARP frame arriving on ``interface`` of ``netns``, timestamped by the kernel, read
    by a thread into ``frames`` (append-only)."""

    def __init__(self, netns: str, interface: str = "eth0") -> None:
        self._socket = socket_in_netns(
            netns, socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ARP)
        )
        self._socket.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        self._socket.bind((interface, ETH_P_ARP))
        self._socket.settimeout(0.05)
        self.frames: list[Frame] = []
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._read, name="arp-capture", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        while not self._stopping.is_set():
            try:
                data, ancillary, _flags, _source = self._socket.recvmsg(2048, 64)
            except TimeoutError:
                continue
            at = time.time()
            for level, kind, value in ancillary:
                if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS:
                    seconds, nanoseconds = struct.unpack("qq", value[:16])
                    at = seconds + nanoseconds / 1e9
            if len(data) >= 42:
                self.frames.append(
                    Frame(
                        at,
                        struct.unpack("!H", data[20:22])[0],
                        data[22:28].hex(":"),
                        socket.inet_ntoa(data[28:32]),
                    )
                )

    def first_from(
        self, address: str, after: float, timeout: float, mac: str | None = None
    ) -> Frame:
        """The first frame sent for ``address`` (its sender IP; from ``mac`` when given)
        received after ``after`` (wall clock), waiting up to ``timeout`` seconds for it."""
        deadline = time.monotonic() + timeout
        index = 0
        while True:
            while index < len(self.frames):
                frame = self.frames[index]
                index += 1
                if (
                    frame.at > after
                    and frame.sender_ip == address
                    and mac in (None, frame.sender_mac)
                ):
                    return frame
            if time.monotonic() > deadline:
                raise TimeoutError(f"no ARP for {address} within {timeout} s")
            time.sleep(0.002)

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join()
        self._socket.close()


def json_verdict(path: Path, text: str, after: int, timeout: float) -> float:
    """The wall-clock time of the first record after offset ``after`` of hb's JSON log at
    ``path`` whose event is ``text``."""
    deadline = time.monotonic() + timeout
    while True:
        with path.open("rb") as log:
            log.seek(after)
            for line in log:
                if not line.endswith(b"\n"):
                    break
                record = json.loads(line)
                if record.get("event") == text:
                    return float(record["timestamp"])
        if time.monotonic() > deadline:
            raise TimeoutError(f"no {text!r} in {path} within {timeout} s")
        time.sleep(0.01)


def observed_verdict(path: Path, text: str, after: int, timeout: float) -> float:
    """The wall-clock time at which a log line containing ``text`` was seen (polled)."""
    seen = wait_for_line(path, text, timeout, after, LOG_POLL_S)
    return time.time() - (time.monotonic() - seen.at)


def file_size(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


def hb_reaction(survivor: Node, dead: str, address: str, capture: ArpCapture, mark: int) -> float:
    """Seconds from ``survivor``'s JSON verdict that ``dead`` is dead to the first ARP for
    ``address`` captured after it (``mark``: the JSON log's size before the kill)."""
    path = survivor.log_path(JSON_LOG)
    verdict = json_verdict(path, f"node {dead}: is dead", mark, 30)
    arp = capture.first_from(address, verdict, 10).at
    if TRACE:
        with path.open("rb") as log:
            log.seek(mark)
            for line in log:
                record = json.loads(line)
                at = float(record["timestamp"]) - verdict
                if -0.001 < at < 0.05:
                    print(f"     {at * 1000:7.2f} {record['event'][:70]}", file=sys.stderr)
        print(f"     {(arp - verdict) * 1000:7.2f} first ARP", file=sys.stderr)
    return arp - verdict


# -- standalone: hb alone, N kills ------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> None:
    # Imported here: failover.py imports this module's instruments through compare.py.
    from failover import ADDRESS, OTHER, PREFERRED, cluster_config, forget_address, reset
    from labbench import FAST, Setting, freeze_and_kill

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keepalive", type=float, default=FAST.keepalive)
    parser.add_argument("--deadtime", type=float, default=FAST.deadtime)
    args = parser.parse_args(argv)
    setting = Setting(
        f"{args.keepalive * 1000:g} ms / {args.deadtime * 1000:g} ms",
        args.keepalive,
        args.deadtime,
        min(args.deadtime, 3 * args.keepalive),
        max(2.0, 2 * args.deadtime),
    )
    reactions = []
    rng = random.Random()
    with Lab.create(LabSpec(nodes=2, heartbeat_nets=1, client=True)) as lab:
        assert lab.client is not None
        capture = ArpCapture(lab.client.netns)
        try:
            for run in range(args.runs):
                reset(lab)
                lab.write_config(cluster_config(setting))
                for node in lab.nodes:
                    node.start(HB_JSON_COMMAND)
                survivor = lab.node(OTHER)
                survivor.wait_for_log("Status update for node linuxha1: status active", 60)
                time.sleep(setting.settled_after_s + 3 + rng.uniform(0, 0.25))
                mark = file_size(survivor.log_path(JSON_LOG))
                freeze_and_kill(lab.node(PREFERRED))
                lab.cut_link(PREFERRED, "eth0")
                reaction = hb_reaction(survivor, PREFERRED, ADDRESS, capture, mark)
                reactions.append(reaction)
                print(f"  .. run {run + 1}: reaction {reaction * 1000:.2f} ms", file=sys.stderr)
                forget_address(lab.node(PREFERRED))
            reset(lab)
        finally:
            capture.stop()
    milliseconds = [value * 1000 for value in reactions]
    print(
        f"hb reaction at {setting.label} (verdict -> first gratuitous ARP captured, ms): median "
        f"{statistics.median(milliseconds):.2f} [{min(milliseconds):.2f}-{max(milliseconds):.2f}]"
        f" of {len(milliseconds)} runs"
    )


if __name__ == "__main__":
    main()
