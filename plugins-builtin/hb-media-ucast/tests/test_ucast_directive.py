"""ucast IFACE PEER: one peer per line, extra tokens ignored as heartbeat does."""

import pytest
from hb_hookspecs import ArgumentError, Directive, Form
from hb_media_ucast import hb_register_directives
from hb_media_ucast.directives import UCAST, UcastPath


def test_registers_ucast_as_a_whole_line_medium() -> None:
    registered: list[Directive] = []
    hb_register_directives(registered.append)
    assert registered == [UCAST]
    assert UCAST.form is Form.WHOLE_LINE and UCAST.is_medium


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
