"""The lab's address plan: which subnet each network uses and which host number each member gets.

Network 0 is the public network (``eth0``, shared with the client); networks 1..K are the
heartbeat networks (``eth1``..``ethK``). With the default base ``10.77``, network ``k`` is
``10.77.<k+1>.0/24``, node ``i`` (1-based) is host ``.i`` and the client is ``.254``. These
addresses exist only inside the lab's namespaces.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

CLIENT_HOST = 254
MAX_NODES = 200


@dataclass(frozen=True)
class Network:
    """One L2 segment: its interface name inside members, its bridge in the switch, its subnet."""

    index: int
    subnet: ipaddress.IPv4Network

    @property
    def interface(self) -> str:
        return f"eth{self.index}"

    @property
    def bridge(self) -> str:
        return f"br{self.index}"

    @property
    def broadcast(self) -> str:
        return str(self.subnet.broadcast_address)

    def host(self, number: int) -> str:
        """The address of host ``number`` (node index or :data:`CLIENT_HOST`)."""
        return str(self.subnet.network_address + number)

    def cidr(self, number: int) -> str:
        """``address/prefixlen`` of host ``number``, as ``ip addr add`` wants it."""
        return f"{self.host(number)}/{self.subnet.prefixlen}"


def networks(base: str, heartbeat_nets: int) -> tuple[Network, ...]:
    """The public network followed by ``heartbeat_nets`` heartbeat networks under ``base``
    (two octets, e.g. ``10.77``)."""
    return tuple(
        Network(index, ipaddress.IPv4Network(f"{base}.{index + 1}.0/24"))
        for index in range(heartbeat_nets + 1)
    )
