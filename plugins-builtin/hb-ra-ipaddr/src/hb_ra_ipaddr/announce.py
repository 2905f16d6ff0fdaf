"""Telling the segment that an address moved: gratuitous ARP (IPv4) or unsolicited neighbour
advertisements (IPv6), built and sent with scapy.

IPv4 follows heartbeat's ``send_arp``: each round sends an ARP request (target MAC zero), waits
half the interval, sends an ARP reply (target MAC ours), and waits the other half before the next
round; both go to the Ethernet broadcast address with the address as sender and target. IPv6
sends one neighbour advertisement per round to ff02::1 with the override flag, so peers replace
a cached MAC.

The frames are sent from worker threads (scapy's sockets block), one short hop per frame, so the
schedule itself is a cancellable task on the event loop. Import this module only after
:func:`hb_ra_ipaddr.warmup.packets_ready`: it imports scapy.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from scapy.arch.linux import L2Socket
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


async def announce(interface: str, address: IPAddress, mac: str, schedule: Schedule) -> None:
    """Send the whole schedule on ``interface``. Failures are logged, never raised: the
    address is up either way, and heartbeat runs send_arp in the background too."""
    try:
        # Protocol 0: a socket that only sends. One bound to a protocol also receives, and
        # binding it waits for an RCU grace period (~10 ms here) before the first frame.
        sock = await asyncio.to_thread(L2Socket, iface=interface, type=0, promisc=False)
    except OSError as error:
        log.warning(f"cannot announce {address} on {interface}: {error}")
        return
    groups = rounds(address, mac)
    pause = schedule.interval_s / len(groups)
    try:
        for number in range(schedule.count):
            for position, frames in enumerate(groups):
                for frame in frames:
                    await asyncio.to_thread(sock.send, frame)
                last = number == schedule.count - 1 and position == len(groups) - 1
                if not last:
                    await asyncio.sleep(pause)
    except OSError as error:
        log.warning(f"announcing {address} on {interface} stopped: {error}")
    finally:
        # Closing a packet socket waits for a grace period too: not on the loop.
        await asyncio.shield(asyncio.to_thread(sock.close))
