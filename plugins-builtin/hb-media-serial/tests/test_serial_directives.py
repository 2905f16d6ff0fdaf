"""serial DEVICE... and baud RATE (once, from heartbeat's list)."""

from pathlib import Path

import pytest
from hb_hookspecs import ArgumentError, Directive, HostProblem, Repeat, Settings
from hb_media_serial import hb_register_directives
from hb_media_serial.directives import BAUD, BAUD_RATES, SERIAL, check_device

NO_LINES = Settings("linuxha1", Path("/etc/ha.d"), {})


def test_registers_baud_and_serial() -> None:
    registered: list[Directive] = []
    hb_register_directives(registered.append)
    assert registered == [BAUD, SERIAL]
    assert SERIAL.medium is not None and BAUD.medium is None
    assert SERIAL.check_host is check_device
    assert BAUD.repeat is Repeat.ONCE and BAUD.default == 19200
    assert NO_LINES.get(BAUD) == 19200


def test_a_device_that_exists_is_no_problem(tmp_path: Path) -> None:
    (tmp_path / "ttyFAKE").write_text("")
    assert check_device(str(tmp_path / "ttyFAKE"), NO_LINES) == []


@pytest.mark.parametrize("device", ["/dev/no-such-tty", "/dev/tty\0S0"])
def test_a_device_this_machine_lacks_is_a_host_problem(device: str) -> None:
    assert check_device(device, NO_LINES) == [
        HostProblem(
            f"serial device {device} does not exist",
            "correct the path, or load the driver that creates it",
        )
    ]


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
