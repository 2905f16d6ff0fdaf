"""hb plugin: ping nodes (``ping``, ``ping_group``)."""

from collections.abc import Callable

from hb_hookspecs import (
    KEEPALIVE,
    Directive,
    HealthMonitor,
    HealthMonitorType,
    Settings,
    hookimpl,
)

from hb_monitor_ping.directives import PING, PING_GROUP

HB_CONTRACT = (1, 0)
"""The hb plugin contract this plugin is built for (:mod:`hb_hookspecs.contract`)."""


@hookimpl
def hb_register_directives(register: Callable[[Directive], None]) -> None:
    register(PING)
    register(PING_GROUP)


def create_monitor(settings: Settings) -> HealthMonitor | None:
    """One monitor for every ping node of ha.cf, or None when it has none."""
    # Imported here so that listing plugins stays free of sockets and asyncio.
    from hb_monitor_ping.monitor import PingMonitor, PingNode

    nodes = [PingNode(host.name, (host.name,)) for host in settings.values(PING)]
    nodes += [
        PingNode(group.name, group.hosts, group=True) for group in settings.values(PING_GROUP)
    ]
    if not nodes:
        return None
    return PingMonitor(nodes, settings.get(KEEPALIVE) / 1000)


@hookimpl
def hb_register_health_monitors(register: Callable[[HealthMonitorType], None]) -> None:
    register(
        HealthMonitorType(
            name="ping",
            summary="ICMP echo to every ping node each keepalive",
            create=create_monitor,
        )
    )
