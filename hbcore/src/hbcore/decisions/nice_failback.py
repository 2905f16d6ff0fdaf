"""Nice failback: heartbeat's resource negotiation in ``auto_failback on|off`` mode.

This is the "nice failback" protocol of heartbeat 3.0.6 (behaviour.md §4 to §6), between this node
and its peer:

- at comm up each node sends ``starting``; a node that receives ``starting`` answers with a
  ``resource`` message stating what it holds (``rtype=full``) and whether it is stable;
- a node that hears its peer is stable takes its own (local) groups, unless the peer holds
  them; a node stuck for 10 s with no stable peer takes its local groups anyway;
- when the peer dies, or says it is shutting down (``shutdone``), we take every group;
- ``hb standby`` runs the three-phase ``ask_resources`` exchange (``me``, ``other``, ``done``):
  the requester releases, then the peer acquires;
- with ``auto_failback on`` a node holding the peer's groups gives them back, by the same
  exchange, once both are stable.

Holdings are :class:`Hold` sets in our own words; the peer's claims are kept in its words.
This class only decides: the groups are started and stopped by the resources'
:class:`~hbcore.resources.executor.Executor`, one action at a time.
"""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Callable

import structlog

from hbcore.decisions import messages
from hbcore.decisions.policy import Send
from hbcore.resources.executor import Executor
from hbcore.resources.groups import Group, GroupTable
from hbcore.resources.holdings import Hold, parse_hold
from hbcore.tasks import Background
from hbcore.wire import Message

log = structlog.get_logger("hb.resources")

LOCAL_TAKEOVER_DELAY_S = 10.0
"""RQSTDELAY: take our own groups anyway when the peer has not become stable by then."""
STANDBY_REPLY_TIMEOUT_S = 10.0
"""A standby request the peer does not answer in this time is cancelled."""
AUTO_FAILBACK_RETRY_S = 1.0
FAILED_GROUP_STANDBY_DELAY_S = 30.0
"""After a group fails to start, heartbeat asks the peer to take it this much later."""


class State(enum.Enum):
    """heartbeat's resource state."""

    INIT = "init"
    STARTING = "starting"
    BOTHSTARTING = "bothstarting"
    RSCRCVD = "rscrcvd"
    STABLE = "stable"
    SHUTDOWN = "shutdown"


class Standby(enum.Enum):
    """Where this node is in a standby exchange."""

    NOT = "not"
    ME = "me"
    """We asked to give groups away and wait for the peer's ``other``."""
    OTHER = "other"
    """The peer asked; we wait for its ``done`` to acquire."""
    DONE = "done"


