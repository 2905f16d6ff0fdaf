"""ping ADDRESS... (numeric IPv4 only) and ping_group NAME HOST..."""

import ipaddress

import pytest
from hb_hookspecs import ArgumentError, Directive, Form
from hb_monitor_ping import hb_register_directives
from hb_monitor_ping.directives import PING, PING_GROUP, PingGroup


def test_registers_ping_and_ping_group() -> None:
    registered: list[Directive] = []
    hb_register_directives(registered.append)
    assert registered == [PING, PING_GROUP]
    assert PING.form is Form.PER_TOKEN and PING_GROUP.form is Form.WHOLE_LINE
    assert not PING.is_medium and not PING_GROUP.is_medium


def test_ping_takes_numeric_addresses_only() -> None:
    assert PING.parse("192.168.85.254") == ipaddress.IPv4Address("192.168.85.254")
    with pytest.raises(ArgumentError):
        PING.parse("gateway.example.com")


def test_ping_group() -> None:
    group = PING_GROUP.parse("uplinks 10.0.0.253 10.0.0.254")
    assert group == PingGroup("uplinks", ("10.0.0.253", "10.0.0.254"))
    assert str(group) == "uplinks (10.0.0.253 10.0.0.254)"


@pytest.mark.parametrize("line", ["uplinks", ""])
def test_a_ping_group_needs_members(line: str) -> None:
    with pytest.raises(ArgumentError):
        PING_GROUP.parse(line)


@pytest.mark.parametrize(
    ("member", "why"),
    [("a" * 64, "has a label of 64 characters"), ("x\udce9", "is not a host name")],
)
def test_a_ping_group_member_no_lookup_can_take_is_refused(member: str, why: str) -> None:
    with pytest.raises(ArgumentError, match=why):
        PING_GROUP.parse(f"net 10.0.0.1 {member}")
