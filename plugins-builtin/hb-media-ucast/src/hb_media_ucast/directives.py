"""The ``ucast`` directive: ``ucast IFACE PEER``, one peer per line.

As in heartbeat, tokens after the peer are ignored; several lines may name one interface.
hb also reads ``PEER:PORT`` (an extension heartbeat lacks): send to that port instead of
``udpport``, so that several nodes can share one machine's loopback (``hb demo`` without root).
"""

from dataclasses import dataclass

from hb_hookspecs import Directive, Form, Repeat
from hb_hookspecs.arguments import ArgumentError, host_name, integer, interface_name

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


UCAST = Directive(
    name="ucast",
    parse=ucast_line,
    summary="ucast IFACE PEER: UDP unicast heartbeats to PEER (port udpport)",
    form=Form.WHOLE_LINE,
    repeat=Repeat.ACCUMULATE,
    is_medium=True,
)
