"""ipfail, built in: the node that lost sight of the ping nodes hands its resources over.

heartbeat runs ipfail as a separate client (``respawn hacluster .../ipfail``); hb runs the same
decisions inside the node, and speaks ipfail's messages on the wire, so it cooperates with a
real heartbeat node running ipfail (behaviour.md §11, wire-protocol.md §8):

- when comm comes up it announces itself (``hbapi-clstat st=join``); when the peer's ipfail
  joins, a link of the peer dies, the peer dies, or a ping node changes status, it sends
  ``num_ping_nodes`` with how many ping nodes it sees;
- on the peer's count: more here -> ``you_are_dead``; fewer here -> give everything up after
  2 x keepalive; equal -> ``abort_giveup`` and cancel a pending giveup (and, with
  ``auto_failback on``, give back foreign groups if none was pending);
- ``you_are_dead`` -> give everything up after the delay; ``abort_giveup`` -> cancel it.

Giving up is a standby request (``ask_resources info=me``) through the failback policy.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import structlog

from hbcore.decisions.policy import Send
from hbcore.resources.holdings import Hold
from hbcore.tasks import Background
from hbcore.wire import Message

log = structlog.get_logger("hb.ipfail")

CLIENT = "ipfail"
RETRY_WHILE_UNSTABLE_S = 10.0
MESSAGES = frozenset({"hbapi-clstat", "num_ping_nodes", "you_are_dead", "abort_giveup"})
"""The message types ipfail handles."""


class Ipfail:
    """ipfail's decisions for one node of a pair.

    ``send`` sends a cluster message; ``visible_ping_nodes`` counts the ping nodes seen alive;
    ``standby`` asks the failback policy to give a set away and returns why not, or None.
    """

    def __init__(
        self,
        me: str,
        keepalive_s: float,
        auto_failback: bool,
        send: Send,
        visible_ping_nodes: Callable[[], int],
        standby: Callable[[Hold], str | None],
    ) -> None:
        self.me = me
        self.delay_s = 2 * keepalive_s
        self.auto_failback = auto_failback
        self._send = send
        self._visible = visible_ping_nodes
        self._standby = standby
        self.peer: str | None = None
        self._giveup: asyncio.TimerHandle | None = None
        self._tasks = Background(log)

    def comm_up(self, live_peers: list[str]) -> None:
        """Announce our ipfail, and ask the peer for its count."""
        self.peer = live_peers[0] if live_peers else None
        signon = Message.of(
            ("t", "hbapi-clstat"),
            ("st", "join"),
            ("from_id", CLIENT),
            ("to_id", CLIENT),
            ("src", self.me),
            ("info", "signon"),
            ("client_gen", "0"),
        )
        self._tasks.start(self._send(signon), "send ipfail signon")
        self.connectivity_changed()

    def connectivity_changed(self) -> None:
        """A peer link or the peer died, or a ping node changed: tell the peer our count."""
        if self.peer is None:
            return
        count = self._visible()
        log.info(f"Asking other side for ping node count ({count} here).")
        self._to_peer("num_ping_nodes", ("src", self.me), ("num_ping", str(count)))

    def peer_died(self, node: str) -> None:
        """The peer is gone: nobody to compare with."""
        if node == self.peer:
            self.peer = None
            self._cancel_giveup()

    def message(self, kind: str, node: str, message: Message) -> None:
        """An ipfail message from ``node`` (ours, looped back, are ignored)."""
        if node == self.me:
            return
        self.peer = node
        if kind == "hbapi-clstat" and message.get("from_id") == CLIENT:
            if message.get("st") == "join":
                self.connectivity_changed()
        elif kind == "num_ping_nodes":
            self._compare(message.get("num_ping"))
        elif kind == "you_are_dead":
            log.info("We are dead. :<")
            self._schedule_giveup(Hold.ALL)
        elif kind == "abort_giveup":
            self._cancel_giveup()

    def _compare(self, theirs_text: str | None) -> None:
        try:
            theirs = int(theirs_text or "")
        except ValueError:
            return
        mine = self._visible()
        if mine > theirs:
            log.info("Telling other node that we have more visible ping nodes.")
            self._to_peer("you_are_dead")
        elif mine < theirs:
            log.info("Giving up because we were told that we have less ping nodes.")
            self._schedule_giveup(Hold.ALL)
        else:
            log.info("Ping node count is balanced.")
            self._to_peer("abort_giveup", ("src", self.me))
            if self._giveup is not None:
                self._cancel_giveup()
            elif self.auto_failback:
                self._schedule_giveup(Hold.FOREIGN)

    def _schedule_giveup(self, hold: Hold) -> None:
        self._cancel_giveup()
        log.info(f"Delayed giveup in {self.delay_s:g} seconds.")
        loop = asyncio.get_running_loop()
        self._giveup = loop.call_later(self.delay_s, self._give_up, hold)

    def _cancel_giveup(self) -> None:
        if self._giveup is not None:
            self._giveup.cancel()
            self._giveup = None
            log.info("Giveup aborted.")

    def _give_up(self, hold: Hold) -> None:
        self._giveup = None
        reason = self._standby(hold)
        if reason is None:
            log.info(f"giveup() called: standby [{hold.word}] requested.")
            return
        log.info(f"giveup delayed: {reason}")
        loop = asyncio.get_running_loop()
        self._giveup = loop.call_later(RETRY_WHILE_UNSTABLE_S, self._give_up, hold)

    def _to_peer(self, kind: str, *fields: tuple[str, str]) -> None:
        if self.peer is None:
            return
        message = Message.of(
            ("t", kind),
            *fields,
            ("dest", self.peer),
            ("from_id", CLIENT),
            ("to_id", CLIENT),
            ("client_gen", "0"),
        )
        self._tasks.start(self._send(message), f"send {kind}")
