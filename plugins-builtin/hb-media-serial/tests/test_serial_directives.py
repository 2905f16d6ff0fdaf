"""serial DEVICE... and baud RATE (once, from heartbeat's list)."""

import pytest
from hb_hookspecs import ArgumentError, Directive, Repeat
from hb_media_serial import hb_register_directives
from hb_media_serial.directives import BAUD, BAUD_RATES, SERIAL


def test_registers_baud_and_serial() -> None:
    registered: list[Directive] = []
    hb_register_directives(registered.append)
    assert registered == [BAUD, SERIAL]
    assert SERIAL.is_medium and not BAUD.is_medium
    assert BAUD.repeat is Repeat.ONCE and BAUD.default == 19200


@pytest.mark.parametrize("rate", BAUD_RATES)
def test_supported_rates(rate: int) -> None:
    assert BAUD.parse(str(rate)) == rate


@pytest.mark.parametrize("text", ["4800", "19200baud", "fast"])
def test_other_rates_are_errors(text: str) -> None:
    with pytest.raises(ArgumentError):
        BAUD.parse(text)


def test_devices_are_absolute_paths() -> None:
    assert SERIAL.parse("/dev/ttyS0") == "/dev/ttyS0"
    with pytest.raises(ArgumentError):
        SERIAL.parse("ttyS0")
