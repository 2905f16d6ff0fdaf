"""The parameters of a lab cluster's configuration, and the per-node facts that shape it.

A :class:`ClusterConfig` is the same for every node; :class:`NodeFacts` carries what differs
(the node's name, its peers' addresses for ``ucast``, its serial devices), so one config renders
one correct ``ha.cf`` per node.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class NodeFacts:
    """What the lab knows about one node when it renders that node's files.

    :param name: the node's ``uname -n`` (also its ``node`` directive).
    :param cluster: every node's name, in ``node`` directive order.
    :param peer_addresses: interface -> the other nodes' addresses on that network.
    :param serial_devices: this node's ends of its null-modem cables, as device paths.
    """

    name: str
    cluster: tuple[str, ...]
    peer_addresses: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    serial_devices: tuple[str, ...] = ()


class Medium(Protocol):
    """One heartbeat medium as ha.cf directives."""

    def directives(self, node: NodeFacts) -> list[str]:
        """The ha.cf lines for ``node`` (may be empty, e.g. serial on a node with no cable)."""
        ...


@dataclass(frozen=True)
class Bcast:
    """``bcast eth1 eth2``: UDP broadcast on each listed interface."""

    interfaces: tuple[str, ...] = ("eth1",)

    def directives(self, node: NodeFacts) -> list[str]:
        return [f"bcast {' '.join(self.interfaces)}"]


@dataclass(frozen=True)
class Mcast:
    """``mcast eth1 239.77.0.1 694 1 0``: UDP multicast on one interface."""

    interface: str = "eth1"
    group: str = "239.77.0.1"
    port: int = 694
    ttl: int = 1
    loop: int = 0

    def directives(self, node: NodeFacts) -> list[str]:
        return [f"mcast {self.interface} {self.group} {self.port} {self.ttl} {self.loop}"]


@dataclass(frozen=True)
class Ucast:
    """``ucast eth1 <peer>``: one unicast line per other node on that interface's network."""

    interface: str = "eth1"

    def directives(self, node: NodeFacts) -> list[str]:
        peers = node.peer_addresses.get(self.interface, ())
        return [f"ucast {self.interface} {address}" for address in peers]


@dataclass(frozen=True)
class Serial:
    """``serial <devices>`` for the node's null-modem ends, preceded by ``baud``."""

    baud: int = 19200

    def directives(self, node: NodeFacts) -> list[str]:
        if not node.serial_devices:
            return []
        return [f"baud {self.baud}", f"serial {' '.join(node.serial_devices)}"]


@dataclass(frozen=True)
class Timers:
    """Heartbeat's timers in seconds; ``None`` leaves the directive out (heartbeat's default)."""

    keepalive: float = 1.0
    deadtime: float = 5.0
    warntime: float | None = None
    initdead: float | None = None

    def __post_init__(self) -> None:
        if self.deadtime <= 2 * self.keepalive:
            raise ValueError(
                f"deadtime {self.deadtime}s must exceed twice keepalive {self.keepalive}s"
            )


@dataclass(frozen=True)
class Auth:
    """One ``authkeys`` method: ``auth <index>`` then ``<index> <method> [key]``."""

    method: str = "sha1"
    key: str = "hb-lab-secret"
    index: int = 1


@dataclass(frozen=True)
class ClusterConfig:
    """Everything the lab writes into every node's ``/etc/ha.d``.

    ``resources`` are haresources lines verbatim (``linuxha1 IPaddr2::10.77.1.100/24/eth0``);
    ``extra`` are ha.cf lines appended verbatim (``ping 10.77.1.254``, ``respawn ...``).
    """

    media: tuple[Medium, ...] = (Bcast(),)
    timers: Timers = field(default_factory=Timers)
    auth: Auth = field(default_factory=Auth)
    resources: tuple[str, ...] = ()
    udpport: int = 694
    auto_failback: str = "on"
    crm: str = "no"
    logfile: str = "/var/log/ha-log"
    debugfile: str | None = "/var/log/ha-debug"
    extra: tuple[str, ...] = ()
