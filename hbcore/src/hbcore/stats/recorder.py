"""The statistics of one node: the one object the node's parts tell what happened.

Each part calls one method where it already handles the thing counted, and nothing here
decides or sends: the peer session calls :meth:`Statistics.link_heard` for every packet
accepted on a link (O(1): two dict lookups and :meth:`LinkFigures.heard`) and the gap methods
when its numbering shows holes; the node hands over membership's events
(:meth:`membership_events`) and the resource messages of the decisions
(:meth:`policy_message`); the resources' executor reports each group's progress
(:meth:`group_starting` ... :meth:`group_released`, :class:`~hbcore.resources.executor.Progress`).
Cluster events go to the :class:`EventHistory` (memory, listeners) and the
:class:`EventJournal` (disk, off the loop). Read it through :mod:`hbcore.stats.view`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from hbcore.membership.events import (
    LateHeartbeat,
    LinkChanged,
    MembershipEvent,
    NodeDied,
    ReturnedAfterPartition,
    StatusChanged,
)
from hbcore.membership.table import ACTIVE, DEAD, INIT, NORMAL, PING, UP, Membership
from hbcore.stats.events import Detail, Event
from hbcore.stats.groups import GroupFigures
from hbcore.stats.history import KEPT_EVENTS, EventHistory
from hbcore.stats.journal import EventJournal, read_events, report_warnings
from hbcore.stats.link import LinkFigures
from hbcore.stats.nodes import NodeFigures
from hbcore.stats.timeline import Death, Timeline
from hbcore.wire.sequence import Arrival, ArrivalReport

if TYPE_CHECKING:
    from hbcore.resources.groups import Group
    from hbcore.wire import Message

ALIVE = frozenset({UP, ACTIVE, PING})
POLICY_MESSAGES = frozenset({"ask_resources", "shutdone"})
"""The resource messages handovers and clean shutdowns are measured from."""
OPERATOR_WINDOW_S = 5.0
"""A standby request from our own node within this time of ``hb standby`` is the operator's;
otherwise giving ``foreign`` groups away is auto failback."""


class Statistics:
    """The counters and cluster events of the node whose node table is ``membership``.

    ``journal`` keeps events on disk (None: memory only); ``clock`` is the wall clock events
    are stamped with. Used on the node's loop.
    """

    def __init__(
        self,
        membership: Membership,
        journal: EventJournal | None = None,
        history_limit: int = KEPT_EVENTS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.membership = membership
        self.me = membership.local
        self.journal = journal
        self.history = EventHistory(history_limit)
        self.links: dict[str, dict[str, LinkFigures]] = {}
        self.nodes: dict[str, NodeFigures] = {}
        self.groups: dict[str, GroupFigures] = {}
        self.timeline = Timeline()
        self._clock = clock
        self._operator_asked: float | None = None

    # ------------------------------------------------------------------ the data path

    def link_heard(
        self,
        node: str,
        medium: str,
        now: float,
        message_type: str | None = None,
        generation: int | None = None,
        seq: int | None = None,
    ) -> None:
        """A packet from ``node`` (configured) was accepted on ``medium`` at monotonic
        ``now``: a message of type ``message_type``, numbered ``seq`` in ``generation`` when
        sequenced. See :meth:`LinkFigures.heard`."""
        by_medium = self.links.get(node)
        if by_medium is None:
            by_medium = self.links[node] = {}
        figures = by_medium.get(medium)
        if figures is None:
            figures = by_medium[medium] = LinkFigures()
        warntime_s = self.membership.timers.warntime_ms / 1000
        figures.heard(now, message_type == "status", warntime_s, generation, seq)

    def link(self, node: str, medium: str) -> LinkFigures:
        """The figures of link (``node``, ``medium``), created on first use."""
        return self.links.setdefault(node, {}).setdefault(medium, LinkFigures())

    def node(self, name: str) -> NodeFigures:
        """The figures of node ``name`` (created on first use: callers pass configured
        names only)."""
        figures = self.nodes.get(name)
        if figures is None:
            figures = self.nodes[name] = NodeFigures()
        return figures

    def arrival(self, node: str, report: ArrivalReport) -> None:
        """How a sequenced message of ``node`` fitted its numbering: numbers found missing
        (``AHEAD``: retransmission will be asked for) or one of them arriving after all."""
        if report.arrival is Arrival.AHEAD:
            self.node(node).lost += len(report.lost)
        elif report.arrival is Arrival.FILLS_GAP:
            self.node(node).rexmit_received += 1

    def message(self, kind: str, node: str, message: Message) -> None:
        """A message the node delivers (ours looped back too): retransmission requests we
        send and refusals we get are counted, resource messages measured
        (:meth:`policy_message`)."""
        if kind == "status":
            return
        if kind == "NS_rexmit" and node == self.me:
            asked = (message.get("dest") or "").lower()
            if self.membership.knows(asked):
                self.node(asked).rexmit_asked += 1
        elif kind == "NS_nak_rexmit" and node != self.me:
            self.node(node).irretrievable += 1
        elif kind in POLICY_MESSAGES:
            self.policy_message(kind, node, message)

    # ------------------------------------------------------------------ membership

    def membership_events(self, events: Sequence[MembershipEvent]) -> None:
        """Count and record what membership reported (before the node acts on it, so that a
        takeover is measured from the detection)."""
        now = time.monotonic()
        late_ms: dict[str, int] = {}
        for event in events:
            if isinstance(event, LinkChanged):
                if event.status == DEAD:
                    self.link(event.node, event.link).went_dead()
                kind = "link_dead" if event.status == DEAD else "link_up"
                self.emit(kind, event.message, node=event.node, link=event.link)
            elif isinstance(event, StatusChanged):
                self._status_changed(event.node, event.status, event.previous, event.message)
            elif isinstance(event, NodeDied):
                self._died(event, now, late_ms.get(event.node))
            elif isinstance(event, LateHeartbeat):
                self._late(event, late_ms)
            elif isinstance(event, ReturnedAfterPartition):
                self.emit("partition_healed", event.message, node=event.node)

    def local_status(self, status: str, previous: str) -> None:
        """Our own node's status changes (``up`` once started, ``active`` once comm is up)."""
        self._status_changed(self.me, status, previous, f"Local status now set to: '{status}'")

    def _status_changed(self, node: str, status: str, previous: str, message: str) -> None:
        self.node(node).changed(self._clock(), status, previous)
        up = status in ALIVE and previous not in ALIVE
        if up:
            self.timeline.node_back(node)
        details: dict[str, Detail] = {"status": status, "previous": previous}
        self.emit("node_up" if up else "node_status", message, node=node, details=details)

    def _died(self, event: NodeDied, now: float, late_ms: int | None) -> None:
        figures = self.node(event.node)
        figures.deaths += 1
        figures.changed(self._clock(), DEAD, event.previous)
        silence = self._silence(event.node, now, late_ms)
        durations = {} if silence is None else {"silence_ms": round(silence * 1000, 1)}
        self.emit(
            "node_dead",
            event.message,
            node=event.node,
            durations=durations,
            details={"previous": event.previous},
        )
        state = self.membership.nodes.get(event.node)
        if (
            event.node != self.me
            and state is not None
            and state.kind == NORMAL
            and event.previous not in (INIT, DEAD)
        ):
            self.timeline.node_died(Death(event.node, now, silence, "dead"))

    def _silence(self, node: str, now: float, late_ms: int | None) -> float | None:
        """How long ``node`` had not been heard when declared dead at ``now``: the late
        interval when a status came far too late, else since it was last heard."""
        if late_ms is not None:
            return late_ms / 1000
        state = self.membership.nodes.get(node)
        if state is None or state.last_heard is None:
            return None
        return now - state.last_heard

    def _late(self, event: LateHeartbeat, late_ms: dict[str, int]) -> None:
        figures = self.node(event.node)
        if not event.beyond_deadtime:
            figures.late += 1
            return
        figures.late_beyond_deadtime += 1
        late_ms[event.node] = event.interval_ms
        self.emit(
            "late_heartbeat",
            event.message,
            node=event.node,
            durations={"interval_ms": float(event.interval_ms)},
        )

    # ------------------------------------------------------------------ decisions

    def standby_requested(self) -> None:
        """The operator asked this node to go standby (``hb standby``, the control socket)."""
        self._operator_asked = time.monotonic()

    def policy_message(self, kind: str, node: str, message: Message) -> None:
        """A resource message the decisions are about to handle (ours looped back too):
        handovers and clean shutdowns are measured from them."""
        now = time.monotonic()
        if kind == "shutdone" and node != self.me:
            self.timeline.node_died(Death(node, now, None, "shutdone"))
        if kind != "ask_resources":
            return
        info, hold = message.get("info"), (message.get("rsc_hold") or "all").lower()
        if info == "me":
            self.timeline.asked(node, hold, self._handover_kind(node, hold, now), now)
        elif info == "done":
            done = self.timeline.done(node, now)
            if done is not None:
                handover = done.handover
                self.emit(
                    handover.kind,
                    f"{done.taker} holds the {handover.hold} resources of {handover.giver}",
                    node=handover.giver,
                    durations=done.durations_ms,
                    details={"giver": handover.giver, "taker": done.taker, "hold": handover.hold},
                )

    def _handover_kind(self, giver: str, hold: str, now: float) -> str:
        operator = (
            giver == self.me
            and self._operator_asked is not None
            and now - self._operator_asked < OPERATOR_WINDOW_S
        )
        return "failback" if hold == "foreign" and not operator else "standby"

    # ------------------------------------------------------------------ resources

    def group(self, key: str) -> GroupFigures:
        """The figures of group ``key`` (created on first use)."""
        figures = self.groups.get(key)
        if figures is None:
            figures = self.groups[key] = GroupFigures(key)
        return figures

    def group_starting(self, group: Group) -> None:
        """The executor begins to acquire ``group``."""
        self.group(group.key).starting(time.monotonic(), self._clock())

    def resource_started(self, group: Group) -> None:
        """One resource of ``group`` was started."""
        self.group(group.key).resource_started(time.monotonic())

    def group_acquired(self, group: Group) -> None:
        """``group`` runs here: a takeover when a peer's death is in progress."""
        now = time.monotonic()
        action = self.group(group.key).acquired(now, self._clock())
        death = self.timeline.takeover()
        durations: dict[str, float] = {}
        if action is not None and action.duration_s is not None:
            durations["duration_ms"] = round(action.duration_s * 1000, 1)
        if death is None:
            self.emit("acquired", f"acquired {group.line}", group=group.key, durations=durations)
            return
        first = None
        if action is not None and action.first_start_s is not None:
            first = action.begun + action.first_start_s
        durations |= self.timeline.takeover_durations(death, first, now)
        self.emit(
            "takeover",
            f"took over {group.line} from {death.node}",
            node=death.node,
            group=group.key,
            durations=durations,
            details={"cause": death.cause},
        )

    def group_failed(self, group: Group) -> None:
        """``group`` failed to start and was given up."""
        self.group(group.key).failed(self._clock())
        self.emit("acquire_failed", f"could not acquire {group.line}", group=group.key)

    def group_stopping(self, group: Group) -> None:
        """The executor begins to release ``group``."""
        self.group(group.key).stopping(time.monotonic(), self._clock())

    def group_released(self, group: Group) -> None:
        """``group`` is stopped here."""
        action = self.group(group.key).released(time.monotonic(), self._clock())
        durations = {}
        if action is not None and action.duration_s is not None:
            durations["duration_ms"] = round(action.duration_s * 1000, 1)
        self.emit("released", f"released {group.line}", group=group.key, durations=durations)

    # ------------------------------------------------------------------ the node's life

    def reloaded(self, accepted: bool, applied: Sequence[str], problems: Sequence[str]) -> None:
        """A reload ended (see :class:`hbcore.node.reloader.Outcome`)."""
        summary = "; ".join(applied if accepted else problems)[:400]
        self.emit(
            "reload",
            f"reload {'accepted' if accepted else 'refused'}: {summary or 'nothing changed'}",
            details={"accepted": accepted},
        )

    async def keep_journal(self) -> None:
        """Write events to the events file as they come, until cancelled (the node runs this
        as its ``events journal`` task)."""
        if self.journal is not None:
            await self.journal.run()

    async def close(self) -> None:
        """Write what is still queued (the node stops)."""
        if self.journal is not None:
            await self.journal.flush()

    async def restore(self) -> None:
        """Read the events file back (in a worker thread) into the history."""
        if self.journal is None:
            return
        loaded = await asyncio.to_thread(
            read_events, self.journal.path, self.history.limit, self.journal.max_bytes
        )
        report_warnings(loaded.warnings)
        self.history.restore(loaded.events)

    def emit(
        self,
        kind: str,
        message: str | None = None,
        *,
        node: str | None = None,
        link: str | None = None,
        group: str | None = None,
        durations: dict[str, float] | None = None,
        details: dict[str, Detail] | None = None,
    ) -> Event:
        """Record a cluster event now: in the history, and queued for the events file."""
        event = Event(
            self._clock(), kind, node, link, group, message, durations or {}, details or {}
        )
        self.history.add(event)
        if self.journal is not None:
            self.journal.append(event)
        return event
