"""The ``ucast`` directive: ``ucast IFACE PEER``, one peer per line.

As in heartbeat, tokens after the peer are ignored; several lines may name one interface.
"""

from dataclasses import dataclass

from hb_hookspecs import Directive, Form, Repeat
from hb_hookspecs.arguments import ArgumentError


@dataclass(frozen=True)
class UcastPath:
    """One unicast path: packets leave ``interface`` for ``peer`` (an IP or a host name)."""

    interface: str
    peer: str

    def __str__(self) -> str:
        return f"{self.interface} {self.peer}"


def ucast_line(text: str) -> UcastPath:
    """``IFACE PEER [ignored...]``."""
    words = text.split()
    if len(words) < 2:
        raise ArgumentError(f"'{text}' names no peer", "write: ucast IFACE PEER-ADDRESS")
    return UcastPath(words[0], words[1])


UCAST = Directive(
    name="ucast",
    parse=ucast_line,
    summary="ucast IFACE PEER: UDP unicast heartbeats to PEER (port udpport)",
    form=Form.WHOLE_LINE,
    repeat=Repeat.ACCUMULATE,
    is_medium=True,
)
