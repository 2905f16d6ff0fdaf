"""The heartbeat paths of ``ha.cf`` as a ``corosync.conf`` (Corosync 3).

Transport ``knet``, one link per interface that carries heartbeats (``bcast``, ``ucast`` and
``mcast`` lines, any path whose value names an ``interface``; in file order, at most
:data:`MAX_LINKS`): knet is Corosync 3's default, it
carries up to eight redundant links where ``udpu`` carries one, and it is unicast, so a
broadcast or multicast path becomes a unicast link between the same interfaces. A ``serial``
cable has no Corosync counterpart: it is named in a comment and left out.

``ha.cf`` names interfaces, not each node's address on them (a ``ucast`` line gives a peer's,
and the same file usually serves every node), so the addresses come from the command line
(``--node-address NODE=ADDR[,ADDR...]``, the Nth address on link N). A node given none gets
its name on link 0, which Corosync resolves (it must resolve to that node's address on the
first interface), and a commented line for each further link.

A heartbeat that carries Pacemaker (``crm on``) exports too: its CIB stays, and this file
replaces heartbeat under it.

Also: ``token`` is heartbeat's ``deadtime`` (the silence after which a node is dead);
``two_node: 1`` for two nodes; encryption on, with a key of its own (heartbeat's authkeys
cannot serve: ``corosync-keygen`` makes ``/etc/corosync/authkey``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from hbcore.config.configuration import HACF, Configuration
from hbcore.config.problems import Location, Problem

from hb_export_pacemaker.primitives import escaped

MAX_LINKS = 8
"""knet's limit."""


@dataclass(frozen=True)
class Link:
    """One knet link: the interface and the heartbeat paths that used it."""

    number: int
    interface: str
    paths: tuple[str, ...]
    """The ha.cf lines, as ``ucast eth1 10.0.0.2 (ha.cf:7)``."""


class AddressError(ValueError):
    """A ``--node-address`` that does not fit the configuration; the message says why."""


def blocking_errors(config: Configuration) -> list[Problem]:
    """The errors that stop a corosync.conf export: every error of the configuration but
    ``crm``/``pacemaker`` being on (such a cluster is heartbeat carrying Pacemaker: it keeps
    its CIB and moves its messaging layer to Corosync, which this file is), and a cluster of
    no ``node`` line."""
    stack = {
        entry.location
        for directive in ("crm", "pacemaker")
        for entry in config.hacf.located(directive)
        if entry.value != "off"
    }
    errors = [problem for problem in config.errors(strict=False) if problem.location not in stack]
    if not config.hacf.nodes:
        errors.append(
            Problem(
                Location(HACF),
                "ha.cf names no node (autojoin): Corosync 3's nodelist must name every node",
                "add a 'node NAME' line for each node, as uname -n prints it",
            )
        )
    return errors


def links(config: Configuration) -> tuple[tuple[Link, ...], tuple[str, ...]]:
    """The knet links of ``config``'s heartbeat paths, and what is left out (as comments)."""
    paths: dict[str, list[str]] = {}
    left_out: list[str] = []
    for medium in config.hacf.media:
        interface = getattr(medium.value, "interface", None)
        where = f"{medium} ({medium.location})"
        if isinstance(interface, str):
            paths.setdefault(escaped(interface), []).append(where)
        else:
            left_out.append(f"{where}: Corosync has no {medium.directive} transport")
    found = [
        Link(number, interface, tuple(lines))
        for number, (interface, lines) in enumerate(paths.items())
    ]
    for link in found[MAX_LINKS:]:
        left_out.append(f"{link.interface}: knet carries {MAX_LINKS} links at most")
    return tuple(found[:MAX_LINKS]), tuple(left_out)


