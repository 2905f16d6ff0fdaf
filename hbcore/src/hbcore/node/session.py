"""The peer session: delivery between this node and its peers (wire-protocol.md §4 and §5).

Read top to bottom, a packet goes: medium -> :meth:`PeerSession.packet_arrived` (ours heard
back, or decoded lately? else decode and authenticate) -> :meth:`PeerSession._accept` (header
checks, the sender's sequence numbers, the link it came on, addressing, acknowledgement) ->
retransmission, asked for and answered here -> ``deliver``: the node, with every message that is
new and addressed to us. Sending goes the other way: :meth:`PeerSession.send` addresses a
message to a peer's uuid, and :class:`~hbcore.node.outbound.Outbound` stamps, signs and writes
it, looping it back through :meth:`PeerSession._loopback` first, as heartbeat does.

Hostile input is normal input. A packet refused at any step is dropped, counted by reason
(:mod:`hbcore.node.drops`) and logged rate-limited; one that makes any step raise, the node's
handling included, is dropped the same way ("handler error"), so no packet can stop the node.
"""

from __future__ import annotations

import random
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import structlog
from hb_hookspecs import Medium

from hbcore.membership.events import MembershipEvent
from hbcore.membership.table import ACTIVE, UP, Membership
from hbcore.node import drops, rexmit
from hbcore.node.outbound import Outbound
from hbcore.node.quiet_log import QuietLog
from hbcore.stats.recorder import Statistics
from hbcore.tasks import Background
from hbcore.wire import Decoded, Keyring, Message, decode
from hbcore.wire.header import SenderIdentity, is_unsequenced
from hbcore.wire.numbers import dec_u64, hex_u64
from hbcore.wire.sequence import Arrival, ArrivalReport, PeerSequence

log = structlog.get_logger("hb.node")

RECENTLY_DECODED = 8
"""Packets decoded lately, kept so that the same message heard on a second medium is not
decoded again."""
SESSION_MESSAGES = frozenset({"NS_rexmit", "NS_nak_rexmit", "NS_ackmsg"})
"""Types the session answers itself (they are still delivered: see :class:`PeerSession`)."""

Deliver = Callable[[str, str, Message], None]
React = Callable[[Sequence[MembershipEvent]], None]


@dataclass
class Peer:
    """Per-peer delivery state (membership keeps liveness)."""

    sequence: PeerSequence = field(default_factory=PeerSequence)
    uuid: bytes | None = None
    ack_trigger: int = field(default_factory=lambda: random.randrange(10))
    acked_up_to: int = 0


