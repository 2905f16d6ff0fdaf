"""Choosing a node's failback policy and binding it to the resources it acts on: the groups,
the executor that starts and stops them, the plugin events that follow each action, and the
monitor that checks the groups held (hb's ``resource_monitor``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from hbcore.config.resource_monitor import MonitorSettings
from hbcore.decisions.legacy import LegacyFailback
from hbcore.decisions.nice_failback import LOCAL_TAKEOVER_DELAY_S, NiceFailback
from hbcore.decisions.policy import ResourcePolicy, Send
from hbcore.hooks import Hooks
from hbcore.resources.executor import Executor, Progress
from hbcore.resources.groups import Group, GroupTable
from hbcore.resources.monitor import ResourceMonitor


@dataclass
class ResourceBinding:
    """Everything a failback policy needs except the node's send function, which :meth:`bind`
    receives when the node exists. ``legacy`` is ``auto_failback legacy``: the ip-request
    exchange, and ``auto_failback`` does not apply."""

    groups: GroupTable
    auto_failback: bool
    hooks: Hooks | None = None
    local_takeover_delay_s: float = LOCAL_TAKEOVER_DELAY_S
    legacy: bool = False
    progress: Progress | None = None
    """Who follows each group's progress (the node's statistics)."""
    monitoring: Callable[[], MonitorSettings] | None = None
    """The ``resource_monitor`` settings in force, read at each check; None: no monitor."""
    monitor: ResourceMonitor | None = field(default=None, init=False)
    """The monitor of the policy :meth:`bind` built (None before, or without monitoring)."""

    def bind(self, send: Send) -> ResourcePolicy:
        """The node's failback policy, sending through ``send``; a group that fails to start
        is reported back to it."""
        policy: ResourcePolicy | None = None

        async def acquired(group: Group) -> None:
            if monitor is not None:
                monitor.watch(group)
            if self.hooks is not None:
                self.hooks.resources_acquired(group.key, list(group.tokens))

        async def released(group: Group) -> None:
            if monitor is not None:
                monitor.unwatch(group)
            if self.hooks is not None:
                self.hooks.resources_released(group.key, list(reversed(group.tokens)))

        async def failed(group: Group) -> None:
            assert policy is not None
            policy.group_failed(group)

        executor = Executor(acquired, released, failed, progress=self.progress)
        monitor = None if self.monitoring is None else ResourceMonitor(executor, self.monitoring)
        self.monitor = monitor
        if self.legacy:
            policy = LegacyFailback(self.groups, executor, send)
        else:
            policy = NiceFailback(
                self.groups, executor, send, self.auto_failback, self.local_takeover_delay_s
            )
        return policy
