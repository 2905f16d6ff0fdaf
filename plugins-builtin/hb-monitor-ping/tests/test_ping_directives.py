"""ping HOST... and ping_group NAME HOST...: addresses or host names, as heartbeat takes them."""

import pytest
from hb_hookspecs import ArgumentError, Directive, Form
from hb_monitor_ping import hb_register_directives
from hb_monitor_ping.directives import PING, PING_GROUP, PingGroup, PingHost


def test_registers_ping_and_ping_group() -> None:
    registered: list[Directive] = []
    hb_register_directives(registered.append)
    assert registered == [PING, PING_GROUP]
    assert PING.form is Form.PER_TOKEN and PING_GROUP.form is Form.WHOLE_LINE
    assert PING.medium is None and PING_GROUP.medium is None


def test_each_value_is_a_ping_node_named_by_its_host_or_group() -> None:
    assert PING.ping_node is not None and PING_GROUP.ping_node is not None
    assert PING.ping_node(PING.parse("10.0.0.254")) == "10.0.0.254"
    assert PING_GROUP.ping_node(PING_GROUP.parse("uplinks 10.0.1.1 10.0.1.2")) == "uplinks"


@pytest.mark.parametrize(
    "host", ["192.168.85.254", "ping1.linux-ha.org", "localhost", "gw.invalid."]
)
def test_ping_takes_addresses_and_host_names_as_written(host: str) -> None:
    """The seed's ``ping ping1.linux-ha.org ping2.linux-ha.org``: each host is a ping node
    named as written; parsing looks nothing up."""
    parsed = PING.parse(host)
    assert parsed == PingHost(host)
    assert str(parsed) == host


@pytest.mark.parametrize(
    ("host", "why"),
    [("a" * 64 + ".example", "has a label of 64 characters"), ("gw..lan", "has a label of 0")],
)
def test_a_ping_host_no_lookup_can_take_is_refused(host: str, why: str) -> None:
    with pytest.raises(ArgumentError, match=why):
        PING.parse(host)


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
