"""The node table: heartbeat's membership state machine, pure and clock-driven.

The caller feeds it what arrived and the monotonic time, and acts on the events it returns; it
does no I/O. Rules (behaviour.md §2, wire-protocol.md §6):

- every accepted or duplicate packet from node N on medium M marks link (N, M) ``up``
  (:meth:`Membership.link_heard`); that is all it does;
- a node is heard (alive) only through an accepted status (:meth:`Membership.status_arrived`),
  an answer of a ping node, or, for our own node, our own status looped back: as in heartbeat,
  a duplicate or any other packet refreshes the link, never the node, so a captured packet of a
  dead peer replayed at will cannot keep it alive;
- a link with no packet for the node's dead interval is ``dead``; a node not heard for it is
  ``dead`` too. The dead interval is the peer's advertised ``dt`` (default deadtime; deadping
  for ping nodes; capped, see ``MAX_PEER_DEAD_INTERVAL_MS``), but ``initdead`` until comm is
  up, and no peer is declared dead before ``initdead`` has passed since our own start (observed
  on heartbeat 3.0.6);
- a status arriving more than warntime after the previous one is late (WARN); more than
  deadtime, late beyond deadtime (CRIT), and the node is declared dead at once;
- a status from a node we hold dead, without a restart, means it returns after a partition;
- our own node is heard only when our own status goes through our processing path (heartbeat's
  loopback, :meth:`Membership.heard_ourselves`); not heard for our own dead interval, it is
  declared dead once (heartbeat's "No local heartbeat": we were stalled), though its status stays;
- our own links never die;
- comm is ready when every node, ping nodes and ourselves included, has been heard or is dead.

Staleness (a status no newer than the last accepted one) is decided before membership sees a
status, by :mod:`hbcore.wire.sequence`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from hbcore.membership.events import (
    LateHeartbeat,
    LinkChanged,
    MembershipEvent,
    NodeDied,
    ReturnedAfterPartition,
    StatusChanged,
)

INIT, UP, ACTIVE, DEAD, PING = "init", "up", "active", "dead", "ping"
NORMAL, PING_NODE = "normal", "ping"
MAX_SCAN_INTERVAL_S = 0.25
"""heartbeat's POLL_INTERVAL: the longest time between two timeout scans until comm is up
(comm readiness is re-checked on each)."""
IDLE_SCAN_INTERVAL_S = 5.0
"""Once comm is up scans follow the deadlines; with nothing to time, one every 5 s."""
DEADLINE_SLACK_S = 0.001
"""A scan runs just after a deadline, since a node is dead only past it."""
MAX_PEER_DEAD_INTERVAL_MS = 3_600_000
"""The longest dead interval a peer may advertise (``dt``) that is taken as it is: one hour, or
twice our own deadtime when that is longer. A longer one is cut to it, so that a forged or
broken ``dt`` (up to 2**64 ms) cannot keep a silent peer alive for ever or overflow a timer."""


@dataclass(frozen=True)
class MembershipTimers:
    """The timers membership needs, in milliseconds."""

    warntime_ms: int
    deadtime_ms: int
    initdead_ms: int
    deadping_ms: int


@dataclass
class Link:
    """One path to one node."""

    status: str = UP
    last_heard: float = 0.0


@dataclass
class NodeState:
    """What we know of one node."""

    name: str
    kind: str
    status: str
    dead_interval_ms: int
    last_heard: float | None = None
    last_status_at: float | None = None
    links: dict[str, Link] = field(default_factory=dict)


class Membership:
    """The node table of one node. Times are ``time.monotonic()`` seconds."""

    def __init__(
        self,
        local: str,
        nodes: Iterable[str],
        ping_nodes: Iterable[str],
        timers: MembershipTimers,
        started_at: float,
    ) -> None:
        self.local = local
        self.timers = timers
        self._started_at = started_at
        self._comm_up = False
        self.nodes: dict[str, NodeState] = {}
        for name in nodes:
            self.nodes[name] = NodeState(name, NORMAL, INIT, timers.deadtime_ms)
        for name in ping_nodes:
            self.nodes[name] = NodeState(name, PING_NODE, INIT, timers.deadping_ms)
        self.nodes.setdefault(local, NodeState(local, NORMAL, INIT, timers.deadtime_ms))
        self._local_silence_reported = False

    def set_timers(self, timers: MembershipTimers) -> None:
        """Judge with ``timers`` from now on (a reload). A peer's dead interval stays what it
        advertises; one that has not advertised yet, and every ping node, take the new
        deadtime or deadping."""
        self.timers = timers
        for state in self.nodes.values():
            if state.kind == PING_NODE:
                state.dead_interval_ms = timers.deadping_ms
            elif state.name != self.local and state.last_status_at is None:
                state.dead_interval_ms = timers.deadtime_ms

    def set_ping_nodes(self, names: Iterable[str], now: float) -> None:
        """Make ``names`` the ping nodes (a reload): the others are forgotten, and a new one
        has its dead interval from ``now`` to answer, however long the node has run."""
        wanted = list(names)
        for gone in [n for n, s in self.nodes.items() if s.kind == PING_NODE and n not in wanted]:
            del self.nodes[gone]
        for name in wanted:
            if name not in self.nodes:
                self.nodes[name] = NodeState(
                    name, PING_NODE, INIT, self.timers.deadping_ms, last_heard=now
                )

    @property
    def comm_up(self) -> bool:
        """True once comm is up (:meth:`set_comm_up`): dead intervals are the nodes' own from
        then on, not ``initdead``."""
        return self._comm_up

    def set_comm_up(self) -> None:
        """Comm is up (heartbeat's ``Comm_now_up``); it stays up until the node restarts."""
        self._comm_up = True

    def start(self, now: float) -> None:
        """The node starts heartbeating at ``now``: no peer is declared dead before
        ``initdead`` has passed since then, and a node never heard counts as heard then."""
        self._started_at = now

    def knows(self, node: str) -> bool:
        """True when ``node`` is configured (normal or ping node)."""
        return node in self.nodes

    def set_local_status(self, status: str) -> None:
        """Record our own status (``up``, then ``active``)."""
        self.nodes[self.local].status = status

    def link_heard(self, node: str, link: str, now: float) -> list[MembershipEvent]:
        """An accepted or duplicate packet from ``node`` (ourselves included) arrived on medium
        ``link``: the link is up. The node's liveness does not move: a duplicate may be a
        replay, and our own copies heard back may have waited in a socket buffer while we
        were stalled."""
        state = self.nodes[node]
        path = state.links.get(link)
        if path is None or path.status == DEAD:
            state.links[link] = Link(UP, now)
            return [LinkChanged(node, link, UP)]
        path.last_heard = now
        return []

    def status_arrived(
        self, node: str, status: str, dead_interval_ms: int | None, now: float
    ) -> list[MembershipEvent]:
        """A new (not duplicate) status message from ``node`` was accepted.

        ``dead_interval_ms`` is its advertised ``dt``, when present (capped at
        ``MAX_PEER_DEAD_INTERVAL_MS`` or twice our deadtime). This is what keeps ``node``
        alive. Call :meth:`link_heard` for the same packet first.
        """
        state = self.nodes[node]
        events: list[MembershipEvent] = []
        previous_status_at = state.last_status_at
        heard_before = previous_status_at is not None
        if node != self.local:
            state.last_heard = now
        if dead_interval_ms is not None and dead_interval_ms > 0:
            cap = max(MAX_PEER_DEAD_INTERVAL_MS, 2 * self.timers.deadtime_ms)
            state.dead_interval_ms = min(dead_interval_ms, cap)
        if node != self.local and previous_status_at is not None:
            interval_ms = round((now - previous_status_at) * 1000)
            if interval_ms > self.timers.deadtime_ms:
                events.append(LateHeartbeat(node, interval_ms, beyond_deadtime=True))
                if state.status != DEAD:
                    state.last_status_at = now
                    events.append(self._declare_dead(state))
                    return events
            elif interval_ms > self.timers.warntime_ms:
                events.append(LateHeartbeat(node, interval_ms, beyond_deadtime=False))
        state.last_status_at = now
        if state.status == DEAD and node != self.local and heard_before:
            # Declared dead after we had heard it: it was cut off, not late to start.
            events.append(ReturnedAfterPartition(node))
        new_status = status.lower()
        if new_status != state.status:
            events.append(StatusChanged(node, new_status, state.status))
            state.status = new_status
        return events

    def heard_ourselves(self, dead_interval_ms: int | None, now: float) -> None:
        """Our own status went through our own processing path (looped back as it was sent):
        we are alive as of ``now``. ``dead_interval_ms`` is the ``dt`` it advertised, our own
        dead interval from then on (as heartbeat takes its own node's from its own status)."""
        state = self.nodes[self.local]
        state.last_heard = now
        if dead_interval_ms is not None and dead_interval_ms > 0:
            state.dead_interval_ms = dead_interval_ms
        self._local_silence_reported = False

    def node_restarted(self, node: str) -> None:
        """``node`` came back with a new generation: forget its status history (a restart is
        not a return after a partition)."""
        state = self.nodes[node]
        state.last_status_at = None
        if state.status == DEAD:
            state.status = INIT

    def ping_answered(self, node: str, link: str, now: float) -> list[MembershipEvent]:
        """A ping node answered: it is alive (status ``ping``)."""
        events = self.link_heard(node, link, now)
        state = self.nodes[node]
        state.last_heard = now
        if state.status != PING:
            events.append(StatusChanged(node, PING, state.status))
            state.status = PING
        return events

    def check_timeouts(self, now: float) -> list[MembershipEvent]:
        """Declare dead every link and node not heard from within its dead interval."""
        events: list[MembershipEvent] = []
        if not self._comm_up and now - self._started_at <= self.timers.initdead_ms / 1000:
            return events
        for state in self.nodes.values():
            if state.name == self.local:
                events.extend(self._check_ourselves(state, now))
                continue
            limit = self._dead_interval_s(state)
            for link_name, link in state.links.items():
                if link.status == UP and now - link.last_heard > limit:
                    link.status = DEAD
                    events.append(LinkChanged(state.name, link_name, DEAD))
            if state.status == DEAD:
                continue
            last = self._last_heard(state)
            if now - last > limit and now - self._started_at > self.timers.initdead_ms / 1000:
                events.append(self._declare_dead(state))
        return events

    def _check_ourselves(self, state: NodeState, now: float) -> list[MembershipEvent]:
        """Our own status not processed for our own dead interval: the peers have had as long
        to declare us dead. Reported once until we hear ourselves again; our status is kept,
        as heartbeat keeps it (the node restarts rather than lives on as dead)."""
        if self._local_silence_reported:
            return []
        if now - self._last_heard(state) <= self._dead_interval_s(state):
            return []
        self._local_silence_reported = True
        return [NodeDied(state.name, state.status)]

    def next_deadline(self, now: float) -> float:
        """The earliest time :meth:`check_timeouts` could declare something dead (at most
        ``MAX_SCAN_INTERVAL_S`` ahead before comm is up, so readiness is re-checked too)."""
        if self._comm_up:
            deadlines = [now + IDLE_SCAN_INTERVAL_S]
        else:
            deadlines = [now + MAX_SCAN_INTERVAL_S]
            deadlines.append(self._started_at + self.timers.initdead_ms / 1000)
        for state in self.nodes.values():
            limit = self._dead_interval_s(state)
            if state.name == self.local:
                if not self._local_silence_reported:
                    deadlines.append(self._last_heard(state) + limit)
                continue
            deadlines.extend(
                link.last_heard + limit for link in state.links.values() if link.status == UP
            )
            if state.status != DEAD:
                deadlines.append(self._last_heard(state) + limit)
        return max(now, min(deadlines)) + DEADLINE_SLACK_S

    def comm_ready(self) -> bool:
        """True when every node has been heard from or declared dead."""
        return all(
            state.last_heard is not None or state.status == DEAD or state.name == self.local
            for state in self.nodes.values()
        )

    def live_peers(self) -> list[str]:
        """Normal peers heard from and not dead, in table order."""
        return [
            state.name
            for state in self.nodes.values()
            if state.kind == NORMAL
            and state.name != self.local
            and state.last_heard is not None
            and state.status != DEAD
        ]

    def answering_ping_nodes(self) -> int:
        """How many ping nodes answer (status ``ping``)."""
        return sum(
            1 for state in self.nodes.values() if state.kind == PING_NODE and state.status == PING
        )

    def _last_heard(self, state: NodeState) -> float:
        return state.last_heard if state.last_heard is not None else self._started_at

    def _dead_interval_s(self, state: NodeState) -> float:
        interval_ms = state.dead_interval_ms if self._comm_up else self.timers.initdead_ms
        return interval_ms / 1000

    def _declare_dead(self, state: NodeState) -> NodeDied:
        previous = state.status
        state.status = DEAD
        return NodeDied(state.name, previous)
