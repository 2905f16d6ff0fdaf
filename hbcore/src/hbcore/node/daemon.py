"""The node: heartbeat's master control process as one asyncio loop.

Read top to bottom, a packet goes: medium -> :meth:`Node.packet_arrived` (decode and
authenticate) -> :meth:`Node._accept` (header checks, sequence tracking, link status) ->
:meth:`Node._dispatch` (status, retransmission, ACKs, the node-list handshake) -> membership
events, logged with heartbeat's texts and handed to plugins.

Hostile input is normal input. A packet that is refused at any step is dropped, counted by
reason (:mod:`hbcore.node.drops`) and logged rate-limited; one that makes any step raise is
dropped the same way ("handler error"), so no packet can stop the node, a timer or a task.

Time comes from the monotonic clock. Heartbeats are sent from their own task on a fixed
schedule, and nothing slow ever runs on the loop, so a heartbeat never waits.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from collections import OrderedDict
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import structlog
from hb_hookspecs import HealthMonitor, Medium, Observation

from hbcore.config.timers import Timers
from hbcore.decisions.binding import ResourceBinding
from hbcore.decisions.cluster import MESSAGES as DECIDED_MESSAGES
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
from hbcore.membership.table import (
    ACTIVE,
    INIT,
    UP,
    Membership,
    MembershipTimers,
)
from hbcore.node import drops, rexmit
from hbcore.node.drops import DropCounter
from hbcore.node.outbound import Outbound
from hbcore.node.rc_hooks import RcHooks
from hbcore.node.respawn import Respawner
from hbcore.node.settings import NodeSettings
from hbcore.node.throttle import Throttle
from hbcore.state.generation import next_generation
from hbcore.state.node_uuid import load_or_create_uuid
from hbcore.tasks import Background
from hbcore.wire import Decoded, Keyring, Message, decode
from hbcore.wire.header import SenderIdentity, is_unsequenced
from hbcore.wire.numbers import dec_u64, hex_u64
from hbcore.wire.sequence import Arrival, ArrivalReport, PeerSequence

log = structlog.get_logger("hb.node")

STARTUP_DEADTIME_BONUS_MS = 2000
"""At start-up a node advertises deadtime + 2 s ..."""
STARTUP_BONUS_S = 5.0
"""... for its first 5 s."""
REQNODES_RETRY_S = 1.0
PARTITION_RESTART_DELAY_S = 2.0
RECENTLY_DECODED = 8
SCAN_FLOOR_S = 0.005
"""The timeout scan never runs more often than this."""
SCAN_RETRY_S = 0.25
"""After a timeout scan that failed, the next one comes this soon (heartbeat's poll)."""
ERROR_TEXT_LIMIT = 200
"""An exception's text is cut to this many characters in a log line: it may quote a field."""
NATIVE_MESSAGES = DECIDED_MESSAGES | {
    "status",
    "NS_rexmit",
    "NS_nak_rexmit",
    "NS_ackmsg",
    "NS_st",
    "reqnodes",
    "repnodes",
    "stonith",
}
"""Types hb handles (or, like ``stonith``, only notes) itself: no rc.d hook runs for them."""


def _short(error: BaseException) -> str:
    """``error`` for a log line: its type and its text, cut to ``ERROR_TEXT_LIMIT``."""
    text = f"{type(error).__name__}: {error}"
    return text if len(text) <= ERROR_TEXT_LIMIT else text[:ERROR_TEXT_LIMIT] + "..."


class MediumFailed(Exception):
    """A medium could not start, so the node did not: the media started before it are stopped
    again and the generation is not bumped. ``medium`` is the one that failed."""

    def __init__(self, medium: Medium, error: OSError) -> None:
        super().__init__(f"{medium.name}: {error}")
        self.medium = medium
        self.error = error


@dataclass
class Peer:
    """Per-peer protocol state kept by the node (membership keeps liveness)."""

    sequence: PeerSequence = field(default_factory=PeerSequence)
    uuid: bytes | None = None
    ack_trigger: int = field(default_factory=lambda: random.randrange(10))
    acked_up_to: int = 0


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
        self.keyring = keyring
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
        self.peers: dict[str, Peer] = {name: Peer() for name in self.membership.nodes}
        self.local_status = INIT
        self.generation = 0
        self.flow_control = True
        self.started_at = time.monotonic()
        self._outbound: Outbound | None = None
        self._stopping: asyncio.Event | None = None
        self.rc_hooks = rc_hooks
        self.monitors = list(monitors)
        self.clients = clients
        self._monitoring: list[HealthMonitor] = []
        self._recently_decoded: OrderedDict[bytes, Message] = OrderedDict()
        self.restart_requested = False
        self.decisions = ClusterDecisions.build(
            self.membership,
            resources,
            self._send,
            ipfail=settings.ipfail,
            keepalive_s=timers.keepalive / 1000,
            auto_failback=settings.auto_failback,
            shutting_down=self._shutting_down,
            restart=lambda: self._spawn(self._restart_after_partition(), "restart after partition"),
        )
        self.resources = self.decisions.resources
        self.ipfail = self.decisions.ipfail
        self._reqnodes_target: str | None = None
        self._tasks = Background(log)
        self._scan: asyncio.TimerHandle | None = None
        self.drops = DropCounter()
        self._repeats: Throttle[str] = Throttle()
        """Rate-limits the log lines a peer (or a bug) could repeat at will, by kind: failing
        timers and tasks, retransmissions refused and lost, gaps in a peer's numbering."""
        self._flush: asyncio.TimerHandle | None = None
        self._requester = rexmit.Requester(
            settings.max_rexmit_delay_ms, self._request_rexmit, self._still_missing
        )

    # ------------------------------------------------------------------ lifecycle

    async def run(self, stopping: asyncio.Event) -> None:
        """Start the media, heartbeat until ``stopping`` is set, then shut down cleanly.

        :raises MediumFailed: when a medium cannot start; nothing runs then and the generation
            is unchanged, since the media start before the node takes its identity.

        After a partition heals, or when the node finds it was stalled past its dead interval
        ("No local heartbeat"), it stops itself the same way and sets ``restart_requested``:
        its runner starts it again with a new generation.
        """
        self._stopping = stopping
        await self._start_media()
        try:
            self._start_identity()
            await self._start_monitors()
            self.started_at = time.monotonic()
            self.membership.start(self.started_at)
            await self._send_status()
            self._set_local_status(UP)
            self._spawn(self._heartbeat_forever(), "heartbeat")
            self._schedule_scan(self.settings.timers.keepalive / 1000)
            await stopping.wait()
            await self._shut_down()
        finally:
            await self._stop_monitors()
            await self._stop_media()

    def _start_identity(self) -> None:
        paths = self.settings.paths
        generation = next_generation(paths.generation_file, self.settings.generation_method)
        if not generation.had_previous:
            log.warning(f"No Previous generation - starting at {generation.value}")
        log.info(f"Heartbeat generation: {generation.value}")
        uuid, created = load_or_create_uuid(paths.uuid_file)
        if created:
            log.info("No uuid found for current node - generating a new uuid.")
        self.generation = generation.value
        self.peers[self.settings.name].uuid = uuid
        identity = SenderIdentity(self.settings.name, uuid, generation.value, self.settings.ttl)
        self._outbound = Outbound(identity, self.keyring, self.media, self._loopback)

    async def _start_media(self) -> None:
        """Start every medium, or none: a node blind on one of its paths does not run."""
        started: list[Medium] = []
        for medium in self.media:
            try:
                await medium.start(self._deliverer(medium.name))
            except OSError as error:
                for running in reversed(started):
                    await running.stop()
                raise MediumFailed(medium, error) from error
            log.info(f"{medium.describe()} started", medium=medium.name)
            started.append(medium)

    async def _start_monitors(self, monitors: Sequence[HealthMonitor] | None = None) -> None:
        """Start every health monitor (or ``monitors``); one that cannot start is logged, as
        heartbeat logs a watchdog it cannot open, and the node runs on."""
        for monitor in self.monitors if monitors is None else monitors:
            try:
                await monitor.start(self._observe)
            except OSError as error:
                log.error(f"health monitor {monitor.name} not started: {error}")
                continue
            self._monitoring.append(monitor)

    async def _stop_monitors(self) -> None:
        while self._monitoring:
            await self._monitoring.pop().stop()

    def _observe(self, observation: Observation) -> None:
        """A monitor saw something: a ping node that answers is alive (status ``ping``)."""
        subject = observation.subject
        if observation.alive and self.membership.knows(subject):
            now = time.monotonic()
            self._note_events(self.membership.ping_answered(subject, subject, now))

    def _deliverer(self, medium: str) -> Callable[[bytes], None]:
        def deliver(packet: bytes) -> None:
            self.packet_arrived(medium, packet)

        return deliver

    async def _stop_media(self) -> None:
        self._requester.stop()
        if self.rc_hooks is not None:
            self.rc_hooks.stop()
        if self._scan is not None:
            self._scan.cancel()
        if self._flush is not None:
            self._flush.cancel()
        self._tasks.cancel()
        for medium in reversed(self.media):
            await medium.stop()

    async def _shut_down(self) -> None:
        log.info(f"Heartbeat shutdown in progress. ({os.getpid()})")
        await self._stop_monitors()
        await self.decisions.give_up_all()
        await self._send(Message.of(("t", "shutdone"), ("st", "dead")))
        if self.clients is not None:
            await self.clients.stop_all()
        log.info(f"{self.settings.name} Heartbeat shutdown complete.")

    def _spawn(self, work: Coroutine[Any, Any, None], name: str) -> None:
        """Run ``work`` as a task named ``name``: its failure is logged (rate-limited by name)
        and stopping the node cancels it (:class:`hbcore.tasks.Background`)."""
        self._tasks.start(work, name)

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
        if self._scan is not None:  # a shorter deadtime may have brought a deadline forward
            self._scan.cancel()
            self._schedule_scan(0)

    def apply_keyring(self, keyring: Keyring) -> None:
        """Sign with ``keyring`` from the next packet on, and verify with it."""
        self.keyring = keyring
        if self._outbound is not None:
            self._outbound.keyring = keyring

    def apply_ping_nodes(self, ping_nodes: tuple[str, ...]) -> None:
        """Make ``ping_nodes`` the ping nodes (a reload); the ``ttl`` we send counts them."""
        self.settings = replace(self.settings, ping_nodes=ping_nodes)
        self.membership.set_ping_nodes(ping_nodes, time.monotonic())
        for gone in set(self.peers) - set(self.membership.nodes):
            del self.peers[gone]
            self._requester.forget(gone)
        for name in self.membership.nodes:
            self.peers.setdefault(name, Peer())
        if self._outbound is not None:
            self._outbound.sender = replace(self._outbound.sender, ttl=self.settings.ttl)

    async def replace_monitors(
        self, old: Sequence[HealthMonitor], new: Sequence[HealthMonitor]
    ) -> None:
        """Stop the monitors ``old`` and start ``new`` in their place (a reload)."""
        for monitor in old:
            if monitor in self._monitoring:
                self._monitoring.remove(monitor)
                await monitor.stop()
            self.monitors.remove(monitor)
        self.monitors.extend(new)
        await self._start_monitors(new)

    # ------------------------------------------------------------------ sending

    async def _send(self, message: Message, dest: str | None = None) -> None:
        """Send a cluster message; a ``dest`` (argument or field) gets its ``destuuid``."""
        assert self._outbound is not None
        dest = dest or message.get("dest")
        dest_uuid = self.peers[dest].uuid if dest is not None and dest in self.peers else None
        await self._outbound.send(message, dest_uuid)

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
        await self._send(
            Message.of(
                ("t", "status"),
                ("st", self.local_status),
                ("dt", format(deadtime, "x")),
                ("protocol", "1"),
            )
        )

    def _set_local_status(self, status: str) -> None:
        self.local_status = status
        self.membership.set_local_status(status)
        log.info(f"Local status now set to: '{status}'")
        self._spawn(self._send_status(), "send status")

    # ------------------------------------------------------------------ receiving

    def packet_arrived(self, medium: str, packet: bytes) -> None:
        """A medium delivered a packet: decode, authenticate, and process it. Never raises.

        Our own packets heard back only refresh our link; a packet identical to one decoded
        lately (the same message on a second medium) is not decoded again. Both shortcuts
        depend only on the bytes, so replays are still caught by sequence tracking. A packet
        that arrives while later media are still starting is dropped: the node has no identity
        yet to answer with. A packet refused, or one whose processing raises, is dropped and
        counted.
        """
        if self._outbound is None:
            return
        message: Message | None = None
        try:
            message = self._decode(medium, packet)
            if message is not None:
                self._accept(message, medium)
        except Exception as error:
            self._handler_failed(error, medium, message)

    def _decode(self, medium: str, packet: bytes) -> Message | None:
        """The message in ``packet``, or None when it is one of ours or is refused."""
        assert self._outbound is not None
        if self._outbound.is_own(packet):
            now = time.monotonic()
            self._note_events(self.membership.link_heard(self.settings.name, medium, now))
            return None
        message = self._recently_decoded.get(packet)
        if message is None:
            result = decode(packet, self.keyring, check_inner=False)
            if not isinstance(result, Decoded):
                self._dropped(
                    drops.rejection_reason(result),
                    medium,
                    lambda: f"packet on {medium} dropped: {result.reason}",
                    claimed=self._configured(drops.claimed_sender(result)),
                )
                return None
            message = result.message
            self._recently_decoded[packet] = message
            if len(self._recently_decoded) > RECENTLY_DECODED:
                self._recently_decoded.popitem(last=False)
        return message

    def _loopback(self, message: Message) -> None:
        """Our own messages are processed locally before they go out."""
        try:
            self._accept(message, None)
        except Exception as error:
            self._handler_failed(error, None, message)

    def _accept(self, message: Message, medium: str | None) -> None:
        """Header checks, sequence tracking and link status; then dispatch what is new."""
        message_type, source = message.get("t"), message.get("src")
        if not message_type or not source or not hex_u64(message.get("ts")):
            self._dropped(
                drops.MALFORMED,
                medium,
                lambda: "message without t, src or ts dropped",
                node=self._configured(source.lower() if source else None),
            )
            return
        node = source.lower()
        if not self.membership.knows(node):
            self._dropped(
                drops.UNKNOWN_NODE,
                medium,
                lambda: f"process_status_message: bad node [{source}] in message",
                level="error",
            )
            return
        peer = self.peers[node]
        if node == self.settings.name and medium is not None:
            self._note_events(self.membership.link_heard(node, medium, time.monotonic()))
            return
        report, seq = None, None
        if not is_unsequenced(message_type):
            tracked = self._track(node, peer, message, message_type, medium)
            if tracked is None:
                return
            report, seq = tracked
        uuid = message.get_binary("srcuuid")
        if uuid is not None:
            peer.uuid = uuid
        if medium is not None:
            self._note_events(self.membership.link_heard(node, medium, time.monotonic()))
        if report is not None and not report.should_process:
            return
        if not self._addressed_to_us(message):
            return
        if seq is not None:
            self._maybe_ack(node, peer, seq)
        log.debug(f"process_clustermsg: node [{node}]")
        self._dispatch(message_type, node, message)
        self._check_comm_up()

    def _track(
        self, node: str, peer: Peer, message: Message, message_type: str, medium: str | None
    ) -> tuple[ArrivalReport, int] | None:
        """Sequence tracking: the arrival and the message's number, or None when the message
        is dropped (malformed, from an older generation, or stale)."""
        seq, generation = hex_u64(message.get("seq")), hex_u64(message.get("hg"))
        if not seq or generation is None:
            self._dropped(
                drops.MALFORMED,
                medium,
                lambda: "should_drop_message: bad sequence number",
                node=node,
                level="error",
            )
            return None
        report = peer.sequence.arrive(generation, seq, message_type == "status")
        if report.arrival is Arrival.REPLAY:
            self._dropped(
                drops.REPLAY,
                medium,
                lambda: (
                    f"should_drop_message: attempted replay attack [{node}]? "
                    f"[gen = {generation}, curgen = {report.previous_generation}]"
                ),
                node=node,
                level="error",
            )
            return None
        if report.arrival is Arrival.STALE:
            self._dropped(
                drops.STALE,
                medium,
                lambda: (
                    f"stale message from {node} dropped: seq {seq} (generation "
                    f"{generation}) is not above {peer.sequence.last_seq}, heard before it died"
                ),
                node=node,
            )
            return None
        if report.arrival is Arrival.RESTART:
            log.info(f"Heartbeat restart on node {node}")
            self.membership.node_restarted(node)
            self._requester.forget(node)
            # Answer at once rather than at our next keepalive: the restarted node cannot
            # come up before it has heard us (an extra status is harmless to heartbeat).
            self._spawn(self._send_status(), "send status")
        elif report.arrival is Arrival.AHEAD:
            self._say(
                f"lost packet(s) for [{node}]",
                "warning",
                f"{len(report.lost)} lost packet(s) for [{node}] [{report.lost[0] - 1}:{seq}]",
            )
            for missing in report.lost:
                self._requester.want(node, missing)
        elif report.arrival is Arrival.RESET:
            self._say(f"lost a lot of packets from {node}!", "error")
            self._requester.forget(node)
        elif (
            report.arrival in (Arrival.FILLS_GAP, Arrival.SUPERSEDED) and not peer.sequence.missing
        ):
            log.info(f"No pkts missing from {node}!")
        return report, seq

    # ------------------------------------------------------------------ dropped packets

    def _dropped(
        self,
        reason: str,
        medium: str | None,
        text: Callable[[], str],
        *,
        node: str | None = None,
        claimed: str | None = None,
        level: Literal["warning", "error"] = "warning",
    ) -> None:
        """Count a dropped packet and log ``text()`` if it is the first of its kind lately;
        the others become one summary line per interval."""
        if self.drops.drop(reason, medium, time.monotonic(), node=node, claimed=claimed):
            getattr(log, level)(text(), medium=medium, reason=reason)
            self._schedule_flush()

    def _handler_failed(
        self, error: Exception, medium: str | None, message: Message | None
    ) -> None:
        """Processing a message raised: drop it, count it, log it with its traceback."""
        source = None if message is None else message.get("src")
        node = self._configured(None if source is None else source.lower())
        if self.drops.drop(drops.HANDLER_ERROR, medium, time.monotonic(), node=node):
            log.error(
                f"message from {node or medium or drops.LOCAL} dropped: handler error: "
                f"{_short(error)}",
                medium=medium,
                reason=drops.HANDLER_ERROR,
                exc_info=error,
            )
            self._schedule_flush()

    def _configured(self, node: str | None) -> str | None:
        """``node`` when it is a configured node: only those get drop counters of their own,
        so that forged names cannot grow them."""
        return node if node is not None and self.membership.knows(node) else None

    def _failed(self, what: str, error: BaseException) -> None:
        """A timer or task raised: log it with its traceback, rate-limited by ``what``."""
        if self._repeats.admit(what, time.monotonic()):
            log.error(f"{what}: {_short(error)}", exc_info=error)
            self._schedule_flush()

    def _say(self, kind: str, level: Literal["warning", "error"], text: str | None = None) -> None:
        """Log ``text`` (default ``kind``), unless a line of this kind was logged lately: the
        rest of the kind becomes one summary line per interval."""
        if self._repeats.admit(kind, time.monotonic()):
            getattr(log, level)(kind if text is None else text)
            self._schedule_flush()

    def _schedule_flush(self) -> None:
        """Make sure the summary lines are written when their interval ends."""
        if self._flush is not None:
            return
        due = [d for d in (self.drops.next_due(), self._repeats.next_due()) if d is not None]
        if due:
            delay = max(min(due) - time.monotonic(), SCAN_FLOOR_S)
            self._flush = asyncio.get_running_loop().call_later(delay, self._flush_summaries)

    def _flush_summaries(self) -> None:
        self._flush = None
        now = time.monotonic()
        try:
            for summary in self.drops.due(now):
                log.warning(summary.message, host=summary.host, reason=summary.reason)
            for repeated in self._repeats.due(now):
                log.warning(
                    f"{repeated.key}: {repeated.count} more in the last {repeated.seconds:.3g} s"
                )
        finally:
            self._schedule_flush()

    def _addressed_to_us(self, message: Message) -> bool:
        dest_uuid = message.get_binary("destuuid")
        if dest_uuid is not None:
            return dest_uuid == self.peers[self.settings.name].uuid
        dest = message.get("dest")
        return dest is None or dest.lower() == self.settings.name

    def _maybe_ack(self, node: str, peer: Peer, seq: int) -> None:
        """Acknowledge ``seq`` when it is this peer's turn (flow control)."""
        if not self.flow_control or seq % 10 != peer.ack_trigger:
            return
        if any(missing < seq for missing in peer.sequence.missing):
            return
        ack = Message.of(("t", "NS_ackmsg"), ("dest", node), ("ackseq", format(seq, "x")))
        self._spawn(self._send(ack, dest=node), f"ack to {node}")

    # ------------------------------------------------------------------ message types

    def _dispatch(self, message_type: str, node: str, message: Message) -> None:
        if message_type == "status":
            self._on_status(node, message)
        elif message_type == "NS_rexmit":
            self._on_rexmit_request(node, message)
        elif message_type == "NS_nak_rexmit":
            self._on_rexmit_refused(node, message)
        elif message_type == "NS_ackmsg":
            self._on_ack(node, message)
        elif message_type == "reqnodes":
            self._on_reqnodes(node)
        elif message_type == "repnodes":
            self._on_repnodes(node)
        elif message_type in DECIDED_MESSAGES:
            self.decisions.message(message_type, node, message)
        elif message_type not in NATIVE_MESSAGES and self.rc_hooks is not None:
            self.rc_hooks.message(message_type, message)

    def _on_status(self, node: str, message: Message) -> None:
        # heartbeat ignores a dt it cannot read; membership caps one it can.
        dead_interval_ms = hex_u64(message.get("dt"))
        if node == self.settings.name:
            # Looped back as it was sent: heartbeat's proof that its own loop still runs.
            self.membership.heard_ourselves(dead_interval_ms, time.monotonic())
            return
        if message.get("protocol") is None and self.flow_control:
            self.flow_control = False
            log.info("flow control disabled due to different version heartbeat")
        status = message.get("st") or ""
        self._note_events(
            self.membership.status_arrived(node, status, dead_interval_ms, time.monotonic())
        )

    def _on_rexmit_request(self, node: str, message: Message) -> None:
        assert self._outbound is not None
        first, last = dec_u64(message.get("firstseq")), dec_u64(message.get("lastseq"))
        if first is None or last is None:
            return
        actions = rexmit.plan_answer(
            first,
            last,
            self._outbound.history,
            self.peers[node].acked_up_to,
            time.monotonic(),
            self.settings.max_rexmit_delay_ms,
        )
        for action in actions:
            if isinstance(action, rexmit.Resend):
                sent = self._outbound.history[action.seq]
                sent.last_sent = time.monotonic()
                self._spawn(self._outbound.transmit(sent.packets), f"retransmission to {node}")
            else:
                self._say(
                    f"Cannot rexmit pkt for {node}",
                    "error",
                    f"Cannot rexmit pkt {action.seq} for {node}: {action.reason}",
                )
                refusal = rexmit.refusal_message(node, action)
                self._spawn(self._send(refusal, dest=node), f"rexmit refusal to {node}")

    def _on_rexmit_refused(self, node: str, message: Message) -> None:
        seq = hex_u64(message.get("firstseq"))
        if seq is None:
            return
        self._say(
            f"Irretrievably lost packet: node {node}",
            "error",
            f"Irretrievably lost packet: node {node} seq {seq}",
        )
        self.peers[node].sequence.give_up(seq)

    def _on_ack(self, node: str, message: Message) -> None:
        acked = hex_u64(message.get("ackseq"))
        if acked is None:
            return
        peer = self.peers[node]
        peer.acked_up_to = max(peer.acked_up_to, acked)

    def _on_reqnodes(self, node: str) -> None:
        reply = Message.of(
            ("dest", node),
            ("t", "repnodes"),
            ("nodelist", "".join(f"{name} " for name in self.settings.nodes)),
            ("delnodelist", " "),
        )
        self._spawn(self._send(reply, dest=node), f"repnodes to {node}")

    def _on_repnodes(self, node: str) -> None:
        if self._reqnodes_target is not None and not self.membership.comm_up:
            self._comm_now_up()

    # ------------------------------------------------------------------ comm up

    def _check_comm_up(self) -> None:
        if self.membership.comm_up or self._reqnodes_target is not None:
            return
        if self.local_status != UP or not self.membership.comm_ready():
            return
        peers = self.membership.live_peers()
        if not self.flow_control or not peers:
            self._comm_now_up()
            return
        self._reqnodes_target = peers[0]
        self._spawn(self._ask_for_nodes(), "reqnodes")

    async def _ask_for_nodes(self) -> None:
        while not self.membership.comm_up and self._reqnodes_target is not None:
            target = self._reqnodes_target
            await self._send(Message.of(("t", "reqnodes"), ("dest", target)), dest=target)
            await asyncio.sleep(REQNODES_RETRY_S)
            if target not in self.membership.live_peers():
                self._comm_now_up()

    def _comm_now_up(self) -> None:
        if self.membership.comm_up:
            return
        self.membership.set_comm_up()
        log.info("Comm_now_up(): updating status to active")
        self._set_local_status(ACTIVE)
        self.decisions.comm_up(self.membership.live_peers())
        if self.clients is not None:
            self.clients.start_all()

    # ------------------------------------------------------------------ timeouts

    def _schedule_scan(self, delay: float) -> None:
        loop = asyncio.get_running_loop()
        self._scan = loop.call_later(max(delay, SCAN_FLOOR_S), self._scan_timeouts)

    def _scan_timeouts(self) -> None:
        """Declare dead what was not heard in time; the scan always schedules the next one,
        even when this one raised, so no bad input can stop deaths from being declared."""
        now = time.monotonic()
        delay = SCAN_RETRY_S
        try:
            self._note_events(self.membership.check_timeouts(now))
            self._check_comm_up()
            delay = self.membership.next_deadline(now) - now
        except Exception as error:
            self._failed("timeout scan failed", error)
        finally:
            self._schedule_scan(delay)

    # ------------------------------------------------------------------ retransmission

    def _request_rexmit(self, node: str, seq: int) -> None:
        self._spawn(
            self._send(rexmit.request_message(node, seq), dest=node), f"rexmit request to {node}"
        )

    def _still_missing(self, node: str, seq: int) -> bool:
        state = self.membership.nodes.get(node)
        alive = state is not None and state.status in (UP, ACTIVE)
        return alive and seq in self.peers[node].sequence.missing

    # ------------------------------------------------------------------ events

    def _note_events(self, events: Sequence[MembershipEvent]) -> None:
        for event in events:
            self._log_event(event)
            if isinstance(event, NodeDied) and event.node == self.settings.name:
                self._restart_without_local_heartbeat()
                continue
            if isinstance(event, NodeDied):
                self.peers[event.node].sequence.sender_died()
                self._requester.forget(event.node)
            self.decisions.membership_changed(event)
            if self.hooks is None:
                continue
            if isinstance(event, NodeDied):
                self.hooks.node_status_changed(event.node, "dead", event.previous)
            elif isinstance(event, StatusChanged):
                self.hooks.node_status_changed(event.node, event.status, event.previous)
            elif isinstance(event, LinkChanged):
                self.hooks.link_status_changed(event.node, event.link, event.status)

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

    @staticmethod
    def _log_event(event: MembershipEvent) -> None:
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
