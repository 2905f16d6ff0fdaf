"""systemd's notify protocol from the core: READY=1 once the node is up, WATCHDOG=1 every
WATCHDOG_USEC/2 from the node's loop (a stalled loop starves it), STOPPING=1 when it stops and
RELOADING=1 when it restarts in place; on whenever NOTIFY_SOCKET is set, with or without any
plugin."""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hb_hookspecs import Observation
from hbcore.node.sd_notify import (
    PINGING_TASK,
    ServiceNotifier,
    notify_address,
    service_notifier,
    watchdog_interval,
)
from service_helpers import LoneNode, NotifyListener, end, wait_until

INTERVAL_S = 0.05


def ignore(_observation: Observation) -> None:
    pass


def never() -> bool:
    return False


@pytest.fixture
def systemd(tmp_path: Path) -> Iterator[NotifyListener]:
    listener = NotifyListener(str(tmp_path / "notify"))
    yield listener
    listener.close()


# -- reading the environment --------------------------------------------------------------------


def test_notify_socket_is_a_path_or_an_abstract_name() -> None:
    assert notify_address("/run/systemd/notify") == "/run/systemd/notify"
    assert notify_address("@/org/freedesktop/systemd1/notify/42") == (
        "\0/org/freedesktop/systemd1/notify/42"
    )
    assert notify_address("vsock:2:1234") is None
    assert notify_address("run/notify") is None


