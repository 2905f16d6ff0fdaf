"""The plan as a Pacemaker CIB: the XML ``crm_verify -x`` checks and ``cibadmin`` loads.

The CIB validates against ``pacemaker-3.0`` (Pacemaker 2.0 and later). ``admin_epoch`` is 1 so
that ``cibadmin -R`` (``--replace``) takes it over the few updates a freshly started cluster
has made to its own (empty) CIB. The ``status`` section is empty: a CIB to load into a live
cluster must not claim which nodes are up. ``with_status`` fills it with every node online
(and so with quorum), for ``crm_simulate`` alone. Every choice the export made is said in an
XML comment beside it.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable

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

VALIDATE_WITH = "pacemaker-3.0"
PROMOTED = "Master"
"""The promoted role as the pacemaker-3.0 schema names it (later ones also say Promoted)."""


def cib_xml(plan: Plan, source: str, with_status: bool = False) -> str:
    """The CIB for ``plan``, read from ``source`` (named in the header comment)."""
    ids = Ids(set(plan.ids))
    cib = ET.Element(
        "cib",
        {"validate-with": VALIDATE_WITH, "admin_epoch": "1", "epoch": "1", "num_updates": "0"},
    )
    configuration = ET.SubElement(cib, "configuration")
    _crm_config(configuration, plan, ids)
    nodes = ET.SubElement(configuration, "nodes")
    _comment(
        nodes,
        "the nodes as hb names them (lowercased, as heartbeat compares them): each uname and id "
        "must be a node name and nodeid of corosync.conf's nodelist (hb export corosync writes "
        "the same)",
    )
    for number, name in enumerate(plan.nodes, start=1):
        ET.SubElement(nodes, "node", {"id": str(number), "uname": name})
    resources = ET.SubElement(configuration, "resources")
    constraints = ET.SubElement(configuration, "constraints")
    if plan.groups:
        _comment(
            resources,
            "one group per haresources line, in its order; each primitive is monitored, every "
            f"{MONITOR_INTERVAL} unless resource_monitor says otherwise (heartbeat never "
            "checked a running resource: Pacemaker restarts one whose monitor fails)",
        )
    for group in plan.groups:
        _group(resources, group, ids)
        _group_constraints(constraints, group, ids)
    if plan.pings:
        _comment(
            resources,
            f"ipfail: the node that reaches more ping nodes gets the groups; "
            f"{plan.ping_weight} per ping node outweighs any group's preference and stickiness",
        )
    for ping in plan.pings:
        _ping_clone(resources, ping, plan.ping_weight, ids)
        for group in plan.groups:
            if group.members:
                _ping_rule(constraints, group, ping, plan.ping_weight, ids)
    defaults = ET.SubElement(configuration, "rsc_defaults")
    meta = ET.SubElement(defaults, "meta_attributes", {"id": ids.unique("rsc-options")})
    _comment(meta, plan.stickiness_why)
    _nvpair(meta, "resource-stickiness", str(plan.stickiness), ids)
    status = ET.SubElement(cib, "status")
    if with_status:
        _simulated_status(cib, status, plan)
    ET.indent(cib, space="  ")
    header = _header(plan, source)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{header}\n{ET.tostring(cib, "unicode")}\n'


def _simulated_status(cib: ET.Element, status: ET.Element, plan: Plan) -> None:
    """Every node online, and every DRBD resource up to date on every node (the promotion
    score its agent would set), so that the groups' preferences choose where it is promoted."""
    cib.set("have-quorum", "1")  # every node is up: the simulated partition has quorum
    _comment(status, "for crm_simulate only: never load this status into a live cluster")
    promotable = [p.member.id for group in plan.groups for p in group.promoted]
    for number, name in enumerate(plan.nodes, start=1):
        state = ET.SubElement(
            status,
            "node_state",
            {
                "id": str(number),
                "uname": name,
                "in_ccm": "true",
                "crmd": "online",
                "join": "member",
                "expected": "member",
            },
        )
        if not promotable:
            continue
        transient = ET.SubElement(state, "transient_attributes", {"id": str(number)})
        attributes = ET.SubElement(transient, "instance_attributes", {"id": f"status-{number}"})
        for rid in promotable:
            ET.SubElement(
                attributes,
                "nvpair",
                {"id": f"status-{number}-master-{rid}", "name": f"master-{rid}", "value": "10000"},
            )


def _header(plan: Plan, source: str) -> str:
    lines = plan.header(
        f"hb export pacemaker: {source} as a Pacemaker CIB ({VALIDATE_WITH}).",
        "Check it: crm_verify -x FILE. Load it into a new cluster: cibadmin -R -x FILE.",
    )
    return "\n".join(f"<!-- {safe_comment(line)} -->" for line in lines)