class NiceFailback:
    """The resource decisions of one node of a pair in nice failback mode."""

    def __init__(
        self,
        groups: GroupTable,
        executor: Executor,
        send: Send,
        auto_failback: bool,
        local_takeover_delay_s: float = LOCAL_TAKEOVER_DELAY_S,
    ) -> None:
        self.groups = groups
        self.executor = executor
        self.me = groups.local_node
        self._send = send
        self.auto_failback = auto_failback
        self.local_takeover_delay_s = local_takeover_delay_s
        self.state = State.INIT
        self.i_hold = Hold.NONE
        self.other_holds = Hold.NONE
        self.other_stable = False
        self.peer: str | None = None
        self.standby = Standby.NOT
        self.standby_hold = Hold.NONE
        self.needs_failback = False
        """True while we hold the peer's groups because it died or left: auto failback
        gives them back when it returns."""
        self._tasks = Background(log)
        self._timers: dict[str, asyncio.TimerHandle] = {}

    # ------------------------------------------------------------------ what the node reports

    @property
    def holding(self) -> str:
        """What ``cl_status rscstatus`` prints: our holding, or ``transition``."""
        if self.executor.busy or self.standby is not Standby.NOT:
            return "transition"
        return self.i_hold.word

    def comm_up(self, live_peers: list[str]) -> None:
        """Comm is up: announce ourselves, or take everything when we are alone."""
        self.peer = live_peers[0] if live_peers else None
        self._send_soon(messages.starting())
        if self.peer is None:
            self.state = State.STABLE
            self.other_stable = True
            self.needs_failback = True
            self._acquire(Hold.ALL, "Initial resource acquisition complete (alone)")
            return
        self.state = State.STARTING

    def message(self, kind: str, node: str, message: Message) -> None:
        """A resource message from ``node`` (ourselves included, looped back)."""
        if kind == "ask_resources":
            self._on_ask_resources(node, message)
        elif node == self.me:
            return
        elif kind == "starting":
            self._on_starting(node)
        elif kind == "resource":
            self._on_resource(node, message)
        elif kind == "shutdone":
            self._on_shutdone(node)
        elif kind == "hb_takeover":
            self._on_takeover_request(message)

    def node_died(self, node: str) -> None:
        """A normal node was declared dead: take over everything it held."""
        if node == self.me or self.state is State.SHUTDOWN:
            return
        self._cancel_standby("Cancelling pending standby operation")
        self.other_holds = Hold.NONE
        self.other_stable = True
        if node == self.peer or self.peer is None:
            self.peer = None
        log.info("No STONITH device configured.")
        log.info("Shared disks are not protected.")
        self._send_soon(messages.stonith(node, "n_stnth"))
        log.info(f"Resources being acquired from {node}.")
        for group in self.groups.of_node(node):
            log.info(f"Taking over resource group {group.key}")
        self.state = State.STABLE
        self.needs_failback = True
        self._acquire(
            Hold.ALL, f"mach_down takeover complete for node {node}.", info="req_our_resources()"
        )

    async def give_up_all(self) -> None:
        """Shutdown: release every group, in haresources order."""
        self.state = State.SHUTDOWN
        self._cancel_timers()
        log.info("Giving up all HA resources.")
        await self.executor.release(self.groups.groups)
        self.i_hold = Hold.NONE
        log.info("All HA resources relinquished.")

    def request_standby(self, hold: Hold) -> str | None:
        """``hb standby``: ask the peer to take ``hold``; returns why not, or None."""
        if self.peer is None:
            return "no peer is active to take the resources"
        if self.state is not State.STABLE or not self.other_stable:
            return "resources are in transition; try again shortly"
        if self.standby is not Standby.NOT:
            return "a standby is already in progress"
        self._send_soon(messages.ask_resources(hold, "me"))
        return None

    def group_failed(self, group: Group) -> None:
        """A group failed to start and was given up: in 30 s, ``hb_standby local|foreign``.

        That standby hands the peer every group of the failed one's kind, the running ones
        too, as heartbeat's ResourceManager does. Until then we go on claiming the kind, as
        heartbeat's C side (never told of the failure) does: clearing it would tell the peer
        we hold none of it while its other groups still run here.
        """
        hold = self.groups.hold_of(group)
        self._timer(
            f"failed {group.key}", FAILED_GROUP_STANDBY_DELAY_S, lambda: self._standby_quietly(hold)
        )

    def _standby_quietly(self, hold: Hold) -> None:
        reason = self.request_standby(hold)
        if reason is not None:
            log.info(f"standby after a failed start not possible: {reason}")

    def request_takeover(self, hold: str) -> None:
        """``hb takeover``: ask the peer to go standby so that we get ``hold``."""
        self._send_soon(messages.takeover_request(hold))

    # ------------------------------------------------------------------ negotiation

    def _on_starting(self, node: str) -> None:
        self.peer = node
        self.other_stable = False
        if self.state is State.STARTING:
            self.state = State.BOTHSTARTING
        if self.state is State.INIT:
            return
        self._send_soon(self._resource_message())

    def _on_resource(self, node: str, message: Message) -> None:
        self.peer = node
        claimed = parse_hold(message.get("rsc_hold"))
        if claimed is not None:
            full = message.get("rtype") == "full"
            self.other_holds = (
                claimed if full or claimed is Hold.NONE else self.other_holds | claimed
            )
        stable = message.get("isstable") == "1"
        if message.get("isstable") is not None:
            self.other_stable = stable
        if stable and self.state in (State.STARTING, State.BOTHSTARTING, State.RSCRCVD):
            self._cancel_timer("local-takeover")
            log.info("remote resource transition completed.")
            self._take_our_own("Initial resource acquisition complete (T_RESOURCES(us))")
        elif self.state in (State.STARTING, State.BOTHSTARTING):
            self.state = State.RSCRCVD
            self._timer("local-takeover", self.local_takeover_delay_s, self._local_takeover_due)
        elif stable and self.state is State.STABLE:
            self._consider_auto_failback()

    def _local_takeover_due(self) -> None:
        if self.state is State.RSCRCVD:
            log.info("local resource transition completed.")
            self._take_our_own("Initial resource acquisition complete (T_RESOURCES(us))")

    def _take_our_own(self, done: str) -> None:
        """req_our_resources: acquire our local groups unless the peer holds them."""
        self.state = State.STABLE
        if Hold.FOREIGN in self.other_holds or Hold.LOCAL in self.i_hold:
            log.info("Local Resource acquisition completed. (none)")
            self._tasks.start(self._announce(done), "resource announcement")
            return
        self._acquire(Hold.LOCAL, done)

    def _on_shutdone(self, node: str) -> None:
        log.info(f"Received shutdown notice from '{node}'.")
        if self.state is State.SHUTDOWN:
            return
        self.other_holds = Hold.NONE
        self.other_stable = True
        self.peer = None
        self._cancel_standby("Cancelling pending standby operation")
        self.state = State.STABLE
        self.needs_failback = True
        self._acquire(Hold.ALL, f"Dead node {node} gave up resources.")

    # ------------------------------------------------------------------ standby

    def _on_ask_resources(self, node: str, message: Message) -> None:
        hold = parse_hold(message.get("rsc_hold")) or Hold.ALL
        phase = message.get("info")
        if phase == "me":
            self._on_standby_asked(node, hold)
        elif phase == "other" and self.standby is Standby.ME and node != self.me:
            self._give_away(node, hold)
        elif phase == "done":
            self._on_standby_done(node, hold)

    def _on_standby_asked(self, node: str, hold: Hold) -> None:
        if self.standby is not Standby.NOT:
            log.info(f"Standby in progress- new request from {node} ignored")
            return
        if node == self.me:
            self.standby, self.standby_hold = Standby.ME, hold
            self._timer("standby", STANDBY_REPLY_TIMEOUT_S, self._standby_unanswered)
            return
        if self.state is not State.STABLE:
            log.info(f"standby message [me] from {node} ignored. local resources in flux.")
            return
        log.info(f"{node} wants to go standby [{hold.word}]")
        self.standby, self.standby_hold = Standby.OTHER, hold
        self._send_soon(messages.ask_resources(hold, "other"))

    def _give_away(self, node: str, hold: Hold) -> None:
        self._cancel_timer("standby")
        log.info(f"standby: {node} can take our {hold.word} resources")
        self.i_hold &= ~hold
        if Hold.FOREIGN in hold:
            self.needs_failback = False
        self._tasks.start(self._release_for_standby(hold), "standby release")

    async def _release_for_standby(self, hold: Hold) -> None:
        await self._send(self._resource_message(stable=False, info="standby"))
        log.info(f"give up {hold.word} HA resources (standby).")
        await self.executor.release(self.groups.select(hold))
        await self._send(messages.ask_resources(hold, "done"))

    def _on_standby_done(self, node: str, hold: Hold) -> None:
        if node == self.me and self.standby is Standby.ME:
            log.info(f"Local standby process completed [{hold.word}].")
            self.standby = Standby.DONE
        elif node != self.me and self.standby is Standby.OTHER:
            log.info(f"standby: acquire [{hold.word}] resources from {node}")
            self.standby = Standby.DONE
            self._tasks.start(
                self._acquire_for_standby(hold.seen_from_peer()), "standby acquisition"
            )
        elif self.standby is Standby.DONE:
            if node == self.me:
                log.info(f"Standby resource acquisition done [{self.standby_hold.word}].")
            else:
                log.info(f"Other node completed standby takeover of {hold.word} resources.")
            self.standby, self.standby_hold = Standby.NOT, Hold.NONE
            self._send_soon(self._resource_message())

    async def _acquire_for_standby(self, hold: Hold) -> None:
        await self.executor.acquire(self.groups.select(hold))
        self.i_hold |= hold
        await self._send(messages.ask_resources(hold.seen_from_peer(), "done"))

    def _standby_unanswered(self) -> None:
        if self.standby is Standby.ME:
            log.info("No reply to standby request. Standby request cancelled.")
            self.standby, self.standby_hold = Standby.NOT, Hold.NONE

    def _cancel_standby(self, reason: str) -> None:
        if self.standby is not Standby.NOT:
            log.info(reason)
        self.standby, self.standby_hold = Standby.NOT, Hold.NONE
        self._cancel_timer("standby")

    def _on_takeover_request(self, message: Message) -> None:
        """The peer ran ``hb takeover``: go standby for the complementary set (heartbeat's
        rc.d/hb_takeover; ``failback`` matches no case there, hence ``all``)."""
        wanted = message.get("rsc_hold")
        mapped = {"all": Hold.ALL, "local": Hold.FOREIGN, "foreign": Hold.LOCAL}
        reason = self.request_standby(mapped.get(wanted or "", Hold.ALL))
        if reason is not None:
            log.info(f"hb_takeover request not honoured: {reason}")

    # ------------------------------------------------------------------ auto failback

    def _consider_auto_failback(self) -> None:
        """Give the peer's groups back once both are stable, if we took them because it was
        gone (not when it handed them over by standby)."""
        if not self.auto_failback or not self.needs_failback or Hold.FOREIGN not in self.i_hold:
            return
        if self.peer is None or self.standby is not Standby.NOT:
            return
        if self.state is not State.STABLE or not self.other_stable or self.executor.busy:
            log.info("Auto failback delayed.")
            self._timer("failback", AUTO_FAILBACK_RETRY_S, self._consider_auto_failback)
            return
        self._send_soon(messages.ask_resources(Hold.FOREIGN, "me"))

    # ------------------------------------------------------------------ acting

    def _acquire(self, hold: Hold, done: str, info: str | None = None) -> None:
        """Claim ``hold`` at once, as heartbeat does, so that a peer asking meanwhile hears
        we hold it; then acquire it (one action at a time) and announce the result."""
        wanted = hold & ~self.i_hold
        self.i_hold |= wanted
        self._tasks.start(
            self._acquire_then_announce(wanted, done, info), f"acquire {hold.word} resources"
        )

    async def _acquire_then_announce(self, wanted: Hold, done: str, info: str | None) -> None:
        if wanted:
            await self.executor.acquire(self.groups.select(wanted))
        await self._announce(done, info)

    async def _announce(self, done: str, info: str | None = None) -> None:
        log.info(done)
        await self._send(self._resource_message(info=info))
        self._consider_auto_failback()

    def _resource_message(self, stable: bool | None = None, info: str | None = None) -> Message:
        """What we hold; stable unless ``stable`` says otherwise, or we are not."""
        is_stable = self.state is State.STABLE if stable is None else stable
        return messages.resource(self.i_hold, is_stable, info)

    def _send_soon(self, message: Message) -> None:
        self._tasks.start(self._send(message), f"send {message.get('t')}")

    def _timer(self, name: str, delay: float, callback: Callable[[], None]) -> None:
        self._cancel_timer(name)
        self._timers[name] = asyncio.get_running_loop().call_later(delay, callback)

    def _cancel_timer(self, name: str) -> None:
        timer = self._timers.pop(name, None)
        if timer is not None:
            timer.cancel()

    def _cancel_timers(self) -> None:
        for name in list(self._timers):
            self._cancel_timer(name)
