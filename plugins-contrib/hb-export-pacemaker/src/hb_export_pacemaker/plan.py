"""What a heartbeat configuration becomes in Pacemaker, before any syntax: the plan that the
CIB and the ``pcs`` renderers both write out.

- Nodes: the ``node`` lines, numbered from 1 in file order (the ``nodeid`` of the exported
  ``corosync.conf`` too). heartbeat compares node names without case and hb lowercases them;
  Pacemaker takes them as ``uname -n`` prints them.
- One group per haresources line, its resources in the line's order (heartbeat starts them left
  to right and stops them right to left, as a Pacemaker group does), and a location
  constraint giving the line's node :data:`PREFERENCE`.
- DRBD (``drbddisk::RESOURCE``): a promotable clone of ``ocf:linbit:drbd`` outside the group,
  the group colocated with its promoted instance and started after the promotion. The group's
  preference then chooses where DRBD is promoted, as its haresources node was where heartbeat
  made the resource primary. A line of nothing but DRBD prefers its node for the promotion.
- ``auto_failback``: ``on`` and ``legacy`` (a returning preferred node takes its groups back,
  by the ip-request exchange in legacy mode) are ``resource-stickiness=0``, so the preference
  alone places a group. ``off`` (a group stays where it runs) is a stickiness of
  :data:`STICKY` per resource, more than :data:`PREFERENCE` even for a one-resource group
  (Pacemaker sums a group's members' stickiness).
- ipfail (a ``respawn`` line naming it; heartbeat runs it only with ``auto_failback on|off``)
  moves groups to the node that sees more ping nodes. Each ``ping`` host set and each
  ``ping_group`` becomes an ``ocf:pacemaker:ping`` clone, and every group a location rule per
  clone worth :attr:`Plan.ping_weight` per ping node reached: more than any group's preference
  plus stickiness, so connectivity wins as it does for ipfail, and equal connectivity leaves
  the decision to them. A ``ping_group`` is one ping node while any member answers, so its
  rule scores once when its attribute is above 0. Without ipfail the ping nodes only inform
  ``cl_status``, and nothing is exported for them.
- Cluster options: heartbeat in haresources mode has no quorum and, unless ``stonith`` or
  ``stonith_host`` is configured, no fencing; so ``no-quorum-policy=ignore`` for two nodes and
  ``stonith-enabled=false`` without STONITH. With STONITH configured, ``stonith-enabled=true``
  and a note: its devices must be made Pacemaker fence resources by hand.
- Every primitive gets a ``monitor`` operation. hb's ``resource_monitor`` line for the group
  (hb's extension, :mod:`hbcore.config.resource_monitor`) gives its interval and timeout, and
  the group's ``migration-threshold`` (its failures: the Nth moves the group away) and
  ``failure-timeout`` (its window: how long a failure counts). Pacemaker counts failures per
  resource where hb counts them per group. A group hb does not monitor (heartbeat never
  checked a running resource) is monitored at :data:`MONITOR_INTERVAL` all the same, as
  Pacemaker clusters are: Pacemaker restarts a resource whose monitor fails.

Pure: the configuration in, the plan out (the ``OCF::`` wrapper's instance files aside).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

from hbcore.config.configuration import Configuration
from hbcore.config.core_arguments import ClientChild, Stonith, StonithHost
from hbcore.config.core_directives import FAILFAST, RESPAWN
from hbcore.config.hacf import HaCf
from hbcore.config.resource_monitor import NAME as RESOURCE_MONITOR
from hbcore.config.resource_monitor import MonitorLine, monitor_settings

from hb_export_pacemaker.primitives import OCF_ROOT, Primitive, escaped, primitive

PREFERENCE = 100
"""The score of a group's location constraint on its haresources node."""
STICKY = 200
"""``resource-stickiness`` per resource for ``auto_failback off``: above :data:`PREFERENCE`."""
PING_WEIGHT_STEP = 1000
"""The ping weight is the least multiple of this that beats preference plus stickiness."""
MONITOR_INTERVAL = "10s"
MONITOR_TIMEOUT = "20s"
PING_MONITOR_TIMEOUT = "60s"
"""ocf:pacemaker:ping's own recommended monitor timeout."""
DRBD_MONITORS = (("Master", "29s"), ("Slave", "31s"))
"""A DRBD clone's monitor per role, at different intervals as Pacemaker requires (LINBIT's
values); the roles as the pacemaker-3.0 schema and pcs 0.10 name them."""
PROMOTABLE_META = (
    ("promotable", "true"),
    ("promoted-max", "1"),
    ("promoted-node-max", "1"),
    ("clone-node-max", "1"),
    ("notify", "true"),
)
"""A DRBD clone as LINBIT documents it: one primary, notifications on."""
_ID_CHARACTER = re.compile(r"[^A-Za-z0-9_.-]")