class PeerSession:
    """The delivery layer of one node.

    ``deliver(type, node, message)`` receives every message that passed the session and is
    addressed to us, our own looped back included, in arrival order; the session's own types
    come too, once answered here, since any message may complete comm up. ``react(events)``
    receives what membership made of a packet heard on a link; ``peer_restarted(node)`` is
    told a peer came back with a new generation. Tasks run under ``tasks``; rate-limited
    lines go to ``quiet``. Used on the node's loop.
    """

    def __init__(
        self,
        membership: Membership,
        keyring: Keyring,
        max_rexmit_delay_ms: int,
        tasks: Background,
        quiet: QuietLog,
        *,
        deliver: Deliver,
        react: React,
        peer_restarted: Callable[[str], None],
        stats: Statistics,
    ) -> None:
        self.me = membership.local
        self.membership = membership
        self.keyring = keyring
        self.peers: dict[str, Peer] = {name: Peer() for name in membership.nodes}
        self.flow_control = True
        self._tasks = tasks
        self._quiet = quiet
        self._deliver = deliver
        self._react = react
        self._peer_restarted = peer_restarted
        self._stats = stats
        self._outbound: Outbound | None = None
        self._max_rexmit_delay_ms = max_rexmit_delay_ms
        self._recently_decoded: OrderedDict[bytes, Message] = OrderedDict()
        self._requester = rexmit.Requester(
            max_rexmit_delay_ms, self._request_rexmit, self._still_missing
        )

    # ------------------------------------------------------------------ lifecycle

    def start(self, identity: SenderIdentity, media: Sequence[Medium]) -> None:
        """Send as ``identity`` on ``media`` from now on, and accept packets."""
        self.peers[self.me].uuid = identity.uuid
        self._outbound = Outbound(identity, self.keyring, media, self._loopback)

    def stop(self) -> None:
        """Ask peers for nothing more."""
        self._requester.stop()

    def set_keyring(self, keyring: Keyring) -> None:
        """Sign with ``keyring`` from the next packet on, and verify with it."""
        self.keyring = keyring
        if self._outbound is not None:
            self._outbound.keyring = keyring

    def nodes_changed(self, ttl: int) -> None:
        """Membership's nodes changed (a reload of the ping nodes): keep a peer for each, and
        send ``ttl`` from now on."""
        for gone in set(self.peers) - set(self.membership.nodes):
            del self.peers[gone]
            self._requester.forget(gone)
        for name in self.membership.nodes:
            self.peers.setdefault(name, Peer())
        if self._outbound is not None:
            self._outbound.sender = replace(self._outbound.sender, ttl=ttl)

    def peer_died(self, node: str) -> None:
        """``node`` was declared dead: what it sent before is stale, nothing is asked of it."""
        self.peers[node].sequence.sender_died()
        self._requester.forget(node)

    def disable_flow_control(self) -> None:
        """A peer speaks an older protocol (no acknowledgements, no node-list handshake)."""
        if self.flow_control:
            self.flow_control = False
            log.info("flow control disabled due to different version heartbeat")

    # ------------------------------------------------------------------ sending

    async def send(self, message: Message, dest: str | None = None) -> None:
        """Send a cluster message; a ``dest`` (argument or field) gets its ``destuuid``."""
        assert self._outbound is not None
        dest = dest or message.get("dest")
        dest_uuid = self.peers[dest].uuid if dest is not None and dest in self.peers else None
        await self._outbound.send(message, dest_uuid)

    # ------------------------------------------------------------------ receiving

    def packet_arrived(self, medium: str, packet: bytes) -> None:
        """A medium delivered a packet: decode, authenticate, and process it. Never raises.

        Our own packets heard back only refresh our link; a packet identical to one decoded
        lately (the same message on a second medium) is not decoded again. Both shortcuts
        depend only on the bytes, so replays are still caught by sequence tracking. A packet
        that arrives before :meth:`start` is dropped: the node has no identity yet to answer
        with. A packet refused, or one whose processing raises, is dropped and counted.
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
            self._react(self.membership.link_heard(self.me, medium, time.monotonic()))
            return None
        message = self._recently_decoded.get(packet)
        if message is None:
            result = decode(packet, self.keyring, check_inner=False)
            if not isinstance(result, Decoded):
                self._quiet.dropped(
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
        """Header checks, sequence tracking and link status; then deliver what is new."""
        message_type, source = message.get("t"), message.get("src")
        if not message_type or not source or not hex_u64(message.get("ts")):
            self._quiet.dropped(
                drops.MALFORMED,
                medium,
                lambda: "message without t, src or ts dropped",
                node=self._configured(source.lower() if source else None),
            )
            return
        node = source.lower()
        if not self.membership.knows(node):
            self._quiet.dropped(
                drops.UNKNOWN_NODE,
                medium,
                lambda: f"process_status_message: bad node [{source}] in message",
                level="error",
            )
            return
        peer = self.peers[node]
        if node == self.me and medium is not None:
            self._react(self.membership.link_heard(node, medium, time.monotonic()))
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
            self._react(self.membership.link_heard(node, medium, now := time.monotonic()))
            self._stats.link_heard(node, medium, now, message_type, peer.sequence.generation, seq)
        if report is not None and not report.should_process:
            return
        if not self._addressed_to_us(message):
            return
        if seq is not None:
            self._maybe_ack(node, peer, seq)
        log.debug(f"process_clustermsg: node [{node}]")
        if message_type == "NS_rexmit":
            self._on_rexmit_request(node, message)
        elif message_type == "NS_nak_rexmit":
            self._on_rexmit_refused(node, message)
        elif message_type == "NS_ackmsg":
            self._on_ack(node, message)
        self._deliver(message_type, node, message)

    def _track(
        self, node: str, peer: Peer, message: Message, message_type: str, medium: str | None
    ) -> tuple[ArrivalReport, int] | None:
        """Sequence tracking: the arrival and the message's number, or None when the message
        is dropped (malformed, from an older generation, or stale)."""
        seq, generation = hex_u64(message.get("seq")), hex_u64(message.get("hg"))
        if not seq or generation is None:
            self._quiet.dropped(
                drops.MALFORMED,
                medium,
                lambda: "should_drop_message: bad sequence number",
                node=node,
                level="error",
            )
            return None
        report = peer.sequence.arrive(generation, seq, message_type == "status")
        self._stats.arrival(node, report)
        if report.arrival is Arrival.REPLAY:
            self._quiet.dropped(
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
            self._quiet.dropped(
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
            self._peer_restarted(node)
        elif report.arrival is Arrival.AHEAD:
            self._quiet.say(
                f"lost packet(s) for [{node}]",
                "warning",
                f"{len(report.lost)} lost packet(s) for [{node}] [{report.lost[0] - 1}:{seq}]",
            )
            for missing in report.lost:
                self._requester.want(node, missing)
        elif report.arrival is Arrival.RESET:
            self._quiet.say(f"lost a lot of packets from {node}!", "error")
            self._requester.forget(node)
        elif (
            report.arrival in (Arrival.FILLS_GAP, Arrival.SUPERSEDED) and not peer.sequence.missing
        ):
            log.info(f"No pkts missing from {node}!")
        return report, seq

    def _addressed_to_us(self, message: Message) -> bool:
        dest_uuid = message.get_binary("destuuid")
        if dest_uuid is not None:
            return dest_uuid == self.peers[self.me].uuid
        dest = message.get("dest")
        return dest is None or dest.lower() == self.me

    def _maybe_ack(self, node: str, peer: Peer, seq: int) -> None:
        """Acknowledge ``seq`` when it is this peer's turn (flow control)."""
        if not self.flow_control or seq % 10 != peer.ack_trigger:
            return
        if any(missing < seq for missing in peer.sequence.missing):
            return
        ack = Message.of(("t", "NS_ackmsg"), ("dest", node), ("ackseq", format(seq, "x")))
        self._tasks.start(self.send(ack, dest=node), f"ack to {node}")

    def _handler_failed(
        self, error: Exception, medium: str | None, message: Message | None
    ) -> None:
        source = None if message is None else message.get("src")
        node = self._configured(None if source is None else source.lower())
        self._quiet.handler_failed(error, medium, node)

    def _configured(self, node: str | None) -> str | None:
        """``node`` when it is a configured node: only those get drop counters of their own,
        so that forged names cannot grow them."""
        return node if node is not None and self.membership.knows(node) else None

    # ------------------------------------------------------------------ retransmission

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
            self._max_rexmit_delay_ms,
        )
        for action in actions:
            if isinstance(action, rexmit.Resend):
                sent = self._outbound.history[action.seq]
                sent.last_sent = time.monotonic()
                self._tasks.start(
                    self._outbound.transmit(sent.packets), f"retransmission to {node}"
                )
            else:
                self._quiet.say(
                    f"Cannot rexmit pkt for {node}",
                    "error",
                    f"Cannot rexmit pkt {action.seq} for {node}: {action.reason}",
                )
                refusal = rexmit.refusal_message(node, action)
                self._tasks.start(self.send(refusal, dest=node), f"rexmit refusal to {node}")

    def _on_rexmit_refused(self, node: str, message: Message) -> None:
        seq = hex_u64(message.get("firstseq"))
        if seq is None:
            return
        self._quiet.say(
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

    def _request_rexmit(self, node: str, seq: int) -> None:
        request = rexmit.request_message(node, seq)
        self._tasks.start(self.send(request, dest=node), f"rexmit request to {node}")

    def _still_missing(self, node: str, seq: int) -> bool:
        state = self.membership.nodes.get(node)
        alive = state is not None and state.status in (UP, ACTIVE)
        return alive and seq in self.peers[node].sequence.missing
