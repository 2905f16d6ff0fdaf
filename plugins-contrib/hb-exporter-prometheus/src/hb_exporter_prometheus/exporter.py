"""The exporter of one node: started and stopped with it, serving its figures over HTTP.

Two hooks meet here. ``hb_statistics_ready`` hands over the node's view (kept in
:data:`VIEWS` by node name) before the node's first heartbeat; the node then starts its
monitors, this :class:`Exporter` among them (built from ``ha.cf`` by the plugin's
``HealthMonitorType``), which takes the view of its node, listens to its events and serves. The
node stops its monitors first when it shuts down (or is cancelled), and the server with them.

Everything the exporter does that takes time happens before the node's first heartbeat: the
imports (prometheus_client among them) when the node builds its monitors, and the version
lookup, the socket, every thread of the server and the first figures in
:meth:`Exporter.start`, which the node awaits before it sends its first heartbeat. Once the
node heartbeats, the loop's part is a snapshot at most twice a second.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version

import structlog
from hb_hookspecs import Observation, Settings, StatisticsView

from hb_exporter_prometheus.figures import EventFigures
from hb_exporter_prometheus.listen import METRICS_LISTEN, Listen
from hb_exporter_prometheus.published import Published
from hb_exporter_prometheus.server import LoopSource, MetricsServer

log = structlog.get_logger("hb.exporter")

RECENT_EVENTS = 30
"""Events the status page shows."""


class Views:
    """The view of each node started in this process, by node name, until its exporter takes
    it (one node per process in production; several in tests)."""

    def __init__(self) -> None:
        self._views: dict[str, StatisticsView] = {}

    def ready(self, view: StatisticsView) -> None:
        """``hb_statistics_ready``: on the node's loop, before its monitors start."""
        self._views[str(view.snapshot().get("node"))] = view

    def take(self, node: str) -> StatisticsView | None:
        return self._views.pop(node, None)


VIEWS = Views()


def exporter_for(settings: Settings) -> Exporter | None:
    """The exporter ``ha.cf`` asks for (``metrics_listen``; the default when absent), None
    for ``metrics_listen off``."""
    listen = settings.get(METRICS_LISTEN)
    return None if listen is None else Exporter(settings.node_name, listen)


class Exporter:
    """Serves the figures of node ``node`` on ``listen`` while it runs: a
    :class:`hb_hookspecs.HealthMonitor` that reports nothing."""

    name = "prometheus"

    def __init__(self, node: str, listen: Listen, views: Views = VIEWS) -> None:
        self.node = node
        self.listen = listen
        self._views = views
        self._server: MetricsServer | None = None
        self._unsubscribe: Callable[[], None] | None = None

    @property
    def port(self) -> int | None:
        """The port served on, once started."""
        return None if self._server is None else self._server.port

    async def start(self, report: Callable[[Observation], None]) -> None:
        """Take the node's view and serve: bind, take the first figures, start every thread
        the server uses (the node awaits this before its first heartbeat). Raises ``OSError``
        when there is no view or the address cannot be bound: the node logs it and runs on
        without the exporter."""
        view = self._views.take(self.node)
        if view is None:
            raise OSError(f"no statistics of node {self.node} to serve (hb_statistics_ready)")
        figures = EventFigures()
        hb_version = _hb_version()

        def take() -> Published:
            last = view.last_number
            events = view.events(after=max(0, last - RECENT_EVENTS))
            return Published(view.snapshot(), events, figures.copy(), time.monotonic(), hb_version)

        source = LoopSource(asyncio.get_running_loop(), take)
        try:
            server = MetricsServer(self.listen, source.get, hb_version)
        except OSError as error:
            raise OSError(f"metrics_listen {self.listen}: {error.strerror or error}") from None
        self._unsubscribe = view.subscribe(figures.observe)
        self._server = server
        source.prime()
        server.start()
        served = Listen(self.listen.host, server.port)  # the kernel's port for port 0
        log.info(f"Serving metrics and the status page on http://{served}/")

    async def stop(self) -> None:
        """Stop serving. Idempotent."""
        server, self._server = self._server, None
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if server is not None:
            await asyncio.to_thread(server.stop)


@functools.cache
def _hb_version() -> str:
    """hb's version (read from the installed metadata once: a scan of sys.path)."""
    try:
        return version("hbcore")
    except PackageNotFoundError:  # run from a source tree
        return "unknown"
