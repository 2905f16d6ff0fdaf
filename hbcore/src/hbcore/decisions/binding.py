"""Choosing a node's failback policy and binding it to the resources it acts on: the groups,
the executor that starts and stops them, and the plugin events that follow each action."""

from __future__ import annotations

from dataclasses import dataclass

from hbcore.decisions.legacy import LegacyFailback
from hbcore.decisions.nice_failback import LOCAL_TAKEOVER_DELAY_S, NiceFailback
from hbcore.decisions.policy import ResourcePolicy, Send
from hbcore.hooks import Hooks
from hbcore.resources.executor import Executor
from hbcore.resources.groups import Group, GroupTable


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

    def bind(self, send: Send) -> ResourcePolicy:
        """The node's failback policy, sending through ``send``; a group that fails to start
        is reported back to it."""
        policy: ResourcePolicy | None = None

        async def acquired(group: Group) -> None:
            if self.hooks is not None:
                self.hooks.resources_acquired(group.key, list(group.tokens))

        async def released(group: Group) -> None:
            if self.hooks is not None:
                self.hooks.resources_released(group.key, list(reversed(group.tokens)))

        async def failed(group: Group) -> None:
            assert policy is not None
            policy.group_failed(group)

        executor = Executor(acquired, released, failed)
        if self.legacy:
            policy = LegacyFailback(self.groups, executor, send)
        else:
            policy = NiceFailback(
                self.groups, executor, send, self.auto_failback, self.local_takeover_delay_s
            )
        return policy
