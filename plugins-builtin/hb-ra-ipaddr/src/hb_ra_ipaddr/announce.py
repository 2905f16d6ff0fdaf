"""Telling the segment that an address moved: the frames of :mod:`hb_ra_ipaddr.frames` (built
by scapy), sent from the node's event loop on a packet socket.

IPv4 follows heartbeat's ``send_arp``: each round sends an ARP request, waits half the interval,
sends an ARP reply, and waits the other half before the next round. IPv6 sends one neighbour
advertisement per round.

scapy stays out of the node: imported, it holds some 50 MB resident for a handful of frames. The
frames of every address the node may announce are built ahead (:func:`prepare`, from the
warm-up thread) by a short-lived ``python hb_ra_ipaddr/frames.py`` and kept as bytes. When that
helper fails the node says what failed and builds them itself with scapy (imported then, and
kept): correctness before memory.

The first frame is on the wire a fraction of a millisecond after the address is added: the
sending socket of each interface (a plain ``AF_PACKET`` socket of protocol 0, which receives
nothing) is opened once, ahead of the takeover when the token names the interface (opening and
closing a packet socket each wait for an RCU grace period, ~10 ms here), and kept; it is
non-blocking, so the frames are sent from the event loop itself, with no hop to a thread (a
full send buffer waits for room on the loop). The schedule is a cancellable task on the loop.
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import logging
import socket
import struct
import subprocess
import sys
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from hb_ra_ipaddr.argument import IPAddress

log = logging.getLogger("hb.ra.ipaddr")

HELPER = (sys.executable, "-P", str(Path(__file__).with_name("frames.py")))
"""The command that builds frames (a module attribute, so that tests can break it). The file
is run by its path, not with ``-m``: that would import this package and hb's hook
specifications first, 30 ms for nothing (``-P``: its directory is not put on sys.path)."""
HELPER_TIMEOUT_S = 60.0
SIOCGIFHWADDR = 0x8927

Rounds = list[list[bytes]]
"""The frames of one round, grouped by the half-interval pauses between them."""


@dataclass(frozen=True)
class Schedule:
    """How many rounds, how far apart (heartbeat's ARP_REPEAT and ARP_INTERVAL_MS)."""

    count: int
    interval_s: float


IPADDR_SCHEDULE = Schedule(count=10, interval_s=0.5)
IPADDR2_SCHEDULE = Schedule(count=5, interval_s=0.2)

_frames: dict[tuple[IPAddress, str], Rounds] = {}
_senders: dict[str, socket.socket] = {}
_senders_lock = threading.Lock()


def prepare(pairs: Iterable[tuple[IPAddress, str]]) -> None:
    """Build and keep the frames of each (address, MAC) pair not built yet. Blocks for the
    helper's run (a few tenths of a second): call it from a thread. Never raises: the
    helper's failure is logged and the frames are built here instead."""
    wanted = sorted({pair for pair in pairs if pair not in _frames}, key=str)
    if not wanted:
        return
    try:
        built = _from_helper(wanted)
    except (OSError, ValueError, TypeError, subprocess.SubprocessError) as error:
        log.error(
            f"building announcement frames with {' '.join(HELPER)} failed: {error}; "
            "building them in the node with scapy"
        )
        try:
            built = _in_process(wanted)
        except ImportError as error:
            log.error(f"cannot build announcement frames: {error}")
            return
    _frames.update(zip(wanted, built, strict=True))


def _from_helper(pairs: list[tuple[IPAddress, str]]) -> list[Rounds]:
    request = json.dumps([[mac, str(address)] for address, mac in pairs])
    done = subprocess.run(
        HELPER, input=request, capture_output=True, text=True, timeout=HELPER_TIMEOUT_S
    )
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise subprocess.SubprocessError(f"exit status {done.returncode}: {last}")
    answer = json.loads(done.stdout)
    if not isinstance(answer, list) or len(answer) != len(pairs):
        raise ValueError(f"expected frames for {len(pairs)} addresses, got {done.stdout[:80]!r}")
    return [[[bytes.fromhex(frame) for frame in group] for group in rounds] for rounds in answer]


def _in_process(pairs: list[tuple[IPAddress, str]]) -> list[Rounds]:
    from hb_ra_ipaddr.frames import rounds

    return [rounds(str(address), mac) for address, mac in pairs]


def frames_of(address: IPAddress, mac: str) -> Rounds | None:
    """The frames :func:`prepare` built for ``address`` from ``mac``, None when it did not."""
    return _frames.get((address, mac))


def mac_of(name: str) -> str:
    """The hardware address of interface ``name`` (``aa:bb:...``)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        answer = fcntl.ioctl(probe, SIOCGIFHWADDR, struct.pack("256s", name.encode()[:15]))
    return answer[18:24].hex(":")


def open_sender(interface: str) -> socket.socket:
    """The sending socket of ``interface``, opened on first use and kept (it receives
    nothing). Blocks for a grace period the first time: call it from a thread."""
    with _senders_lock:
        sock = _senders.get(interface)
        if sock is None:
            # Protocol 0: a socket that only sends. One bound to a protocol would also receive.
            sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
            try:
                sock.bind((interface, 0))
            except OSError:
                sock.close()
                raise
            sock.setblocking(False)
            _senders[interface] = sock
        return sock


def _forget_sender(interface: str, sock: socket.socket) -> None:
    """Drop a socket that failed (its interface went away, say): the next announcement on
    ``interface`` opens a new one. Closing it waits for a grace period: in a thread."""
    with _senders_lock:
        if _senders.get(interface) is sock:
            del _senders[interface]
    threading.Thread(target=sock.close, name="hb-ra-ipaddr-close", daemon=True).start()


async def _send(sock: socket.socket, frame: bytes) -> None:
    try:
        sock.send(frame)
    except BlockingIOError:
        await asyncio.get_running_loop().sock_sendall(sock, frame)


def first_frame_now(interface: str, address: IPAddress, mac: str) -> Rounds | None:
    """Send the schedule's first frame at once, from the caller (the event loop), when the
    sending socket of ``interface`` is open and the frames are built; return every frame of
    a round (for :func:`announce`), or None when nothing was sent (the schedule then sends
    it, or says why it cannot)."""
    sock = _senders.get(interface)
    groups = _frames.get((address, mac))
    if sock is None or groups is None:
        return None
    try:
        sock.send(groups[0][0])
    except OSError:
        return None
    return groups


async def announce(
    interface: str,
    address: IPAddress,
    mac: str,
    schedule: Schedule,
    sent_first: Rounds | None = None,
) -> None:
    """Send the whole schedule on ``interface`` (but its first frame when ``sent_first``, the
    frames :func:`first_frame_now` returned). Failures are logged, never raised: the address
    is up either way, and heartbeat runs send_arp in the background too."""
    groups = sent_first or frames_of(address, mac)
    if groups is None:
        # Not foreseen at warm-up (an interface the token does not name, a new MAC).
        await asyncio.to_thread(prepare, [(address, mac)])
        groups = frames_of(address, mac)
        if groups is None:
            log.warning(f"cannot announce {address} on {interface}: no frames were built")
            return
    skip = 0 if sent_first is None else 1
    sock = _senders.get(interface)
    if sock is None:
        try:
            sock = await asyncio.to_thread(open_sender, interface)
        except OSError as error:
            log.warning(f"cannot announce {address} on {interface}: {error}")
            return
    pause = schedule.interval_s / len(groups)
    try:
        for number in range(schedule.count):
            for position, frames in enumerate(groups):
                for frame in frames:
                    if skip:
                        skip -= 1
                        continue
                    await _send(sock, frame)
                last = number == schedule.count - 1 and position == len(groups) - 1
                if not last:
                    await asyncio.sleep(pause)
    except OSError as error:
        log.warning(f"announcing {address} on {interface} stopped: {error}")
        _forget_sender(interface, sock)
