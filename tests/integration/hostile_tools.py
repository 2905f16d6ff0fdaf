"""Hostile traffic against hb nodes in the lab, for ``test_hostile_input.py`` and
``bench/flood.py``: an intruder machine on a heartbeat network, the issue's garbage packets,
paced floods, captures of a node's genuine status packets, and the CPU a node spent.

The intruder holds no key: everything it sends is either garbage or a genuine packet it
captured on the wire. It is a namespace of the lab (``<prefix>-x``), so the lab's teardown
removes it whatever happens; nothing is ever sent outside the lab's namespaces.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import socket
import struct
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from hb_lab.lab import Lab, Node, socket_in_netns
from hb_lab.netns import ip_batch, netns_add, netns_delete
from hbcore.wire import Decoded, decode

UDPPORT = 694
INTRUDER_HOST = 200
"""The intruder's host number on the heartbeat network (nodes are 1..N, the client 254)."""
ETH_P_IP = 0x0800
CLK_TCK = os.sysconf("SC_CLK_TCK")
HB = Path(sys.executable).with_name("hb")


# -- the intruder ---------------------------------------------------------------------------------


class Intruder:
    """A machine on one heartbeat network of a lab, with no key: a namespace whose ``interface``
    hangs off that network's bridge at host :data:`INTRUDER_HOST`. Use it as a context manager;
    the lab's own teardown also removes it."""

    def __init__(self, lab: Lab, interface: str = "eth1") -> None:
        network = lab.wiring.network(interface)
        self.netns = f"{lab.prefix}-x"
        self.interface = interface
        self.address = network.host(INTRUDER_HOST)
        port = f"x{network.index}e"  # its veth end in the switch namespace
        netns_add([self.netns])
        try:
            ip_batch(
                [
                    f"link add {port} type veth peer name {interface} netns {self.netns}",
                    f"link set {port} master {network.bridge}",
                    f"link set {port} up",
                ],
                lab.wiring.switch,
            )
            ip_batch(
                [
                    "link set lo up",
                    f"addr add {network.cidr(INTRUDER_HOST)} brd + dev {interface}",
                    f"link set {interface} up",
                ],
                self.netns,
            )
        except BaseException:
            self.close()
            raise

    def socket(self) -> socket.socket:
        """A UDP socket in the intruder's namespace, sending out of its heartbeat interface."""
        sock = socket_in_netns(self.netns)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, self.interface.encode())
        return sock

    def close(self) -> None:
        """Delete the namespace (and its veth pair with it). Idempotent."""
        netns_delete(self.netns)

    def __enter__(self) -> Intruder:
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        self.close()


# -- what it sends --------------------------------------------------------------------------------

_TINY_FIELD = b"5:(0)a=,"
"""A well-formed netstring field with a one-letter name and an empty value: 8 bytes."""


def garbage_packets(size: int = 65_000, seed: int = 0) -> Iterator[bytes]:
    """The issue's flood packet, endlessly: ``###``, tiny well-formed fields up to ``size``
    bytes (8k of them at 65 KB), ``%%%`` and a trailer ``1 <40 hex digits>`` that no key
    signed. A receiver that parses every field before checking the trailer pays for all of
    them. Each packet carries a different made-up token, so no cache of rejected packets can
    make the flood cheap."""
    rng = random.Random(seed)
    token_length = len(b"44:1 ") + 40 + 1
    count = (size - 8 - token_length) // len(_TINY_FIELD)
    body = b"###\n" + _TINY_FIELD * count + b"%%%\n"
    while True:
        token = b"1 " + rng.randbytes(20).hex().encode()
        yield body + b"%d:%b," % (len(token), token)


def small_packets(seed: int = 0, pool: int = 1024) -> Iterator[bytes]:
    """Small random packets (16-256 bytes), endlessly, from a pool of ``pool`` different ones:
    half raw bytes, half behind a genuine ``###`` head so they reach the netstring parser."""
    rng = random.Random(seed)
    made = []
    for index in range(pool):
        payload = rng.randbytes(rng.randint(16, 256))
        made.append(b"###\n" + payload if index % 2 else payload)
    while True:
        yield from made


@dataclass(frozen=True)
class FloodReport:
    """What a flood sent: packets and bytes handed to the kernel, sends refused, seconds."""

    sent: int
    bytes: int
    refused: int
    seconds: float


def flood(
    sock: socket.socket,
    destination: tuple[str, int],
    packets: Iterator[bytes],
    rate: float,
    seconds: float,
) -> FloodReport:
    """Send ``rate * seconds`` of ``packets`` to ``destination`` at ``rate`` per second,
    paced in 10 ms ticks (each tick sends what is due, so a late tick catches up). A send the
    kernel refuses (a full buffer) is counted, not retried."""
    sent = size = refused = 0
    total = round(rate * seconds)
    began = time.monotonic()
    while sent + refused < total:
        due = min(int(rate * (time.monotonic() - began + 0.01)), total)
        while sent + refused < due:
            packet = next(packets)
            try:
                sock.sendto(packet, destination)
            except OSError:
                refused += 1
                continue
            sent += 1
            size += len(packet)
        time.sleep(0.01)
    return FloodReport(sent, size, refused, time.monotonic() - began)


