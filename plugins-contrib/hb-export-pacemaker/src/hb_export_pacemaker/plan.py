"""What a heartbeat configuration becomes in Pacemaker, before any syntax: the plan that the
CIB and the ``pcs`` renderers both write out.

- Nodes: the ``node`` lines, numbered from 1 in file order, named as hb names them (lowercased:
  heartbeat compares them without case). Pacemaker knows a node by the ``name`` and
  ``nodeid`` of corosync.conf's nodelist, which the exported ``corosync.conf`` gives the same.
- One group per haresources line, its resources in the line's order (heartbeat starts them left
  to right and stops them right to left, as a Pacemaker group does), and a location
  constraint giving the line's node :data:`PREFERENCE`.
- DRBD (``drbddisk::RESOURCE``): a promotable clone of ``ocf:linbit:drbd`` outside the group,
  the group colocated with its promoted instance and started after the promotion. The group's
  preference then chooses where DRBD is promoted, as its haresources node was where heartbeat
  made the resource primary. A line of nothing but DRBD prefers its node for the promotion
  (and gets no ipfail rule).
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

- Timeouts: a token's own (hb-ra-ocf's ``start-timeout=`` ...), else what an installed OCF
  agent's meta-data advises where it is longer than Pacemaker's 20 s
  (:mod:`hb_export_pacemaker.advice`).

Pure: the configuration in, the plan out, but for the ``OCF::`` wrapper's instance files and
the installed agents' meta-data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from hbcore.config.configuration import Configuration
from hbcore.config.hacf import HaCf
from hbcore.config.resource_monitor import NAME as RESOURCE_MONITOR
from hbcore.config.resource_monitor import MonitorLine, monitor_settings

from hb_export_pacemaker.advice import advised
from hb_export_pacemaker.cluster import (
    Note,
    PingSet,
    Property,
    ipfail,
    left_out,
    ping_sets,
    properties,
)
from hb_export_pacemaker.ids import Ids
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
values); the roles as the pacemaker-3.0 schema names them."""
PROMOTABLE_META = (
    ("promotable", "true"),
    ("promoted-max", "1"),
    ("promoted-node-max", "1"),
    ("clone-node-max", "1"),
    ("notify", "true"),
)
"""A DRBD clone as LINBIT documents it: one primary, notifications on."""


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

    def header(self, *lines: str) -> list[str]:
        """What every export says first, as plain lines its renderer makes comments of:
        ``lines`` (what the output is, how to use it), then, when there are notes, what was
        not translated, one note a line."""
        notes = self.all_notes
        if not notes:
            return list(lines)
        heading = "Not translated (see the comments below, and do these by hand):"
        return [*lines, heading, *(f"  {note}" for note in notes)]


def plan(config: Configuration, ocf_root: Path = OCF_ROOT) -> Plan:
    """The plan for a configuration that loaded without errors."""
    hacf = config.hacf
    ids = Ids()
    groups: list[Group] = []
    monitored = monitor_settings(hacf)
    for group in config.haresources.groups if config.haresources else ():
        every = tuple(
            Member(ids.unique(p.name), p)
            for p in (
                advised(primitive(r, config.config_dir, ocf_root), ocf_root)
                for r in group.resources
            )
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
    ipfail_line = ipfail(config)
    if ipfail_line is not None and hacf.auto_failback == "legacy":
        notes.append(
            Note(
                ipfail_line,
                "ipfail does not run with auto_failback legacy (it exits 100): "
                "no ping rules exported",
            )
        )
    elif ipfail_line is not None:
        pings = ping_sets(config, ids)
    options, stonith_notes = properties(config)
    return Plan(
        cluster_name=escaped(str(hacf.value("cluster"))),
        nodes=tuple(escaped(node) for node in hacf.nodes),
        properties=options,
        stickiness=stickiness,
        stickiness_why=_STICKINESS_WHY[hacf.auto_failback],
        groups=tuple(groups),
        pings=pings,
        ping_weight=weight,
        notes=tuple(notes + stonith_notes + left_out(config)),
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
