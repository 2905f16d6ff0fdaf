"""The ``mcast`` directive: ``mcast IFACE GROUP PORT TTL LOOP``, all five required.

GROUP must be a multicast address, TTL 0..4 and LOOP 0 or 1 (heartbeat's "bad ttl" /
"bad loop"); heartbeat's compiled-in defaults are never used by its parser.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass

from hb_hookspecs import Directive, Form, HostProblem, Medium, Repeat, Settings
from hb_hookspecs.arguments import ArgumentError, integer, interface_name, ipv4_address
from hb_hookspecs.host import missing_interface

_PORT = integer(1, 65535)
_TTL = integer(0, 4)
_LOOP = integer(0, 1)
_USAGE = "write: mcast IFACE GROUP PORT TTL LOOP, e.g. mcast eth0 239.0.0.10 694 1 0"


@dataclass(frozen=True)
class McastPath:
    """One multicast path."""

    interface: str
    group: ipaddress.IPv4Address
    port: int
    ttl: int
    loop: bool

    def __str__(self) -> str:
        return f"{self.interface} {self.group}:{self.port} ttl {self.ttl} loop {int(self.loop)}"


def _number(parse: Callable[[str], int], text: str, what: str) -> int:
    try:
        return parse(text)
    except ArgumentError as error:
        raise ArgumentError(f"bad {what} [{text}]", error.fix) from None


def mcast_line(text: str) -> McastPath:
    """``IFACE GROUP PORT TTL LOOP``."""
    words = text.split()
    if len(words) < 5:
        raise ArgumentError(f"'{text}' has {len(words)} of the 5 mcast arguments", _USAGE)
    interface, group_text, port, ttl, loop = words[:5]
    group = ipv4_address(group_text)
    if not group.is_multicast:
        raise ArgumentError(
            f"'{group_text}' is not a multicast address", "use a group in 224.0.0.0/4"
        )
    return McastPath(
        interface_name(interface),
        group,
        _number(_PORT, port, "port"),
        _number(_TTL, ttl, "ttl"),
        bool(_number(_LOOP, loop, "loop")),
    )


def check_interface(path: McastPath, settings: Settings) -> list[HostProblem]:
    """The interface must exist here."""
    return missing_interface("mcast", path.interface)


def mcast_media(path: McastPath, settings: Settings) -> list[Medium]:
    """The multicast path the line describes (its own port: ``udpport`` plays no part)."""
    # Imported here so that listing plugins stays free of sockets and asyncio.
    from hb_media_mcast.mcast import McastMedium

    return [McastMedium(path.interface, str(path.group), path.port, path.ttl, path.loop)]


MCAST = Directive(
    name="mcast",
    parse=mcast_line,
    summary="mcast IFACE GROUP PORT TTL LOOP: UDP multicast heartbeats",
    form=Form.WHOLE_LINE,
    repeat=Repeat.ACCUMULATE,
    medium=mcast_media,
    check_host=check_interface,
)
