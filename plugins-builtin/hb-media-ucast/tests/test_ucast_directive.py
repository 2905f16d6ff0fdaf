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
