"""The monitor against a real kernel: a pinger namespace joined by a veth to a namespace holding
the ping hosts (10.93.1.2 to .5 on one interface). Run twice: once with datagram ICMP sockets
allowed in the pinger (``ping_group_range`` set there), once with Debian's default ``1 0``, where
only the raw socket fallback works. A host goes down by an nft rule dropping the echoes to its
address in the hosts' namespace, or by taking the hosts' end of the veth down.

The monitor runs on its own event loop in a thread that has joined the pinger namespace, so its
socket lives there while the test process stays where it is.
"""

from __future__ import annotations

import asyncio
import ctypes
import os
import re
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest
from hb_hookspecs import Observation
from hb_monitor_ping.echo_socket import DATAGRAM, RAW
from hb_monitor_ping.icmp import ECHO_REPLY, HEADER, checksum, echo_data
from hb_monitor_ping.monitor import PingMonitor, PingNode

pytestmark = [
    pytest.mark.netns,
    pytest.mark.skipif(
        os.geteuid() != 0, reason="needs root to create network namespaces and veth pairs"
    ),
]

PREFIX = "hbping"
CLONE_NEWNET = 0x40000000
KEEPALIVE = 0.1
WATCH = 1.0
"""How long each check watches: ten keepalives."""
MOST_SILENCE = 0.5
"""The longest gap between two answers of a live host we accept on a loaded machine."""
PINGER, HOST, BYSTANDER = "10.93.1.1", "10.93.1.2", "10.93.1.5"
GROUP_A, GROUP_B = "10.93.1.3", "10.93.1.4"
_libc = ctypes.CDLL(None, use_errno=True)
T = TypeVar("T")


def _run(*argv: str, stdin: str | None = None, check: bool = True) -> None:
    done = subprocess.run(
        list(argv), input=stdin, capture_output=True, text=True, check=False, timeout=10
    )
    if check and done.returncode != 0:
        raise AssertionError(f"{' '.join(argv)}: {done.stderr.strip()}")


def _remove_stale_namespaces() -> None:
    """Namespaces of ours left by an earlier run whose process is gone."""
    listed = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=True)
    for line in listed.stdout.splitlines():
        name = line.split()[0] if line.split() else ""
        found = re.fullmatch(rf"{PREFIX}(\d+)[dr][ph]", name)
        if found and not Path(f"/proc/{found.group(1)}").exists():
            _run("ip", "netns", "delete", name, check=False)


@dataclass(frozen=True)
class Wire:
    """The pinger namespace and the hosts' namespace."""

    pinger: str
    hosts: str
    transport: str

    def drop_echoes_to(self, address: str) -> None:
        """The host at ``address`` stops answering (its echo requests are dropped)."""
        _run(
            *("ip", "netns", "exec", self.hosts, "nft", "-f", "-"),
            stdin=(
                f"add table ip {PREFIX}\n"
                f"add chain ip {PREFIX} input {{ type filter hook input priority 0; }}\n"
                f"add rule ip {PREFIX} input ip daddr {address} icmp type echo-request drop\n"
            ),
        )

    def answer_everyone(self) -> None:
        _run("ip", "netns", "exec", self.hosts, "nft", "delete", "table", "ip", PREFIX, check=False)

    def hosts_link(self, up: bool) -> None:
        _run("ip", "-n", self.hosts, "link", "set", "eth0", "up" if up else "down")


@pytest.fixture(scope="module", params=[DATAGRAM, RAW])
def wire(request: pytest.FixtureRequest) -> Iterator[Wire]:
    _remove_stale_namespaces()
    tag = f"{PREFIX}{os.getpid()}{request.param[0]}"
    wire = Wire(f"{tag}p", f"{tag}h", request.param)
    try:
        for name in (wire.pinger, wire.hosts):
            _run("ip", "netns", "add", name)
            _run("ip", "-n", name, "link", "set", "lo", "up")
        _run("ip", "-n", wire.pinger, "link", "add", "eth0", "type", "veth", "peer", "name", "p0")
        _run("ip", "-n", wire.pinger, "link", "set", "p0", "netns", wire.hosts)
        _run("ip", "-n", wire.hosts, "link", "set", "p0", "name", "eth0")
        _run("ip", "-n", wire.pinger, "addr", "add", f"{PINGER}/24", "dev", "eth0")
        for address in (HOST, GROUP_A, GROUP_B, BYSTANDER):
            _run("ip", "-n", wire.hosts, "addr", "add", f"{address}/24", "dev", "eth0")
        for name in (wire.pinger, wire.hosts):
            _run("ip", "-n", name, "link", "set", "eth0", "up")
        if wire.transport == DATAGRAM:
            _run(
                "ip", "netns", "exec", wire.pinger,
                "sysctl", "-qw", "net.ipv4.ping_group_range=0 2147483647",
            )  # fmt: skip
        yield wire
    finally:
        for name in (wire.pinger, wire.hosts):
            _run("ip", "netns", "delete", name, check=False)


