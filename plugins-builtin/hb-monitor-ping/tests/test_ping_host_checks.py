"""Ping hosts must resolve here, as heartbeat resolves them: ``unknown host: NAME: reason`` is a
host fact for a ``ping`` host (heartbeat refuses it), a warning for a ``ping_group`` member
(heartbeat pings the group without it). The node table counts one ping node per host and group.

``localhost`` resolves from the hosts database; ``*.invalid`` never resolves (RFC 6761).
"""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest
from hb_hookspecs import Settings
from hb_monitor_ping.directives import (
    PING,
    PING_GROUP,
    PingGroup,
    PingHost,
    check_ping_group,
    check_ping_host,
)
from hbcore.config.core_directives import CORE_DIRECTIVES
from hbcore.config.hacf import parse_hacf
from hbcore.registry import CORE_OWNER, Owned

NO_LINES = Settings("linuxha1", Path("/etc/ha.d"), {})


def test_a_name_that_resolves_and_an_address_are_no_problem() -> None:
    assert check_ping_host(PingHost("localhost"), NO_LINES) == []
    assert check_ping_host(PingHost("10.0.0.1"), NO_LINES) == []
    assert check_ping_group(PingGroup("net", ("localhost", "10.0.0.1")), NO_LINES) == []


def test_a_ping_host_that_does_not_resolve_is_a_host_fact_with_heartbeats_text() -> None:
    [problem] = check_ping_host(PingHost("gw.invalid"), NO_LINES)
    assert not problem.warning
    assert problem.problem.startswith("ping: unknown host: gw.invalid: ")
    assert len(problem.problem) > len("ping: unknown host: gw.invalid: ")  # the resolver's reason
    assert problem.fix == (
        "write its IPv4 address, or make the name resolve on this node (/etc/hosts)"
    )


def test_a_group_member_that_does_not_resolve_is_a_warning() -> None:
    [problem] = check_ping_group(PingGroup("net", ("localhost", "gw.invalid")), NO_LINES)
    assert problem.warning
    assert problem.problem.startswith("ping_group: unknown host: gw.invalid: ")
    assert problem.fix.startswith("the others are used without it, as heartbeat does; ")


def test_a_member_named_twice_is_looked_up_once_and_reported_each_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[str] = []

    def count(host: str, *args: Any, **kwargs: Any) -> Any:
        asked.append(host)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", count)
    group = PingGroup("net", ("gw.invalid", "10.0.0.1", "gw.invalid"))
    problems = check_ping_group(group, NO_LINES)
    assert asked == ["gw.invalid"]
    assert [problem.problem for problem in problems] == [
        "ping_group: unknown host: gw.invalid: Name or service not known"
    ] * 2


@pytest.mark.parametrize("name", ["a" * 64 + ".example", "x\udce9y", "p\0q", "a..b"])
def test_a_name_no_resolver_can_take_is_unknown(name: str) -> None:
    """Such names are refused when parsed; a value built otherwise may still carry one."""
    [problem] = check_ping_host(PingHost(name), NO_LINES)
    assert not problem.warning
    assert problem.problem.startswith(f"ping: unknown host: {name}: ")


def test_the_node_table_has_the_ping_hosts_then_the_groups() -> None:
    directives = {d.name: Owned(d, CORE_OWNER) for d in CORE_DIRECTIVES}
    directives |= {d.name: Owned(d, "monitor-ping") for d in (PING, PING_GROUP)}
    text = "node a b\nbcast lo\nping_group net 10.0.1.1 10.0.1.2\nping 10.0.0.254 gw\n"
    hacf, _ = parse_hacf(text, directives)
    assert hacf.ping_nodes == ("10.0.0.254", "gw", "net")
    assert hacf.declares_ping_nodes("ping_group") and not hacf.declares_ping_nodes("node")
