"""bcast: one path per interface, any number of interfaces and lines, on port udpport; the
interface must exist on this machine."""

from pathlib import Path

import pytest
from hb_hookspecs import ArgumentError, Directive, Form, HostProblem, Repeat, Settings
from hb_media_bcast import hb_register_directives
from hb_media_bcast.bcast import BcastMedium
from hb_media_bcast.directives import BCAST, BcastPath, check_interface

NO_LINES = Settings("linuxha1", Path("/etc/ha.d"), {})


def test_registers_bcast_as_a_per_token_medium() -> None:
    registered: list[Directive] = []
    hb_register_directives(registered.append)
    assert registered == [BCAST]
    assert (BCAST.form, BCAST.repeat) == (Form.PER_TOKEN, Repeat.ACCUMULATE)
    assert BCAST.medium is not None and BCAST.check_host is check_interface


def test_one_medium_per_interface_on_udpport() -> None:
    assert BCAST.medium is not None
    [medium] = BCAST.medium(BcastPath("eth1"), NO_LINES)
    assert isinstance(medium, BcastMedium)
    assert (medium.name, medium.port) == ("eth1", 694)
    [medium] = BCAST.medium(BcastPath("eth1"), Settings("n", Path("/"), {"udpport": (700,)}))
    assert medium.port == 700


def test_an_interface_of_this_machine_is_no_problem() -> None:
    assert check_interface(BcastPath("lo"), NO_LINES) == []


@pytest.mark.parametrize("interface", ["hbnosuch0", "l\0o", "x" * 300, "eth\udce9"])
def test_an_interface_this_machine_lacks_or_cannot_have_is_a_host_problem(interface: str) -> None:
    assert check_interface(BcastPath(interface), NO_LINES) == [
        HostProblem(
            f"bcast: interface [{interface}] does not exist",
            "name an interface of this machine (ip link), or rename the line's interface to the "
            "one this node uses",
        )
    ]


def test_the_value_names_the_interface() -> None:
    path = BCAST.parse("eth1")
    assert path == BcastPath("eth1")
    assert str(path) == "eth1"


def test_an_interface_name_no_kernel_can_have_is_refused() -> None:
    with pytest.raises(ArgumentError, match="longer than 15 bytes"):
        BCAST.parse("averyveryverylongname")
    with pytest.raises(ArgumentError, match="is not an interface name"):
        BCAST.parse("eth\udce9")
