"""hb plugin: the watchdog device (``watchdog /dev/watchdog``).

A health monitor that only kicks from the node's event loop, so a stalled node starves it.
systemd's service watchdog is not here: the core speaks systemd's notify protocol itself
(``hbcore.node.sd_notify``), with or without this plugin.
"""

from collections.abc import Callable

from hb_hookspecs import (
    DEADTIME,
    KEEPALIVE,
    Directive,
    HealthMonitor,
    HealthMonitorType,
    Settings,
    hookimpl,
)

from hb_monitor_watchdog.directives import WATCHDOG

HB_CONTRACT = (1, 0)
"""The hb plugin contract this plugin is built for (:mod:`hb_hookspecs.contract`)."""


@hookimpl
def hb_register_directives(register: Callable[[Directive], None]) -> None:
    register(WATCHDOG)


def _watchdog_device(settings: Settings) -> HealthMonitor | None:
    device = settings.get(WATCHDOG)
    if device is None:
        return None
    # Imported here so that listing plugins stays free of asyncio.
    from hb_monitor_watchdog.device import WatchdogDevice

    return WatchdogDevice(device, settings.get(KEEPALIVE), settings.get(DEADTIME))


@hookimpl
def hb_register_health_monitors(register: Callable[[HealthMonitorType], None]) -> None:
    register(
        HealthMonitorType(
            name="watchdog",
            summary="watchdog DEVICE: one NUL byte every keepalive, 'V' on a clean stop",
            create=_watchdog_device,
        )
    )
