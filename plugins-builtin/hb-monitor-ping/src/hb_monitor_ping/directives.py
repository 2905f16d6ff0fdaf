"""The ``ping`` directive (each host is a ping node) and ``ping_group NAME HOST...`` (one ping
node, alive while any member answers).

A host is a numeric IPv4 address or a host name, as heartbeat's ping plugins take them
(``inet_pton``, then ``gethostbyname``). Parsing never looks a name up: whether it resolves is a
fact of the machine, which ``hb check`` reports through :attr:`PingHost.host_names` and
:attr:`PingHost.needs_every_host`, and which the monitor meets when the node starts.
"""

from dataclasses import dataclass

from hb_hookspecs import Directive, Form, Repeat
from hb_hookspecs.arguments import ArgumentError, host_name


@dataclass(frozen=True)
class PingHost:
    """One ``ping`` host: a ping node named by the host as written."""

    name: str

    @property
    def host_names(self) -> tuple[str, ...]:
        """The host to resolve on this machine."""
        return (self.name,)

    @property
    def needs_every_host(self) -> bool:
        """True: heartbeat refuses to start with a ping node it cannot resolve
        ("Illegal ping [ping membership] in config file [NAME]")."""
        return True

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class PingGroup:
    """One ping node named ``name`` made of several hosts."""

    name: str
    hosts: tuple[str, ...]

    @property
    def host_names(self) -> tuple[str, ...]:
        """The members to resolve on this machine."""
        return self.hosts

    @property
    def needs_every_host(self) -> bool:
        """False: heartbeat logs a member it cannot resolve and pings the group without it."""
        return False

    def __str__(self) -> str:
        return f"{self.name} ({' '.join(self.hosts)})"


def ping_host(text: str) -> PingHost:
    """One ``ping`` argument: an address, or a name a resolver can be asked about."""
    return PingHost(host_name(text))


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
    parse=ping_host,
    summary="ping HOST...: each host (an IPv4 address or a host name) is a ping node",
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
