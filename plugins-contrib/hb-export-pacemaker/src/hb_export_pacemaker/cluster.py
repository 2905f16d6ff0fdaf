"""The cluster-wide part of the plan: cluster options, ipfail's ping nodes, and the ``ha.cf``
settings with no counterpart in a CIB (see :mod:`hb_export_pacemaker.plan` for the mapping)."""

from __future__ import annotations

from dataclasses import dataclass

from hbcore.config.configuration import Configuration
from hbcore.config.core_arguments import ClientChild, Stonith, StonithHost
from hbcore.config.core_directives import FAILFAST, RESPAWN

from hb_export_pacemaker.ids import ID_CHARACTER, Ids
from hb_export_pacemaker.primitives import escaped


@dataclass(frozen=True)
class Note:
    """Something the export could not say in Pacemaker's terms, and where it was written."""

    where: str
    text: str

    def __str__(self) -> str:
        return f"{self.where}: {self.text}"


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


def ipfail(config: Configuration) -> str | None:
    """Where a ``respawn`` line asks for ipfail, or None."""
    for entry in config.hacf.located(RESPAWN.name):
        if isinstance(entry.value, ClientChild) and entry.value.is_ipfail:
            return str(entry.location)
    return None


def ping_sets(config: Configuration, ids: Ids) -> tuple[PingSet, ...]:
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
                    f"pingd-{ID_CHARACTER.sub('-', name)}",
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


def properties(config: Configuration) -> tuple[tuple[Property, ...], list[Note]]:
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


def left_out(config: Configuration) -> list[Note]:
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
