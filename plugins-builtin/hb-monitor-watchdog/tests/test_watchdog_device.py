"""watchdog DEVICE against an emulated device (a FIFO with the kernel's rules): kicked every
keepalive from the event loop, disarmed by a clean stop, fired by a stalled, stopped or killed
node."""

from __future__ import annotations

import asyncio
import errno
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hb_hookspecs import HealthMonitor, HealthMonitorType, Observation, Settings
from hb_monitor_watchdog import hb_register_health_monitors
from hb_monitor_watchdog.device import WatchdogDevice, timeout_seconds
from watchdog_emulator import ARMED, CLOSED_ARMED, DISARMED, FIRED, MAGIC_CLOSE, WatchdogEmulator

KEEPALIVE_MS, DEADTIME_MS = 100, 500
TIMEOUT_S = timeout_seconds(DEADTIME_MS)
"""1 s: what the monitor asks of a real device, so what the emulator applies."""
MARGIN_S = 1.0
"""Slack for a loaded CI machine (process wake-ups, the emulator's polling)."""

CHILD = """
import asyncio, sys
from hb_monitor_watchdog.device import WatchdogDevice

async def main():
    monitor = WatchdogDevice(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
    await monitor.start(lambda observation: None)
    print("kicking", flush=True)
    await asyncio.Event().wait()

asyncio.run(main())
"""


def ignore(_observation: Observation) -> None:
    pass


def settings_of(**given: object) -> Settings:
    """ha.cf with one line for each of ``given`` (keepalive and deadtime at their defaults)."""
    return Settings(
        "linuxha1", Path("/etc/ha.d"), {name: (value,) for name, value in given.items()}
    )


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "watchdog"
    os.mkfifo(path)
    return path


@pytest.fixture
def emulator(fifo: Path) -> Iterator[WatchdogEmulator]:
    with WatchdogEmulator(fifo, TIMEOUT_S) as running:
        yield running


@pytest.fixture
def child(fifo: Path, emulator: WatchdogEmulator) -> Iterator[subprocess.Popen[str]]:
    """A process of ours running the monitor on its own event loop, kicking the emulator."""
    argv = [sys.executable, "-c", CHILD, str(fifo), str(KEEPALIVE_MS), str(DEADTIME_MS)]
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None and process.stdout.readline() == "kicking\n"
        emulator.wait_for(lambda e: e.kicks >= 3, 5)
        yield process
    finally:
        process.send_signal(signal.SIGKILL)
        process.send_signal(signal.SIGCONT)
        process.wait()


def monitor_types() -> dict[str, HealthMonitorType]:
    registered: list[HealthMonitorType] = []
    hb_register_health_monitors(registered.append)
    return {kind.name: kind for kind in registered}


# -- the directive and the timeout --------------------------------------------------------------


@pytest.mark.parametrize(("deadtime_ms", "seconds"), [(30000, 31), (1000, 2), (990, 1), (500, 1)])
def test_timeout_is_deadtime_plus_10ms_rounded_up(deadtime_ms: int, seconds: int) -> None:
    assert timeout_seconds(deadtime_ms) == seconds


def test_no_watchdog_line_no_device_monitor() -> None:
    assert monitor_types()["watchdog"].create(settings_of()) is None


def test_a_watchdog_line_gives_a_monitor_timed_by_keepalive_and_deadtime() -> None:
    settings = settings_of(watchdog="/dev/watchdog", keepalive=2000, deadtime=10000)
    monitor = monitor_types()["watchdog"].create(settings)
    assert isinstance(monitor, WatchdogDevice) and isinstance(monitor, HealthMonitor)
    assert (monitor.device, monitor.interval_s, monitor.timeout_s) == ("/dev/watchdog", 2.0, 11)


# -- a healthy node -----------------------------------------------------------------------------


