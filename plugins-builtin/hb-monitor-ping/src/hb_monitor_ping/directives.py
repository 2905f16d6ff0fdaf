"""The ``ping`` directive (each host is a ping node) and ``ping_group NAME HOST...`` (one ping
node, alive while any member answers).

A host is a numeric IPv4 address or a host name, as heartbeat's ping plugins take them
(``inet_pton``, then ``gethostbyname``). Parsing never looks a name up: whether it resolves is a
fact of the machine, which each directive's host check reports (with heartbeat's words,
``unknown host: NAME: reason``) and which the monitor meets when the node starts.
"""

from __future__ import annotations

from dataclasses import dataclass

from hb_hookspecs import Directive, Form, HostProblem, Repeat, Settings
from hb_hookspecs.arguments import ArgumentError, host_name
from hb_hookspecs.host import unresolvable

_RESOLVE_FIX = "write its IPv4 address, or make the name resolve on this node (/etc/hosts)"


@dataclass(frozen=True)
class PingHost:
    """One ``ping`` host: a ping node named by the host as written."""

    name: str

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class PingGroup:
    """One ping node named ``name`` made of several hosts."""

    name: str
    hosts: tuple[str, ...]

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


def check_ping_host(host: PingHost, settings: Settings) -> list[HostProblem]:
    """The host must resolve here: heartbeat refuses to start with a ping node it cannot
    resolve ("Illegal ping [ping membership] in config file [NAME]")."""
    reason = unresolvable(host.name)
    if reason is None:
        return []
    return [HostProblem(f"ping: unknown host: {host.name}: {reason}", _RESOLVE_FIX)]


def check_ping_group(group: PingGroup, settings: Settings) -> list[HostProblem]:
    """Each member should resolve here; one that does not is a warning, as heartbeat logs it
    and pings the group without it."""
    problems = []
    reasons = {member: unresolvable(member) for member in dict.fromkeys(group.hosts)}
    for member in group.hosts:
        reason = reasons[member]
        if reason is not None:
            problems.append(
                HostProblem(
                    f"ping_group: unknown host: {member}: {reason}",
                    f"the others are used without it, as heartbeat does; {_RESOLVE_FIX}",
                    warning=True,
                )
            )
    return problems


def _ping_node_name(node: PingHost | PingGroup) -> str:
    return node.name


PING = Directive(
    name="ping",
    parse=ping_host,
    summary="ping HOST...: each host (an IPv4 address or a host name) is a ping node",
    form=Form.PER_TOKEN,
    repeat=Repeat.ACCUMULATE,
    check_host=check_ping_host,
    ping_node=_ping_node_name,
)

PING_GROUP = Directive(
    name="ping_group",
    parse=ping_group_line,
    summary="ping_group NAME HOST...: one ping node, up while any member answers",
    form=Form.WHOLE_LINE,
    repeat=Repeat.ACCUMULATE,
    check_host=check_ping_group,
    ping_node=_ping_node_name,
)
