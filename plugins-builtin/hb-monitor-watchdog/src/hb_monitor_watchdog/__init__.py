"""hb plugin: the watchdog device (``watchdog /dev/watchdog``) and systemd's service watchdog.

Both are health monitors that only kick from the node's event loop, so a stalled node starves
them. systemd's needs no ha.cf line: it is on whenever systemd runs hb as a ``Type=notify``
service (``NOTIFY_SOCKET`` is set).
"""

import os
from collections.abc import Callable

from hb_hookspecs import Directive, HealthMonitor, HealthMonitorType, Settings, hookimpl

from hb_monitor_watchdog.directives import WATCHDOG


@hookimpl
def hb_register_directives(register: Callable[[Directive], None]) -> None:
    register(WATCHDOG)


def _milliseconds(settings: Settings, directive: str) -> int:
    value = settings.value(directive)
    assert isinstance(value, int), f"{directive} is {value!r}, not milliseconds"
    return value


def _watchdog_device(settings: Settings) -> HealthMonitor | None:
    device = settings.value("watchdog")
    if not device:
        return None
    # Imported here so that listing plugins stays free of asyncio.
    from hb_monitor_watchdog.device import WatchdogDevice

    keepalive = _milliseconds(settings, "keepalive")
    return WatchdogDevice(str(device), keepalive, _milliseconds(settings, "deadtime"))


def _systemd(settings: Settings) -> HealthMonitor | None:
    if not os.environ.get("NOTIFY_SOCKET"):
        return None
    from hb_monitor_watchdog.systemd import from_environment

    return from_environment(os.environ)


@hookimpl
def hb_register_health_monitors(register: Callable[[HealthMonitorType], None]) -> None:
    register(
        HealthMonitorType(
            name="watchdog",
            summary="watchdog DEVICE: one NUL byte every keepalive, 'V' on a clean stop",
            create=_watchdog_device,
        )
    )
    register(
        HealthMonitorType(
            name="systemd",
            summary="sd_notify: READY=1, WATCHDOG=1 every WATCHDOG_USEC/2, STOPPING=1",
            create=_systemd,
        )
    )
