"""The ``ucast`` directive: ``ucast IFACE PEER``, one peer per line.

As in heartbeat, tokens after the peer are ignored; several lines may name one interface.
hb also reads ``PEER:PORT`` (an extension heartbeat lacks): send to that port instead of
``udpport``, so that several nodes can share one machine's loopback (``hb demo`` without root).
"""

from __future__ import annotations

from dataclasses import dataclass

from hb_hookspecs import UDPPORT, Directive, Form, HostProblem, Medium, Repeat, Settings
from hb_hookspecs.arguments import ArgumentError, host_name, integer, interface_name
from hb_hookspecs.host import missing_interface, unresolvable

_PORT = integer(1, 65535)


@dataclass(frozen=True)
class UcastPath:
    """One unicast path: packets leave ``interface`` for ``peer`` (an IP or a host name)."""

    interface: str
    peer: str
    port: int | None = None
    """The peer's port when written ``PEER:PORT``; ``udpport`` otherwise."""

    def __str__(self) -> str:
        port = "" if self.port is None else f":{self.port}"
        return f"{self.interface} {self.peer}{port}"


def ucast_line(text: str) -> UcastPath:
    """``IFACE PEER[:PORT] [ignored...]``; PEER an address or a name a resolver can be asked
    about (whether it resolves is a fact of the host)."""
    words = text.split()
    if len(words) < 2:
        raise ArgumentError(f"'{text}' names no peer", "write: ucast IFACE PEER-ADDRESS")
    interface = interface_name(words[0])
    peer, _, port_text = words[1].partition(":")
    peer = host_name(peer)
    if not port_text:
        return UcastPath(interface, peer)
    try:
        port = _PORT(port_text)
    except ArgumentError:
        raise ArgumentError(
            f"'{words[1]}' has no valid port", "write PEER:PORT with 1..65535"
        ) from None
    return UcastPath(interface, peer, port)


def check_path(path: UcastPath, settings: Settings) -> list[HostProblem]:
    """The peer must resolve to an IPv4 address and the interface exist here."""
    problems = []
    if unresolvable(path.peer) is not None:
        problems.append(
            HostProblem(
                f"ucast: cannot resolve hostname {path.peer}",
                "use the peer's IP address, or make the name resolvable (/etc/hosts)",
            )
        )
    return problems + missing_interface("ucast", path.interface)


def ucast_media(path: UcastPath, settings: Settings) -> list[Medium]:
    """The unicast path: listen on ``udpport``, send to the peer's port (``udpport`` too
    unless the line says ``PEER:PORT``)."""
    # Imported here so that listing plugins stays free of sockets and asyncio.
    from hb_media_ucast.ucast import UcastMedium

    own_port = settings.get(UDPPORT)
    return [UcastMedium(path.interface, path.peer, own_port, path.port or own_port)]


UCAST = Directive(
    name="ucast",
    parse=ucast_line,
    summary="ucast IFACE PEER: UDP unicast heartbeats to PEER (port udpport)",
    form=Form.WHOLE_LINE,
    repeat=Repeat.ACCUMULATE,
    medium=ucast_media,
    check_host=check_path,
)
