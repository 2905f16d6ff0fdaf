"""hb plugin: the watchdog device (``watchdog /dev/watchdog``).

A health monitor that only kicks from the node's event loop, so a stalled node starves it.
systemd's service watchdog is not here: the core speaks systemd's notify protocol itself
(``hbcore.node.sd_notify``), with or without this plugin.
"""

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


@hookimpl
def hb_register_health_monitors(register: Callable[[HealthMonitorType], None]) -> None:
    register(
        HealthMonitorType(
            name="watchdog",
            summary="watchdog DEVICE: one NUL byte every keepalive, 'V' on a clean stop",
            create=_watchdog_device,
        )
    )
