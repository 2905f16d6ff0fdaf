"""Host names in ha.cf (ping nodes, ping groups) must resolve here, as heartbeat resolves them:
``unknown host: NAME: reason`` is a host fact when the value cannot do without the host (heartbeat
refuses a ``ping`` host), a warning when it can (heartbeat pings a group without the member).

``localhost`` resolves from the hosts database; ``*.invalid`` never resolves (RFC 6761).
"""

from __future__ import annotations

import dataclasses
import socket
from typing import Any

import pytest
from config_helpers import MINIMAL, parse
from hbcore.config.host_checks import check_host_names
from hbcore.config.problems import Located, Location, Severity


@dataclasses.dataclass(frozen=True)
class _PingLike:
    """Shaped like hb-monitor-ping's values: the core reads ``host_names`` and
    ``needs_every_host``."""

    host_names: tuple[str, ...]
    needs_every_host: bool


def _check(*values: tuple[str, _PingLike]) -> list[tuple[str, Severity, str]]:
    hacf, _ = parse(MINIMAL)
    entries: dict[str, tuple[Located[object], ...]] = dict(hacf.entries)
    for line, (directive, value) in enumerate(values, start=5):
        entries[directive] = (*entries.get(directive, ()), Located(value, Location("ha.cf", line)))
    hacf = dataclasses.replace(hacf, entries=entries)
    return [
        (str(problem.location), problem.severity, problem.problem)
        for problem in check_host_names(hacf)
    ]


def test_a_name_that_resolves_and_an_address_are_no_problem() -> None:
    assert _check(("ping", _PingLike(("localhost", "10.0.0.1"), True))) == []


def test_a_host_its_value_needs_is_a_host_fact_with_heartbeats_text() -> None:
    [(where, severity, problem)] = _check(("ping", _PingLike(("gw.invalid",), True)))
    assert (where, severity) == ("ha.cf:5", Severity.HOST)
    assert problem.startswith("ping: unknown host: gw.invalid: ")
    assert len(problem) > len("ping: unknown host: gw.invalid: ")  # the resolver's reason


def test_a_group_member_that_does_not_resolve_is_a_warning() -> None:
    found = _check(("ping_group", _PingLike(("localhost", "gw.invalid"), False)))
    assert [(where, severity) for where, severity, _ in found] == [("ha.cf:5", Severity.WARNING)]
    assert found[0][2].startswith("ping_group: unknown host: gw.invalid: ")


def test_each_name_is_looked_up_once(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []

    def count(host: str, *args: Any, **kwargs: Any) -> Any:
        asked.append(host)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", count)
    found = _check(
        ("ping", _PingLike(("gw.invalid",), True)),
        ("ping_group", _PingLike(("gw.invalid", "10.0.0.1"), False)),
    )
    assert asked == ["gw.invalid"]
    assert [problem for _, _, problem in found] == [
        "ping: unknown host: gw.invalid: Name or service not known",
        "ping_group: unknown host: gw.invalid: Name or service not known",
    ]


@pytest.mark.parametrize("name", ["a" * 64 + ".example", "x\udce9y", "p\0q", "a..b"])
def test_a_name_no_resolver_can_take_is_unknown(name: str) -> None:
    """Such names are refused when parsed; a third-party value may still carry one."""
    [(_, severity, problem)] = _check(("ping", _PingLike((name,), True)))
    assert severity is Severity.HOST
    assert problem.startswith(f"ping: unknown host: {name}: ")


def test_values_naming_no_hosts_are_not_looked_at() -> None:
    hacf, _ = parse(MINIMAL + "ucast lo gw.invalid\n")
    assert check_host_names(hacf) == []