@dataclass(frozen=True)
class Note:
    """Something the export could not say in Pacemaker's terms, and where it was written."""

    where: str
    text: str

    def __str__(self) -> str:
        return f"{self.where}: {self.text}"


@dataclass(frozen=True)
class Member:
    """One primitive of a group, with its id in the CIB."""

    id: str
    primitive: Primitive


@dataclass(frozen=True)
class Monitoring:
    """How a group's resources are monitored (Pacemaker's syntax for times: ``10s``)."""

    interval: str = MONITOR_INTERVAL
    timeout: str = MONITOR_TIMEOUT
    failures: int | None = None
    """``migration-threshold``; None: Pacemaker's default (never move)."""
    window: str | None = None
    """``failure-timeout``; None: Pacemaker's default (failures never expire)."""
    where: str | None = None
    """The ``resource_monitor`` line it comes from; None for the default."""


@dataclass(frozen=True)
class Promoted:
    """A promotable clone the group runs with (DRBD): its primitive and the clone's id."""

    member: Member
    clone_id: str


@dataclass(frozen=True)
class Group:
    """One haresources line."""

    id: str
    node: str
    """The preferred node."""
    members: tuple[Member, ...]
    """Its resources but the promotable ones, in order; empty for a line of DRBD alone."""
    where: str
    line: str
    """The haresources line, normalised (node and tokens)."""
    monitoring: Monitoring = Monitoring()
    promoted: tuple[Promoted, ...] = ()
    """The promotable clones it runs with, colocated with and ordered after their promotion."""


@dataclass(frozen=True)
class PingSet:
    """One ``ocf:pacemaker:ping`` clone and what its attribute scores."""

    id: str
    clone_id: str
    attribute: str
    hosts: tuple[str, ...]
    any_member: bool
    """A ``ping_group``: one ping node, up while any host answers."""
    where: str


@dataclass(frozen=True)
class Property:
    """A cluster option and why it has this value."""

    name: str
    value: str
    why: str


@dataclass(frozen=True)
class Plan:
    """A whole configuration in Pacemaker's terms."""

    cluster_name: str
    nodes: tuple[str, ...]
    properties: tuple[Property, ...]
    stickiness: int
    stickiness_why: str
    groups: tuple[Group, ...]
    pings: tuple[PingSet, ...]
    ping_weight: int
    """Score per ping node reached (``multiplier`` of a ping set, score of a ping group)."""
    notes: tuple[Note, ...]
    """Cluster-wide things left out; a primitive's own are in its notes."""
    ids: frozenset[str]
    """Every id the plan gave out (renderers make theirs unique beside them)."""

    @property
    def all_notes(self) -> tuple[Note, ...]:
        """Every note, the cluster's first, then each primitive's, group by group."""
        members = [
            Note(member.primitive.where, f"{member.primitive.token}: {text}")
            for group in self.groups
            for member in (*(p.member for p in group.promoted), *group.members)
            for text in member.primitive.notes
        ]
        return (*self.notes, *members)


