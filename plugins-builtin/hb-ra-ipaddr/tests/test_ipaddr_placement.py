"""Choosing the interface, netmask, broadcast and label from plain routing data."""

from __future__ import annotations

import ipaddress

import pytest
from hb_ra_ipaddr.placement import Route, choose_route, default_broadcast, free_label

A = ipaddress.ip_address
N = ipaddress.ip_network

ROUTES = [
    Route(N("0.0.0.0/0"), 2, 0, "10.88.1.254"),
    Route(N("10.88.0.0/16"), 2),
    Route(N("10.88.1.0/24"), 2),
    Route(N("10.88.3.0/24"), 2, 200),
    Route(N("10.88.3.0/24"), 3, 50),
    Route(N("10.88.4.0/24"), 3, 7),
    Route(N("10.88.4.0/24"), 2, 7),
    Route(N("fd88:1::/64"), 2, 256),
]


@pytest.mark.parametrize(
    ("address", "interface", "prefixlen"),
    [
        ("10.88.1.77", 2, 24),  # the subnet's own route beats the wider /16
        ("10.88.9.77", 2, 16),  # only the wide one contains it
        ("10.88.3.77", 3, 24),  # same prefix: the lowest metric wins
        ("10.88.4.77", 3, 24),  # same prefix and metric: the first listed wins
        ("fd88:1::10", 2, 64),
    ],
)
def test_the_most_specific_connected_route_wins(
    address: str, interface: int, prefixlen: int
) -> None:
    route = choose_route(A(address), ROUTES)
    assert route is not None
    assert (route.interface, route.network.prefixlen) == (interface, prefixlen)


def test_routes_through_a_gateway_do_not_count() -> None:
    assert choose_route(A("192.0.2.1"), ROUTES) is None


def test_a_named_interface_limits_the_choice() -> None:
    route = choose_route(A("10.88.3.77"), ROUTES, interface=2)
    assert route is not None and route.metric == 200
    assert choose_route(A("10.88.1.77"), ROUTES, interface=3) is None


def test_the_families_do_not_mix() -> None:
    assert choose_route(A("fd88:2::1"), ROUTES) is None
    assert choose_route(A("10.88.1.1"), [Route(N("::/0"), 2)]) is None


def test_the_broadcast_is_the_highest_address_of_the_subnet() -> None:
    assert default_broadcast(ipaddress.IPv4Address("192.168.85.3"), 27) == A("192.168.85.31")
    assert default_broadcast(ipaddress.IPv4Address("10.0.0.1"), 8) == A("10.255.255.255")
    assert default_broadcast(ipaddress.IPv4Address("10.0.0.1"), 31) is None
    assert default_broadcast(ipaddress.IPv4Address("10.0.0.1"), 32) is None


def test_ipaddr_takes_the_first_free_alias_label() -> None:
    assert free_label("eth0", set()) == "eth0:0"
    assert free_label("eth0", {"eth0:0", "eth0:1", "eth0:3", "eth1:2"}) == "eth0:2"
    assert free_label("enp0s31f6abcd", set()) == "enp0s31f6abcd:0"
    assert free_label("enp0s31f6abcde", set()) is None
