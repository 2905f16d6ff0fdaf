"""Building the lab's wiring: one namespace per node, a switch namespace holding one bridge per
network, an optional client namespace on the public network.

Everything is created inside namespaces the lab owns: the veth pairs are born in the switch
namespace with their far ends moved straight into the members, so no interface ever appears in
the machine's own namespace and names cannot clash between concurrent labs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from hbcore.lab.net.addressing import CLIENT_HOST, Network
from hbcore.lab.net.iproute import ip_batch, netns_add


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
