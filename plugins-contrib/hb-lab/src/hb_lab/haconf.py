"""A lab cluster's ``/etc/ha.d`` (ha.cf, haresources, authkeys): typed parameters, the text
heartbeat reads, and the files written with heartbeat's modes.

A :class:`ClusterConfig` is the same for every node; :class:`NodeFacts` carries what differs
(the node's name, its peers' addresses for ``ucast``, its serial devices), so one config renders
one correct ``ha.cf`` per node.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
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


# -- text ------------------------------------------------------------------------------------------


def render_ha_cf(config: ClusterConfig, node: NodeFacts) -> str:
    """ha.cf for ``node``: logging, timers, ``udpport`` before the media, then the nodes."""
    lines = [f"logfile {config.logfile}"]
    if config.debugfile is not None:
        lines.append(f"debugfile {config.debugfile}")
    lines += ["logfacility none", "use_logd no"]
    timers = config.timers
    lines += [f"keepalive {_duration(timers.keepalive)}", f"deadtime {_duration(timers.deadtime)}"]
    if timers.warntime is not None:
        lines.append(f"warntime {_duration(timers.warntime)}")
    if timers.initdead is not None:
        lines.append(f"initdead {_duration(timers.initdead)}")
    lines.append(f"udpport {config.udpport}")
    for medium in config.media:
        lines += medium.directives(node)
    lines.append(f"auto_failback {config.auto_failback}")
    lines += [f"node {name}" for name in node.cluster]
    lines.append(f"crm {config.crm}")
    lines += config.extra
    return "\n".join(lines) + "\n"


def render_haresources(config: ClusterConfig) -> str:
    """haresources: the configured lines, or an empty file."""
    return "".join(f"{line}\n" for line in config.resources)


def render_authkeys(auth: Auth) -> str:
    """authkeys for one method; ``crc`` takes no key."""
    secret = "" if auth.method == "crc" else f" {auth.key}"
    return f"auth {auth.index}\n{auth.index} {auth.method}{secret}\n"


def _duration(seconds: float) -> str:
    """Whole seconds as heartbeat's bare number, anything finer as milliseconds."""
    millis = round(seconds * 1000)
    return str(millis // 1000) if millis % 1000 == 0 else f"{millis}ms"


# -- files -----------------------------------------------------------------------------------------


def write_ha_d(ha_d: Path, config: ClusterConfig, node: NodeFacts) -> None:
    """Write ha.cf and haresources (0644) and authkeys (0600: heartbeat refuses anything
    looser) into ``ha_d``, replacing earlier versions."""
    _write(ha_d / "ha.cf", render_ha_cf(config, node), 0o644)
    _write(ha_d / "haresources", render_haresources(config), 0o644)
    _write(ha_d / "authkeys", render_authkeys(config.auth), 0o600)


def _write(path: Path, text: str, mode: int) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "w") as stream:
        stream.write(text)
    os.chmod(path, mode)