def test_a_running_node_kicks_a_nul_every_keepalive_and_never_fires_then_stop_disarms(
    fifo: Path, emulator: WatchdogEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="hb.monitor.watchdog")
    run_s = 2.5 * TIMEOUT_S

    async def scenario() -> None:
        monitor = WatchdogDevice(str(fifo), KEEPALIVE_MS, DEADTIME_MS)
        await monitor.start(ignore)
        await asyncio.sleep(run_s)
        assert emulator.state == ARMED
        await monitor.stop()
        await monitor.stop()  # idempotent

    asyncio.run(scenario())
    emulator.wait_for(lambda e: e.happened(MAGIC_CLOSE), 5)
    time.sleep(TIMEOUT_S + 0.3)
    assert emulator.state == DISARMED and not emulator.happened(FIRED)
    body, last = emulator.received[:-1], emulator.received[-1:]
    assert set(body) == {0} and last == b"V"
    assert run_s * 1000 / KEEPALIVE_MS * 0.8 <= len(body) <= run_s * 1000 / KEEPALIVE_MS + 2
    messages = [record.getMessage() for record in caplog.records]
    assert f"Using watchdog device: {fifo}" in messages
    # A FIFO has no WDIOC_SETTIMEOUT (ENOTTY): only a debug line, never an error.
    assert any("takes no WDIOC_SETTIMEOUT" in message for message in messages)
    assert not [record for record in caplog.records if record.levelno >= logging.WARNING]


# -- a node that stops kicking ------------------------------------------------------------------


def test_a_blocked_event_loop_stops_the_kicks_and_the_watchdog_fires(
    fifo: Path, emulator: WatchdogEmulator
) -> None:
    async def scenario() -> float:
        monitor = WatchdogDevice(str(fifo), KEEPALIVE_MS, DEADTIME_MS)
        await monitor.start(ignore)
        await asyncio.sleep(3 * KEEPALIVE_MS / 1000)
        blocked_at = time.monotonic()
        time.sleep(TIMEOUT_S + MARGIN_S)  # blocks the loop, as a stuck call on it would
        await monitor.stop()
        return blocked_at

    blocked_at = asyncio.run(scenario())
    assert emulator.fired_at is not None
    assert emulator.fired_at - blocked_at <= TIMEOUT_S + MARGIN_S
    assert emulator.state == FIRED  # the magic close after the reboot changes nothing


def test_a_sigstopped_node_fires_the_watchdog_within_its_timeout(
    emulator: WatchdogEmulator, child: subprocess.Popen[str]
) -> None:
    stopped_at = time.monotonic()
    os.kill(child.pid, signal.SIGSTOP)
    fired_at = emulator.wait_for(lambda e: e.state == FIRED, TIMEOUT_S + 2 * MARGIN_S)
    assert fired_at - stopped_at <= TIMEOUT_S + MARGIN_S


def test_a_killed_node_closes_without_v_and_the_watchdog_fires(
    emulator: WatchdogEmulator, child: subprocess.Popen[str]
) -> None:
    killed_at = time.monotonic()
    child.send_signal(signal.SIGKILL)
    child.wait()
    emulator.wait_for(lambda e: e.happened(CLOSED_ARMED), 5)
    fired_at = emulator.wait_for(lambda e: e.state == FIRED, TIMEOUT_S + 2 * MARGIN_S)
    assert fired_at - killed_at <= TIMEOUT_S + MARGIN_S


# -- a device that is not there or fails --------------------------------------------------------


def test_a_fifo_without_reader_cannot_be_opened_and_says_which_device(fifo: Path) -> None:
    monitor = WatchdogDevice(str(fifo), KEEPALIVE_MS, DEADTIME_MS)
    with pytest.raises(OSError, match=f"Cannot open watchdog device: {fifo}") as raised:
        asyncio.run(monitor.start(ignore))
    assert raised.value.errno == errno.ENXIO
    asyncio.run(monitor.stop())  # nothing opened, nothing to close


def test_a_missing_device_cannot_be_opened(tmp_path: Path) -> None:
    monitor = WatchdogDevice(str(tmp_path / "watchdog"), KEEPALIVE_MS, DEADTIME_MS)
    with pytest.raises(OSError, match="Cannot open watchdog device") as raised:
        asyncio.run(monitor.start(ignore))
    assert raised.value.errno == errno.ENOENT


def test_a_write_error_closes_the_device_and_is_logged_once(
    fifo: Path, caplog: pytest.LogCaptureFixture
) -> None:
    emulator = WatchdogEmulator(fifo, TIMEOUT_S)

    async def scenario() -> None:
        monitor = WatchdogDevice(str(fifo), KEEPALIVE_MS, DEADTIME_MS)
        await monitor.start(ignore)
        emulator.close()  # the reader goes away: the next kick gets EPIPE
        await asyncio.sleep(5 * KEEPALIVE_MS / 1000)
        await monitor.stop()

    asyncio.run(scenario())
    failures = [r.getMessage() for r in caplog.records if "Watchdog write failure" in r.message]
    assert len(failures) == 1 and failures[0].startswith(f"Watchdog write failure: closing {fifo}!")
