"""The ``bcast`` directive: one UDP broadcast path per interface named.

heartbeat also reads the old name ``udp`` as ``bcast`` (with a warning); hbcore does that
renaming, so ``udp eth0`` works whenever this plugin is loaded.
"""

from __future__ import annotations

from dataclasses import dataclass

from hb_hookspecs import UDPPORT, Directive, Form, HostProblem, Medium, Repeat, Settings
from hb_hookspecs.arguments import interface_name
from hb_hookspecs.host import missing_interface


@dataclass(frozen=True)
class BcastPath:
    """One broadcast path: the interface, as given (whether it exists is a fact of the host,
    which :func:`check_interface` reports, not of the file)."""

    interface: str

    def __str__(self) -> str:
        return self.interface


def bcast_interface(text: str) -> BcastPath:
    """One interface name of a ``bcast`` line (a name Linux could have)."""
    return BcastPath(interface_name(text))


def check_interface(path: BcastPath, settings: Settings) -> list[HostProblem]:
    """The interface must exist here."""
    return missing_interface("bcast", path.interface)


def bcast_media(path: BcastPath, settings: Settings) -> list[Medium]:
    """The broadcast path on ``path``'s interface, on port ``udpport``."""
    # Imported here so that listing plugins stays free of sockets and asyncio.
    from hb_media_bcast.bcast import BcastMedium

    return [BcastMedium(path.interface, settings.get(UDPPORT))]


BCAST = Directive(
    name="bcast",
    parse=bcast_interface,
    summary="bcast IFACE...: UDP broadcast heartbeats on each interface (port udpport)",
    form=Form.PER_TOKEN,
    repeat=Repeat.ACCUMULATE,
    medium=bcast_media,
    check_host=check_interface,
)
