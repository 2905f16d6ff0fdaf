"""The lab's shape and wiring: how many nodes and networks (:class:`LabSpec`), the address
plan, and the namespaces, bridges and veths that join them.

The address plan: network 0 is the public network (``eth0``, shared with the client); networks
1..K are the heartbeat networks (``eth1``..``ethK``). With the default base ``10.77``, network
``k`` is ``10.77.<k+1>.0/24``, node ``i`` (1-based) is host ``.i`` and the client is ``.254``.
These addresses exist only inside the lab's namespaces.

One namespace per node, a switch namespace holding one bridge per network, an optional client
namespace on the public network. Everything is created inside namespaces the lab owns: the veth
pairs are born in the switch namespace with their far ends moved straight into the members, so
no interface ever appears in the machine's own namespace and names cannot clash between
concurrent labs.
"""

from __future__ import annotations

import ipaddress
import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hb_lab.netns import ip_batch, netns_add

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


@dataclass(frozen=True)
class LabSpec:
    """The shape of a lab.

    :param nodes: number of cluster nodes, named ``<node_prefix>1`` .. ``<node_prefix>N``.
    :param heartbeat_nets: heartbeat networks eth1..ethK, each one shared L2 segment.
    :param serial_cables: null-modem cables between each pair of consecutive nodes.
    :param client: a client namespace on the public network eth0.
    :param subnet_base: first two octets of every lab address (``10.77`` -> 10.77.1.0/24...).
    """

    nodes: int = 2
    heartbeat_nets: int = 1
    serial_cables: int = 0
    client: bool = True
    node_prefix: str = "linuxha"
    subnet_base: str = "10.77"

    def __post_init__(self) -> None:
        if not 1 <= self.nodes <= MAX_NODES:
            raise ValueError(f"a lab has 1 to {MAX_NODES} nodes, not {self.nodes}")
        if not 0 <= self.heartbeat_nets <= 9:
            raise ValueError(f"a lab has 0 to 9 heartbeat networks, not {self.heartbeat_nets}")
        if self.serial_cables < 0:
            raise ValueError("serial_cables cannot be negative")

    @property
    def node_names(self) -> tuple[str, ...]:
        return tuple(f"{self.node_prefix}{index}" for index in range(1, self.nodes + 1))

    def cable_ends(self) -> list[tuple[str, str]]:
        """(node, node) for every cable: ``serial_cables`` per pair of consecutive nodes."""
        names = self.node_names
        return [pair for pair in itertools.pairwise(names) for _ in range(self.serial_cables)]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LabSpec:
        return cls(**data)


@dataclass(frozen=True)
class Member:
    """A namespace attached to the switch: a node (host number = its index) or the client.

    :param ports: interface inside the member -> its veth peer's name in the switch namespace.
    """

    netns: str
    host: int
    ports: Mapping[str, str]


@dataclass(frozen=True)
class Wiring:
    """The names the lab needs to reach every namespace and switch port."""

    switch: str
    networks: tuple[Network, ...]
    nodes: Mapping[str, Member]
    client: Member | None

    def namespaces(self) -> list[str]:
        """Every namespace of the lab, members first and the switch last."""
        members = [member.netns for member in self.nodes.values()]
        if self.client is not None:
            members.append(self.client.netns)
        return [*members, self.switch]

    def address(self, node: str, interface: str) -> str:
        """The address of ``node`` on the network of ``interface``."""
        return self.network(interface).host(self.nodes[node].host)

    def address_of(self, member: Member) -> str:
        """The public (eth0) address of ``member``."""
        return self.networks[0].host(member.host)

    def peer_addresses(self, node: str) -> dict[str, tuple[str, ...]]:
        """For each heartbeat interface, the other nodes' addresses on that network."""
        return {
            network.interface: tuple(
                network.host(member.host) for name, member in self.nodes.items() if name != node
            )
            for network in self.networks[1:]
        }

    def network(self, interface: str) -> Network:
        """The network whose members see it as ``interface``."""
        for network in self.networks:
            if network.interface == interface:
                return network
        raise KeyError(f"the lab has no network {interface}")


def plan_wiring(
    prefix: str, node_names: tuple[str, ...], networks: tuple[Network, ...], client: bool
) -> Wiring:
    """Name every namespace and port for a lab with ``prefix``; creates nothing."""
    nodes = {
        name: Member(
            netns=f"{prefix}-n{index}",
            host=index,
            ports={net.interface: f"n{index}e{net.index}" for net in networks},
        )
        for index, name in enumerate(node_names, start=1)
    }
    client_member = (
        Member(netns=f"{prefix}-cl", host=CLIENT_HOST, ports={"eth0": "cle0"}) if client else None
    )
    return Wiring(f"{prefix}-sw", networks, nodes, client_member)


def build(wiring: Wiring) -> None:
    """Create the namespaces, bridges, veths and addresses of ``wiring``."""
    netns_add(wiring.namespaces())
    members = list(wiring.nodes.values())
    if wiring.client is not None:
        members.append(wiring.client)
    switch = ["link set lo up"]
    for network in wiring.networks:
        # Without snooping the bridge floods multicast to every port, like a dumb hub: mcast
        # heartbeats need no querier to reach every node.
        switch += [
            f"link add {network.bridge} type bridge mcast_snooping 0",
            f"link set {network.bridge} up",
        ]
    for member in members:
        for interface, port in member.ports.items():
            network = wiring.network(interface)
            switch += [
                f"link add {port} type veth peer name {interface} netns {member.netns}",
                f"link set {port} master {network.bridge}",
                f"link set {port} up",
            ]
    ip_batch(switch, wiring.switch)
    for member in members:
        inside = ["link set lo up"]
        for interface in member.ports:
            cidr = wiring.network(interface).cidr(member.host)
            inside += [f"addr add {cidr} brd + dev {interface}", f"link set {interface} up"]
        ip_batch(inside, member.netns)
