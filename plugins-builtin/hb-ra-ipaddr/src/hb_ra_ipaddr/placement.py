"""Where an address goes when haresources leaves it open: interface, prefix, broadcast, label.

Pure functions on plain data, so the rules can be tested without a kernel. The interface is the
one of the most specific connected route (no gateway) of the main table that contains the
address; on a tie the lowest metric wins, and on a further tie the first route listed. This is
the rule of IPaddr's later ``findif``: heartbeat 3.0.6's C findif took the lowest metric alone,
which lets a wide route of low metric beat the subnet's own route.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from hb_ra_ipaddr.argument import IFNAMSIZ, IPAddress

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class Route:
    """One unicast route of the main table."""

    network: IPNetwork
    interface: int
    """The output interface's index."""
    metric: int = 0
    gateway: str | None = None


def choose_route(
    address: IPAddress, routes: Iterable[Route], interface: int | None = None
) -> Route | None:
    """The connected route ``address`` belongs to (on ``interface`` when given), or None."""
    best: Route | None = None
    for route in routes:
        if route.gateway is not None or route.network.version != address.version:
            continue
        if address not in route.network:
            continue
        if interface is not None and route.interface != interface:
            continue
        if best is None or (route.network.prefixlen, -route.metric) > (
            best.network.prefixlen,
            -best.metric,
        ):
            best = route
    return best


def default_broadcast(
    address: ipaddress.IPv4Address, prefixlen: int
) -> ipaddress.IPv4Address | None:
    """The highest address of the subnet, as findif computes it; none for /31 and /32, which
    have no broadcast (iproute2's ``brd +`` leaves them without one too)."""
    if prefixlen >= 31:
        return None
    return ipaddress.IPv4Network(f"{address}/{prefixlen}", strict=False).broadcast_address


def free_label(interface: str, taken: Collection[str]) -> str | None:
    """The first ``interface:N`` not in ``taken`` (IPaddr's ``eth0:0``, ``eth0:1`` ...), or None
    when the interface's name leaves no room for a label."""
    number = 0
    while f"{interface}:{number}" in taken:
        number += 1
    label = f"{interface}:{number}"
    return label if len(label) < IFNAMSIZ else None