class Replayer:
    """Sends one packet to ``destination`` every ``interval`` seconds from a thread, until
    :meth:`stop`; :meth:`switch` changes the packet on the fly."""

    def __init__(
        self,
        sock: socket.socket,
        destination: tuple[str, int],
        packet: bytes,
        interval: float = 0.1,
    ) -> None:
        self._sock = sock
        self._destination = destination
        self._packet = packet
        self._interval = interval
        self._stopping = threading.Event()
        self.sent = 0
        self._thread = threading.Thread(target=self._run, name="replayer", daemon=True)
        self._thread.start()

    def switch(self, packet: bytes) -> None:
        self._packet = packet

    def _run(self) -> None:
        while not self._stopping.is_set():
            with suppress(OSError):
                self._sock.sendto(self._packet, self._destination)
                self.sent += 1
            self._stopping.wait(self._interval)

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join()


# -- what it hears ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CapturedStatus:
    """One status packet as the wire carried it, when it was seen (``time.monotonic()``), and
    its sender's generation and sequence number (``None`` when absent)."""

    at: float
    payload: bytes
    generation: int | None
    seq: int | None


def _hex(message_value: str | None) -> int | None:
    try:
        return int(message_value or "", 16)
    except ValueError:
        return None


@dataclass
class StatusCapture:
    """Every heartbeat status packet from address ``source`` (to port ``port``) crossing
    ``interface`` of ``node``, in arrival order: a packet socket read by a thread."""

    node: Node
    source: str
    interface: str = "eth1"
    port: int = UDPPORT
    statuses: list[CapturedStatus] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._socket = socket_in_netns(
            self.node.netns, socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(ETH_P_IP)
        )
        self._socket.bind((self.interface, ETH_P_IP))
        self._socket.settimeout(0.05)
        self._source = socket.inet_aton(self.source)
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._read, name="status-capture", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        while not self._stopping.is_set():
            try:
                frame = self._socket.recv(65535)
            except TimeoutError:
                continue
            at = time.monotonic()
            if len(frame) < 28 or frame[9] != socket.IPPROTO_UDP or frame[12:16] != self._source:
                continue
            header = (frame[0] & 0x0F) * 4
            (port,) = struct.unpack("!H", frame[header + 2 : header + 4])
            if port != self.port:
                continue
            payload = frame[header + 8 :]
            decoded = decode(payload, None)
            if isinstance(decoded, Decoded) and decoded.message.get("t") == "status":
                message = decoded.message
                generation, seq = _hex(message.get("hg")), _hex(message.get("seq"))
                status = CapturedStatus(at, payload, generation, seq)
                with self._lock:
                    self.statuses.append(status)

    def snapshot(self) -> list[CapturedStatus]:
        with self._lock:
            return list(self.statuses)

    def latest(self) -> CapturedStatus:
        """The last status captured; ``LookupError`` if none yet."""
        with self._lock:
            if not self.statuses:
                raise LookupError(f"no status from {self.source} captured yet")
            return self.statuses[-1]

    def max_gap(self, since: float, until: float) -> float | None:
        """The longest silence between statuses seen in [since, until], bounds included (a
        silence running into ``until`` counts); ``None`` if none was seen at all."""
        times = [status.at for status in self.snapshot() if since <= status.at <= until]
        if not times:
            return None
        edges = [since, *times, until]
        return max(later - earlier for earlier, later in itertools.pairwise(edges))

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join()
        self._socket.close()


# -- the node's side ------------------------------------------------------------------------------


def cpu_ticks(pids: Sequence[int]) -> int:
    """utime + stime + cutime + cstime of ``pids`` in clock ticks (a gone process counts 0)."""
    total = 0
    for pid in pids:
        with suppress(OSError):
            stat = Path(f"/proc/{pid}/stat").read_text()
            fields = stat.rsplit(")", 1)[1].split()
            total += sum(int(value) for value in fields[11:15])  # fields 14-17 of proc(5)
    return total


T = TypeVar("T")


def cpu_percent(pids: Sequence[int], work: Callable[[], T]) -> tuple[float, T]:
    """Run ``work`` and return the CPU ``pids`` used meanwhile, as % of one core, and what
    ``work`` returned."""
    ticks, began = cpu_ticks(pids), time.monotonic()
    result = work()
    used = (cpu_ticks(pids) - ticks) / CLK_TCK
    return used / (time.monotonic() - began) * 100, result


def hb_status(node: Node) -> dict[str, Any]:
    """``hb status --json`` on ``node``."""
    report: dict[str, Any] = json.loads(node.run([str(HB), "status", "--json"]).stdout)
    return report


def lines_with(node: Node, after: int, *texts: str) -> list[str]:
    """The lines of ``node``'s log written after offset ``after`` that contain any of
    ``texts``."""
    return [line for line in node.read_log(after=after) if any(text in line for text in texts)]