class Ids:
    """XML ids, unique in one CIB: invalid characters become ``-``, clashes get ``-2``..."""

    def __init__(self, taken: set[str] | None = None) -> None:
        self.taken: set[str] = set(taken or ())

    def unique(self, base: str) -> str:
        """``base`` made a valid XML id that no earlier call returned."""
        name = _ID_CHARACTER.sub("-", base) or "resource"
        if not (name[0].isalpha() or name[0] == "_"):
            name = f"r-{name}"
        candidate, number = name, 1
        while candidate in self.taken:
            number += 1
            candidate = f"{name}-{number}"
        self.taken.add(candidate)
        return candidate


def plan(config: Configuration, ocf_root: Path = OCF_ROOT) -> Plan:
    """The plan for a configuration that loaded without errors."""
    hacf = config.hacf
    ids = Ids()
    groups: list[Group] = []
    monitored = monitor_settings(hacf)
    for group in config.haresources.groups if config.haresources else ():
        every = tuple(
            Member(ids.unique(p.name), p)
            for p in (primitive(r, config.config_dir, ocf_root) for r in group.resources)
        )
        tokens = " ".join(resource.token for resource in group.resources)
        groups.append(
            Group(
                ids.unique(f"group-{every[0].id}"),
                escaped(group.node),
                tuple(member for member in every if not member.primitive.promotable),
                str(group.location),
                escaped(f"{group.node} {tokens}"),
                _monitoring(monitored.for_group(group.key), hacf),
                tuple(
                    Promoted(member, ids.unique(f"{member.id}-clone"))
                    for member in every
                    if member.primitive.promotable
                ),
            )
        )
    sticky = hacf.auto_failback == "off"
    stickiness = STICKY if sticky else 0
    largest = max((len(group.members) for group in groups), default=1)
    beaten = PREFERENCE + stickiness * largest
    weight = PING_WEIGHT_STEP * math.ceil((beaten + 1) / PING_WEIGHT_STEP)
    notes: list[Note] = []
    pings: tuple[PingSet, ...] = ()
    ipfail = _ipfail(config)
    if ipfail is not None and hacf.auto_failback == "legacy":
        notes.append(
            Note(
                ipfail,
                "ipfail does not run with auto_failback legacy (it exits 100): "
                "no ping rules exported",
            )
        )
    elif ipfail is not None:
        pings = _ping_sets(config, ids)
    properties, stonith_notes = _properties(config)
    return Plan(
        cluster_name=escaped(str(hacf.value("cluster"))),
        nodes=tuple(escaped(node) for node in hacf.nodes),
        properties=properties,
        stickiness=stickiness,
        stickiness_why=_STICKINESS_WHY[hacf.auto_failback],
        groups=tuple(groups),
        pings=pings,
        ping_weight=weight,
        notes=tuple(notes + stonith_notes + _left_out(config)),
        ids=frozenset(ids.taken),
    )


def _monitoring(line: MonitorLine | None, hacf: HaCf) -> Monitoring:
    if line is None:
        return Monitoring()
    located = next((entry for entry in hacf.located(RESOURCE_MONITOR) if entry.value == line), None)
    return Monitoring(
        duration(line.interval_ms),
        duration(line.timeout_ms),
        line.failures,
        duration(line.window_ms),
        str(located.location) if located else None,
    )


def duration(ms: int) -> str:
    """Milliseconds as Pacemaker writes a time: ``10s``, ``500ms``."""
    return f"{ms // 1000}s" if ms % 1000 == 0 else f"{ms}ms"


_STICKINESS_WHY = {
    "on": "auto_failback on: a group goes back to its haresources node when that node returns, "
    "so no stickiness: the location preference alone decides",
    "legacy": "auto_failback legacy (heartbeat's default): a returning haresources node takes "
    "its groups back (ip-request), as with auto_failback on: no stickiness",
    "off": f"auto_failback off: a group stays where it runs; {STICKY} per resource outweighs "
    f"the preference of {PREFERENCE} for the haresources node",
}