def test_the_watchdog_is_pinged_at_half_its_timeout_and_only_for_this_process() -> None:
    pid = os.getpid()
    assert watchdog_interval({"WATCHDOG_USEC": "30000000"}, pid) == 15.0
    assert watchdog_interval({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": str(pid)}, pid) == 15.0
    assert watchdog_interval({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1"}, pid) is None
    assert watchdog_interval({}, pid) is None
    assert watchdog_interval({"WATCHDOG_USEC": "soon"}, pid) is None
    assert watchdog_interval({"WATCHDOG_USEC": "-5"}, pid) is None


def test_on_whenever_notify_socket_is_set() -> None:
    assert service_notifier({}, 1, never) is None
    notifier = service_notifier({"NOTIFY_SOCKET": "@hb-test", "WATCHDOG_USEC": "2000000"}, 1, never)
    assert notifier is not None
    assert (notifier.address, notifier.interval_s) == ("\0hb-test", 1.0)


def test_a_socket_systemd_does_not_offer_on_unix_is_left_alone() -> None:
    assert service_notifier({"NOTIFY_SOCKET": "vsock:2:1234"}, 1, never) is None


# -- talking to systemd -------------------------------------------------------------------------


def test_ready_then_watchdog_pings_every_half_timeout_from_a_named_task_then_stopping(
    systemd: NotifyListener, tmp_path: Path
) -> None:
    async def scenario() -> set[str]:
        notifier = ServiceNotifier(str(tmp_path / "notify"), INTERVAL_S, never)
        await notifier.start(ignore)
        await notifier.start(ignore)  # idempotent: one READY=1, one pinging task
        names = {task.get_name() for task in asyncio.all_tasks()}
        await asyncio.sleep(20 * INTERVAL_S)
        await notifier.stop()
        await notifier.stop()  # idempotent
        return names

    names = asyncio.run(scenario())
    assert PINGING_TASK in names
    wait_until(lambda: "STOPPING=1" in systemd.states(), "STOPPING=1 arrives")
    states = systemd.states()
    assert states[0] == "READY=1" and states[-1] == "STOPPING=1"
    pings = states[1:-1]
    # Pings come from one task: two would send about twice as many. How many one task sends in
    # the time is the machine's business (a loaded one wakes it late), not this test's.
    assert set(pings) == {"WATCHDOG=1"} and 0 < len(pings) <= 22


def test_a_restart_in_place_is_a_reload_to_systemd(systemd: NotifyListener, tmp_path: Path) -> None:
    async def scenario() -> None:
        notifier = ServiceNotifier(str(tmp_path / "notify"), None, lambda: True)
        await notifier.start(ignore)
        await notifier.stop()

    asyncio.run(scenario())
    wait_until(lambda: len(systemd.arrived) == 2, "two notifications")
    (_, ready), (_, reloading) = systemd.arrived
    assert ready == "READY=1"
    first, monotonic = reloading.split("\n")
    assert first == "RELOADING=1"
    name, _, microseconds = monotonic.partition("=")
    assert name == "MONOTONIC_USEC" and int(microseconds) > 0


def test_an_abstract_notify_socket_gets_the_notifications() -> None:
    name = f"hb-test-notify-{os.getpid()}"
    listener = NotifyListener("\0" + name)
    try:
        notifier = service_notifier({"NOTIFY_SOCKET": "@" + name}, os.getpid(), never)
        assert notifier is not None and notifier.interval_s is None

        async def scenario() -> None:
            await notifier.start(ignore)
            await asyncio.sleep(0.1)
            await notifier.stop()

        asyncio.run(scenario())
        wait_until(lambda: len(listener.arrived) == 2, "two notifications")
        # No WatchdogSec=: readiness and stopping only.
        assert listener.states() == ["READY=1", "STOPPING=1"]
    finally:
        listener.close()


def test_a_blocked_event_loop_starves_systemds_watchdog(
    systemd: NotifyListener, tmp_path: Path
) -> None:
    blocked_s = 0.5

    async def scenario() -> None:
        notifier = ServiceNotifier(str(tmp_path / "notify"), INTERVAL_S, never)
        await notifier.start(ignore)
        await asyncio.sleep(5 * INTERVAL_S)
        time.sleep(blocked_s)  # blocks the loop
        await asyncio.sleep(5 * INTERVAL_S)
        await notifier.stop()

    asyncio.run(scenario())
    wait_until(lambda: "STOPPING=1" in systemd.states(), "STOPPING=1 arrives")
    pings = systemd.times_of("WATCHDOG=1")
    assert max(b - a for a, b in itertools.pairwise(pings)) >= blocked_s


def test_without_a_listening_systemd_start_fails_with_oserror(tmp_path: Path) -> None:
    notifier = ServiceNotifier(str(tmp_path / "nobody"), INTERVAL_S, never)
    with pytest.raises(OSError):
        asyncio.run(notifier.start(ignore))
    asyncio.run(notifier.stop())


def test_systemd_gone_after_start_loses_notifications_but_never_fails(tmp_path: Path) -> None:
    listener = NotifyListener(str(tmp_path / "notify"))

    async def scenario() -> None:
        notifier = ServiceNotifier(str(tmp_path / "notify"), INTERVAL_S, never)
        await notifier.start(ignore)
        listener.close()
        (tmp_path / "notify").unlink()
        await asyncio.sleep(3 * INTERVAL_S)
        await notifier.stop()

    asyncio.run(scenario())
    assert listener.states()[0] == "READY=1"


# -- a real node --------------------------------------------------------------------------------

WATCHDOG_USEC = 400_000
"""``WatchdogSec=400ms``: hb pings every 200 ms."""


def test_hb_start_foreground_notifies_systemd_without_the_watchdog_plugin(
    systemd: NotifyListener, tmp_path: Path
) -> None:
    """READY=1 once up, pings every 200 ms that stop while the node is SIGSTOPped; after the stall
    the node restarts in place (RELOADING=1, then READY=1 from the same pid), and hb stop ends
    with STOPPING=1."""
    node = LoneNode(tmp_path)
    environment = {
        **os.environ,
        "NOTIFY_SOCKET": str(tmp_path / "notify"),
        "WATCHDOG_USEC": str(WATCHDOG_USEC),
    }
    environment.pop("WATCHDOG_PID", None)
    with (tmp_path / "console.log").open("ab") as console:
        process = subprocess.Popen(
            node.start_argv("--foreground"), stdout=console, stderr=console, env=environment
        )
    try:
        wait_until(lambda: len(systemd.times_of("WATCHDOG=1")) >= 5, "five watchdog pings")
        assert systemd.states()[0] == "READY=1"
        assert "Link linuxha1:lo up." in node.log_text()  # READY=1 came once the node was up
        stopped_at = time.monotonic()
        process.send_signal(signal.SIGSTOP)
        time.sleep(3.0)  # past the node's dead interval: it restarts once it runs again
        process.send_signal(signal.SIGCONT)
        wait_until(lambda: systemd.states().count("READY=1") == 2, "READY=1 after the restart")
        assert "No local heartbeat. Forcing restart." in node.log_text()
        assert node.stop().returncode == 0
        assert process.wait(30) == 0
    finally:
        end(process)
    states = systemd.states()
    restart = states.index("RELOADING=1")
    assert states[restart + 1 :].count("READY=1") == 1 and "STOPPING=1" not in states[:restart]
    assert states[-1] == "STOPPING=1"
    pings = systemd.times_of("WATCHDOG=1")
    during_stop = [at for at in pings if stopped_at + 0.1 < at < stopped_at + 3.0]
    assert not during_stop, "a stopped node pinged systemd's watchdog"
    assert "systemd watchdog: pinging every 0.2 s" in node.log_text()