@pytest.fixture
def healthy(wire: Wire) -> Iterator[Wire]:
    """The wire with every host answering, before and after the test."""
    wire.answer_everyone()
    wire.hosts_link(up=True)
    yield wire
    wire.answer_everyone()
    wire.hosts_link(up=True)


def _join_netns(netns: str) -> None:
    """Move the calling thread (only) into ``netns``."""
    fd = os.open(f"/run/netns/{netns}", os.O_RDONLY)
    try:
        if _libc.setns(fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), f"setns {netns}")
    finally:
        os.close(fd)


def _in_netns(netns: str, make: Callable[[], T]) -> T:
    """``make()`` called in a throw-away thread inside ``netns`` (a socket stays there)."""
    made: list[T] = []
    failed: list[BaseException] = []

    def work() -> None:
        try:
            _join_netns(netns)
            made.append(make())
        except BaseException as error:
            failed.append(error)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    if failed:
        raise failed[0]
    return made[0]


class Watching:
    """A :class:`PingMonitor` running in ``netns`` on a loop of its own, recording every
    observation with the time it was made."""

    def __init__(self, netns: str, nodes: list[PingNode]) -> None:
        self.netns = netns
        self.monitor = PingMonitor(nodes, KEEPALIVE)
        self.seen: list[tuple[float, Observation]] = []
        self._started = threading.Event()
        self._failed: list[BaseException] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, name=f"ping-{netns}")

    def __enter__(self) -> Watching:
        self._thread.start()
        self._started.wait(10)
        if self._failed:
            self._thread.join()
            raise self._failed[0]
        return self

    def __exit__(self, *_: object) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)

    def _run(self) -> None:
        try:
            _join_netns(self.netns)
            asyncio.run(self._watch())
        except BaseException as error:
            self._failed.append(error)
            self._started.set()

    async def _watch(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        await self.monitor.start(lambda seen: self.seen.append((time.monotonic(), seen)))
        self._started.set()
        try:
            await self._stop.wait()
        finally:
            await self.monitor.stop()

    def reports(self, subject: str, since: float) -> list[float]:
        """When ``subject`` was reported alive after ``since``."""
        return [at for at, seen in list(self.seen) if seen.subject == subject and at > since]

    def assert_alive_every_keepalive(self, subject: str, since: float, until: float) -> None:
        times = [at for at in self.reports(subject, since) if at <= until]
        rounds = (until - since) / KEEPALIVE
        assert len(times) >= rounds - 3, f"{subject}: {len(times)} answers in {rounds:.0f} rounds"
        gaps = [b - a for a, b in zip([since, *times], [*times, until], strict=True)]
        assert max(gaps) <= MOST_SILENCE, f"{subject} was silent for {max(gaps):.3f}s"

    def assert_silent(self, subject: str, since: float) -> None:
        """Nothing heard from ``subject`` after ``since`` but (perhaps) one echo in flight."""
        assert len(self.reports(subject, since + KEEPALIVE)) == 0, f"{subject} still reported"


def _settle_then_watch() -> tuple[float, float]:
    """Let a keepalive pass (an echo sent before a change may still be answered), then watch."""
    time.sleep(KEEPALIVE)
    since = time.monotonic()
    time.sleep(WATCH)
    return since, time.monotonic()


def test_a_host_that_answers_is_reported_alive_every_keepalive(healthy: Wire) -> None:
    with Watching(healthy.pinger, [PingNode(HOST, (HOST,))]) as watching:
        assert watching.monitor.transport == healthy.transport
        since, until = _settle_then_watch()
        watching.assert_alive_every_keepalive(HOST, since, until)
        assert {seen.monitor for _, seen in watching.seen} == {"ping"}
        assert all(seen.alive for _, seen in watching.seen)


def test_a_host_that_stops_answering_is_no_longer_reported_and_the_others_still_are(
    healthy: Wire,
) -> None:
    nodes = [PingNode(HOST, (HOST,)), PingNode(BYSTANDER, (BYSTANDER,))]
    with Watching(healthy.pinger, nodes) as watching:
        time.sleep(2 * KEEPALIVE)
        assert watching.reports(HOST, 0)
        healthy.drop_echoes_to(HOST)
        since, until = _settle_then_watch()
        watching.assert_silent(HOST, since - KEEPALIVE)
        watching.assert_alive_every_keepalive(BYSTANDER, since, until)
        healthy.answer_everyone()
        since, until = _settle_then_watch()
        watching.assert_alive_every_keepalive(HOST, since, until)


def test_a_host_behind_a_pulled_cable_is_no_longer_reported(healthy: Wire) -> None:
    with Watching(healthy.pinger, [PingNode(HOST, (HOST,))]) as watching:
        time.sleep(2 * KEEPALIVE)
        assert watching.reports(HOST, 0)
        healthy.hosts_link(up=False)
        since, _ = _settle_then_watch()
        watching.assert_silent(HOST, since - KEEPALIVE)


def test_a_ping_group_lives_while_any_member_answers_and_falls_silent_when_none_does(
    healthy: Wire,
) -> None:
    group = PingNode("uplinks", (GROUP_A, GROUP_B), group=True)
    with Watching(healthy.pinger, [group]) as watching:
        healthy.drop_echoes_to(GROUP_A)
        since, until = _settle_then_watch()
        watching.assert_alive_every_keepalive("uplinks", since, until)
        healthy.drop_echoes_to(GROUP_B)
        since, _ = _settle_then_watch()
        watching.assert_silent("uplinks", since - KEEPALIVE)
        assert all(seen.subject == "uplinks" for _, seen in watching.seen)


def test_echo_replies_that_answer_no_echo_of_ours_are_ignored(healthy: Wire) -> None:
    """The hosts' namespace forges echo replies to the pinger for every recent sequence
    number: from a pinged host that has stopped answering, with a wrong identifier or wrong
    data; and from a host we never pinged, with everything right. None of them counts."""
    nodes = [PingNode(HOST, (HOST,)), PingNode(BYSTANDER, (BYSTANDER,))]
    healthy.drop_echoes_to(BYSTANDER)
    with Watching(healthy.pinger, nodes) as watching:
        time.sleep(3 * KEEPALIVE)
        started = time.monotonic()
        ours = os.getpid() & 0xFFFF
        forgeries = [
            (BYSTANDER, (ours + 1) & 0xFFFF, echo_data),
            (BYSTANDER, ours, lambda sequence: b"not ours" + bytes(2)),
            (GROUP_A, ours, echo_data),
        ]
        for source, identifier, data in forgeries:
            with _in_netns(healthy.hosts, _raw_icmp) as sock:
                sock.bind((source, 0))
                for sequence in range(1, 200):
                    sock.sendto(_echo_reply(identifier, sequence, data(sequence)), (PINGER, 0))
        time.sleep(2 * KEEPALIVE)
        elapsed = time.monotonic() - started + 3 * KEEPALIVE
        assert {seen.subject for _, seen in watching.seen} == {HOST}
        assert len(watching.reports(HOST, 0)) <= elapsed / KEEPALIVE + 2


def _raw_icmp() -> socket.socket:
    return socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)


