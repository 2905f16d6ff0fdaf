"""ucast IFACE PEER: one peer per line, extra tokens ignored as heartbeat does; the peer must
resolve and the interface exist on this machine."""

from pathlib import Path

import pytest
from hb_hookspecs import ArgumentError, Directive, Form, Settings
from hb_media_ucast import hb_register_directives
from hb_media_ucast.directives import UCAST, UcastPath, check_path
from hb_media_ucast.ucast import UcastMedium

NO_LINES = Settings("linuxha1", Path("/etc/ha.d"), {})


def test_registers_ucast_as_a_whole_line_medium() -> None:
    registered: list[Directive] = []
    hb_register_directives(registered.append)
    assert registered == [UCAST]
    assert UCAST.form is Form.WHOLE_LINE
    assert UCAST.medium is not None and UCAST.check_host is check_path


@pytest.mark.parametrize(
    ("line", "given", "ports"),
    [
        ("eth1 10.0.0.2", {}, (694, 694)),
        ("eth1 10.0.0.2", {"udpport": (700,)}, (700, 700)),
        ("lo 127.0.0.1:7002", {"udpport": (7001,)}, (7001, 7002)),
    ],
)
def test_the_medium_listens_on_udpport_and_sends_to_the_peers_port(
    line: str, given: dict[str, tuple[object, ...]], ports: tuple[int, int]
) -> None:
    assert UCAST.medium is not None
    [medium] = UCAST.medium(UCAST.parse(line), Settings("n", Path("/etc/ha.d"), given))
    assert isinstance(medium, UcastMedium)
    assert (medium.port, medium.peer_port) == ports


def test_a_peer_that_resolves_on_an_interface_here_is_no_problem() -> None:
    assert check_path(UcastPath("lo", "localhost"), NO_LINES) == []
    assert check_path(UcastPath("lo", "127.0.0.1", 7002), NO_LINES) == []


@pytest.mark.parametrize(
    "peer", ["peer.invalid", "a" * 64 + ".example.com", "a" * 300, "x\udce9y", "a..b", "p\0q"]
)
def test_a_peer_no_resolver_finds_or_can_take_is_a_host_problem(peer: str) -> None:
    [problem] = check_path(UcastPath("lo", peer), NO_LINES)
    assert (problem.problem, problem.warning) == (f"ucast: cannot resolve hostname {peer}", False)


@pytest.mark.parametrize("interface", ["hbnosuch1", "l\0o", "x" * 300, "eth\udce9"])
def test_an_interface_no_kernel_here_has_is_a_host_problem(interface: str) -> None:
    [problem] = check_path(UcastPath(interface, "127.0.0.1"), NO_LINES)
    assert problem.problem == f"ucast: interface [{interface}] does not exist"


def test_the_peer_is_reported_before_the_interface() -> None:
    problems = check_path(UcastPath("hbnosuch1", "peer.invalid"), NO_LINES)
    assert [problem.problem for problem in problems] == [
        "ucast: cannot resolve hostname peer.invalid",
        "ucast: interface [hbnosuch1] does not exist",
    ]


def test_interface_and_peer() -> None:
    assert UCAST.parse("eth1 10.0.0.2") == UcastPath("eth1", "10.0.0.2")
    assert str(UCAST.parse("eth1 peer.example.com")) == "eth1 peer.example.com"


def test_tokens_after_the_peer_are_ignored() -> None:
    assert UCAST.parse("eth1 10.0.0.2 10.0.0.3") == UcastPath("eth1", "10.0.0.2")


def test_a_peer_is_required() -> None:
    with pytest.raises(ArgumentError):
        UCAST.parse("eth1")


def test_peer_may_carry_a_port_for_nodes_sharing_one_machine() -> None:
    assert UCAST.parse("lo 127.0.0.1:7002") == UcastPath("lo", "127.0.0.1", 7002)
    assert str(UCAST.parse("lo 127.0.0.1:7002")) == "lo 127.0.0.1:7002"
    assert UCAST.parse("eth1 10.0.0.2") == UcastPath("eth1", "10.0.0.2", None)


def test_a_bad_port_is_refused() -> None:
    with pytest.raises(ArgumentError, match="no valid port"):
        UCAST.parse("lo 127.0.0.1:99999")


@pytest.mark.parametrize(
    ("line", "why"),
    [
        ("lo " + "a" * 64 + ".example.com", "has a label of 64 characters"),
        ("lo " + "a" * 300, "is longer than 253 characters"),
        ("lo x\udce9y", "is not a host name"),
        ("lo a..b", "has a label of 0 characters"),
        ("averyveryverylongname 10.0.0.2", "is longer than 15 bytes"),
        ("lo 10.0.0.2:²", "has no valid port"),
        ("lo 10.0.0.2:" + "9" * 5000, "has no valid port"),
        ("lo 10.0.0.2:0", "has no valid port"),
    ],
)
def test_peers_and_interfaces_no_host_can_have_are_refused(line: str, why: str) -> None:
    with pytest.raises(ArgumentError, match=why):
        UCAST.parse(line)


def test_a_peer_of_63_character_labels_is_taken() -> None:
    peer = "a" * 63 + ".example.com"
    assert UCAST.parse(f"lo {peer}:700") == UcastPath("lo", peer, 700)
