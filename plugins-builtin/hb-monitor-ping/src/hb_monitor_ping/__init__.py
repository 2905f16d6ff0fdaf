"""hb plugin: ping nodes (``ping``, ``ping_group``)."""

from collections.abc import Callable

from hb_hookspecs import (
    Directive,
    HealthMonitor,
    HealthMonitorType,
    Settings,
    hookimpl,
)

from hb_monitor_ping.directives import PING, PING_GROUP, PingGroup, PingHost

DEFAULT_KEEPALIVE_MS = 1000


@hookimpl
def hb_register_directives(register: Callable[[Directive], None]) -> None:
    register(PING)
    register(PING_GROUP)


def create_monitor(settings: Settings) -> HealthMonitor | None:
    """One monitor for every ping node of ha.cf, or None when it has none."""
    # Imported here so that listing plugins stays free of sockets and asyncio.
    from hb_monitor_ping.monitor import PingMonitor, PingNode

    nodes = [
        PingNode(host.name, host.host_names)
        for host in settings.values("ping")
        if isinstance(host, PingHost)
    ]
    nodes += [
        PingNode(group.name, group.hosts, group=True)
        for group in settings.values("ping_group")
        if isinstance(group, PingGroup)
    ]
    if not nodes:
        return None
    keepalive = settings.value("keepalive")
    keepalive_ms = keepalive if isinstance(keepalive, int | float) else DEFAULT_KEEPALIVE_MS
    return PingMonitor(nodes, keepalive_ms / 1000)


@hookimpl
def hb_register_health_monitors(register: Callable[[HealthMonitorType], None]) -> None:
    register(
        HealthMonitorType(
            name="ping",
            summary="ICMP echo to every ping node each keepalive",
            create=create_monitor,
        )
    )
