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
