"""The ``bcast`` directive: one UDP broadcast path per interface named.

heartbeat also reads the old name ``udp`` as ``bcast`` (with a warning); hbcore does that
renaming, so ``udp eth0`` works whenever this plugin is loaded.
"""

from dataclasses import dataclass

from hb_hookspecs import Directive, Form, Repeat
from hb_hookspecs.arguments import interface_name


@dataclass(frozen=True)
class BcastPath:
    """One broadcast path: the interface, as given (whether it exists is a fact of the host,
    which ``hb check`` reports, not of the file)."""

    interface: str

    def __str__(self) -> str:
        return self.interface


def bcast_interface(text: str) -> BcastPath:
    """One interface name of a ``bcast`` line (a name Linux could have)."""
    return BcastPath(interface_name(text))


BCAST = Directive(
    name="bcast",
    parse=bcast_interface,
    summary="bcast IFACE...: UDP broadcast heartbeats on each interface (port udpport)",
    form=Form.PER_TOKEN,
    repeat=Repeat.ACCUMULATE,
    is_medium=True,
)
