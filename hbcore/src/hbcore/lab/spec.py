"""What a lab is made of: how many nodes, how many heartbeat networks, cables, a client."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from hbcore.lab.net.addressing import MAX_NODES


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
