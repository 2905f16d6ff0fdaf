"""The node: heartbeat's master control process as one asyncio loop, and its lifecycle.

A packet reads in one direction through the node's parts: medium ->
:class:`~hbcore.node.session.PeerSession` (decode, authenticate, sequence, acknowledge,
retransmit) -> :meth:`Node._dispatch` (a status to membership, the node-list handshake, policy
messages to the decisions, any other type to the rc.d hooks) -> membership events ->
:class:`~hbcore.node.reactions.Reactions` (logged, then handed to the session, the decisions
and the plugins) -> :class:`~hbcore.decisions.cluster.ClusterDecisions` -> resources.

This module builds those parts and keeps what is the node's own: starting (media, identity,
monitors), the heartbeat it sends, reloads applied in place, and stopping, for good or to
restart. Comm up (:mod:`~hbcore.node.comm_up`) and the timeout scan that has membership declare
deaths (:mod:`~hbcore.node.scan`) are parts of their own.

Time comes from the monotonic clock. Heartbeats are sent from their own task on a fixed
schedule, and nothing slow ever runs on the loop, so a heartbeat never waits. No packet can
stop the node (see the session), and a timeout scan that raises is logged and runs again.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Coroutine, Sequence
from dataclasses import replace
from typing import Any

import structlog
from hb_hookspecs import HealthMonitor, Medium, Observation

from hbcore.config.timers import Timers
from hbcore.decisions.binding import ResourceBinding
from hbcore.decisions.cluster import MESSAGES as DECIDED_MESSAGES
from hbcore.decisions.cluster import ClusterDecisions
from hbcore.decisions.holders import group_holders
from hbcore.hooks import Hooks
from hbcore.membership.events import MembershipEvent
from hbcore.membership.table import ACTIVE, INIT, UP, Membership, MembershipTimers
from hbcore.node.comm_up import CommUp
from hbcore.node.drops import DropCounter
from hbcore.node.media import start_media, stop_media
from hbcore.node.monitoring import Monitoring
from hbcore.node.quiet_log import QuietLog
from hbcore.node.rc_hooks import RcHooks
from hbcore.node.reactions import Reactions
from hbcore.node.respawn import Respawner
from hbcore.node.scan import TimeoutScan
from hbcore.node.session import SESSION_MESSAGES, Peer, PeerSession
from hbcore.node.settings import NodeSettings
from hbcore.state.generation import next_generation
from hbcore.state.node_uuid import load_or_create_uuid
from hbcore.stats.journal import EventJournal, events_path
from hbcore.stats.recorder import Statistics
from hbcore.stats.view import StatisticsView
from hbcore.tasks import Background
from hbcore.wire import Keyring, Message
from hbcore.wire.header import SenderIdentity
from hbcore.wire.numbers import hex_u64

log = structlog.get_logger("hb.node")

STARTUP_DEADTIME_BONUS_MS = 2000
"""At start-up a node advertises deadtime + 2 s ..."""
STARTUP_BONUS_S = 5.0
"""... for its first 5 s."""
PARTITION_RESTART_DELAY_S = 2.0
NODE_MESSAGES = frozenset({"status", "NS_st", "reqnodes", "repnodes", "stonith"})
NATIVE_MESSAGES = DECIDED_MESSAGES | SESSION_MESSAGES | NODE_MESSAGES
"""Types hb handles (or, like ``stonith``, only notes) itself: no rc.d hook runs for them."""


class Node:
    """One cluster node. Build it, then ``await run(stopping)``."""

    def __init__(
        self,
        settings: NodeSettings,
        keyring: Keyring,
        media: Sequence[Medium],
        hooks: Hooks | None = None,
        resources: ResourceBinding | None = None,
        rc_hooks: RcHooks | None = None,
        monitors: Sequence[HealthMonitor] = (),
        clients: Respawner | None = None,
    ) -> None:
        self.settings = settings
        self.media = list(media)
        self.hooks = hooks
        timers = settings.timers
        self.membership = Membership(
            settings.name,
            settings.nodes,
            settings.ping_nodes,
            MembershipTimers(timers.warntime, timers.deadtime, timers.initdead, timers.deadping),
            started_at=time.monotonic(),
        )
        self.local_status = INIT
        self.generation = 0
        self.started_at = time.monotonic()
        self.restart_requested = False
        self.rc_hooks = rc_hooks
        self.monitoring = Monitoring(monitors, self._observe)
        self.clients = clients
        self._stopping: asyncio.Event | None = None
        self._tasks = Background(log)
        self.quiet = QuietLog()
        self.stats = Statistics(
            self.membership, EventJournal(events_path(settings.paths.state_dir))
        )
        if resources is not None:
            resources = replace(resources, progress=self.stats)
        self.session = PeerSession(
            self.membership,
            keyring,
            settings.max_rexmit_delay_ms,
            self._tasks,
            self.quiet,
            deliver=self._dispatch,
            react=self._react,
            peer_restarted=self._answer_restart,
            stats=self.stats,
        )
        self.decisions = ClusterDecisions.build(
            self.membership,
            resources,
            self.session.send,
            ipfail=settings.ipfail,
            keepalive_s=timers.keepalive / 1000,
            auto_failback=settings.auto_failback,
            shutting_down=self._shutting_down,
            restart=lambda: self._spawn(self._restart_after_partition(), "restart after partition"),
        )
        self.reactions = Reactions(
            self.session, self.decisions, hooks, self._restart_without_local_heartbeat
        )
        self.comm_up = CommUp(
            self.membership,
            self.session,
            self._tasks,
            settings.nodes,
            ready=lambda: self.local_status == UP,
            now_up=self._comm_now_up,
        )
        self.scan = TimeoutScan(self.membership, self._react, self.comm_up.check, self.quiet)
        self.resources = self.decisions.resources
        self.resource_monitor = None if resources is None else resources.monitor
        self.ipfail = self.decisions.ipfail

    @property
    def keyring(self) -> Keyring:
        """The keys the node signs and verifies with (:meth:`apply_keyring` changes them)."""
        return self.session.keyring

    @property
    def peers(self) -> dict[str, Peer]:
        """The session's state of each node (sequence numbers, uuid, acknowledgements)."""
        return self.session.peers

    @property
    def drops(self) -> DropCounter:
        """The packets dropped, by reason, medium and node (``hb status --json``)."""
        return self.quiet.drops

    @drops.setter
    def drops(self, counter: DropCounter) -> None:
        self.quiet.drops = counter

    def _react(self, events: Sequence[MembershipEvent]) -> None:
        """Membership's events: counted (before any takeover they cause), then acted on."""
        if events:
            self.stats.membership_events(events)
            self.reactions.react(events)

    def packet_arrived(self, medium: str, packet: bytes) -> None:
        """A medium delivered ``packet``: see :meth:`PeerSession.packet_arrived`. Never
        raises."""
        self.session.packet_arrived(medium, packet)

    # ------------------------------------------------------------------ lifecycle

    async def run(self, stopping: asyncio.Event) -> None:
        """Start the media, heartbeat until ``stopping`` is set, then shut down cleanly.

        :raises ~hbcore.node.media.MediumFailed: when a medium cannot start; nothing runs
            then and the generation is unchanged, since the media start before the node
            takes its identity (a packet that arrives meanwhile is dropped: the node has no
            identity yet to answer with).

        After a partition heals, or when the node finds it was stalled past its dead interval
        ("No local heartbeat"), it stops itself the same way and sets ``restart_requested``:
        its runner starts it again with a new generation.
        """
        self._stopping = stopping
        await self.stats.restore()
        if self.hooks is not None:
            view = StatisticsView(self.stats, self.drops, lambda: group_holders(self.resources))
            self.hooks.statistics_ready(view)
        await start_media(self.media, self.session.packet_arrived)
        try:
            self._start_identity()
            self._spawn(self.stats.keep_journal(), "events journal")
            await self.monitoring.start()
            self.started_at = time.monotonic()
            self.membership.start(self.started_at)
            await self._send_status()
            self._set_local_status(UP)
            self._spawn(self._heartbeat_forever(), "heartbeat")
            self.scan.start(self.settings.timers.keepalive / 1000)
            await stopping.wait()
            await self._shut_down()
        finally:
            await self.monitoring.stop()
            await self._stop_everything()

    def _start_identity(self) -> None:
        paths = self.settings.paths
        generation = next_generation(paths.generation_file, self.settings.generation_method)
        if not generation.had_previous:
            log.warning(f"No Previous generation - starting at {generation.value}")
        log.info(f"Heartbeat generation: {generation.value}")
        self.stats.emit(
            "start", f"Heartbeat generation: {generation.value}", node=self.settings.name
        )
        uuid, created = load_or_create_uuid(paths.uuid_file)
        if created:
            log.info("No uuid found for current node - generating a new uuid.")
        self.generation = generation.value
        identity = SenderIdentity(self.settings.name, uuid, generation.value, self.settings.ttl)
        self.session.start(identity, self.media)

    def _observe(self, observation: Observation) -> None:
        """A monitor saw something: a ping node that answers is alive (status ``ping``)."""
        subject = observation.subject
        if observation.alive and self.membership.knows(subject):
            now = time.monotonic()
            self._react(self.membership.ping_answered(subject, subject, now))

    async def _stop_everything(self) -> None:
        """Stop every timer and task of the node, then its media."""
        self.session.stop()
        if self.rc_hooks is not None:
            self.rc_hooks.stop()
        self.scan.stop()
        self.quiet.stop()
        if self.resource_monitor is not None:
            self.resource_monitor.stop()
        self._tasks.cancel()
        await self.stats.close()
        await stop_media(self.media)

    async def _shut_down(self) -> None:
        log.info(f"Heartbeat shutdown in progress. ({os.getpid()})")
        await self.monitoring.stop()
        await self.decisions.give_up_all()
        await self.session.send(Message.of(("t", "shutdone"), ("st", "dead")))
        if self.clients is not None:
            await self.clients.stop_all()
        log.info(f"{self.settings.name} Heartbeat shutdown complete.")
        self.stats.emit("stop", "Heartbeat shutdown complete.", node=self.settings.name)

    def _spawn(self, work: Coroutine[Any, Any, None], name: str) -> None:
        """Run ``work`` as a task named ``name``: its failure is logged (rate-limited by name)
        and stopping the node cancels it (:class:`hbcore.tasks.Background`)."""
        self._tasks.start(work, name)

    # ------------------------------------------------------------------ restarting

    async def _restart_after_partition(self) -> None:
        """Both sides of a healed partition may hold the same groups: like heartbeat, tell the
        peer our status, and 2 s later give everything up and restart, so a fresh negotiation
        decides who owns what."""
        if self.restart_requested:
            return
        self.restart_requested = True
        await self._send_status()
        await asyncio.sleep(PARTITION_RESTART_DELAY_S)
        if self._stopping is not None:
            self._stopping.set()

    def _restart_without_local_heartbeat(self) -> None:
        """We did not hear ourselves for our dead interval: this process was stalled (stopped,
        starved) long enough for the peers to declare us dead and take our groups. Like
        heartbeat, give everything up and restart at once, so whoever took over owns alone;
        during a shutdown only say so."""
        log.error("No local heartbeat. Forcing restart.")
        if self._stopping is None or self._shutting_down():
            return
        self.restart_requested = True
        self._stopping.set()

    def _shutting_down(self) -> bool:
        return self._stopping is not None and self._stopping.is_set()

    # ------------------------------------------------------------------ reload

    def apply_timers(self, timers: Timers) -> None:
        """Run with ``timers`` from now on (a reload): the next heartbeat, the ``dt`` we
        advertise and our judgement of lateness and death. ``initdead`` stays the start's:
        it only matters while starting, and raising it later would hold back deaths."""
        timers = replace(timers, initdead=self.settings.timers.initdead)
        self.settings = replace(self.settings, timers=timers)
        self.membership.set_timers(
            MembershipTimers(timers.warntime, timers.deadtime, timers.initdead, timers.deadping)
        )
        self.scan.rescan()

    def apply_keyring(self, keyring: Keyring) -> None:
        """Sign with ``keyring`` from the next packet on, and verify with it."""
        self.session.set_keyring(keyring)

    def apply_ping_nodes(self, ping_nodes: tuple[str, ...]) -> None:
        """Make ``ping_nodes`` the ping nodes (a reload); the ``ttl`` we send counts them."""
        self.settings = replace(self.settings, ping_nodes=ping_nodes)
        self.membership.set_ping_nodes(ping_nodes, time.monotonic())
        self.session.nodes_changed(self.settings.ttl)

    async def replace_monitors(
        self, old: Sequence[HealthMonitor], new: Sequence[HealthMonitor]
    ) -> None:
        """Stop the monitors ``old`` and start ``new`` in their place (a reload)."""
        await self.monitoring.replace(old, new)

    # ------------------------------------------------------------------ our heartbeat

    async def _heartbeat_forever(self) -> None:
        """Send our status every keepalive, on a schedule that does not drift (a keepalive
        changed by a reload counts from the next one)."""
        loop = asyncio.get_running_loop()
        next_at = loop.time() + self.settings.timers.keepalive / 1000
        while True:
            await asyncio.sleep(max(0.0, next_at - loop.time()))
            await self._send_status()
            interval = self.settings.timers.keepalive / 1000
            next_at += interval
            if next_at < loop.time():
                next_at = loop.time() + interval

    async def _send_status(self) -> None:
        deadtime = self.settings.timers.deadtime
        if time.monotonic() - self.started_at < STARTUP_BONUS_S:
            deadtime += STARTUP_DEADTIME_BONUS_MS
        await self.session.send(
            Message.of(
                ("t", "status"),
                ("st", self.local_status),
                ("dt", format(deadtime, "x")),
                ("protocol", "1"),
            )
        )

    def _set_local_status(self, status: str) -> None:
        self.stats.local_status(status, self.local_status)
        self.local_status = status
        self.membership.set_local_status(status)
        log.info(f"Local status now set to: '{status}'")
        self._spawn(self._send_status(), "send status")

    def _answer_restart(self, node: str) -> None:
        """A peer restarted: answer at once rather than at our next keepalive, since it cannot
        come up before it has heard us (an extra status is harmless to heartbeat)."""
        self._spawn(self._send_status(), "send status")

    # ------------------------------------------------------------------ messages

    def _dispatch(self, message_type: str, node: str, message: Message) -> None:
        """A message the session accepted, addressed to us (ours too, looped back)."""
        self.stats.message(message_type, node, message)
        if message_type == "status":
            self._on_status(node, message)
        elif message_type == "reqnodes":
            self.comm_up.node_list_asked(node)
        elif message_type == "repnodes":
            self.comm_up.node_list_answered(node)
        elif message_type in DECIDED_MESSAGES:
            self.decisions.message(message_type, node, message)
        elif message_type not in NATIVE_MESSAGES and self.rc_hooks is not None:
            self.rc_hooks.message(message_type, message)
        self.comm_up.check()

    def _on_status(self, node: str, message: Message) -> None:
        # heartbeat ignores a dt it cannot read; membership caps one it can.
        dead_interval_ms = hex_u64(message.get("dt"))
        if node == self.settings.name:
            # Looped back as it was sent: heartbeat's proof that its own loop still runs.
            self.membership.heard_ourselves(dead_interval_ms, time.monotonic())
            return
        if message.get("protocol") is None:
            self.session.disable_flow_control()
        status = message.get("st") or ""
        self._react(
            self.membership.status_arrived(node, status, dead_interval_ms, time.monotonic())
        )

    def _comm_now_up(self) -> None:
        """Comm is up: we are active, and the decisions and the respawned clients start."""
        self._set_local_status(ACTIVE)
        self.decisions.comm_up(self.membership.live_peers())
        if self.clients is not None:
            self.clients.start_all()
