"""Which tokens are addresses and how their argument splits: the wrappers' rules, and ours for
IPv6."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import hb_ra_ipaddr
import pytest
from hb_hookspecs import ArgumentError, ResourceContext, Settings
from hb_ra_ipaddr.argument import AddressSpec, parse_token

V4 = ipaddress.IPv4Address
V6 = ipaddress.IPv6Address
CONTEXT = ResourceContext(Settings("linuxha1", Path("/etc/ha.d"), {}), {})


@pytest.mark.parametrize(
    ("token", "spec"),
    [
        ("192.168.85.3", AddressSpec("IPaddr", V4("192.168.85.3"))),
        ("192.168.85.3/27", AddressSpec("IPaddr", V4("192.168.85.3"), 27)),
        (
            "192.168.85.3/27/192.168.85.16",
            AddressSpec("IPaddr", V4("192.168.85.3"), 27, broadcast=V4("192.168.85.16")),
        ),
        (
            "IPaddr::10.0.0.10/24/eth0/10.0.0.255",
            AddressSpec("IPaddr", V4("10.0.0.10"), 24, "eth0", None, V4("10.0.0.255")),
        ),
        ("IPaddr2::10.0.0.10/24/eth0", AddressSpec("IPaddr2", V4("10.0.0.10"), 24, "eth0")),
        (
            "IPaddr2::10.0.0.10/24/eth0:web",
            AddressSpec("IPaddr2", V4("10.0.0.10"), 24, "eth0", "eth0:web"),
        ),
        # The wrappers' sed strips a field with every slash after it.
        (
            "IPaddr::10.0.30.15//8/eth0:10",
            AddressSpec("IPaddr", V4("10.0.30.15"), 8, "eth0", "eth0:10"),
        ),
        ("10.0.0.10/24//", AddressSpec("IPaddr", V4("10.0.0.10"), 24)),
        ("10.0.0.10/24//eth1", AddressSpec("IPaddr", V4("10.0.0.10"), 24, "eth1")),
        ("10.0.0.10/255.255.255.0", AddressSpec("IPaddr", V4("10.0.0.10"), 24)),
        ("10.0.0.10/32/eth0", AddressSpec("IPaddr", V4("10.0.0.10"), 32, "eth0")),
        ("IPaddr2::fd00::10", AddressSpec("IPaddr2", V6("fd00::10"))),
        ("IPaddr2::fd00::10/64/eth0", AddressSpec("IPaddr2", V6("fd00::10"), 64, "eth0")),
        ("IPv6addr::fd00::10/64/eth0", AddressSpec("IPv6addr", V6("fd00::10"), 64, "eth0")),
        ("IPv6addr::2001:db8::1/128", AddressSpec("IPv6addr", V6("2001:db8::1"), 128)),
    ],
)
def test_address_tokens_split_as_the_wrappers_do(token: str, spec: AddressSpec) -> None:
    assert parse_token(token) == spec


@pytest.mark.parametrize("token", ["httpd", "maid::vacuum", "IPaddrX::10.0.0.1", "10.0.0", "v4"])
def test_other_tokens_are_not_ours(token: str) -> None:
    assert parse_token(token) is None


@pytest.mark.parametrize(
    ("token", "problem"),
    [
        ("10.0.0.300", "'10.0.0.300' is not a numeric IPv4 address"),
        ("1.2.3.4.5", "'1.2.3.4.5' is not a numeric IPv4 address"),
        ("IPaddr::10.0.0.1/99", "'99' is not a netmask"),
        ("IPaddr::10.0.0.1/0", "'0' is not a netmask"),
        ("IPaddr::10.0.0.1/24x", "'24x' is not a netmask"),
        ("10.0.0.10//eth1", "'eth1' is not a netmask"),
        ("IPaddr::10.0.0.1/255.0.255.0", "'255.0.255.0' is not a netmask"),
        ("IPaddr::10.0.0.1/24/eth0/10.0.0.999", "'10.0.0.999' is not a broadcast address"),
        ("IPaddr::10.0.0.1/24/10.0.0.255/eth0", "cannot follow it"),
        ("IPaddr::10.0.0.1/24/eth0/10.0.0.255/x", "has 5 fields"),
        ("IPaddr::10.0.0.1/24/eth0:", "'eth0:' is not a label"),
        ("IPaddr::10.0.0.1/24/eth0:toolonglabel", "'eth0:toolonglabel' is not a label"),
        ("IPaddr::10.0.0.1/24/averyveryverylongname", "is not an interface name"),
        ("IPaddr::/24", "does not start with an address"),
        ("IPaddr::fd00::1/64", "IPaddr handles IPv4 only"),
        ("IPv6addr::10.0.0.1", "IPv6addr handles IPv6 only"),
        ("IPaddr2::fd00::1/129", "'129' is not a netmask"),
        ("IPaddr2::fd00::1/64/eth0/x", "IPv6 has no broadcast address"),
        ("IPaddr2::fd00::1/64/eth0:0", "IPv6 addresses have no labels"),
        ("IPaddr2::10.0.0.1::24", "'10.0.0.1::24' is not a numeric IPv4 or IPv6 address"),
        ("IPaddr2::224.0.0.1", "cannot be a service address"),
        ("0.0.0.0", "cannot be a service address"),
        ("IPaddr", "IPaddr needs an address"),
        ("10.0.0.10/" + "2" * 5000, "is not a netmask"),
        ("10.0.0.10/²", "'²' is not a netmask"),
        ("IPaddr2::fd00::1/" + "6" * 4301, "is not a netmask"),
        ("IPaddr::10.0.0.1/24/eth\udce9", "is not an interface name"),
        ("IPaddr::10.0.0.1/24/eth0:\x1b", "is not a label"),
    ],
)
def test_malformed_address_tokens_say_what_is_wrong(token: str, problem: str) -> None:
    with pytest.raises(ArgumentError) as raised:
        parse_token(token)
    assert problem in raised.value.problem
    assert raised.value.fix


def test_a_netmask_with_leading_zeros_reads_as_its_number() -> None:
    spec = parse_token("10.0.0.10/0024")
    assert spec is not None and spec.prefixlen == 24


def test_everything_after_the_agent_is_one_argument() -> None:
    with pytest.raises(ArgumentError) as raised:
        parse_token("IPaddr2::10.0.0.1::24")
    assert "one argument" in raised.value.fix


def test_the_hook_resolves_address_tokens_and_leaves_the_rest() -> None:
    agent = hb_ra_ipaddr.hb_resolve_resource("192.168.85.3/27/eth0", CONTEXT)
    assert agent is not None
    assert agent.name == "192.168.85.3/27/eth0"
    assert agent.describe() == "IPaddr 192.168.85.3/27 on eth0"
    assert hb_ra_ipaddr.hb_resolve_resource("httpd", CONTEXT) is None
    with pytest.raises(ArgumentError):
        hb_ra_ipaddr.hb_resolve_resource("IPaddr::10.0.0.1/99", CONTEXT)


def test_both_agents_are_registered() -> None:
    registered: list[str] = []
    hb_ra_ipaddr.hb_register_resource_agents(lambda kind: registered.append(kind.name))
    assert registered == ["IPaddr", "IPaddr2", "IPv6addr"]