def _ipfail(config: Configuration) -> str | None:
    """Where a ``respawn`` line asks for ipfail, or None."""
    for entry in config.hacf.located(RESPAWN.name):
        if isinstance(entry.value, ClientChild) and entry.value.is_ipfail:
            return str(entry.location)
    return None


def _ping_sets(config: Configuration, ids: Ids) -> tuple[PingSet, ...]:
    """One set for every ping host together, one per ping group. Whichever plugin owns a
    directive that declares ping nodes: a value with ``hosts`` is a group of them (one ping
    node), any other value one host, named as the directive names it."""
    hacf = config.hacf
    hosts: list[str] = []
    first_host = ""
    groups: list[PingSet] = []
    for directive, owned in hacf.directives.items():
        ping_node = owned.item.ping_node
        if ping_node is None:
            continue
        for entry in hacf.located(directive):
            name = escaped(ping_node(entry.value))
            members = getattr(entry.value, "hosts", None)
            if not isinstance(members, tuple) or not members:
                hosts.append(name)
                first_host = first_host or str(entry.location)
                continue
            rid = ids.unique(f"ping-{name}")
            groups.append(
                PingSet(
                    rid,
                    ids.unique(f"{rid}-clone"),
                    f"pingd-{_ID_CHARACTER.sub('-', name)}",
                    tuple(escaped(str(member)) for member in members),
                    True,
                    str(entry.location),
                )
            )
    if not hosts:
        return tuple(groups)
    single = PingSet(
        ids.unique("ping"), ids.unique("ping-clone"), "pingd", tuple(hosts), False, first_host
    )
    return (single, *groups)


def _properties(config: Configuration) -> tuple[tuple[Property, ...], list[Note]]:
    """The cluster options, and the STONITH lines to translate by hand."""
    hacf = config.hacf
    stonith = [*hacf.located("stonith"), *hacf.located("stonith_host")]
    properties = []
    notes: list[Note] = []
    if stonith:
        properties.append(
            Property(
                "stonith-enabled",
                "true",
                "ha.cf configures STONITH; Pacemaker starts no resource until a fence device "
                "exists",
            )
        )
        notes.extend(
            Note(
                str(entry.location),
                f"STONITH '{_stonith_line(entry.value)}': create the fence device by hand "
                "(pcs stonith create NAME AGENT ...), its parameters named",
            )
            for entry in stonith
        )
    else:
        properties.append(
            Property(
                "stonith-enabled",
                "false",
                "ha.cf configures no STONITH, and heartbeat ran without fencing; Pacemaker "
                "would start nothing without a fence device. Add one and set this to true",
            )
        )
    if len(hacf.nodes) == 2:
        properties.append(
            Property(
                "no-quorum-policy",
                "ignore",
                "two nodes: one survivor has no majority, and heartbeat's haresources mode "
                "has no quorum; corosync.conf's two_node: 1 says the same to corosync",
            )
        )
    return tuple(properties), notes


def _stonith_line(value: object) -> str:
    """A ``stonith`` or ``stonith_host`` value as written."""
    if isinstance(value, Stonith):
        return escaped(f"stonith {value.type} {value.config_file}")
    if isinstance(value, StonithHost):
        return escaped(" ".join(("stonith_host", value.host, value.type, *value.parameters)))
    return escaped(str(value))


def _left_out(config: Configuration) -> list[Note]:
    """ha.cf settings with no counterpart in the CIB."""
    hacf = config.hacf
    notes = [
        Note(
            str(entry.location),
            "watchdog: Pacemaker's is sbd (apt-get install sbd; SBD_WATCHDOG_DEV), not the CIB",
        )
        for entry in hacf.located("watchdog")
    ]
    for directive in (RESPAWN.name, FAILFAST.name):
        notes.extend(
            Note(
                str(entry.location),
                f"{directive} '{escaped(str(entry.value))}': run it as a systemd service or an "
                "ocf:heartbeat:anything clone",
            )
            for entry in hacf.located(directive)
            if not (isinstance(entry.value, ClientChild) and entry.value.is_ipfail)
        )
    return notes
