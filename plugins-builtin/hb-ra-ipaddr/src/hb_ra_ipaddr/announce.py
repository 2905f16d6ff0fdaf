"""Telling the segment that an address moved: gratuitous ARP (IPv4) or unsolicited neighbour
advertisements (IPv6), built and sent with scapy.

IPv4 follows heartbeat's ``send_arp``: each round sends an ARP request (target MAC zero), waits
half the interval, sends an ARP reply (target MAC ours), and waits the other half before the next
round; both go to the Ethernet broadcast address with the address as sender and target. IPv6
sends one neighbour advertisement per round to ff02::1 with the override flag, so peers replace
a cached MAC.

The first frame is on the wire a fraction of a millisecond after the address is added: the
sending socket of each interface is opened once, ahead of the takeover when the token names the
interface (opening and closing a packet socket each wait for an RCU grace period, ~10 ms here),
and kept; it is non-blocking, so the frames are sent from the event loop itself, with no hop to
a thread (a full send buffer waits for room on the loop). scapy builds every frame; the warm-up
(:func:`warm`) has built one of each kind before, so that its caches are filled then. The
schedule is a cancellable task on the loop. Import this module only after
:func:`hb_ra_ipaddr.warmup.packets_ready`: it imports scapy.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import threading
from dataclasses import dataclass

from scapy.arch.linux import L2Socket
from scapy.compat import raw
from scapy.layers.inet6 import (
    ICMPv6ND_NA,
    ICMPv6NDOptDstLLAddr,
    IPv6,
)
from scapy.layers.l2 import ARP, Ether
from scapy.packet import Packet

from hb_ra_ipaddr.argument import IPAddress

log = logging.getLogger("hb.ra.ipaddr")

BROADCAST_MAC = "ff:ff:ff:ff:ff:ff"
ALL_NODES_MAC = "33:33:00:00:00:01"
ZERO_MAC = "00:00:00:00:00:00"


@dataclass(frozen=True)
class Schedule:
    """How many rounds, how far apart (heartbeat's ARP_REPEAT and ARP_INTERVAL_MS)."""

    count: int
    interval_s: float


IPADDR_SCHEDULE = Schedule(count=10, interval_s=0.5)
IPADDR2_SCHEDULE = Schedule(count=5, interval_s=0.2)


def rounds(address: IPAddress, mac: str) -> list[list[Packet]]:
    """The frames of one round, grouped by the half-interval pauses between them."""
    if address.version == 4:
        ip = str(address)
        request = Ether(src=mac, dst=BROADCAST_MAC) / ARP(
            op=1, hwsrc=mac, psrc=ip, hwdst=ZERO_MAC, pdst=ip
        )
        reply = Ether(src=mac, dst=BROADCAST_MAC) / ARP(
            op=2, hwsrc=mac, psrc=ip, hwdst=mac, pdst=ip
        )
        return [[request], [reply]]
    advertisement = (
        Ether(src=mac, dst=ALL_NODES_MAC)
        / IPv6(src=str(address), dst="ff02::1", hlim=255)
        / ICMPv6ND_NA(tgt=str(address), R=0, S=0, O=1)
        / ICMPv6NDOptDstLLAddr(lladdr=mac)
    )
    return [[advertisement]]


_senders: dict[str, L2Socket] = {}
_senders_lock = threading.Lock()


def open_sender(interface: str) -> L2Socket:
    """The sending socket of ``interface``, opened on first use and kept (it receives
    nothing). Blocks for a grace period the first time: call it from a thread."""
    with _senders_lock:
        sock = _senders.get(interface)
        if sock is None:
            # Protocol 0: a socket that only sends. One bound to a protocol would also receive.
            sock = L2Socket(iface=interface, type=0, promisc=False)
            sock.outs.setblocking(False)
            _senders[interface] = sock
        return sock


def _forget_sender(interface: str, sock: L2Socket) -> None:
    """Drop a socket that failed (its interface went away, say): the next announcement on
    ``interface`` opens a new one. Closing it waits for a grace period: in a thread."""
    with _senders_lock:
        if _senders.get(interface) is sock:
            del _senders[interface]
    threading.Thread(target=sock.close, name="hb-ra-ipaddr-close", daemon=True).start()


def warm() -> None:
    """Build and serialise one frame of every kind, so that scapy fills its lazy caches now
    rather than during a takeover."""
    mac = "02:00:00:00:00:01"
    for address in (ipaddress.ip_address("192.0.2.1"), ipaddress.ip_address("2001:db8::1")):
        for frames in rounds(address, mac):
            for frame in frames:
                raw(frame)


async def _send(sock: L2Socket, frame: Packet) -> None:
    try:
        sock.send(frame)
    except BlockingIOError:
        await asyncio.get_running_loop().sock_sendall(sock.outs, raw(frame))


def first_frame_now(interface: str, address: IPAddress, mac: str) -> list[list[Packet]] | None:
    """Send the schedule's first frame at once, from the caller (the event loop), when the
    sending socket of ``interface`` is open; return every frame of a round (for
    :func:`announce`), or None when nothing was sent (the schedule then sends it, or says why
    it cannot)."""
    sock = _senders.get(interface)
    if sock is None:
        return None
    groups = rounds(address, mac)
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
    sent_first: list[list[Packet]] | None = None,
) -> None:
    """Send the whole schedule on ``interface`` (but its first frame when ``sent_first``, the
    frames :func:`first_frame_now` returned). Failures are logged, never raised: the address
    is up either way, and heartbeat runs send_arp in the background too."""
    groups = sent_first or rounds(address, mac)
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
