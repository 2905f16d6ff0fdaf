"""The node's health monitors (ping nodes, a watchdog, systemd's notifications): started once
the node has its identity, stopped first when it shuts down, replaced in place by a reload.
Each reports its observations to ``observe``; a monitor that cannot start is logged, as
heartbeat logs a watchdog it cannot open, and the node runs on without it."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import structlog
from hb_hookspecs import HealthMonitor, Observation

log = structlog.get_logger("hb.node")


class Monitoring:
    """The health monitors of one node, each reporting to ``observe``."""

    def __init__(
        self, monitors: Sequence[HealthMonitor], observe: Callable[[Observation], None]
    ) -> None:
        self.monitors = list(monitors)
        self._observe = observe
        self._running: list[HealthMonitor] = []

    async def start(self, monitors: Sequence[HealthMonitor] | None = None) -> None:
        """Start every monitor (or only ``monitors``)."""
        for monitor in self.monitors if monitors is None else monitors:
            try:
                await monitor.start(self._observe)
            except OSError as error:
                log.error(f"health monitor {monitor.name} not started: {error}")
                continue
            self._running.append(monitor)

    async def stop(self) -> None:
        """Stop every running monitor, the last started first."""
        while self._running:
            await self._running.pop().stop()

    async def replace(self, old: Sequence[HealthMonitor], new: Sequence[HealthMonitor]) -> None:
        """Stop the monitors ``old`` and start ``new`` in their place (a reload)."""
        for monitor in old:
            if monitor in self._running:
                self._running.remove(monitor)
                await monitor.stop()
            self.monitors.remove(monitor)
        self.monitors.extend(new)
        await self.start(new)
