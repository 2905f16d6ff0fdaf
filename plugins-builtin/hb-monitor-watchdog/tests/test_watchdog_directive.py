"""watchdog DEVICE: an absolute path, given once."""

import pytest
from hb_hookspecs import ArgumentError, Directive, Repeat
from hb_monitor_watchdog import hb_register_directives
from hb_monitor_watchdog.directives import WATCHDOG


def test_registers_watchdog_once() -> None:
    registered: list[Directive] = []
    hb_register_directives(registered.append)
    assert registered == [WATCHDOG]
    assert WATCHDOG.repeat is Repeat.ONCE and not WATCHDOG.is_medium


def test_the_device_is_an_absolute_path() -> None:
    assert WATCHDOG.parse("/dev/watchdog") == "/dev/watchdog"
    with pytest.raises(ArgumentError):
        WATCHDOG.parse("watchdog")
