"""The plan in the crm shell's configuration language (crmsh 4), for
``crm configure load update FILE``: the same objects, with the same ids, as the CIB export.

Every choice is said in a ``#`` comment above its statement. crmsh checks each agent's
meta-data on the node that loads the file; where an agent is not installed there (a systemd
unit, LINBIT's drbd on a node without it), ``crm -F`` loads it anyway.
"""

from __future__ import annotations

import re

from hb_export_pacemaker.cib_xml import safe_comment
from hb_export_pacemaker.cluster import PingSet
from hb_export_pacemaker.ids import Ids
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

ROLES = {"Master": "Promoted", "Slave": "Unpromoted"}
"""crmsh 4.4's names for the roles of the pacemaker-3.0 schema."""
_BARE = re.compile(r"[A-Za-z0-9_.,:/@%+=-]+")
_CONTINUED = " \\\n    "


def crm_configuration(plan: Plan, source: str) -> str:
    """The crm shell configuration for ``plan``, read from ``source`` (named in the header)."""
    ids = Ids(set(plan.ids))
    header = plan.header(
        f"hb export pacemaker: {source} as crm shell configuration.",
        "Load it: crm configure load update FILE",
    )
    out = [f"# {_comment(line)}" for line in header]
    out += [f"node {number}: {name}" for number, name in enumerate(plan.nodes, start=1)]
    out += [f"# {_comment(f'{option.name}: {option.why}')}" for option in plan.properties]
    settings = " ".join(f"{option.name}={_value(option.value)}" for option in plan.properties)
    out.append(f"property {ids.unique('cib-bootstrap-options')}: {settings}")
    out.append(f"# {_comment(plan.stickiness_why)}")
    out.append(f"rsc_defaults {ids.unique('rsc-options')}: resource-stickiness={plan.stickiness}")
    for group in plan.groups:
        out.append(f"# {_comment(f'{group.where}: {group.line}')}")
        out += _group(group, ids)
    for ping in plan.pings:
        out += _ping(plan, ping, ids)
    return "\n".join(out) + "\n"


def _group(group: Group, ids: Ids) -> list[str]:
    out: list[str] = []
    for promoted in group.promoted:
        out += _promotable(promoted, ids)
    for member in group.members:
        out += [
            f"# {_comment(f'{member.primitive.token}: {note}')}" for note in member.primitive.notes
        ]
        out.append(_primitive(member.id, member.primitive, group.monitoring))
    if not group.members:
        for promoted in group.promoted:
            rid = ids.unique(f"location-{promoted.clone_id}-{group.node}")
            out.append(
                f"location {rid} {promoted.clone_id} "
                f"rule role=Promoted {PREFERENCE}: #uname eq {group.node}"
            )
        return out
    statement = f"group {group.id} {' '.join(member.id for member in group.members)}"
    monitoring = group.monitoring
    if monitoring.where is not None:
        out.append(f"# {monitoring.where}: resource_monitor, per resource in Pacemaker")
        statement += (
            f"{_CONTINUED}meta migration-threshold={monitoring.failures} "
            f"failure-timeout={monitoring.window}"
        )
    out.append(statement)
    rid = ids.unique(f"location-{group.id}-{group.node}")
    out.append(f"location {rid} {group.id} {PREFERENCE}: {group.node}")
    for promoted in group.promoted:
        colocation = ids.unique(f"colocation-{group.id}-{promoted.clone_id}")
        order = ids.unique(f"order-{promoted.clone_id}-{group.id}")
        out.append(f"colocation {colocation} inf: {group.id} {promoted.clone_id}:Promoted")
        out.append(f"order {order} Mandatory: {promoted.clone_id}:promote {group.id}:start")
    return out


def _primitive(rid: str, primitive: Primitive, monitoring: Monitoring) -> str:
    statement = f"primitive {rid} {primitive.spec}"
    parameters = dict(primitive.parameters)
    if parameters:
        pairs = " ".join(f"{name}={_value(value)}" for name, value in parameters.items())
        statement += f"{_CONTINUED}params {pairs}"
    timeouts = {"monitor": monitoring.timeout, **dict(primitive.timeouts)}
    statement += (
        f"{_CONTINUED}op monitor interval={monitoring.interval} timeout={timeouts['monitor']}"
    )
    for action in ("start", "stop"):
        if action in timeouts:
            statement += f"{_CONTINUED}op {action} interval=0s timeout={timeouts[action]}"
    return statement


def _promotable(promoted: Promoted, ids: Ids) -> list[str]:
    primitive = promoted.member.primitive
    rid = promoted.member.id
    pairs = " ".join(f"{name}={_value(value)}" for name, value in primitive.parameters)
    statement = f"primitive {rid} {primitive.spec}{_CONTINUED}params {pairs}"
    for role, interval in DRBD_MONITORS:
        statement += (
            f"{_CONTINUED}op monitor interval={interval} role={ROLES[role]} "
            f"timeout={MONITOR_TIMEOUT}"
        )
    meta = " ".join(f"{name}={value}" for name, value in PROMOTABLE_META)
    return [
        f"# {_comment(f'{primitive.where}: {primitive.token} as a promotable clone')}",
        statement,
        f"clone {promoted.clone_id} {rid}{_CONTINUED}meta {meta}",
    ]


def _ping(plan: Plan, ping: PingSet, ids: Ids) -> list[str]:
    multiplier = "1" if ping.any_member else str(plan.ping_weight)
    out = [
        f"# {_comment(ping.where)}: ipfail, the node reaching more ping nodes wins",
        f"primitive {ping.id} ocf:pacemaker:ping{_CONTINUED}params "
        f"host_list={_value(' '.join(ping.hosts))} name={ping.attribute} "
        f"multiplier={multiplier}{_CONTINUED}"
        f"op monitor interval={MONITOR_INTERVAL} timeout={PING_MONITOR_TIMEOUT}",
        f"clone {ping.clone_id} {ping.id}",
    ]
    for group in (group for group in plan.groups if group.members):
        rid = ids.unique(f"location-{group.id}-{ping.id}")
        if ping.any_member:
            rule = f"{plan.ping_weight}: {ping.attribute} gt 0"
        else:
            rule = f"{ping.attribute}: defined {ping.attribute}"
        out.append(f"location {rid} {group.id} rule {rule}")
    return out


def _value(text: str) -> str:
    """A value as crmsh reads it: bare when it can be, else double-quoted."""
    if _BARE.fullmatch(text):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _comment(text: str) -> str:
    """``text`` on one comment line, as the XML comment crmsh makes of it may hold it."""
    return safe_comment(text)