def _crm_config(configuration: ET.Element, plan: Plan, ids: Ids) -> None:
    crm_config = ET.SubElement(configuration, "crm_config")
    options = ET.SubElement(
        crm_config, "cluster_property_set", {"id": ids.unique("cib-bootstrap-options")}
    )
    for option in plan.properties:
        _comment(options, f"{option.name}={option.value}: {option.why}")
        _nvpair(options, option.name, option.value, ids, prefix="cib-bootstrap-options")


def _group(resources: ET.Element, group: Group, ids: Ids) -> None:
    _comment(resources, f"{group.where}: {group.line}")
    for promoted in group.promoted:
        _promotable_clone(resources, promoted, ids)
    if not group.members:
        return
    element = ET.SubElement(resources, "group", {"id": group.id})
    monitoring = group.monitoring
    if monitoring.where is not None:
        meta = ET.SubElement(element, "meta_attributes", {"id": ids.unique(f"{group.id}-meta")})
        _comment(
            meta,
            f"{monitoring.where}: resource_monitor {monitoring.interval}: "
            f"{monitoring.failures} failure(s) within {monitoring.window} move a resource "
            "away (Pacemaker counts per resource, hb per group)",
        )
        _nvpair(meta, "migration-threshold", str(monitoring.failures), ids)
        _nvpair(meta, "failure-timeout", str(monitoring.window), ids)
    for member in group.members:
        _primitive(element, member.id, member.primitive, ids, monitoring)


def _primitive(
    parent: ET.Element, rid: str, primitive: Primitive, ids: Ids, monitoring: Monitoring
) -> None:
    comment = [f"{primitive.where}: {primitive.token} as {primitive.spec}", *primitive.notes]
    if primitive.standard == "lsb":
        comment.append(
            f"Pacemaker runs /etc/init.d/{primitive.agent}, whose status must exit 3 when "
            "stopped (heartbeat read its output)"
        )
    _comment(parent, "; ".join(comment))
    attributes = {"id": rid, "class": primitive.standard}
    if primitive.provider:
        attributes["provider"] = primitive.provider
    attributes["type"] = primitive.agent
    element = ET.SubElement(parent, "primitive", attributes)
    _instance_attributes(element, rid, primitive.parameters, ids)
    _operations(
        element,
        rid,
        ids,
        monitoring.interval,
        {"monitor": monitoring.timeout, **dict(primitive.timeouts)},
    )


def _group_constraints(constraints: ET.Element, group: Group, ids: Ids) -> None:
    """The group prefers its node and follows its promotable clones' promotion; a line of DRBD
    alone prefers its node for the promotion."""
    if not group.members:
        for promoted in group.promoted:
            _comment(constraints, f"{group.where}: {promoted.clone_id} promoted on {group.node}")
            ET.SubElement(
                constraints,
                "rsc_location",
                {
                    "id": ids.unique(f"location-{promoted.clone_id}-{group.node}"),
                    "rsc": promoted.clone_id,
                    "role": PROMOTED,
                    "node": group.node,
                    "score": str(PREFERENCE),
                },
            )
        return
    _comment(constraints, f"{group.where}: {group.id} prefers {group.node}")
    ET.SubElement(
        constraints,
        "rsc_location",
        {
            "id": ids.unique(f"location-{group.id}-{group.node}"),
            "rsc": group.id,
            "node": group.node,
            "score": str(PREFERENCE),
        },
    )
    for promoted in group.promoted:
        _comment(
            constraints,
            f"{group.where}: {group.id} runs where {promoted.clone_id} is promoted, once it is "
            f"(heartbeat's {promoted.member.primitive.token} made it primary)",
        )
        ET.SubElement(
            constraints,
            "rsc_colocation",
            {
                "id": ids.unique(f"colocation-{group.id}-{promoted.clone_id}"),
                "rsc": group.id,
                "with-rsc": promoted.clone_id,
                "with-rsc-role": PROMOTED,
                "score": "INFINITY",
            },
        )
        ET.SubElement(
            constraints,
            "rsc_order",
            {
                "id": ids.unique(f"order-{promoted.clone_id}-{group.id}"),
                "first": promoted.clone_id,
                "first-action": "promote",
                "then": group.id,
                "then-action": "start",
            },
        )


