"""Reloading a running node's configuration (SIGHUP, ``hb reload``): what may change live, what
may not, and applying it without dropping a heartbeat or a resource.

heartbeat 3.0.6 answers SIGHUP by comparing modification times: an unchanged ``ha.cf`` and
``authkeys`` log "Configuration unchanged."; a changed ``authkeys`` alone is read again
("Rereading authentication file."); a changed ``ha.cf`` restarts the whole daemon in place, and
a broken one stops it ("Config errors: Heartbeat NOT restarted"), leaving its addresses up. hb
reads the three files again with ``hb check --strict``'s loader, compares what they say with
what runs, and applies the difference in place:

- **live**: the timers (keepalive, deadtime, warntime, deadping), ``authkeys`` (see
  :class:`GraceKeyring`), the log settings (logfile, debugfile, logfacility, debug), the ping
  nodes (unless ipfail runs: it compares their count with the peer's), and the resource groups
  of a node whose groups this node does not hold;
- **not live**, logged with the reason and the running value kept: ``initdead`` (it only
  matters while starting), the node list, the media, ``udpport``, and any other directive (read
  at start only). A group this node holds is neither started, stopped nor changed;
- an invalid configuration is refused with ``hb check``'s ``file:line`` problems, and the node
  runs on with what it had.

:func:`plan_reload` decides, purely, from what runs (:class:`RunningConfig`) and the files;
:class:`Reloader` runs one reload at a time on the node's loop and applies its plan.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import structlog
from hb_hookspecs import HealthMonitor

from hbcore.config.configuration import AUTHKEYS, HARESOURCES, Configuration
from hbcore.config.problems import Location, Problem, printable
from hbcore.config.timers import Timers
from hbcore.log import LogTargets, debug_level
from hbcore.membership.table import INIT
from hbcore.node.daemon import Node
from hbcore.node.settings import settings_from
from hbcore.resources.groups import GroupTable
from hbcore.resources.holdings import Hold, parse_hold
from hbcore.state.paths import NodePaths
from hbcore.wire import Keyring

log = structlog.get_logger("hb.node")

LIVE_TIMERS = ("keepalive", "deadtime", "warntime", "deadping")
START_TIMERS = ("initdead",)
LOG_DIRECTIVES = ("logfile", "debugfile", "logfacility", "debug")
PING_DIRECTIVES = ("ping", "ping_group")
TIMER_DIRECTIVES = (*LIVE_TIMERS, *START_TIMERS)

INITDEAD_REASON = "it only applies while a node starts: the new value counts at the next start"
MEDIA_REASON = "a heartbeat path is opened at start: restart hb to open the new set"
NOT_LIVE_REASONS: Mapping[str, str] = {
    "node": (
        "the node list is the cluster's membership, read at start: change it on every node "
        "and restart hb on each"
    ),
    "udpport": "the heartbeat sockets are bound to the port at start: restart hb",
}
RESTART_REASON = "hb reads it at start only: restart hb for it to take effect"
IPFAIL_REASON = (
    "ipfail compares how many ping nodes each node sees: change them on every node and "
    "restart hb on each, one at a time"
)
TRANSITION_REASON = "resource groups are moving: reload again once they have settled"
START_POLL_S = 0.05
"""A reload requested while the node starts waits for it, looking this often."""
KEPT_OUTCOMES = 16
"""How many reload outcomes :class:`Reloader` keeps for ``hb reload`` to collect."""


# ------------------------------------------------------------------ what runs


@dataclass(frozen=True)
class GroupLine:
    """One haresources line as it runs: the preferred node and the resource tokens."""

    node: str
    tokens: tuple[str, ...]
    location: Location = field(compare=False)

    @property
    def key(self) -> str:
        """The group's name: its first token."""
        return self.tokens[0]

    @property
    def text(self) -> str:
        """The line as heartbeat logs it (``linuxha1 10.0.0.1 httpd``)."""
        return " ".join((self.node, *self.tokens))


@dataclass(frozen=True)
class RunningConfig:
    """What a node runs with: its configuration at start, then what each reload applied.

    ``configuration`` is the last one accepted; where a part could not change live, the
    other fields keep the running value, so a later reload reports it again.
    """

    configuration: Configuration
    directives: Mapping[str, tuple[object, ...]]
    """Every ha.cf value in force, by directive."""
    media: frozenset[str]
    """The directives that configured heartbeat paths."""
    timers: Timers
    groups: tuple[GroupLine, ...]
    keys: tuple[object, ...] = field(repr=False)
    """The outbound index and every key (index, method, key text): to compare, never shown."""

    @classmethod
    def at_start(cls, configuration: Configuration) -> RunningConfig:
        """What a node started from ``configuration`` runs with."""
        hacf = configuration.hacf
        return cls(
            configuration,
            {directive: hacf.values(directive) for directive in hacf.entries},
            frozenset(medium.directive for medium in hacf.media),
            hacf.timers,
            group_lines(configuration),
            key_fingerprint(configuration),
        )


