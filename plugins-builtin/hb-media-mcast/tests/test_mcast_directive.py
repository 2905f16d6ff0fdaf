"""mcast IFACE GROUP PORT TTL LOOP: all five required, group multicast, ttl 0..4, loop 0/1."""

import ipaddress
from pathlib import Path

import pytest
from hb_hookspecs import ArgumentError, Directive, Form, Settings
from hb_media_mcast import hb_register_directives
from hb_media_mcast.directives import MCAST, McastPath, check_interface
from hb_media_mcast.mcast import McastMedium

UDPPORT_700 = Settings("linuxha1", Path("/etc/ha.d"), {"udpport": (700,)})


def test_registers_mcast_as_a_whole_line_medium() -> None:
    registered: list[Directive] = []
    hb_register_directives(registered.append)
    assert registered == [MCAST]
    assert MCAST.form is Form.WHOLE_LINE
    assert MCAST.medium is not None and MCAST.check_host is check_interface


def test_the_medium_takes_its_port_from_the_line_not_udpport() -> None:
    assert MCAST.medium is not None
    [medium] = MCAST.medium(MCAST.parse("eth1 239.0.0.10 694 1 0"), UDPPORT_700)
    assert isinstance(medium, McastMedium)
    assert (medium.name, medium.group, medium.port, medium.ttl, medium.loop) == (
        "eth1",
        "239.0.0.10",
        694,
        1,
        False,
    )


def test_the_interface_must_exist_here() -> None:
    assert check_interface(MCAST.parse("lo 239.0.0.10 694 1 0"), UDPPORT_700) == []
    [problem] = check_interface(MCAST.parse("hbnosuch0 239.0.0.10 694 1 0"), UDPPORT_700)
    assert problem.problem == "mcast: interface [hbnosuch0] does not exist"


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