def _promotable_clone(resources: ET.Element, promoted: Promoted, ids: Ids) -> None:
    primitive = promoted.member.primitive
    rid = promoted.member.id
    _comment(
        resources,
        f"{primitive.where}: {primitive.token} as a promotable clone of {primitive.spec}: "
        "one instance per node, promoted (primary) where the group runs",
    )
    clone = ET.SubElement(resources, "clone", {"id": promoted.clone_id})
    meta = ET.SubElement(clone, "meta_attributes", {"id": ids.unique(f"{promoted.clone_id}-meta")})
    for name, value in PROMOTABLE_META:
        _nvpair(meta, name, value, ids)
    element = ET.SubElement(
        clone,
        "primitive",
        {"id": rid, "class": primitive.standard, "provider": "linbit", "type": primitive.agent},
    )
    _instance_attributes(element, rid, primitive.parameters, ids)
    operations = ET.SubElement(element, "operations")
    for role, interval in DRBD_MONITORS:
        ET.SubElement(
            operations,
            "op",
            {
                "id": ids.unique(f"{rid}-monitor-interval-{interval}"),
                "name": "monitor",
                "interval": interval,
                "role": role,
                "timeout": MONITOR_TIMEOUT,
            },
        )


def _ping_clone(resources: ET.Element, ping: PingSet, weight: int, ids: Ids) -> None:
    what = (
        f"ping_group: one ping node while any of {' '.join(ping.hosts)} answers"
        if ping.any_member
        else f"ping: {weight} per host reached"
    )
    _comment(resources, f"{ping.where}: {what}")
    clone = ET.SubElement(resources, "clone", {"id": ping.clone_id})
    element = ET.SubElement(
        clone,
        "primitive",
        {"id": ping.id, "class": "ocf", "provider": "pacemaker", "type": "ping"},
    )
    parameters = [("host_list", " ".join(ping.hosts)), ("name", ping.attribute)]
    parameters.append(("multiplier", "1" if ping.any_member else str(weight)))
    _instance_attributes(element, ping.id, parameters, ids)
    _operations(element, ping.id, ids, MONITOR_INTERVAL, {"monitor": PING_MONITOR_TIMEOUT})


def _ping_rule(constraints: ET.Element, group: Group, ping: PingSet, weight: int, ids: Ids) -> None:
    location = ET.SubElement(
        constraints,
        "rsc_location",
        {"id": ids.unique(f"location-{group.id}-{ping.id}"), "rsc": group.id},
    )
    rule_id = ids.unique(f"location-{group.id}-{ping.id}-rule")
    if ping.any_member:
        rule = ET.SubElement(location, "rule", {"id": rule_id, "score": str(weight)})
        expression = {"operation": "gt", "value": "0", "type": "number"}
    else:
        rule = ET.SubElement(location, "rule", {"id": rule_id, "score-attribute": ping.attribute})
        expression = {"operation": "defined"}
    ET.SubElement(
        rule,
        "expression",
        {"id": ids.unique(f"{rule_id}-expression"), "attribute": ping.attribute, **expression},
    )


def _instance_attributes(
    element: ET.Element, rid: str, parameters: Iterable[tuple[str, str]], ids: Ids
) -> None:
    given = dict(parameters)  # a name given twice: the last wins, as for the agent
    if not given:
        return
    prefix = ids.unique(f"{rid}-instance_attributes")
    attributes = ET.SubElement(element, "instance_attributes", {"id": prefix})
    for name, value in given.items():
        _nvpair(attributes, name, value, ids, prefix=prefix)


def _operations(
    element: ET.Element, rid: str, ids: Ids, interval: str, timeouts: dict[str, str]
) -> None:
    """The monitor operation every ``interval``, and the start and stop operations whose
    timeouts are given."""
    operations = ET.SubElement(element, "operations")
    for name, every in [
        ("monitor", interval),
        *((action, "0s") for action in ("start", "stop") if action in timeouts),
    ]:
        ET.SubElement(
            operations,
            "op",
            {
                "id": ids.unique(f"{rid}-{name}-interval-{every}"),
                "name": name,
                "interval": every,
                "timeout": timeouts[name],
            },
        )


def _nvpair(parent: ET.Element, name: str, value: str, ids: Ids, prefix: str = "") -> None:
    ET.SubElement(
        parent,
        "nvpair",
        {"id": ids.unique(f"{prefix or parent.get('id')}-{name}"), "name": name, "value": value},
    )


def _comment(parent: ET.Element, text: str) -> None:
    parent.append(ET.Comment(f" {safe_comment(text)} "))


def safe_comment(text: str) -> str:
    """``text`` as an XML comment may hold it (crmsh's ``#`` comments become XML comments
    too): no ``--``, no ``-`` at the end, no control characters."""
    cleaned = "".join(c if c.isprintable() else "?" for c in text)
    while "--" in cleaned:
        cleaned = cleaned.replace("--", "- -")
    return f"{cleaned}." if cleaned.endswith("-") else cleaned
