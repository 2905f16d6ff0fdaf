"""bcast: one path per interface, any number of interfaces and lines."""

import pytest
from hb_hookspecs import ArgumentError, Directive, Form, Repeat
from hb_media_bcast import hb_register_directives
from hb_media_bcast.directives import BCAST, BcastPath


def test_registers_bcast_as_a_per_token_medium() -> None:
    registered: list[Directive] = []
    hb_register_directives(registered.append)
    assert registered == [BCAST]
    assert (BCAST.form, BCAST.repeat, BCAST.is_medium) == (Form.PER_TOKEN, Repeat.ACCUMULATE, True)


def test_the_value_names_the_interface() -> None:
    path = BCAST.parse("eth1")
    assert path == BcastPath("eth1")
    assert str(path) == "eth1"


def test_an_interface_name_no_kernel_can_have_is_refused() -> None:
    with pytest.raises(ArgumentError, match="longer than 15 bytes"):
        BCAST.parse("averyveryverylongname")
    with pytest.raises(ArgumentError, match="is not an interface name"):
        BCAST.parse("eth\udce9")