def group_lines(configuration: Configuration) -> tuple[GroupLine, ...]:
    """The haresources lines of ``configuration`` (none when it has no haresources)."""
    haresources = configuration.haresources
    return tuple(
        GroupLine(group.node, tuple(r.token for r in group.resources), group.location)
        for group in (haresources.groups if haresources is not None else ())
    )


def key_fingerprint(configuration: Configuration) -> tuple[object, ...]:
    """What identifies an authkeys file's keys: two files with the same are the same keys."""
    authkeys = configuration.authkeys
    if authkeys is None:
        return ()
    keys = sorted(
        (index, located.value.method.item.name, located.value.key)
        for index, located in authkeys.keys.items()
    )
    return (authkeys.outbound.value, *keys)


# ------------------------------------------------------------------ the plan


@dataclass(frozen=True)
class Change:
    """One difference between the files and what runs: applied, or ``refused`` with why."""

    location: Location
    what: str
    old: str
    new: str
    refused: str | None = None

    @property
    def applied(self) -> bool:
        """True when the node runs with the new value."""
        return self.refused is None

    def message(self) -> str:
        """The log line: ``ha.cf:3: deadtime 5000 ms -> 7000 ms: applied``, or the reason it
        was not and the value kept."""
        head = f"{self.location}: {self.what} {self.old} -> {self.new}"
        if self.refused is None:
            return printable(f"{head}: applied")
        return printable(f"{head}: not applied ({self.refused}); running with {self.old}")


@dataclass(frozen=True)
class ReloadPlan:
    """What a reload changes, and what runs once it is applied."""

    changes: tuple[Change, ...]
    running: RunningConfig
    timers: bool = False
    keys: bool = False
    logging: bool = False
    ping_nodes: bool = False
    groups: bool = False

    @property
    def debug_changed(self) -> bool:
        """True when ha.cf's ``debug`` changed (it then overrides SIGUSR1/SIGUSR2)."""
        return any(c.applied and c.what == "debug" for c in self.changes)


def plan_reload(
    running: RunningConfig, new: Configuration, held: Hold | None, ipfail: bool
) -> ReloadPlan:
    """Compare ``new`` (valid: checked like ``hb check --strict``) with what runs.

    :param held: the groups this node holds, or None while they move (a transition).
    :param ipfail: True when ipfail runs here (the ping nodes then stay).
    :returns: every difference, each applied or refused with its reason, and the running
        configuration once the applied ones are in force.
    """
    hacf = new.hacf
    changes: list[Change] = []
    directives = dict(running.directives)

    timer_changes = _timer_changes(running.timers, new)
    changes += timer_changes
    timers_changed = any(change.applied for change in timer_changes)

    applied: set[str] = set()
    media = running.media | {medium.directive for medium in hacf.media}
    names = sorted(
        set(running.directives) | set(hacf.entries),
        key=lambda d: (hacf.location(d).line or 1 << 30, d),
    )
    for directive in names:
        if directive in TIMER_DIRECTIVES:
            continue
        old, now = running.directives.get(directive, ()), hacf.values(directive)
        if old == now:
            continue
        reason = _refusal(directive, media, ipfail)
        changes.append(Change(hacf.location(directive), directive, _show(old), _show(now), reason))
        if reason is None:
            directives[directive] = now
            applied.add(directive)

    keys = key_fingerprint(new)
    if keys != running.keys:
        changes.append(_key_change(running, new))

    new_lines, group_changes = plan_groups(running.groups, group_lines(new), new.node_name, held)
    changes += group_changes

    settled = replace(hacf.timers, initdead=running.timers.initdead)
    return ReloadPlan(
        tuple(changes),
        RunningConfig(
            new,
            directives,
            running.media,
            settled if timers_changed else running.timers,
            new_lines,
            keys,
        ),
        timers=timers_changed,
        keys=keys != running.keys,
        logging=bool(applied.intersection(LOG_DIRECTIVES)),
        ping_nodes=bool(applied.intersection(PING_DIRECTIVES)),
        groups=new_lines != running.groups,
    )


