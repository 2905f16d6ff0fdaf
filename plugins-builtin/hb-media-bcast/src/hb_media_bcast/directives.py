"""The ``bcast`` directive: one UDP broadcast path per interface named.

heartbeat also reads the old name ``udp`` as ``bcast`` (with a warning); hbcore does that
renaming, so ``udp eth0`` works whenever this plugin is loaded.
"""

from hb_hookspecs import Directive, Form, Repeat


def interface(text: str) -> str:
    """An interface name, as given; whether it exists is a start-up fact, not a parse one."""
    return text


BCAST = Directive(
    name="bcast",
    parse=interface,
    summary="bcast IFACE...: UDP broadcast heartbeats on each interface (port udpport)",
    form=Form.PER_TOKEN,
    repeat=Repeat.ACCUMULATE,
    is_medium=True,
)
