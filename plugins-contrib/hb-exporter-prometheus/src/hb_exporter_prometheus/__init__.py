"""hb plugin: a Prometheus exporter and a read-only status page for a running node
(``metrics_listen``; docs/metrics.md)."""

from collections.abc import Callable

from hb_hookspecs import (
    Directive,
    HealthMonitor,
    HealthMonitorType,
    Settings,
    StatisticsView,
    hookimpl,
)

HB_CONTRACT = (1, 1)
"""The hb plugin contract this plugin is built for (:mod:`hb_hookspecs.contract`): 1.1 brought
``hb_statistics_ready``."""


@hookimpl
def hb_register_directives(register: Callable[[Directive], None]) -> None:
    from hb_exporter_prometheus.listen import METRICS_LISTEN

    register(METRICS_LISTEN)


@hookimpl
def hb_register_health_monitors(register: Callable[[HealthMonitorType], None]) -> None:
    # The exporter is started and stopped by the node as its monitors are (systemd's notifier
    # is one too): that hands it ha.cf's settings, and binds its life to the node's.
    register(
        HealthMonitorType(
            "prometheus",
            "serves /metrics and a status page while the node runs (metrics_listen)",
            _create,
        )
    )


def _create(settings: Settings) -> HealthMonitor | None:
    # Imported here: listing plugins must stay free of asyncio, threads and prometheus_client.
    from hb_exporter_prometheus.exporter import exporter_for

    return exporter_for(settings)


@hookimpl
def hb_statistics_ready(view: StatisticsView) -> None:
    from hb_exporter_prometheus.exporter import VIEWS

    VIEWS.ready(view)