def _echo_reply(identifier: int, sequence: int, data: bytes) -> bytes:
    unsigned = HEADER.pack(ECHO_REPLY, 0, 0, identifier, sequence) + data
    return HEADER.pack(ECHO_REPLY, 0, checksum(unsigned), identifier, sequence) + data


def _wait_for(subject: str, watching: Watching, timeout: float = 5.0) -> None:
    """Until ``subject`` has been reported alive (a bound on waiting, not a measurement)."""
    deadline = time.monotonic() + timeout
    while not watching.reports(subject, 0) and time.monotonic() < deadline:
        time.sleep(KEEPALIVE)
    assert watching.reports(subject, 0), f"{subject} never reported alive"


def test_ping_nodes_by_name_as_the_seed_writes_them(
    healthy: Wire, caplog: pytest.LogCaptureFixture
) -> None:
    """``ping localhost`` is resolved when the monitor starts and pinged (on the pinger's own
    loopback); a group member no resolver knows is logged with heartbeat's text and the group
    lives on its other member."""
    nodes = [
        PingNode("localhost", ("localhost",)),
        PingNode("uplinks", ("ping1.linux-ha.org", GROUP_A), group=True),
    ]
    with Watching(healthy.pinger, nodes) as watching:
        _wait_for("localhost", watching)
        _wait_for("uplinks", watching)
    sources = {seen.detail for _, seen in watching.seen}
    assert sources == {"echo reply from 127.0.0.1", f"echo reply from {GROUP_A}"}
    unknown = [r.getMessage() for r in caplog.records if r.getMessage().startswith("unknown")]
    assert len(unknown) == 1 and unknown[0].startswith("unknown host: ping1.linux-ha.org: ")
