"""Comm up: when a starting node has heard enough to act (heartbeat's ``Comm_now_up``).

Comm is ready once our own node is ``up`` and every other node has been heard from or declared
dead (:meth:`~hbcore.membership.table.Membership.comm_ready`). Then, with flow control, the
node asks the first live peer for its node list (``reqnodes``), every second until that peer
answers (``repnodes``) or is no longer alive (wire-protocol.md §7); without flow control, or
with no live peer, comm is up at once. A peer's ``reqnodes`` is answered with our node list.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

import structlog

from hbcore.membership.table import Membership
from hbcore.node.session import PeerSession
from hbcore.tasks import Background
from hbcore.wire import Message

log = structlog.get_logger("hb.node")

REQNODES_RETRY_S = 1.0


class CommUp:
    """The node-list handshake of one node.

    ``nodes`` are the configured normal nodes (our node list); ``ready()`` says whether our
    own node is ``up``; ``now_up()`` is called once, when comm comes up, after membership
    has been told.
    """

    def __init__(
        self,
        membership: Membership,
        session: PeerSession,
        tasks: Background,
        nodes: Sequence[str],
        ready: Callable[[], bool],
        now_up: Callable[[], None],
    ) -> None:
        self._membership = membership
        self._session = session
        self._tasks = tasks
        self._nodes = tuple(nodes)
        self._ready = ready
        self._now_up = now_up
        self._asking: str | None = None
        """The peer asked for its node list, while we wait for its answer."""

    def check(self) -> None:
        """Bring comm up, or start the handshake, if it is time (after each message and
        each timeout scan)."""
        membership = self._membership
        if membership.comm_up or self._asking is not None:
            return
        if not self._ready() or not membership.comm_ready():
            return
        peers = membership.live_peers()
        if not self._session.flow_control or not peers:
            self._bring_up()
            return
        self._asking = peers[0]
        self._tasks.start(self._ask_for_nodes(), "reqnodes")

    def node_list_asked(self, node: str) -> None:
        """``node`` sent ``reqnodes``: answer with our node list."""
        reply = Message.of(
            ("dest", node),
            ("t", "repnodes"),
            ("nodelist", "".join(f"{name} " for name in self._nodes)),
            ("delnodelist", " "),
        )
        self._tasks.start(self._session.send(reply, dest=node), f"repnodes to {node}")

    def node_list_answered(self, node: str) -> None:
        """``node`` sent ``repnodes``: comm is up if we were asking."""
        if self._asking is not None and not self._membership.comm_up:
            self._bring_up()

    async def _ask_for_nodes(self) -> None:
        while not self._membership.comm_up and self._asking is not None:
            target = self._asking
            request = Message.of(("t", "reqnodes"), ("dest", target))
            await self._session.send(request, dest=target)
            await asyncio.sleep(REQNODES_RETRY_S)
            if target not in self._membership.live_peers():
                self._bring_up()

    def _bring_up(self) -> None:
        if self._membership.comm_up:
            return
        self._membership.set_comm_up()
        log.info("Comm_now_up(): updating status to active")
        self._now_up()
