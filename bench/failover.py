"""Print what a client of the cluster address sees when its owner dies, hands over or fails
back: hb beside heartbeat 3.0.6 and keepalived 2.2.7.

Run as root with the workspace venv: ``.venv/bin/python bench/failover.py [--runs N] [--quick]
[--json FILE] [--implementations hb,heartbeat,keepalived]``. It prints figures and never
asserts. keepalived comes from the Debian package ``keepalived`` (heartbeat from ``heartbeat``).

The lab
-------
One lab for the whole run: linuxha1 and linuxha2 with the public network eth0 (10.77.1.0/24)
and one heartbeat network eth1 (``bcast eth1``), and a client namespace on eth0. hb and
heartbeat run the group ``linuxha1 IPaddr2::10.77.1.100/24/eth0`` with ``auto_failback on``;
keepalived runs one VRRP instance per node on eth0 with the same address (linuxha1 priority
150, linuxha2 100, preemption on), ``advert_int`` = the keepalive (VRRPv2 at 1 s, VRRPv3 below,
as VRRPv2 rounds sub-second intervals up to 1 s). The three take turns on the same namespaces,
their order rotating run by run so that slow drift of the machine hits all alike.

How it measures
---------------
The client sends an ICMP echo request to the address every 10 ms from a raw socket, and a
packet socket on its eth0 reads the replies: each is timed on ``time.monotonic()`` (shared by
every namespace) and attributed to a node by its source MAC. So "answers from linuxha2" means
an echo reply sent by linuxha2's interface, whatever the client's ARP cache believed before.

Per run and implementation, from a cold start of both nodes (hb and heartbeat wait up to ~10 s
for a stable peer before taking their groups):

1. Crash failover. Once linuxha1 answers, wait until the kill no longer meets a start-up rule
   (hb and heartbeat: past ``initdead`` and the 5 s in which a starting node advertises a
   longer deadtime, plus 3 s), and at least 2 s after linuxha1 first answered, plus a random
   fraction of ``max(keepalive, 250 ms)``, so the kill lands at every phase of the timers. Then
   SIGSTOP then SIGKILL every process of linuxha1 (stopped first so that none can react to
   another's death: with SIGKILL alone keepalived's VRRP child sometimes resigned on its
   parent-death signal, failing over in the 0.61 s skew time instead of the 3.6 s dead
   interval) and take its public link down at the switch (a dead machine; its kernel answered
   pings until the cut, a few ms later). Failover time: from just before the first SIGSTOP
   to the first reply from linuxha2. Outage: from the last reply of linuxha1 to that first
   reply from linuxha2.
2. Failback. After 2 s, as a reboot would: delete the address linuxha1 kept, restore its
   link, start it again. Time: from the restart to the first reply from linuxha1 (start-up,
   the peers' handshake and ``auto_failback``/preemption together, so informational).
3. Standby (hb and heartbeat). Once linuxha1 is past its start-up rules, run ``hb standby``
   (hb) or ``/usr/share/heartbeat/hb_standby`` (heartbeat) inside linuxha1. Time: from just
   before launching the tool to the first reply from linuxha2. Both tools return once the
   request is sent; how long that took is reported too.

Double ownership. Over the whole run a netlink socket in each node's namespace subscribed to
IPv4 address events (RTM_NEWADDR / RTM_DELADDR) notes when the address appears on or leaves
each node, timed on arrival: exact changes rather than polling, so no overlap can slip between
two samples. Replaying those events gives, for the failback and the standby windows (from the
restart or the tool's launch until only the new owner holds the address, plus 0.5 s), the
longest time both nodes held the address (should be zero) and the longest time neither did.
The same events split the crash failover and the standby: when the address was configured on
the survivor (detection, decision and the agent's start) versus when the client first got an
answer from it (then gratuitous ARP and the client's ARP cache); when the owner released it.

Caveats
-------
Replies are 10 ms apart, so a time is late by up to 10 ms plus the reply's trip; medians of
five runs give a median and a range, not a distribution. The machine has 2 vCPUs and is
shared: scheduling noise reaches every figure. A netlink event is timed when the watching
thread reads it, so two changes less than a scheduling delay apart can be mis-ordered; an
overlap of a few ms would need a second look. The standby and failback times include the
start-up of the tool or daemon (hb's ``hb standby`` is a Python program). A killed node's
kernel still answers for the address it kept until its link goes down a few ms after the
SIGKILL; from then on nothing reaches it, as with a dead machine.
``--quick`` runs three runs of 1 s and 100 ms only; the full run adds 10 ms / 50 ms.
"""

