"""Every cluster decision of one node behind one door: the node forwards here what membership
reports, the messages of the policies, comm up and its shutdown, and decides nothing itself.

- Takeover and failback: the failback policy (:mod:`~hbcore.decisions.nice_failback` or
  :mod:`~hbcore.decisions.legacy`), when the node manages resources. A normal peer declared
  dead is taken over, unless this node is shutting down or restarting: it is about to give
  everything up, and heartbeat cancels the takeover then.
- ipfail (:mod:`~hbcore.decisions.ipfail`), when ``ha.cf`` respawns it and the policy can hand
  groups over: it recounts its ping nodes when one changes, or a peer's link or the peer dies.
- A peer returning after a partition may hold the groups we hold: the node restarts, so that a
  fresh negotiation decides who owns what (when it manages resources; else nothing is at
  stake).
"""

from __future__ import annotations

from collections.abc import Callable

import structlog

from hbcore.decisions.binding import ResourceBinding
from hbcore.decisions.ipfail import MESSAGES as IPFAIL_MESSAGES
from hbcore.decisions.ipfail import Ipfail
from hbcore.decisions.policy import ResourcePolicy, Send
from hbcore.membership.events import (
    LinkChanged,
    MembershipEvent,
    NodeDied,
    ReturnedAfterPartition,
    StatusChanged,
)
from hbcore.membership.table import NORMAL, PING_NODE, Membership
from hbcore.wire import Message

log = structlog.get_logger("hb.decisions")

RESOURCE_MESSAGES = frozenset(
    {
        "starting",
        "resource",
        "ask_resources",
        "shutdone",
        "hb_takeover",
        "ip-request",
        "ip-request-resp",
    }
)
"""Cluster messages of the failback policies."""
MESSAGES = RESOURCE_MESSAGES | IPFAIL_MESSAGES
"""Every cluster message type decided on here."""


class ClusterDecisions:
    """The decisions of one node.

    ``resources`` is its failback policy (None: no resources are managed here), ``ipfail``
    its ipfail (None: not running). ``shutting_down()`` says whether the node is stopping;
    ``restart()`` stops it to start again with a new generation.
    """

    def __init__(
        self,
        membership: Membership,
        resources: ResourcePolicy | None,
        ipfail: Ipfail | None,
        shutting_down: Callable[[], bool],
        restart: Callable[[], None],
    ) -> None:
        self.membership = membership
        self.me = membership.local
        self.resources = resources
        self.ipfail = ipfail
        self._shutting_down = shutting_down
        self._restart = restart

    @classmethod
    def build(
        cls,
        membership: Membership,
        binding: ResourceBinding | None,
        send: Send,
        *,
        ipfail: bool,
        keepalive_s: float,
        auto_failback: str,
        shutting_down: Callable[[], bool],
        restart: Callable[[], None],
    ) -> ClusterDecisions:
        """The decisions of a node sending through ``send``: the policy ``binding`` chooses,
        and ipfail when asked (``keepalive_s`` sets its delays, ``auto_failback`` is ha.cf's
        word). ipfail decides through standby, so it needs resources in nice mode
        (heartbeat's ipfail exits 100 otherwise)."""
        resources = None if binding is None else binding.bind(send)
        watcher = None
        if ipfail:
            if resources is None or auto_failback == "legacy":
                log.info("ipfail needs auto_failback on or off: not running it")
            else:
                watcher = Ipfail(
                    membership.local,
                    keepalive_s,
                    auto_failback == "on",
                    send,
                    membership.answering_ping_nodes,
                    resources.request_standby,
                )
        return cls(membership, resources, watcher, shutting_down, restart)

    def message(self, kind: str, node: str, message: Message) -> None:
        """A cluster message of one of the :data:`MESSAGES` types from ``node`` (ourselves
        included, looped back)."""
        if kind in RESOURCE_MESSAGES:
            if self.resources is not None:
                self.resources.message(kind, node, message)
            elif kind == "shutdone" and node != self.me:
                log.info(f"Received shutdown notice from '{node}'.")
        elif kind in IPFAIL_MESSAGES and self.ipfail is not None:
            self.ipfail.message(kind, node, message)

    def comm_up(self, live_peers: list[str]) -> None:
        """Comm is up; ``live_peers`` are the normal peers heard from and not dead."""
        if self.resources is not None:
            self.resources.comm_up(live_peers)
        if self.ipfail is not None:
            self.ipfail.comm_up(live_peers)

    def membership_changed(self, event: MembershipEvent) -> None:
        """What membership reported about another node (our own death is the node's to
        handle: it restarts)."""
        if self.ipfail is not None:
            self._tell_ipfail(event)
        if isinstance(event, NodeDied):
            if self.resources is not None and self.membership.nodes[event.node].kind == NORMAL:
                self._take_over_from(event.node)
        elif isinstance(event, ReturnedAfterPartition) and self.resources is not None:
            self._restart()

    async def give_up_all(self) -> None:
        """The node shuts down: release every group."""
        if self.resources is not None:
            await self.resources.give_up_all()

    def _take_over_from(self, node: str) -> None:
        assert self.resources is not None
        if self._shutting_down():
            log.info("Resource takeover cancelled - shutdown in progress.")
            return
        self.resources.node_died(node)

    def _tell_ipfail(self, event: MembershipEvent) -> None:
        assert self.ipfail is not None
        state = self.membership.nodes.get(event.node)
        if state is None or event.node == self.me:
            return
        if isinstance(event, NodeDied) and state.kind == NORMAL:
            self.ipfail.peer_died(event.node)
        elif (state.kind == PING_NODE and isinstance(event, (StatusChanged, NodeDied))) or (
            isinstance(event, LinkChanged) and event.status == "dead" and state.kind == NORMAL
        ):
            self.ipfail.connectivity_changed()
