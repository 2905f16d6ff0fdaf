"""Applying a reload to the running node: :class:`Reloader` answers each request (SIGHUP,
``hb reload``) on the node's loop and pushes into the node what the rules of
:mod:`hbcore.node.reload` accept, without dropping a heartbeat or a resource.

Contract, for one reload: the files are read and judged as ``hb check --strict`` does, in a
thread (it may resolve host names), so the loop never waits on them; a reload asked for while
the node starts waits until it is up, and a stopping node is not reloaded. An invalid
configuration is refused with ``hb check``'s ``file:line`` problems ("Config errors: ..."), and
the node runs on with what it had. A valid one is compared with what runs
(:func:`~hbcore.node.reload.plan_reload`) and the plan applied in place: the keys first (with
a grace period for the previous ones, :class:`GraceKeyring`), then the timers, the ping nodes
and the monitors that use them, the resource groups, each change logged, and logging itself
last.

Requests: reloads run one at a time; a request while one runs is answered by one more reload
after it, so an edit made meanwhile is read. Each reload has a number, and its
:class:`Outcome` is kept (the last :data:`KEPT_OUTCOMES`) for ``hb reload`` to collect. A
reload that fails with a bug is logged and answered as refused; the node runs on.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import structlog
from hb_hookspecs import HealthMonitor

from hbcore.config.configuration import Configuration
from hbcore.config.problems import Problem
from hbcore.log import LogTargets, debug_level
from hbcore.membership.table import INIT
from hbcore.node.daemon import Node
from hbcore.node.reload import GroupLine, ReloadPlan, RunningConfig, plan_reload
from hbcore.node.settings import settings_from
from hbcore.resources.groups import GroupTable
from hbcore.resources.holdings import Hold, parse_hold
from hbcore.state.paths import NodePaths
from hbcore.tasks import Background
from hbcore.wire import Keyring

log = structlog.get_logger("hb.node")

START_POLL_S = 0.05
"""A reload requested while the node starts waits for it, looking this often."""
KEPT_OUTCOMES = 16
"""How many reload outcomes :class:`Reloader` keeps for ``hb reload`` to collect."""


# ------------------------------------------------------------------ keys in flight


class GraceKeyring(Keyring):
    """The new keys, and for a while the running ones too.

    Signs with the new outbound key; accepts a packet valid under either keyring. A peer that
    has not reloaded yet still signs with the old key (or an index the new file dropped), and
    heartbeat's trailer check uses the *outbound* key of the receiver: without the running
    keyring, each node would drop the other's packets until both had reloaded (heartbeat 3.0.6
    does, observed in the lab). :class:`Reloader` puts the plain new keyring in place after
    the new deadtime, so a peer has that long to reload.

    Every method of :class:`Keyring` is delegated; none of its state is used.
    """

    __slots__ = ("_current", "_previous")

    def __init__(self, current: Keyring, previous: Keyring) -> None:
        # Keyring.__init__ is not called: its state would be unused, every method delegates.
        self._current = current
        self._previous = previous
        self.outbound = current.outbound

    def sign(self, data: bytes) -> str:
        """Signed with the new outbound key."""
        return self._current.sign(data)

    def method_name(self, index: int) -> str | None:
        """The method of key ``index`` in the new keys, else in the running ones."""
        return self._current.method_name(index) or self._previous.method_name(index)

    def verify(self, index: int, data: bytes, token: str) -> bool:
        """Valid under the new keys or the running ones."""
        return self._current.verify(index, data, token) or self._previous.verify(index, data, token)

    def verify_trailer(self, index: int, data: bytes, token: str) -> bool:
        """Valid under the new keys or the running ones (each with its trailer rule)."""
        return self._current.verify_trailer(index, data, token) or (
            self._previous.verify_trailer(index, data, token)
        )


# ------------------------------------------------------------------ applying


@dataclass(frozen=True)
class Outcome:
    """The answer to one reload: accepted (and what changed), or refused with the problems."""

    accepted: bool
    applied: tuple[str, ...] = ()
    not_applied: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """JSON for the control socket."""
        return {
            "accepted": self.accepted,
            "applied": list(self.applied),
            "not_applied": list(self.not_applied),
            "problems": list(self.problems),
        }


@dataclass(frozen=True)
class Builders:
    """How the runner builds what a reload replaces (the same code that built it at start)."""

    check: Callable[[], Configuration | list[Problem]]
    """Read and judge the files as ``hb check --strict`` and ``hb start`` do: the configuration,
    or every problem. Runs in a thread (it may resolve host names)."""
    groups: Callable[[Configuration], GroupTable]
    """The groups of a configuration with their agents (on the loop)."""
    monitors: Callable[[Configuration], dict[str, HealthMonitor]]
    """The health monitors of the live kinds, by kind, for a configuration."""
    log_targets: Callable[[Configuration], LogTargets]
    configure_logging: Callable[[LogTargets], None]


class Reloader:
    """Reloads one node's configuration on request, one reload at a time, on its loop.

    A request while a reload runs is answered by one more reload after it, so an edit made
    meanwhile is read. Outcomes are kept by number for ``hb reload`` to collect.
    """

    def __init__(
        self,
        node: Node,
        running: RunningConfig,
        groups: GroupTable,
        monitors: dict[str, HealthMonitor],
        builders: Builders,
        paths: NodePaths,
        stopping: asyncio.Event,
    ) -> None:
        """``groups`` is the table the failback policy uses (changed in place);
        ``monitors`` the running monitors of the kinds a reload restarts; ``stopping`` the
        node's stop switch (a stopping node is not reloaded)."""
        self.node = node
        self.running = running
        self.groups = groups
        self.monitors = monitors
        self.builders = builders
        self.paths = paths
        self.stopping = stopping
        self._task: asyncio.Task[None] | None = None
        self._tasks = Background(log)
        self._again = False
        self._last = 0
        """The number of the last reload started."""
        self._done = 0
        """The number of the last reload finished (they finish in order)."""
        self._outcomes: OrderedDict[int, Outcome] = OrderedDict()
        self._grace: asyncio.TimerHandle | None = None

    def request(self) -> int:
        """Ask for a reload; returns the number of the reload that will answer."""
        if self._task is None:
            self._start()
            return self._last
        self._again = True
        return self._last + 1

    def answer(self, number: int) -> dict[str, Any]:
        """What ``hb reload`` is told of reload ``number``: ``done`` and, once it is, its
        :class:`Outcome`; an error for a number never given or forgotten (only the last
        :data:`KEPT_OUTCOMES` are kept)."""
        outcome = self._outcomes.get(number)
        if outcome is not None:
            return {"reload": number, "done": True, **outcome.as_dict()}
        if self._done < number <= self._last + (1 if self._again else 0):
            return {"reload": number, "done": False}
        return {"ok": False, "error": f"no reload {number} to wait for"}

    def stop(self) -> None:
        """Cancel a reload in progress (the node stops)."""
        self._again = False
        if self._task is not None:
            self._task.cancel()
        if self._grace is not None:
            self._grace.cancel()

    def _start(self) -> None:
        self._last += 1
        task = self._tasks.start(self._run(self._last), "reload")
        task.add_done_callback(self._finished)
        self._task = task

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._task = None
        if self._again:
            self._again = False
            self._start()

    async def _run(self, number: int) -> None:
        try:
            outcome = await self._reload()
        except Exception as error:  # a bug must not end the node, nor leave hb reload waiting
            log.error(
                f"Configuration reload failed: {type(error).__name__}: {error}", exc_info=error
            )
            outcome = Outcome(False, problems=(f"reload failed: {type(error).__name__}: {error}",))
        self._outcomes[number] = outcome
        self.node.stats.reloaded(outcome.accepted, outcome.applied, outcome.problems)
        self._done = number
        while len(self._outcomes) > KEPT_OUTCOMES:
            self._outcomes.popitem(last=False)

    async def _reload(self) -> Outcome:
        checked = await asyncio.to_thread(self.builders.check)
        while self.node.local_status == INIT:  # its parts exist once it is up
            await asyncio.sleep(START_POLL_S)
        if self.stopping.is_set():
            return Outcome(False, problems=("the node is stopping",))
        if not isinstance(checked, Configuration):
            problems = tuple(problem.render(strict=True) for problem in checked)
            for line in problems:
                log.error(line)
            log.error("Config errors: configuration not reloaded; running with the previous one.")
            return Outcome(False, problems=problems)
        plan = plan_reload(self.running, checked, self._held(), self.node.ipfail is not None)
        if not plan.changes:
            log.info("Configuration unchanged.")
            return Outcome(True)
        await self._apply(plan)
        applied = tuple(change.message() for change in plan.changes if change.applied)
        not_applied = tuple(change.message() for change in plan.changes if not change.applied)
        log.info(
            f"Configuration reloaded: {len(applied)} change(s) applied, "
            f"{len(not_applied)} not applied."
        )
        return Outcome(True, applied, not_applied)

    def _held(self) -> Hold | None:
        resources = self.node.resources
        return Hold.NONE if resources is None else parse_hold(resources.holding)

    async def _apply(self, plan: ReloadPlan) -> None:
        """Apply ``plan``: keys first (the next packet is signed with the new one), then the
        timers, ping nodes, groups; each change is logged; logging itself changes last, so the
        lines that say so reach the destination the operator was watching."""
        configuration = plan.running.configuration
        if plan.keys:
            log.info("Rereading authentication file.")
            self._rotate_keys(configuration, plan.running.timers.deadtime)
        if plan.timers:
            self.node.apply_timers(plan.running.timers)
        if plan.ping_nodes:
            self.node.apply_ping_nodes(settings_from(configuration, self.paths).ping_nodes)
        if plan.ping_nodes or plan.timers:
            await self._restart_monitors(configuration)
        if plan.groups:
            self._replace_groups(plan.running.groups, configuration)
        if plan.resource_monitor and self.node.resource_monitor is not None:
            self.node.resource_monitor.reconfigure()
        for change in plan.changes:
            if change.applied:
                log.info(change.message())
            else:
                log.warning(change.message())
        self.running = plan.running
        if plan.logging:
            targets = self.builders.log_targets(configuration)
            if not plan.debug_changed:
                targets = replace(targets, debug_level=debug_level())
            self.builders.configure_logging(targets)

    def _rotate_keys(self, configuration: Configuration, grace_ms: int) -> None:
        assert configuration.authkeys is not None  # checked: a valid configuration has keys
        keyring = configuration.authkeys.keyring()
        rotating = GraceKeyring(keyring, self.node.keyring)
        self.node.apply_keyring(rotating)
        log.info(
            f"Signing with key {keyring.outbound}; the previous keys are accepted for "
            f"{grace_ms} ms more"
        )
        if self._grace is not None:
            self._grace.cancel()
        self._grace = asyncio.get_running_loop().call_later(
            grace_ms / 1000, self._end_grace, rotating, keyring
        )

    def _end_grace(self, rotating: GraceKeyring, keyring: Keyring) -> None:
        self._grace = None
        if self.node.keyring is rotating:
            self.node.apply_keyring(keyring)

    async def _restart_monitors(self, configuration: Configuration) -> None:
        """Start the live kinds' monitors again from ``configuration`` (a ping node list or a
        keepalive they use changed)."""
        fresh = self.builders.monitors(configuration)
        if not fresh and not self.monitors:
            return
        await self.node.replace_monitors(list(self.monitors.values()), list(fresh.values()))
        self.monitors = fresh

    def _replace_groups(self, lines: Sequence[GroupLine], configuration: Configuration) -> None:
        """Run ``lines``: a group already running keeps its agents, a new one gets its own."""
        fresh = self.builders.groups(configuration)
        running = {(group.node, group.tokens): group for group in self.groups.groups}
        built = {(group.node, group.tokens): group for group in fresh.groups}
        self.groups.groups = tuple(
            running.get((line.node, line.tokens)) or built[(line.node, line.tokens)]
            for line in lines
        )
