"""Legacy failback: who runs which group in heartbeat's ``auto_failback legacy`` mode (its
default), the ip-request exchange (behaviour.md §5 "Legacy mode").

- At comm up a node asks for each of its own groups that is not already running. Alone, it
  answers itself (``ip-request-resp dest=<me> weown=yes ok=OK``); otherwise it sends
  ``ip-request ipaddr=KEY``, every other node releases the group if it runs it and always
  answers ``ip-request-resp``, and the requester takes the group on that answer. So a returning
  preferred node always pulls its groups back.
- When a peer dies, or says it has shut down (``shutdone``), we take its groups (mach_down), and
  make sure our own run too.
- There is no standby: ``hb standby`` and ``hb takeover`` are refused, as heartbeat refuses them.

heartbeat handles ip-request, ip-request-resp and mach_down in rc.d hooks that run one at a time,
in arrival order. A node therefore answers an ip-request only after a takeover queued before it
has finished, which is what keeps a group from having two owners. The same queue is kept here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence

import structlog

from hbcore.decisions import messages
from hbcore.decisions.policy import Send
from hbcore.resources.executor import Executor
from hbcore.resources.groups import Group, GroupTable
from hbcore.resources.holdings import Hold
from hbcore.tasks import Background
from hbcore.wire import Message

log = structlog.get_logger("hb.resources")

LISTKEYS = "/usr/share/heartbeat/ResourceManager listkeys"
"""The command heartbeat names in "No local resources [...] to acquire."."""
STANDBY_REFUSED = "Standby mode only implemented when nice_failback on"

Hook = Callable[[], Awaitable[None]]


class LegacyFailback:
    """The resource decisions of one node in legacy mode."""

    def __init__(self, groups: GroupTable, executor: Executor, send: Send) -> None:
        self.groups = groups
        self.executor = executor
        self.me = groups.local_node
        self._send = send
        self.held: set[str] = set()
        """Keys of the groups we run (or are starting)."""
        self.peers: set[str] = set()
        """Normal peers we believe alive: with none, we answer our own requests."""
        self._gave_up: set[str] = set()
        """Peers that sent ``shutdone``: no STONITH is needed when they die."""
        self._comm_up = False
        self._stopping = False
        self._hooks = asyncio.Lock()
        self._queued = 0
        self._tasks = Background(log)

    # ------------------------------------------------------------------ what the node reports

    @property
    def holding(self) -> str:
        """What ``cl_status rscstatus`` prints: our holding, or ``transition``."""
        if self._queued or self.executor.busy:
            return "transition"
        hold = Hold.NONE
        for group in self.groups.groups:
            if group.key in self.held:
                hold |= self.groups.hold_of(group)
        return hold.word

    def comm_up(self, live_peers: list[str]) -> None:
        """Comm is up: ask for our own groups (heartbeat's ``req_our_resources``)."""
        self._comm_up = True
        self.peers = set(live_peers)
        self._tasks.start(self._request_our_groups(), "request our groups")

    def message(self, kind: str, node: str, message: Message) -> None:
        """A resource message from ``node`` (ourselves included, looped back)."""
        if kind == "ip-request-resp":
            self._on_response(message)
        elif kind == "ask_resources":
            log.info(STANDBY_REFUSED)
        elif node == self.me:
            return
        elif kind == "ip-request":
            self._on_request(node, message)
        elif kind == "shutdone":
            self._on_shutdone(node)
        elif kind == "hb_takeover":
            log.info(STANDBY_REFUSED)
        else:
            self.peers.add(node)

    def node_died(self, node: str) -> None:
        """A normal node was declared dead: take over its groups."""
        if node == self.me or self._stopping:
            return
        self.peers.discard(node)
        if node in self._gave_up:
            self._gave_up.discard(node)
            log.info(f"Dead node {node} gave up resources.")
            result = "unneeded"
        else:
            log.info("No STONITH device configured.")
            log.info("Shared disks are not protected.")
            result = "n_stnth"
        self._tasks.start(self._send(messages.stonith(node, result)), "send stonith")
        self._take_over_from(node)

    async def give_up_all(self) -> None:
        """Shutdown: release every group, in haresources order."""
        self._stopping = True
        log.info("Giving up all HA resources.")
        async with self._hooks:  # a hook that is starting a group finishes first
            await self.executor.release(self.groups.groups)
            self.held.clear()
        log.info("All HA resources relinquished.")

    def request_standby(self, hold: Hold) -> str | None:
        """``hb standby``: heartbeat has no standby in legacy mode."""
        log.info(STANDBY_REFUSED)
        return STANDBY_REFUSED

    def request_takeover(self, hold: str) -> str | None:
        """``hb takeover``: the peer would have to go standby, which legacy mode cannot."""
        log.info(STANDBY_REFUSED)
        return STANDBY_REFUSED

    def group_failed(self, group: Group) -> None:
        """A group failed to start and was given up again. heartbeat would ask the peer to take
        it with ``hb_standby``, which legacy mode refuses: the group stays down."""
        self.held.discard(group.key)
        log.info(STANDBY_REFUSED)

    # ------------------------------------------------------------------ requesting our groups

    async def _request_our_groups(self) -> None:
        """req_our_resources and req_resource: ask for each of our groups not running."""
        ours = self.groups.of_node(self.me)
        if not ours:
            log.info(f"No local resources [{LISTKEYS} {self.me}] to acquire.")
            return
        for group in ours:
            if await self.executor.running(group):
                self.held.add(group.key)
            elif self.peers:
                await self._send(messages.ip_request(group.key))
            else:
                await self._send(
                    messages.ip_request_response(self.me, group.key, weown=True), self.me
                )
        log.info("Local Resource acquisition completed.")

    def _on_response(self, message: Message) -> None:
        """rc.d/ip-request-resp, from anyone: take the group when the answer is for us."""
        dest, key, ok = message.get("dest"), message.get("ipaddr"), message.get("ok")
        if not key or (dest or "").lower() != self.me:
            return
        log.info(f"received ip-request-resp {key} {ok} {message.get('weown')}")
        if ok == "OK":
            self._queue(lambda: self._take_requested(key), "ip-request-resp")

    async def _take_requested(self, key: str) -> None:
        if self._stopping:
            return
        group = self.groups.by_key(key)
        if group is None:
            log.warning(f"ip-request-resp for resource group {key}, which haresources lacks")
            return
        await self._take([group])

    # ------------------------------------------------------------------ a peer asks

    def _on_request(self, node: str, message: Message) -> None:
        """rc.d/ip-request, from a peer: release the group if we run it, then answer."""
        self.peers.add(node)
        self._gave_up.discard(node)
        key = message.get("ipaddr")
        if key:
            self._queue(lambda: self._release_for(node, key), "ip-request")

    async def _release_for(self, node: str, key: str) -> None:
        # heartbeat asks only the key resource; a group we started counts too, so the rest of
        # it never keeps running here once its key resource has stopped.
        group = self.groups.by_key(key)
        weown = group is not None and (key in self.held or await self.executor.running(group))
        if group is not None and weown:
            self.held.discard(key)
            await self.executor.release([group])
        await self._send(messages.ip_request_response(node, key, weown), node)

    # ------------------------------------------------------------------ a peer leaves

    def _on_shutdone(self, node: str) -> None:
        log.info(f"Received shutdown notice from '{node}'.")
        if self._stopping:
            return
        self.peers.discard(node)
        self._gave_up.add(node)
        self._take_over_from(node)

    def _take_over_from(self, node: str) -> None:
        """takeover_from_node: queue mach_down for ``node``."""
        log.info(f"Resources being acquired from {node}.")
        # Before comm up (a peer absent at start), comm_up itself asks for our groups.
        ask_for_ours = self._comm_up
        self._queue(lambda: self._mach_down(node, ask_for_ours), f"take over from {node}")

    async def _mach_down(self, node: str, ask_for_ours: bool) -> None:
        if self._stopping:
            return
        for group in self.groups.of_node(node):
            log.info(f"Taking over resource group {group.key}")
            await self._take([group])
        log.info(f"mach_down takeover complete for node {node}.")
        if ask_for_ours:
            await self._request_our_groups()

    # ------------------------------------------------------------------ acting

    async def _take(self, groups: Sequence[Group]) -> None:
        """Claim the groups at once, so a request queued meanwhile sees them ours; then start
        them (a group that fails to start is dropped again by :meth:`group_failed`)."""
        self.held.update(group.key for group in groups)
        await self.executor.acquire(groups)

    def _queue(self, hook: Hook, name: str) -> None:
        """Run ``hook`` (a task named ``name``) after every hook queued before it, as
        heartbeat's rc.d queue does."""
        self._queued += 1
        self._tasks.start(self._run_hook(hook), name)

    async def _run_hook(self, hook: Hook) -> None:
        try:
            async with self._hooks:
                await hook()
        finally:
            self._queued -= 1
