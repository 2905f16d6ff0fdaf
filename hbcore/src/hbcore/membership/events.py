"""What membership reports: each event carries heartbeat's log line for it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LinkChanged:
    """A (node, medium) path went ``up`` or ``dead``."""

    node: str
    link: str
    status: str

    @property
    def message(self) -> str:
        return f"Link {self.node}:{self.link} {self.status}."


@dataclass(frozen=True)
class StatusChanged:
    """A node reported a new status in a status message."""

    node: str
    status: str
    previous: str

    @property
    def message(self) -> str:
        return f"Status update for node {self.node}: status {self.status}"


@dataclass(frozen=True)
class NodeDied:
    """No packet from ``node`` within its dead interval (or a status came far too late). For
    our own node: our own status was not processed within our dead interval (we were stalled)."""

    node: str
    previous: str

    @property
    def message(self) -> str:
        return f"node {self.node}: is dead"


@dataclass(frozen=True)
class LateHeartbeat:
    """A status arrived more than warntime (``beyond_deadtime``: deadtime) after the last."""

    node: str
    interval_ms: int
    beyond_deadtime: bool

    @property
    def message(self) -> str:
        suffix = " (> deadtime)" if self.beyond_deadtime else ""
        return f"Late heartbeat: Node {self.node}: interval {self.interval_ms} ms{suffix}"


@dataclass(frozen=True)
class ReturnedAfterPartition:
    """A node we had declared dead speaks again without having restarted."""

    node: str

    @property
    def message(self) -> str:
        return f"Cluster node {self.node} returning after partition."


MembershipEvent = LinkChanged | StatusChanged | NodeDied | LateHeartbeat | ReturnedAfterPartition
