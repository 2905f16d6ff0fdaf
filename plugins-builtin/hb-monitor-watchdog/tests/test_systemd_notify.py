"""systemd's notify protocol: READY=1 when the node is up, WATCHDOG=1 every WATCHDOG_USEC/2 from
the event loop (a stalled loop starves it), STOPPING=1 at stop; on whenever NOTIFY_SOCKET is set."""

from __future__ import annotations

import asyncio
import configparser
import itertools
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hb_hookspecs import HealthMonitorType, Observation
from hb_monitor_watchdog import hb_register_health_monitors
from hb_monitor_watchdog.systemd import (
    SystemdNotifier,
    from_environment,
    notify_address,
    watchdog_interval,
)
from systemd_stand_in import SystemdStandIn

INTERVAL_S = 0.05


def ignore(_observation: Observation) -> None:
    pass


class NoSettings:
    node_name = "linuxha1"
    config_dir = Path("/etc/ha.d")

    def value(self, directive: str) -> object:
        return None

    def values(self, directive: str) -> list[object]:
        return []


@pytest.fixture
def systemd(tmp_path: Path) -> Iterator[SystemdStandIn]:
    stand_in = SystemdStandIn(str(tmp_path / "notify"))
    yield stand_in
    stand_in.close()


def systemd_type() -> HealthMonitorType:
    registered: list[HealthMonitorType] = []
    hb_register_health_monitors(registered.append)
    (kind,) = [kind for kind in registered if kind.name == "systemd"]
    return kind


# -- reading the environment --------------------------------------------------------------------


def test_notify_socket_is_a_path_or_an_abstract_name() -> None:
    assert notify_address("/run/systemd/notify") == "/run/systemd/notify"
    assert notify_address("@/org/freedesktop/systemd1/notify/42") == (
        "\0/org/freedesktop/systemd1/notify/42"
    )
    assert notify_address("vsock:2:1234") is None


def test_the_watchdog_is_pinged_at_half_its_timeout_and_only_for_this_process() -> None:
    pid = os.getpid()
    assert watchdog_interval({"WATCHDOG_USEC": "30000000"}, pid) == 15.0
    assert watchdog_interval({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": str(pid)}, pid) == 15.0
    assert watchdog_interval({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1"}, pid) is None
    assert watchdog_interval({}, pid) is None
    assert watchdog_interval({"WATCHDOG_USEC": "soon"}, pid) is None


def test_on_whenever_notify_socket_is_set_even_without_a_watchdog_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    assert systemd_type().create(NoSettings()) is None
    monkeypatch.setenv("NOTIFY_SOCKET", "@hb-test")
    monkeypatch.setenv("WATCHDOG_USEC", "2000000")
    monkeypatch.delenv("WATCHDOG_PID", raising=False)
    notifier = systemd_type().create(NoSettings())
    assert isinstance(notifier, SystemdNotifier)
    assert (notifier.address, notifier.interval_s) == ("\0hb-test", 1.0)


def test_a_socket_systemd_does_not_offer_on_unix_is_left_alone() -> None:
    assert from_environment({"NOTIFY_SOCKET": "vsock:2:1234"}) is None


# -- talking to systemd -------------------------------------------------------------------------


def test_ready_then_watchdog_pings_every_half_timeout_then_stopping(
    systemd: SystemdStandIn, tmp_path: Path
) -> None:
    async def scenario() -> None:
        notifier = SystemdNotifier(str(tmp_path / "notify"), INTERVAL_S)
        await notifier.start(ignore)
        await asyncio.sleep(20 * INTERVAL_S)
        await notifier.stop()
        await notifier.stop()  # idempotent

    asyncio.run(scenario())
    states = [state for _, state in systemd.received()]
    assert states[0] == "READY=1" and states[-1] == "STOPPING=1"
    pings = states[1:-1]
    assert set(pings) == {"WATCHDOG=1"} and 15 <= len(pings) <= 22


def test_an_abstract_notify_socket_gets_the_notifications() -> None:
    name = f"hb-test-notify-{os.getpid()}"
    stand_in = SystemdStandIn("\0" + name)
    try:
        notifier = from_environment({"NOTIFY_SOCKET": "@" + name})
        assert notifier is not None and notifier.interval_s is None

        async def scenario() -> None:
            await notifier.start(ignore)
            await asyncio.sleep(0.1)
            await notifier.stop()

        asyncio.run(scenario())
        # No WatchdogSec=: readiness and stopping only.
        assert [state for _, state in stand_in.received()] == ["READY=1", "STOPPING=1"]
    finally:
        stand_in.close()


def test_a_blocked_event_loop_starves_systemd_watchdog(
    systemd: SystemdStandIn, tmp_path: Path
) -> None:
    blocked_s = 0.5

    async def scenario() -> None:
        notifier = SystemdNotifier(str(tmp_path / "notify"), INTERVAL_S)
        await notifier.start(ignore)
        await asyncio.sleep(5 * INTERVAL_S)
        time.sleep(blocked_s)  # blocks the loop
        await asyncio.sleep(5 * INTERVAL_S)
        await notifier.stop()

    asyncio.run(scenario())
    pings = [at for at, state in systemd.received() if state == "WATCHDOG=1"]
    assert max(b - a for a, b in itertools.pairwise(pings)) >= blocked_s


def test_without_a_listening_systemd_start_fails_with_oserror(tmp_path: Path) -> None:
    notifier = SystemdNotifier(str(tmp_path / "nobody"), INTERVAL_S)
    with pytest.raises(OSError):
        asyncio.run(notifier.start(ignore))
    asyncio.run(notifier.stop())


def test_the_shipped_unit_runs_hb_as_a_notify_service_with_a_watchdog() -> None:
    unit = configparser.ConfigParser(interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read(Path(__file__).parents[1] / "systemd" / "hb.service")
    service = unit["Service"]
    assert (service["Type"], service["NotifyAccess"], service["KillMode"]) == (
        "notify",
        "main",
        "mixed",
    )
    assert service["ExecStart"].endswith("hb start --foreground")
    assert service["ExecStop"].endswith("hb stop")
    assert service["WatchdogSec"]
