"""The rules of a reload (SIGHUP, ``hb reload``): what in a re-read configuration may change in
a running node, what may not and why, decided by comparing what runs with what the files say.

heartbeat 3.0.6 answers SIGHUP by comparing modification times: an unchanged ``ha.cf`` and
``authkeys`` log "Configuration unchanged."; a changed ``authkeys`` alone is read again
("Rereading authentication file."); a changed ``ha.cf`` restarts the whole daemon in place, and
a broken one stops it ("Config errors: Heartbeat NOT restarted"), leaving its addresses up. hb
reads the three files again with ``hb check --strict``'s loader, compares what they say with
what runs, and applies the difference in place:

- **live**: the timers (keepalive, deadtime, warntime, deadping), ``authkeys`` (the previous
  keys stay accepted for a while: :class:`hbcore.node.reloader.GraceKeyring`), the log settings
  (logfile, debugfile, logfacility, debug), the ping nodes (unless ipfail runs: it compares
  their count with the peer's), hb's ``resource_monitor`` (each held group's monitor goes on
  with the new lines, its failures still counted), and the resource groups of a node whose
  groups this node does not hold;
- **not live**, logged with the reason and the running value kept: ``initdead`` (it only
  matters while starting), the node list, the media, ``udpport``, and any other directive (read
  at start only). A group this node holds is neither started, stopped nor changed.

Contract: :func:`plan_reload` takes what runs (:class:`RunningConfig`) and a new configuration
that ``hb check --strict`` accepts, and returns a :class:`ReloadPlan`: every difference as a
:class:`Change` (applied, or refused with its reason) with the line the node logs for it, which
parts of the node to touch, and what runs once the plan is applied. It is pure: no I/O, no
node, no loop, no clock; the same inputs give the same plan. Reading the files, refusing an
invalid configuration and applying a plan are :mod:`hbcore.node.reloader`'s job.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from hbcore.config.configuration import AUTHKEYS, HARESOURCES, Configuration
from hbcore.config.problems import Location, printable
from hbcore.config.resource_monitor import NAME as RESOURCE_MONITOR
from hbcore.config.timers import Timers
from hbcore.resources.holdings import Hold

LIVE_TIMERS = ("keepalive", "deadtime", "warntime", "deadping")
START_TIMERS = ("initdead",)
LOG_DIRECTIVES = ("logfile", "debugfile", "logfacility", "debug")
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
    resource_monitor: bool = False
    """``resource_monitor`` changed: the monitor's loops start again with it."""

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
        reason = _refusal(directive, media, ipfail, hacf.declares_ping_nodes(directive))
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
        ping_nodes=any(hacf.declares_ping_nodes(directive) for directive in applied),
        groups=new_lines != running.groups,
        resource_monitor=RESOURCE_MONITOR in applied,
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


def _refusal(directive: str, media: frozenset[str], ipfail: bool, ping_nodes: bool) -> str | None:
    """Why ``directive`` (whose values are ping nodes when ``ping_nodes``) cannot change
    live, or None when it can."""
    if directive in LOG_DIRECTIVES or directive == RESOURCE_MONITOR:
        return None
    if ping_nodes:
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