from __future__ import annotations

import argparse
import bisect
import errno
import json
import os
import random
import socket
import statistics
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path

from hb_lab.lab import Bcast, ClusterConfig, Lab, LabSpec, Node, TemplateCommand
from hb_lab.netns import run_checked, socket_in_netns
from labbench import (
    COMMANDS,
    FAST,
    FASTEST,
    SLOW,
    Setting,
    fmt,
    forget_pid_file,
    freeze_and_kill,
    progress,
    ratio,
    summary,
)

ADDRESS = "10.77.1.100"
PREFIX_LEN = 24
PREFERRED, OTHER = "linuxha1", "linuxha2"
IMPLEMENTATIONS = ("hb", "heartbeat", "keepalived")
HB = Path(sys.executable).with_name("hb")
STANDBY_ARGV = {"hb": [str(HB), "standby"], "heartbeat": ["/usr/share/heartbeat/hb_standby"]}
KEEPALIVED_CONF = "/etc/ha.d/keepalived.conf"
KEEPALIVED = TemplateCommand(
    f"keepalived --dont-fork --log-console --vrrp -f {KEEPALIVED_CONF}"
    " -p /run/keepalived.pid -r /run/keepalived-vrrp.pid"
)
KEEPALIVED_PRIORITY = {PREFERRED: 150, OTHER: 100}
PING_INTERVAL_S = 0.01
COLD_START_S = 60.0
STEP_TIMEOUT_S = 30.0
KILL_MARGIN_S = 3.0
"""Past the start-up rules, counted from the launch: a node's 5 s of longer advertised deadtime
start when its media are up, which for hb (a Python program) can be over 1.5 s after the launch
on a busy machine (a 1.5 s margin once measured deadtime + the 2 s bonus at 10 ms/50 ms)."""
OWNER_SETTLE_S = 2.0  # after the owner first answered, before a kill
FAILBACK_PAUSE_S = 2.0
WINDOW_TAIL_S = 0.5
TARGET_MARGIN_S = 0.05  # target: hb's median failover <= deadtime + 50 ms


@dataclass
class Run:
    """One run of one implementation at one setting (seconds; None: not measured)."""

    implementation: str
    setting: str
    run: int
    failover_s: float | None = None
    failover_added_s: float | None = None
    outage_s: float | None = None
    kill_spread_s: float | None = None
    cut_after_kill_s: float | None = None
    failback_s: float | None = None
    failback_overlap_s: float | None = None
    failback_gap_s: float | None = None
    standby_s: float | None = None
    standby_removed_s: float | None = None
    standby_added_s: float | None = None
    standby_tool_s: float | None = None
    standby_overlap_s: float | None = None
    standby_gap_s: float | None = None
    error: str | None = None


# -- the client's pings ---------------------------------------------------------------------


def icmp_checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    total: int = sum(struct.unpack(f"!{len(data) // 2}H", data))
    total = (total >> 16) + (total & 0xFFFF)
    total += total >> 16
    return ~total & 0xFFFF


def echo_request(ident: int, sequence: int) -> bytes:
    payload = b"hb-bench"
    header = struct.pack("!BBHHH", 8, 0, 0, ident, sequence)
    checksum = icmp_checksum(header + payload)
    return struct.pack("!BBHHH", 8, 0, checksum, ident, sequence) + payload


