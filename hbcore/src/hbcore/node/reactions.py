"""What the node does with membership's events, in one place: log each with heartbeat's text,
then hand it on, in this order, to the peer session (a dead peer's numbering starts over), the
decisions (:class:`~hbcore.decisions.cluster.ClusterDecisions`: takeover, ipfail, a healed
partition) and the plugins (the node and link status hooks).

Nothing here decides. Our own node declared dead ("No local heartbeat": this process was
stalled) goes to the node's lifecycle instead, which restarts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import structlog

from hbcore.decisions.cluster import ClusterDecisions
from hbcore.hooks import Hooks
from hbcore.membership.events import (
    LateHeartbeat,
    LinkChanged,
    MembershipEvent,
    NodeDied,
    ReturnedAfterPartition,
    StatusChanged,
)
from hbcore.node.session import PeerSession

log = structlog.get_logger("hb.node")


class Reactions:
    """The fan-out of one node's membership events. ``lost_ourselves()`` is called when our
    own node is declared dead."""

    def __init__(
        self,
        session: PeerSession,
        decisions: ClusterDecisions,
        hooks: Hooks | None,
        lost_ourselves: Callable[[], None],
    ) -> None:
        self.me = session.me
        self._session = session
        self._decisions = decisions
        self._hooks = hooks
        self._lost_ourselves = lost_ourselves

    def react(self, events: Sequence[MembershipEvent]) -> None:
        """Log each of ``events`` and hand it on."""
        for event in events:
            log_event(event)
            if isinstance(event, NodeDied):
                if event.node == self.me:
                    self._lost_ourselves()
                    continue
                self._session.peer_died(event.node)
            self._decisions.membership_changed(event)
            self._tell_plugins(event)

    def _tell_plugins(self, event: MembershipEvent) -> None:
        if self._hooks is None:
            return
        if isinstance(event, NodeDied):
            self._hooks.node_status_changed(event.node, "dead", event.previous)
        elif isinstance(event, StatusChanged):
            self._hooks.node_status_changed(event.node, event.status, event.previous)
        elif isinstance(event, LinkChanged):
            self._hooks.link_status_changed(event.node, event.link, event.status)


def log_event(event: MembershipEvent) -> None:
    """Log ``event`` with heartbeat's text at heartbeat's level."""
    if isinstance(event, NodeDied):
        log.warning(event.message, node=event.node)
    elif isinstance(event, LateHeartbeat):
        if event.beyond_deadtime:
            log.critical(event.message, node=event.node, interval_ms=event.interval_ms)
        else:
            log.warning(event.message, node=event.node, interval_ms=event.interval_ms)
    elif isinstance(event, ReturnedAfterPartition):
        log.critical(event.message, node=event.node)
        log.warning("Deadtime value may be too small.")
    else:
        log.info(event.message, node=event.node)
