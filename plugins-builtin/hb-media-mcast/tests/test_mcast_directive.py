"""mcast IFACE GROUP PORT TTL LOOP: all five required, group multicast, ttl 0..4, loop 0/1."""

import ipaddress

import pytest
from hb_hookspecs import ArgumentError, Directive, Form
from hb_media_mcast import hb_register_directives
from hb_media_mcast.directives import MCAST, McastPath


def test_registers_mcast_as_a_whole_line_medium() -> None:
    registered: list[Directive] = []
    hb_register_directives(registered.append)
    assert registered == [MCAST]
    assert MCAST.form is Form.WHOLE_LINE and MCAST.is_medium


def test_a_full_line() -> None:
    path = MCAST.parse("enp0s3 239.0.0.10 694 1 0")
    assert path == McastPath("enp0s3", ipaddress.IPv4Address("239.0.0.10"), 694, 1, False)
    assert str(path) == "enp0s3 239.0.0.10:694 ttl 1 loop 0"


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("eth0 225.0.0.1 694 1", "has 4 of the 5 mcast arguments"),
        ("eth0 10.0.0.1 694 1 0", "is not a multicast address"),
        ("eth0 nothost 694 1 0", "is not a numeric IPv4 address"),
        ("eth0 225.0.0.1 0 1 0", "bad port [0]"),
        ("eth0 225.0.0.1 694 5 0", "bad ttl [5]"),
        ("eth0 225.0.0.1 694 1 2", "bad loop [2]"),
    ],
)
def test_bad_lines(line: str, problem: str) -> None:
    with pytest.raises(ArgumentError, match=problem.replace("[", r"\[").replace("]", r"\]")):
        MCAST.parse(line)


def test_an_interface_name_no_kernel_can_have_is_refused() -> None:
    with pytest.raises(ArgumentError, match="longer than 15 bytes"):
        MCAST.parse("averyveryverylongname 239.0.0.10 694 1 0")


def test_numbers_of_absurd_length_are_bad_values() -> None:
    with pytest.raises(ArgumentError, match=r"bad port \["):
        MCAST.parse("eth0 239.0.0.10 " + "6" * 5000 + " 1 0")
