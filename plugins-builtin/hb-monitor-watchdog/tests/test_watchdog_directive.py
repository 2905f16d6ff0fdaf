"""watchdog DEVICE: an absolute path, given once."""

from pathlib import Path

import pytest
from hb_hookspecs import ArgumentError, Directive, Repeat, Settings
from hb_monitor_watchdog import hb_register_directives
from hb_monitor_watchdog.directives import WATCHDOG, check_device

NO_LINES = Settings("linuxha1", Path("/etc/ha.d"), {})


def test_registers_watchdog_once() -> None:
    registered: list[Directive] = []
    hb_register_directives(registered.append)
    assert registered == [WATCHDOG]
    assert WATCHDOG.repeat is Repeat.ONCE and WATCHDOG.medium is None
    assert WATCHDOG.check_host is check_device
    assert NO_LINES.get(WATCHDOG) is None


def test_the_device_must_exist_here(tmp_path: Path) -> None:
    assert check_device(str(tmp_path), NO_LINES) == []
    [problem] = check_device("/dev/no-such-watchdog", NO_LINES)
    assert (problem.problem, problem.warning) == (
        "watchdog device /dev/no-such-watchdog does not exist",
        False,
    )


def test_the_device_is_an_absolute_path() -> None:
    assert WATCHDOG.parse("/dev/watchdog") == "/dev/watchdog"
    with pytest.raises(ArgumentError):
        WATCHDOG.parse("watchdog")
