"""Wiring the resource manager to a node: its groups, its failback policy, the plugin events."""

from __future__ import annotations

from dataclasses import dataclass

from hbcore.hooks import Hooks
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
    hooks: Hooks | None = None
    local_takeover_delay_s: float = LOCAL_TAKEOVER_DELAY_S
    legacy: bool = False

    def bind(self, send: Send) -> ResourcePolicy:
        """The node's resource manager, sending through ``send``."""
        manager: ResourcePolicy | None = None

        async def acquired(group: Group) -> None:
            if self.hooks is not None:
                self.hooks.resources_acquired(group.key, list(group.tokens))

        async def released(group: Group) -> None:
            if self.hooks is not None:
                self.hooks.resources_released(group.key, list(reversed(group.tokens)))

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
