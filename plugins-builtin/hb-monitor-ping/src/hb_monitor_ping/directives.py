"""The ``ping`` directive (each address is a ping node) and ``ping_group NAME HOST...`` (one
ping node, alive while any member answers)."""

from dataclasses import dataclass

from hb_hookspecs import Directive, Form, Repeat
from hb_hookspecs.arguments import ArgumentError, host_name, ipv4_address


@dataclass(frozen=True)
class PingGroup:
    """One ping node named ``name`` made of several hosts."""

    name: str
    hosts: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.name} ({' '.join(self.hosts)})"


def ping_group_line(text: str) -> PingGroup:
    """``NAME HOST [HOST...]``; each HOST an address or a name a resolver can be asked about."""
    name, *hosts = text.split() or [""]
    if not hosts:
        raise ArgumentError(
            f"ping_group '{text}' has no members", "write: ping_group NAME HOST [HOST...]"
        )
    return PingGroup(name, tuple(host_name(host) for host in hosts))


PING = Directive(
    name="ping",
    parse=ipv4_address,
    summary="ping ADDRESS...: each numeric IPv4 address is a ping node",
    form=Form.PER_TOKEN,
    repeat=Repeat.ACCUMULATE,
)

PING_GROUP = Directive(
    name="ping_group",
    parse=ping_group_line,
    summary="ping_group NAME HOST...: one ping node, up while any member answers",
    form=Form.WHOLE_LINE,
    repeat=Repeat.ACCUMULATE,
)
