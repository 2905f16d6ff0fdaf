"""What every decision-maker sends through, and what the node asks of a failback policy.

heartbeat has two failback policies: nice failback (``auto_failback on|off``,
:mod:`hbcore.decisions.nice_failback`) and legacy (``auto_failback legacy``,
:mod:`hbcore.decisions.legacy`). The node only ever talks to :class:`ResourcePolicy`, through
:class:`hbcore.decisions.cluster.ClusterDecisions`, so it does not care which one runs. Both,
and ipfail, send their messages through one :class:`Send`.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Protocol

from hbcore.resources.groups import Group
from hbcore.resources.holdings import Hold
from hbcore.wire import Message


class Send(Protocol):
    """The node's send: stamp ``message``, loop it back to ourselves and transmit it; with
    ``dest``, also address it to that node's uuid."""

    def __call__(self, message: Message, dest: str | None = None) -> Awaitable[None]: ...


class ResourcePolicy(Protocol):
    """The resource decisions of one node."""

    @property
    def holding(self) -> str:
        """What ``cl_status rscstatus`` prints: ``none|local|foreign|all`` or ``transition``."""
        ...

    def comm_up(self, live_peers: list[str]) -> None:
        """Comm is up; ``live_peers`` are the normal peers heard from and not dead."""

    def message(self, kind: str, node: str, message: Message) -> None:
        """A resource message of type ``kind`` from ``node`` (ourselves included, looped back)."""

    def node_died(self, node: str) -> None:
        """A normal node was declared dead."""

    async def give_up_all(self) -> None:
        """Shutdown: release every group, in haresources order."""

    def request_standby(self, hold: Hold) -> str | None:
        """``hb standby``: give ``hold`` to the peer; returns why not, or None."""

    def request_takeover(self, hold: str) -> str | None:
        """``hb takeover``: ask the peer for ``hold``; returns why not, or None."""

    def group_failed(self, group: Group) -> None:
        """``group`` failed to start and was given up again."""
