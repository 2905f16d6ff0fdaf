"""The plan as a shell script of ``pcs`` commands (pcs 0.11, as Debian 12 and RHEL 9 ship it:
``resource defaults update``, the roles ``Promoted`` and ``Unpromoted``).

The commands build the configuration in a file (``pcs -f``) and push it at once, so the cluster
never runs half of it; every choice is said in a ``#`` comment beside its command. The nodes
are the cluster's own (``pcs cluster setup`` makes them), so they appear in a comment only.
"""

from __future__ import annotations

import shlex

from hb_export_pacemaker.cluster import PingSet
from hb_export_pacemaker.plan import (
    DRBD_MONITORS,
    MONITOR_INTERVAL,
    MONITOR_TIMEOUT,
    PING_MONITOR_TIMEOUT,
    PREFERENCE,
    PROMOTABLE_META,
    Group,
    Monitoring,
    Plan,
    Promoted,
)
from hb_export_pacemaker.primitives import Primitive

WORK_FILE = "hb-cib.xml"
PROMOTED = "Promoted"
ROLES = {"Master": PROMOTED, "Slave": "Unpromoted"}
"""pcs 0.11's names for the roles of the pacemaker-3.0 schema (it deprecates the old ones)."""


def pcs_script(plan: Plan, source: str) -> str:
    """The commands for ``plan``, read from ``source`` (named in the header)."""
    names = " ".join(shlex.quote(node) for node in plan.nodes)
    header = plan.header(
        f"hb export pacemaker --format pcs: {source} as pcs commands.",
        "The cluster first (or corosync.conf from 'hb export corosync'):",
        f"  pcs host auth {names}",
        f"  pcs cluster setup {shlex.quote(plan.cluster_name)} {names} --start",
    )
    lines = ["#!/bin/sh", *(f"# {_comment(line)}" for line in header)]
    lines += ["set -e", f"pcs cluster cib {WORK_FILE}"]
    for option in plan.properties:
        lines.append(f"# {_comment(option.why)}")
        lines.append(_pcs("property", "set", f"{option.name}={option.value}"))
    lines.append(f"# {_comment(plan.stickiness_why)}")
    lines.append(_pcs("resource", "defaults", "update", f"resource-stickiness={plan.stickiness}"))
    for group in plan.groups:
        lines.append(f"# {_comment(f'{group.where}: {group.line}')}")
        lines += _group(group)
    for ping in plan.pings:
        lines += _ping(plan, ping)
    lines.append(f"pcs cluster cib-push {WORK_FILE} --config")
    return "\n".join(lines) + "\n"


def _group(group: Group) -> list[str]:
    """The group's promotable clones, its resources, its failure handling and preference."""
    lines = [line for promoted in group.promoted for line in _promotable(promoted)]
    for member in group.members:
        lines += _notes(member.primitive)
        lines.append(_create(member.id, member.primitive, group.monitoring, "--group", group.id))
    if not group.members:
        for promoted in group.promoted:
            rule = (f"role={PROMOTED}", f"score={PREFERENCE}", "#uname", "eq", group.node)
            lines.append(_pcs("constraint", "location", promoted.clone_id, "rule", *rule))
        return lines
    monitoring = group.monitoring
    if monitoring.where is not None:
        lines.append(f"# {monitoring.where}: resource_monitor, per resource in Pacemaker")
        lines.append(
            _pcs(
                "resource",
                "meta",
                group.id,
                f"migration-threshold={monitoring.failures}",
                f"failure-timeout={monitoring.window}",
            )
        )
    lines.append(_pcs("constraint", "location", group.id, "prefers", f"{group.node}={PREFERENCE}"))
    for promoted in group.promoted:
        lines.append(
            _pcs(
                "constraint", "colocation", "add", group.id, "with", PROMOTED,
                promoted.clone_id, "INFINITY",
            )
        )  # fmt: skip
        lines.append(
            _pcs("constraint", "order", "promote", promoted.clone_id, "then", "start", group.id)
        )
    return lines


def _promotable(promoted: Promoted) -> list[str]:
    """A DRBD resource as a promotable clone: one monitor per role, at different intervals."""
    primitive = promoted.member.primitive
    parameters = [f"{name}={value}" for name, value in primitive.parameters]
    monitors = [
        word
        for role, interval in ((ROLES[role], interval) for role, interval in DRBD_MONITORS)
        for word in (
            "monitor",
            f"interval={interval}",
            f"role={role}",
            f"timeout={MONITOR_TIMEOUT}",
        )
    ]
    meta = [f"{name}={value}" for name, value in PROMOTABLE_META if name != "promotable"]
    return [
        f"# {_comment(f'{primitive.where}: {primitive.token} as a promotable clone')}",
        _pcs(
            "resource", "create", promoted.member.id, primitive.spec, *parameters, "op", *monitors,
            "promotable", *meta,
        ),
    ]  # fmt: skip


def _ping(plan: Plan, ping: PingSet) -> list[str]:
    multiplier = "1" if ping.any_member else str(plan.ping_weight)
    what = (
        f"ping_group, one ping node while any host answers: {plan.ping_weight} when up"
        if ping.any_member
        else f"ping: {plan.ping_weight} per host reached"
    )
    lines = [
        f"# {_comment(ping.where)}: ipfail, the node reaching more ping nodes wins; {what}",
        _pcs(
            "resource",
            "create",
            ping.id,
            "ocf:pacemaker:ping",
            f"host_list={' '.join(ping.hosts)}",
            f"name={ping.attribute}",
            f"multiplier={multiplier}",
            *_monitor(MONITOR_INTERVAL, PING_MONITOR_TIMEOUT),
            "clone",  # pcs names it ID-clone, as the CIB export does
        ),
    ]
    for group in (group for group in plan.groups if group.members):
        rule: tuple[str, ...]
        if ping.any_member:
            rule = (f"score={plan.ping_weight}", ping.attribute, "gt", "0")
        else:
            rule = (f"score-attribute={ping.attribute}", "defined", ping.attribute)
        lines.append(_pcs("constraint", "location", group.id, "rule", *rule))
    return lines


def _create(rid: str, primitive: Primitive, monitoring: Monitoring, *extra: str) -> str:
    parameters = [f"{name}={value}" for name, value in dict(primitive.parameters).items()]
    timeouts = {"monitor": monitoring.timeout, **dict(primitive.timeouts)}
    operations = list(_monitor(monitoring.interval, timeouts["monitor"]))
    for action in ("start", "stop"):
        if action in timeouts:
            operations += [action, "interval=0s", f"timeout={timeouts[action]}"]
    return _pcs("resource", "create", rid, primitive.spec, *parameters, *operations, *extra)


def _monitor(interval: str, timeout: str) -> tuple[str, ...]:
    return ("op", "monitor", f"interval={interval}", f"timeout={timeout}")


def _notes(primitive: Primitive) -> list[str]:
    return [f"# {_comment(f'{primitive.token}: {note}')}" for note in primitive.notes]


def _pcs(*words: str) -> str:
    return " ".join(["pcs", "-f", WORK_FILE, *(shlex.quote(word) for word in words)])


def _comment(text: str) -> str:
    """``text`` on one comment line."""
    return "".join(c if c.isprintable() else "?" for c in text)