def _timer_changes(running: Timers, new: Configuration) -> list[Change]:
    """The settled timers that differ (a derived one too: warntime follows deadtime)."""
    changes = []
    for name in TIMER_DIRECTIVES:
        old, now = getattr(running, name), getattr(new.hacf.timers, name)
        if old != now:
            reason = INITDEAD_REASON if name in START_TIMERS else None
            location = new.hacf.location(name)
            changes.append(Change(location, name, f"{old} ms", f"{now} ms", reason))
    return changes


def _refusal(directive: str, media: frozenset[str], ipfail: bool) -> str | None:
    """Why ``directive`` cannot change live, or None when it can."""
    if directive in LOG_DIRECTIVES:
        return None
    if directive in PING_DIRECTIVES:
        return IPFAIL_REASON if ipfail else None
    if directive in media:
        return MEDIA_REASON
    return NOT_LIVE_REASONS.get(directive, RESTART_REASON)


def _show(values: tuple[object, ...]) -> str:
    return " ".join(str(value) for value in values) if values else "(unset)"


def _key_change(running: RunningConfig, new: Configuration) -> Change:
    """The authkeys change, shown by index and method, never by key."""
    old, now = _describe_keys(running.configuration), _describe_keys(new)
    if old == now:
        now += " (new key text)"
    authkeys = new.authkeys
    location = authkeys.outbound.location if authkeys is not None else Location(AUTHKEYS)
    return Change(location, "authkeys", old, now)


def _describe_keys(configuration: Configuration) -> str:
    authkeys = configuration.authkeys
    if authkeys is None:
        return "(none)"
    outbound = authkeys.keys[authkeys.outbound.value].value
    indexes = ",".join(str(index) for index in sorted(authkeys.keys))
    return f"[auth {outbound.index} {outbound.method.item.name}; keys {indexes}]"


def plan_groups(
    running: tuple[GroupLine, ...], new: tuple[GroupLine, ...], local: str, held: Hold | None
) -> tuple[tuple[GroupLine, ...], list[Change]]:
    """The groups to run with, and the changes to them.

    Groups go by who holds them: ``local`` (ours by preference) and ``foreign`` (the
    others'), as heartbeat's resource messages do. The groups of a kind this node holds stay
    exactly as they run (order too): a reload never starts, stops or changes a running
    group. The other kind takes the file's groups. While groups move (``held`` None),
    nothing changes.
    """
    changes: list[Change] = []
    kept: set[Hold] = set()
    taken = False
    for kind in (Hold.LOCAL, Hold.FOREIGN):
        old = [line for line in running if _kind(line, local) is kind]
        now = [line for line in new if _kind(line, local) is kind]
        if old == now:
            continue
        reason = None
        if held is None:
            reason = TRANSITION_REASON
        elif kind in held:
            reason = (
                f"this node holds the {kind.word} groups, and a reload does not start, stop "
                "or change a held group: hand them over first (hb standby), or restart hb"
            )
        if reason is None:
            taken = True
        else:
            kept.add(kind)
        changes += _group_changes(old, now, reason)
    if not taken:
        return running, changes
    # A kept kind runs as before, where the file first names that kind (or at the end).
    lines: list[GroupLine] = []
    placed: set[Hold] = set()
    for line in new:
        kind = _kind(line, local)
        if kind not in kept:
            lines.append(line)
        elif kind not in placed:
            placed.add(kind)
            lines += [old for old in running if _kind(old, local) is kind]
    for kind in kept - placed:
        lines += [old for old in running if _kind(old, local) is kind]
    return tuple(lines), changes


def _kind(line: GroupLine, local: str) -> Hold:
    return Hold.LOCAL if line.node == local else Hold.FOREIGN


def _group_changes(old: list[GroupLine], new: list[GroupLine], reason: str | None) -> list[Change]:
    """One change per group added, removed or changed; one for a new order alone."""
    before = {line.key: line for line in old}
    after = {line.key: line for line in new}
    changes = []
    for line in new:
        previous = before.get(line.key)
        if previous != line:
            shown = previous.text if previous is not None else "(none)"
            changes.append(Change(line.location, f"group {line.key}", shown, line.text, reason))
    for line in old:
        if line.key not in after:
            location = Location(HARESOURCES)
            changes.append(Change(location, f"group {line.key}", line.text, "(none)", reason))
    if not changes:
        order = Location(HARESOURCES)
        changes.append(Change(order, "group order", _keys(old), _keys(new), reason))
    return changes


def _keys(lines: list[GroupLine]) -> str:
    return " ".join(line.key for line in lines)


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
        """``groups`` is the table the resource manager uses (changed in place);
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
        task = asyncio.get_running_loop().create_task(self._run(self._last), name="reload")
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
