"""Wiring the resource manager to a node: its groups, its failback policy, the plugin events."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import pluggy

from hbcore.events import notify
from hbcore.resources.executor import Executor
from hbcore.resources.groups import Group, GroupTable
from hbcore.resources.legacy import LegacyResourceManager
from hbcore.resources.manager import LOCAL_TAKEOVER_DELAY_S, ResourceManager
from hbcore.resources.policy import ResourcePolicy, Send


@dataclass
class ResourceBinding:
    """Everything the resource manager needs except the node's send function, which
    :meth:`bind` receives when the node exists. ``legacy`` is ``auto_failback legacy``: the
    ip-request exchange, and ``auto_failback`` does not apply."""

    groups: GroupTable
    auto_failback: bool
    plugins: pluggy.PluginManager | None = None
    local_takeover_delay_s: float = LOCAL_TAKEOVER_DELAY_S
    legacy: bool = False
    _events: set[asyncio.Task[None]] = field(default_factory=set)

    def bind(self, send: Send) -> ResourcePolicy:
        """The node's resource manager, sending through ``send``."""
        manager: ResourcePolicy | None = None

        async def acquired(group: Group) -> None:
            self._event("hb_resources_acquired", group.key, list(group.tokens))

        async def released(group: Group) -> None:
            self._event("hb_resources_released", group.key, list(reversed(group.tokens)))

        async def failed(group: Group) -> None:
            assert manager is not None
            manager.group_failed(group)

        executor = Executor(acquired, released, failed)
        if self.legacy:
            manager = LegacyResourceManager(self.groups, executor, send)
        else:
            manager = ResourceManager(
                self.groups, executor, send, self.auto_failback, self.local_takeover_delay_s
            )
        return manager

    def _event(self, hook: str, group: str, resources: list[str]) -> None:
        """Notify plugins in a task of its own: a slow plugin never delays a resource."""
        if self.plugins is None:
            return
        task = asyncio.ensure_future(notify(self.plugins, hook, group=group, resources=resources))
        self._events.add(task)
        task.add_done_callback(self._events.discard)
