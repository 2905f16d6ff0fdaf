"""The frames that announce an address, built by scapy: gratuitous ARP (IPv4) or an unsolicited
neighbour advertisement (IPv6).

IPv4 follows heartbeat's ``send_arp``: an ARP request (target MAC zero) and an ARP reply (target
MAC ours), both to the Ethernet broadcast address with the address as sender and target. IPv6
sends one neighbour advertisement to ff02::1 with the override flag, so that peers replace a
cached MAC.

scapy costs some 50 MB resident once imported, so the node does not import this module: it
runs it as a short-lived helper (``python -P .../hb_ra_ipaddr/frames.py``: the file alone,
without its package; it imports nothing of hb), which reads a JSON list of
``[mac, address]`` pairs on stdin and writes, for each pair in order, the frames of one round
grouped by the half-interval pauses between them, as hex strings in JSON on stdout
(:mod:`hb_ra_ipaddr.announce` keeps the bytes and sends them). The node imports it only when
that helper fails.
"""

from __future__ import annotations

import ipaddress
import json
import sys

from scapy.compat import raw
from scapy.layers.inet6 import ICMPv6ND_NA, ICMPv6NDOptDstLLAddr, IPv6
from scapy.layers.l2 import ARP, Ether
from scapy.packet import Packet

BROADCAST_MAC = "ff:ff:ff:ff:ff:ff"
ALL_NODES_MAC = "33:33:00:00:00:01"
ZERO_MAC = "00:00:00:00:00:00"


def rounds(address: str, mac: str) -> list[list[bytes]]:
    """The frames of one round announcing ``address`` from ``mac``, grouped by the
    half-interval pauses between them."""
    ip = ipaddress.ip_address(address)
    if ip.version == 4:
        request = Ether(src=mac, dst=BROADCAST_MAC) / ARP(
            op=1, hwsrc=mac, psrc=str(ip), hwdst=ZERO_MAC, pdst=str(ip)
        )
        reply = Ether(src=mac, dst=BROADCAST_MAC) / ARP(
            op=2, hwsrc=mac, psrc=str(ip), hwdst=mac, pdst=str(ip)
        )
        return [[_raw(request)], [_raw(reply)]]
    advertisement = (
        Ether(src=mac, dst=ALL_NODES_MAC)
        / IPv6(src=str(ip), dst="ff02::1", hlim=255)
        / ICMPv6ND_NA(tgt=str(ip), R=0, S=0, O=1)
        / ICMPv6NDOptDstLLAddr(lladdr=mac)
    )
    return [[_raw(advertisement)]]


def _raw(frame: Packet) -> bytes:
    return bytes(raw(frame))


def main() -> int:
    """The helper: pairs on stdin, frames on stdout (see the module's docstring)."""
    pairs = json.load(sys.stdin)
    answer = [
        [[frame.hex() for frame in group] for group in rounds(address, mac)]
        for mac, address in pairs
    ]
    json.dump(answer, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