class Pinger:
    """Echo requests to ``address`` every 10 ms from ``netns``; the replies, timed on arrival
    and labelled with their source MAC, in two append-only lists (``macs`` grows first, so
    every index below ``len(times)`` is valid in both)."""

    def __init__(self, netns: str, address: str, interface: str = "eth0") -> None:
        eth_p_ip = 0x0800
        self._address = address
        self._target = socket.inet_aton(address)
        self._ident = os.getpid() & 0xFFFF
        self._sender = socket_in_netns(netns, socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
        self._sender.setblocking(False)
        self._receiver = socket_in_netns(
            netns, socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(eth_p_ip)
        )
        self._receiver.bind((interface, eth_p_ip))
        self._receiver.settimeout(0.05)
        self.times: list[float] = []
        self.macs: list[str] = []
        self._stopping = threading.Event()
        self._threads = [
            threading.Thread(target=self._send, name="ping-send", daemon=True),
            threading.Thread(target=self._receive, name="ping-receive", daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def _send(self) -> None:
        sequence = 0
        due = time.monotonic()
        while not self._stopping.is_set():
            with suppress(OSError):  # no neighbour yet (EHOSTUNREACH): the next one asks again
                self._sender.sendto(echo_request(self._ident, sequence), (self._address, 0))
            self._drain()
            sequence = (sequence + 1) & 0xFFFF
            due = max(due + PING_INTERVAL_S, time.monotonic() - PING_INTERVAL_S)
            time.sleep(max(0.0, due - time.monotonic()))

    def _drain(self) -> None:
        """The raw socket gets every reply too; the packet socket is the one read."""
        try:
            while self._sender.recv(2048):
                pass
        except OSError:
            pass

    def _receive(self) -> None:
        while not self._stopping.is_set():
            try:
                packet, source = self._receiver.recvfrom(2048)
            except TimeoutError:
                continue
            if self._is_our_reply(packet):
                self.macs.append(source[4].hex(":"))
                self.times.append(time.monotonic())

    def _is_our_reply(self, packet: bytes) -> bool:
        header = (packet[0] & 0x0F) * 4
        return (
            len(packet) >= header + 8
            and packet[9] == socket.IPPROTO_ICMP
            and packet[12:16] == self._target
            and packet[header] == 0  # echo reply
            and struct.unpack("!H", packet[header + 4 : header + 6])[0] == self._ident
        )

    def first_from(self, mac: str, after: float, timeout: float) -> float:
        """The time of the first reply from ``mac`` received after ``after``."""
        deadline = time.monotonic() + timeout
        index = bisect.bisect_right(self.times, after)
        while True:
            while index < len(self.times):
                if self.macs[index] == mac:
                    return self.times[index]
                index += 1
            if time.monotonic() > deadline:
                raise TimeoutError(f"no echo reply from {mac} within {timeout} s")
            time.sleep(0.002)

    def last_from(self, mac: str, before: float) -> float | None:
        """The time of the last reply from ``mac`` received before ``before``."""
        index = bisect.bisect_left(self.times, before)
        for position in range(index - 1, -1, -1):
            if self.macs[position] == mac:
                return self.times[position]
        return None

    def stop(self) -> None:
        self._stopping.set()
        for thread in self._threads:
            thread.join()
        self._sender.close()
        self._receiver.close()


# -- who holds the address: netlink address events ------------------------------------------

NETLINK_ROUTE = 0
RTMGRP_IPV4_IFADDR = 0x10
RTM_NEWADDR, RTM_DELADDR = 20, 21
IFA_ADDRESS, IFA_LOCAL = 1, 2


def address_changes(data: bytes, address: bytes) -> Iterator[bool]:
    """For each RTM_NEWADDR (True) or RTM_DELADDR (False) of ``address`` in a netlink read."""
    offset = 0
    while offset + 16 <= len(data):
        length, kind = struct.unpack_from("=IH", data, offset)
        if length < 16:
            return
        if kind in (RTM_NEWADDR, RTM_DELADDR):
            attribute = offset + 16 + 8  # nlmsghdr, ifaddrmsg
            while attribute + 4 <= offset + length:
                size, name = struct.unpack_from("=HH", data, attribute)
                if size < 4:
                    break
                if name in (IFA_LOCAL, IFA_ADDRESS) and data[attribute + 4 : attribute + 8] == (
                    address
                ):
                    yield kind == RTM_NEWADDR
                    break
                attribute += (size + 3) & ~3
        offset += (length + 3) & ~3


class AddressWatch:
    """When ``address`` appeared on and left each node, from the nodes' netlink events. Made
    before any daemon runs, so every node starts without the address."""

    def __init__(self, nodes: Sequence[Node], address: str) -> None:
        self._address = socket.inet_aton(address)
        self.events: list[tuple[float, str, bool]] = []
        self.overflowed = False
        self._stopping = threading.Event()
        self._sockets: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        for node in nodes:
            sock = socket_in_netns(node.netns, socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_ROUTE)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
            sock.bind((0, RTMGRP_IPV4_IFADDR))
            sock.settimeout(0.05)
            self._sockets.append(sock)
            thread = threading.Thread(
                target=self._read, args=(node.name, sock), name=f"addr-{node.name}", daemon=True
            )
            self._threads.append(thread)
            thread.start()

    def _read(self, name: str, sock: socket.socket) -> None:
        while not self._stopping.is_set():
            try:
                data = sock.recv(65536)
            except TimeoutError:
                continue
            except OSError as error:
                if error.errno != errno.ENOBUFS:
                    raise
                self.overflowed = True
                continue
            at = time.monotonic()
            self.events.extend((at, name, held) for held in address_changes(data, self._address))

    def holders(self, at: float | None = None) -> set[str]:
        """The nodes holding the address at ``at`` (default: now)."""
        held: dict[str, bool] = {}
        for when, name, state in sorted(self.events):
            if at is not None and when > at:
                break
            held[name] = state
        return {name for name, state in held.items() if state}

    def change_after(self, name: str, held: bool, after: float) -> float | None:
        """When the address first appeared on (``held``) or left ``name`` after ``after``."""
        return min(
            (at for at, who, state in self.events if who == name and state == held and at > after),
            default=None,
        )

    def wait_only(self, name: str, timeout: float) -> float:
        """Wait until ``name`` alone holds the address; return when that was seen."""
        deadline = time.monotonic() + timeout
        while self.holders() != {name}:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{name} is not the only holder within {timeout} s")
            time.sleep(0.005)
        return time.monotonic()

    def windows(self, start: float, end: float) -> tuple[float, float]:
        """(longest time two or more nodes held the address, longest time none did) within
        [start, end]."""
        held = {name: False for _t, name, _s in self.events}
        longest = {True: 0.0, False: 0.0}  # key: "several holders" / "no holder"
        since: dict[bool, float | None] = {True: None, False: None}
        timeline = [*sorted(self.events), (end, "", False)]
        for at, name, state in timeline:
            clipped = min(max(at, start), end)
            for several in (True, False):
                began = since[several]
                if began is not None:
                    longest[several] = max(longest[several], clipped - began)
            if name:
                held[name] = state
            count = sum(held.values())
            for several, now in ((True, count >= 2), (False, count == 0)):
                if not now:
                    since[several] = None
                elif since[several] is None:
                    since[several] = clipped
            if at >= end:
                break
        return longest[True], longest[False]

    def stop(self) -> None:
        self._stopping.set()
        for thread in self._threads:
            thread.join()
        for sock in self._sockets:
            sock.close()


# -- starting and killing nodes -------------------------------------------------------------


def cluster_config(setting: Setting) -> ClusterConfig:
    return ClusterConfig(
        media=(Bcast(("eth1",)),),
        timers=setting.timers(),
        resources=(f"{PREFERRED} IPaddr2::{ADDRESS}/{PREFIX_LEN}/eth0",),
        auto_failback="on",
    )


def keepalived_config(node: str, setting: Setting) -> str:
    version = 2 if setting.keepalive >= 1 else 3
    return (
        f"global_defs {{\n  router_id {node}\n  vrrp_version {version}\n}}\n"
        "vrrp_instance hb_bench {\n  state BACKUP\n  interface eth0\n  virtual_router_id 77\n"
        f"  priority {KEEPALIVED_PRIORITY[node]}\n  advert_int {setting.keepalive:g}\n"
        f"  virtual_ipaddress {{\n    {ADDRESS}/{PREFIX_LEN} dev eth0\n  }}\n}}\n"
    )


def configure(lab: Lab, implementation: str, setting: Setting) -> None:
    if implementation == "keepalived":
        for node in lab.nodes:
            node.dirs.outside(KEEPALIVED_CONF).write_text(keepalived_config(node.name, setting))
    else:
        lab.write_config(cluster_config(setting))


def forget_run_files(node: Node) -> None:
    """Remove the pid files of a killed node, as a reboot empties /run: a killed daemon can
    linger as a zombie (PID 1 here reaps late) that the pid file check of every daemon takes
    for a running one (keepalived then exits with "daemon is already running")."""
    forget_pid_file(node)
    for name in ("keepalived.pid", "keepalived-vrrp.pid"):
        (node.dirs.run / name).unlink(missing_ok=True)


def forget_address(node: Node) -> None:
    """Delete the address a killed node kept, as its reboot would."""
    node.run(["ip", "addr", "del", f"{ADDRESS}/{PREFIX_LEN}", "dev", "eth0"], check=False)


def reset(lab: Lab) -> None:
    """Every node powered off and rebooted: no process, no address, cables in."""
    for node in lab.nodes:
        node.kill()
        forget_run_files(node)
        forget_address(node)
        lab.restore_link(node.name, "eth0")


def start_node(node: Node, implementation: str) -> None:
    node.start(KEEPALIVED if implementation == "keepalived" else COMMANDS[implementation])


def macs_of(lab: Lab) -> dict[str, str]:
    """Each node's eth0 MAC address."""
    macs = {}
    for node in lab.nodes:
        link = json.loads(run_checked(["ip", "-n", node.netns, "-j", "link", "show", "eth0"]))
        macs[node.name] = link[0]["address"]
    return macs


def since(at: float | None, start: float) -> float | None:
    return None if at is None else at - start


def sleep_until(at: float) -> None:
    time.sleep(max(0.0, at - time.monotonic()))


# -- one run --------------------------------------------------------------------------------


@dataclass
class Bench:
    """The lab and its instruments."""

    lab: Lab
    pinger: Pinger
    watch: AddressWatch
    macs: dict[str, str]
    rng: random.Random
    runs: list[Run] = field(default_factory=list)

    def answer(self, node: str, after: float, timeout: float = STEP_TIMEOUT_S) -> float:
        return self.pinger.first_from(self.macs[node], after, timeout)


def crash(bench: Bench, result: Run, setting: Setting, kill_at: float) -> None:
    """Kill linuxha1 like a dead machine at ``kill_at``; time linuxha2's first answer."""
    victim = bench.lab.node(PREFERRED)
    sleep_until(kill_at + bench.rng.uniform(0, max(setting.keepalive, 0.25)))
    killed, result.kill_spread_s = freeze_and_kill(victim)
    bench.lab.cut_link(PREFERRED, "eth0")
    result.cut_after_kill_s = time.monotonic() - killed
    answered = bench.answer(OTHER, killed, 4 * setting.deadtime + STEP_TIMEOUT_S)
    result.failover_s = answered - killed
    result.failover_added_s = since(bench.watch.change_after(OTHER, True, killed), killed)
    last = bench.pinger.last_from(bench.macs[PREFERRED], answered)
    result.outage_s = None if last is None else answered - last


def failback(bench: Bench, result: Run, implementation: str) -> float:
    """Reboot linuxha1 and time until it answers again; return when it was restarted."""
    victim = bench.lab.node(PREFERRED)
    time.sleep(FAILBACK_PAUSE_S)
    forget_address(victim)
    bench.lab.restore_link(PREFERRED, "eth0")
    forget_run_files(victim)
    restarted = time.monotonic()
    start_node(victim, implementation)
    result.failback_s = bench.answer(PREFERRED, restarted, COLD_START_S) - restarted
    settled = bench.watch.wait_only(PREFERRED, STEP_TIMEOUT_S)
    time.sleep(WINDOW_TAIL_S)
    result.failback_overlap_s, result.failback_gap_s = bench.watch.windows(
        restarted, settled + WINDOW_TAIL_S
    )
    return restarted


def standby(bench: Bench, result: Run, implementation: str) -> None:
    """Run the standby tool on linuxha1; time until linuxha2 answers."""
    owner = bench.lab.node(PREFERRED)
    launched = time.monotonic()
    tool = owner.spawn(STANDBY_ARGV[implementation], subprocess.DEVNULL, subprocess.DEVNULL)
    tool.wait(STEP_TIMEOUT_S)
    result.standby_tool_s = time.monotonic() - launched
    result.standby_s = bench.answer(OTHER, launched) - launched
    settled = bench.watch.wait_only(OTHER, STEP_TIMEOUT_S)
    result.standby_removed_s = since(bench.watch.change_after(PREFERRED, False, launched), launched)
    result.standby_added_s = since(bench.watch.change_after(OTHER, True, launched), launched)
    time.sleep(WINDOW_TAIL_S)
    result.standby_overlap_s, result.standby_gap_s = bench.watch.windows(
        launched, settled + WINDOW_TAIL_S
    )


def one_run(bench: Bench, implementation: str, setting: Setting, run: int) -> Run:
    """Cold start, crash, failback and (hb, heartbeat) standby; errors end the run early."""
    result = Run(implementation, setting.label, run)
    try:
        reset(bench.lab)
        configure(bench.lab, implementation, setting)
        started = time.monotonic()
        for node in bench.lab.nodes:
            start_node(node, implementation)
        first = bench.answer(PREFERRED, started, COLD_START_S)
        if implementation == "keepalived":
            crash(bench, result, setting, first + OWNER_SETTLE_S)
            failback(bench, result, implementation)
        else:
            settled = started + setting.settled_after_s + KILL_MARGIN_S
            crash(bench, result, setting, max(settled, first + OWNER_SETTLE_S))
            restarted = failback(bench, result, implementation)
            sleep_until(restarted + setting.settled_after_s + KILL_MARGIN_S)
            standby(bench, result, implementation)
    except (TimeoutError, subprocess.TimeoutExpired) as error:
        result.error = str(error).splitlines()[0]
    return result


def run_all(
    bench: Bench, settings: Sequence[Setting], implementations: Sequence[str], runs: int
) -> None:
    for setting in settings:
        for run in range(runs):
            shift = run % len(implementations)
            for implementation in [*implementations[shift:], *implementations[:shift]]:
                result = one_run(bench, implementation, setting, run + 1)
                progress(f"{setting.label} {implementation} run {run + 1}: {brief(result)}")
                bench.runs.append(result)
    reset(bench.lab)


def brief(result: Run) -> str:
    parts = [
        f"{label} {fmt(value, '.3f')}"
        for label, value in (
            ("failover", result.failover_s),
            ("failback", result.failback_s),
            ("standby", result.standby_s),
            ("overlap", max_or_none([result.failback_overlap_s, result.standby_overlap_s])),
        )
    ]
    return ", ".join(parts) + (f"; ERROR {result.error}" if result.error else "")


# -- report ---------------------------------------------------------------------------------


def max_or_none(values: Sequence[float | None]) -> float | None:
    present = [value for value in values if value is not None]
    return max(present) if present else None


def values(runs: Sequence[Run], setting: Setting, implementation: str, measure: str) -> list[float]:
    return [
        value
        for run in runs
        if run.setting == setting.label
        and run.implementation == implementation
        and (value := getattr(run, measure)) is not None
    ]


def median_of(items: Sequence[float]) -> float | None:
    return statistics.median(items) if items else None


def cell(items: Sequence[float]) -> str:
    return summary(items) if items else "-"


def comparison_table(
    runs: Sequence[Run],
    settings: Sequence[Setting],
    implementations: Sequence[str],
    measure: str,
    title: str,
    target: Callable[[Setting, float], str] | None = None,
) -> Iterator[str]:
    """One row per setting: median [min-max] per implementation, ratios vs heartbeat."""
    shown = [
        name for name in implementations if any(values(runs, s, name, measure) for s in settings)
    ]
    others = [name for name in shown if name != "heartbeat"]
    yield title
    header = f"{'keepalive/deadtime':<18} " + " ".join(f"{name:<22}" for name in shown)
    header += " ".join(f"{name + '/heartbeat':>21}" for name in others if "heartbeat" in shown)
    yield header + ("  target" if target else "")
    for setting in settings:
        groups = {name: values(runs, setting, name, measure) for name in shown}
        line = f"{setting.label:<18} " + " ".join(f"{cell(groups[n]):<22}" for n in shown)
        if "heartbeat" in shown:
            theirs = median_of(groups["heartbeat"])
            line += " ".join(f"{ratio(median_of(groups[n]), theirs):>21}" for n in others)
        ours = median_of(groups.get("hb", []))
        if target is not None and ours is not None:
            line += f"  {target(setting, ours)}"
        yield line


def failover_target(setting: Setting, median: float) -> str:
    limit = setting.deadtime + TARGET_MARGIN_S
    return f"hb {median:.3f} <= {limit:.3f}: {'met' if median <= limit else 'MISSED'}"


def overlap_table(
    runs: Sequence[Run], settings: Sequence[Setting], implementations: Sequence[str]
) -> Iterator[str]:
    yield (
        "Double ownership: longest time BOTH nodes held the address (must be 0), and longest "
        "time NEITHER did, in ms, worst run; from netlink address events"
    )
    yield (
        f"{'keepalive/deadtime':<18} {'impl':<11} {'standby both':>12} {'standby none':>12} "
        f"{'failback both':>13} {'failback none':>13}  runs with overlap"
    )
    for setting in settings:
        for name in implementations:
            cells = [
                max_or_none(values(runs, setting, name, measure))
                for measure in (
                    "standby_overlap_s",
                    "standby_gap_s",
                    "failback_overlap_s",
                    "failback_gap_s",
                )
            ]
            if all(value is None for value in cells):
                continue
            overlapped = sum(
                1
                for run in runs
                if run.setting == setting.label
                and run.implementation == name
                and (run.standby_overlap_s or 0) + (run.failback_overlap_s or 0) > 0
            )
            counted = len(values(runs, setting, name, "failback_overlap_s"))
            yield (
                f"{setting.label:<18} {name:<11} "
                + " ".join(
                    f"{fmt(None if v is None else v * 1000, '.1f'):>{w}}"
                    for v, w in zip(cells, (12, 12, 13, 13), strict=True)
                )
                + f"  {overlapped}/{counted}"
            )


def report(
    runs: Sequence[Run], settings: Sequence[Setting], implementations: Sequence[str]
) -> Iterator[str]:
    count = max((sum(1 for r in runs if r.implementation == n) for n in implementations), default=0)
    per_setting = count // max(len(settings), 1)
    yield from comparison_table(
        runs,
        settings,
        implementations,
        "failover_s",
        f"Crash failover seen by the client: SIGKILL of the owner + its public link down -> the "
        f"address answers from the survivor (s, median [min-max] of {per_setting} runs; echo "
        f"every {PING_INTERVAL_S * 1000:.0f} ms; target hb median <= deadtime + "
        f"{TARGET_MARGIN_S * 1000:.0f} ms)",
        failover_target,
    )
    yield ""
    yield from comparison_table(
        runs,
        settings,
        implementations,
        "outage_s",
        "Outage: last answer from the old owner -> first answer from the survivor (s)",
    )
    yield from comparison_table(
        runs,
        settings,
        implementations,
        "failover_added_s",
        "  (of which: kill -> the address configured on the survivor, from netlink, s)",
    )
    yield ""
    yield from comparison_table(
        runs,
        settings,
        [n for n in implementations if n != "keepalived"],
        "standby_s",
        "Graceful standby handover: standby tool launched on the owner -> the address answers "
        "from the peer (s)",
    )
    yield from comparison_table(
        runs,
        settings,
        [n for n in implementations if n != "keepalived"],
        "standby_tool_s",
        "  (the standby tool itself, launch -> exit, s)",
    )
    yield from comparison_table(
        runs,
        settings,
        [n for n in implementations if n != "keepalived"],
        "standby_removed_s",
        "  (launch -> the address removed from the owner, s)",
    )
    yield from comparison_table(
        runs,
        settings,
        [n for n in implementations if n != "keepalived"],
        "standby_added_s",
        "  (launch -> the address configured on the peer, s)",
    )
    yield ""
    yield from comparison_table(
        runs,
        settings,
        implementations,
        "failback_s",
        "Failback: the rebooted preferred node started -> the address answers from it again (s;"
        " includes start-up)",
    )
    yield ""
    yield from overlap_table(runs, settings, implementations)
    failed = [r for r in runs if r.error]
    for run in failed:
        yield f"ERROR {run.setting} {run.implementation} run {run.run}: {run.error}"


# -- main -----------------------------------------------------------------------------------


def arguments(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=None, help="runs per setting (5; quick 3)")
    parser.add_argument("--quick", action="store_true", help="three runs, no 10 ms / 50 ms")
    parser.add_argument("--json", type=Path, default=None, help="write the raw numbers here")
    parser.add_argument("--seed", type=int, default=None, help="seed of the kill phases")
    parser.add_argument(
        "--implementations",
        default=",".join(IMPLEMENTATIONS),
        help="comma-separated subset of hb,heartbeat,keepalived",
    )
    args = parser.parse_args(argv)
    args.runs = args.runs or (3 if args.quick else 5)
    requested = {name for name in args.implementations.split(",") if name}
    unknown = requested - set(IMPLEMENTATIONS)
    if unknown:
        parser.error(f"unknown implementation(s): {', '.join(sorted(unknown))}")
    args.implementations = [name for name in IMPLEMENTATIONS if name in requested]
    return args


def main(argv: Sequence[str] | None = None) -> None:
    args = arguments(argv)
    settings = (SLOW, FAST) if args.quick else (SLOW, FAST, FASTEST)
    with Lab.create(LabSpec(nodes=2, heartbeat_nets=1, client=True)) as lab:
        assert lab.client is not None
        watch = AddressWatch(lab.nodes, ADDRESS)
        pinger = Pinger(lab.client.netns, ADDRESS)
        bench = Bench(lab, pinger, watch, macs_of(lab), random.Random(args.seed))
        try:
            run_all(bench, settings, args.implementations, args.runs)
        finally:
            pinger.stop()
            watch.stop()
    for line in report(bench.runs, settings, args.implementations):
        print(line)
    if watch.overflowed:
        print("note: a netlink socket overflowed; address events may be missing")
    if args.json is not None:
        raw = {
            "runs": [asdict(run) for run in bench.runs],
            "address_events": watch.events,
            "macs": bench.macs,
            "ping_interval_s": PING_INTERVAL_S,
            "cpus": os.cpu_count(),
            "load_average": os.getloadavg(),
        }
        args.json.write_text(json.dumps(raw, indent=2) + "\n")


if __name__ == "__main__":
    main()