def parse_addresses(
    given: tuple[str, ...], nodes: tuple[str, ...], link_count: int
) -> dict[str, tuple[str, ...]]:
    """``NODE=ADDR[,ADDR...]`` options as node → addresses by link.

    Raises :class:`AddressError` for a node not in ha.cf, a node given twice, or more
    addresses than links.
    """
    addresses: dict[str, tuple[str, ...]] = {}
    for option in given:
        node, equals, text = option.partition("=")
        node = node.lower()
        values = tuple(part for part in text.split(",") if part)
        if not equals or not values:
            raise AddressError(f"'{option}' is not NODE=ADDR[,ADDR...]")
        if node not in nodes:
            raise AddressError(f"'{node}' is not a node of ha.cf ({', '.join(nodes)})")
        if node in addresses:
            raise AddressError(f"addresses of {node} given twice")
        if len(values) > max(link_count, 1):
            raise AddressError(
                f"{node}: {len(values)} addresses for {link_count} heartbeat interface(s)"
            )
        addresses[node] = values
    return addresses


def corosync_conf(
    config: Configuration, source: str, addresses: Mapping[str, tuple[str, ...]]
) -> str:
    """``corosync.conf`` for ``config`` (read from ``source``), with the nodes' ``addresses``
    by link where known."""
    hacf = config.hacf
    found, left_out = links(config)
    deadtime = hacf.timers.deadtime
    stack = (
        ["# crm/pacemaker is on: Pacemaker keeps its CIB, Corosync replaces heartbeat under it."]
        if hacf.crm_enabled
        else []
    )
    out = [
        f"# hb export corosync: {_line(source)}: the heartbeat paths as Corosync 3 links.",
        *stack,
        "# Check it on a node: corosync -t. Every node gets the same file, and the same",
        "# /etc/corosync/authkey (corosync-keygen on one node, then copy it).",
        *(f"# Not translated: {_line(text)}" for text in left_out),
        "",
        "totem {",
        "    version: 2",
        f"    cluster_name: {escaped(str(hacf.value('cluster')))}",
        "    # knet: Corosync 3's transport, up to 8 redundant unicast links (udpu has one);",
        "    # heartbeat's bcast and mcast paths become unicast links on the same interfaces.",
        "    transport: knet",
        f"    # heartbeat's deadtime ({deadtime} ms): the silence after which a node is lost.",
        f"    token: {deadtime}",
        "    # heartbeat's authkeys cannot be reused: corosync-keygen makes the key.",
        "    crypto_cipher: aes256",
        "    crypto_hash: sha256",
    ]
    for link in found:
        out += [
            "",
            f"    # link {link.number}: {link.interface}, as heartbeat's "
            + "; ".join(_line(path) for path in link.paths),
            "    # (port 5405, not heartbeat's udpport: both can run during the cut-over)",
            "    interface {",
            f"        linknumber: {link.number}",
            "    }",
        ]
    out += ["}", "", "nodelist {"]
    for number, name in enumerate(hacf.nodes, start=1):
        node = escaped(name)
        out += ["    node {", f"        name: {node}", f"        nodeid: {number}"]
        known = addresses.get(name, ())
        for link in found or (Link(0, "", ()),):
            if link.number < len(known):
                out.append(f"        ring{link.number}_addr: {known[link.number]}")
            elif link.number == 0 and not known:
                out.append(f"        # its name: it must resolve to {node}'s first interface")
                out.append(f"        ring0_addr: {node}")
            else:
                where = f"{node}'s address on {link.interface}"
                out.append(f"        # ring{link.number}_addr: {where}")
        out.append("    }")
    out += ["}", "", "quorum {", "    provider: corosync_votequorum"]
    if len(hacf.nodes) == 2:
        out += [
            "    # two nodes: the survivor keeps quorum (and, at a cold start, waits until it has",
            "    # seen the other node once: wait_for_all, which heartbeat's initdead did not do).",
            "    two_node: 1",
        ]
    out += ["}", "", "logging {", "    to_syslog: yes", "    timestamp: on", "}"]
    return "\n".join(out) + "\n"


def _line(text: str) -> str:
    """``text`` on one comment line."""
    return "".join(c if c.isprintable() else "?" for c in text)
