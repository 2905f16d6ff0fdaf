"""Rules of ``ha.cf`` that tie directives together, and the settings derived from several of
them (``auto_failback``, ``use_logd``).

Each function returns the problems it finds; none raises.
"""

from __future__ import annotations

from collections.abc import Sequence

from hbcore.config.core_arguments import ApiAuth, AutoFailback
from hbcore.config.core_directives import AUTOJOIN, CRM, PACEMAKER, USE_LOGD
from hbcore.config.hacf_values import DirectiveValues
from hbcore.config.problems import Located, Location, Problem, Severity

MAXNODE = 100
"""heartbeat's limit on configured nodes."""

_LOGGING_DIRECTIVES = ("logfile", "debugfile", "logfacility")
_AUTO_FAILBACK_MODES: dict[object, AutoFailback] = {"on": "on", "off": "off", "legacy": "legacy"}


def settle_auto_failback(values: DirectiveValues) -> tuple[AutoFailback, list[Problem]]:
    """The effective ``auto_failback``, replaying ``auto_failback`` and the obsolete
    ``nice_failback`` in file order as heartbeat does.

    ``nice_failback`` turns into ``off`` when an earlier ``auto_failback on|off`` already chose
    the nice_failback mode, and into ``legacy`` otherwise.
    """
    problems: list[Problem] = []
    lines = sorted(
        [("auto_failback", entry) for entry in values.located("auto_failback")]
        + [("nice_failback", entry) for entry in values.located("nice_failback")],
        key=lambda item: item[1].location,
    )
    mode: AutoFailback | None = None
    for directive, entry in lines:
        if directive == "auto_failback":
            mode = _AUTO_FAILBACK_MODES.get(entry.value, mode)
            continue
        mode = "off" if mode in ("on", "off") else "legacy"
        problems.append(
            Problem(
                entry.location,
                "nice_failback is obsolete",
                "replace it with 'auto_failback off' (was nice_failback on) or 'auto_failback on'",
                Severity.WARNING,
            )
        )
    if mode is None or mode == "legacy":
        where = values.location("auto_failback") if mode else Location(values.file)
        problems.append(
            Problem(
                where,
                "Deprecated 'legacy' auto_failback option selected",
                "Please convert to 'auto_failback on' (or off)",
                Severity.WARNING,
            )
        )
    return mode or "legacy", problems


def settle_use_logd(values: DirectiveValues) -> tuple[bool, list[Problem]]:
    """Whether logging goes through ha_logd: as given, and forced on when no logfile,
    debugfile or logfacility is set (then ``use_logd off`` is an error)."""
    given = values.get(USE_LOGD)
    if any(values.is_set(name) for name in _LOGGING_DIRECTIVES):
        return given is True, []
    if given is False:
        return True, [
            Problem(
                values.location("use_logd"),
                "use_logd is off but no logfile, debugfile or logfacility is set: "
                "there would be no log at all",
                "remove 'use_logd off', or add 'logfacility daemon' or 'logfile /var/log/ha-log'",
            )
        ]
    return True, []


def check_crm(values: DirectiveValues) -> list[Problem]:
    """``crm`` / ``pacemaker`` enabled: hb runs haresources clusters only."""
    return [
        Problem(
            entry.location,
            f"{directive} {entry.value} hands the cluster to Pacemaker, but hb manages "
            "haresources itself and does not run Pacemaker",
            f"write '{directive} no' (or delete the line) to use haresources, "
            "or run Pacemaker with its own stack instead of hb",
        )
        for directive in ("crm", "pacemaker")
        for entry in values.located(directive)
        if entry.value != "off"
    ]


def crm_enabled(values: DirectiveValues) -> bool:
    """True when ``crm`` or ``pacemaker`` asks for Pacemaker (haresources is then ignored)."""
    return values.get(CRM) != "off" or values.get(PACEMAKER) != "off"


def check_nodes(values: DirectiveValues, nodes: Sequence[str]) -> list[Problem]:
    """At least one node unless ``autojoin any``; at most MAXNODE."""
    problems: list[Problem] = []
    if not nodes and values.get(AUTOJOIN) != "any":
        problems.append(
            Problem(
                Location(values.file),
                "no nodes defined",
                "add a 'node NAME' line for every cluster member, named as `uname -n` prints",
            )
        )
    if len(nodes) > MAXNODE:
        problems.append(
            Problem(
                values.location("node"),
                f"{len(nodes)} nodes defined; heartbeat allows at most {MAXNODE}",
                "remove nodes",
            )
        )
    return problems


def check_autojoin(values: DirectiveValues) -> list[Problem]:
    """haresources clusters have a fixed node list: ``autojoin`` must stay ``none``."""
    if values.get(AUTOJOIN) == "none" or crm_enabled(values):
        return []
    return [
        Problem(
            values.location("autojoin"),
            "R1 style resource management conflicts with autojoin set",
            "write 'autojoin none' and list every node with a 'node' line",
        )
    ]


def check_media(
    values: DirectiveValues, media: Sequence[object], media_missing: bool
) -> list[Problem]:
    """At least one heartbeat path. Not repeated when a media directive's plugin is missing
    (that line already has its own error)."""
    if media or media_missing:
        return []
    return [
        Problem(
            Location(values.file),
            "No heartbeat media defined",
            "add a heartbeat path: bcast IFACE, ucast IFACE PEER, mcast ... or serial DEVICE",
        )
    ]


def check_apiauth(values: DirectiveValues) -> list[Problem]:
    """One ``apiauth`` line per client name."""
    problems: list[Problem] = []
    seen: dict[str, Located[object]] = {}
    for entry in values.located("apiauth"):
        if not isinstance(entry.value, ApiAuth):
            continue
        client = entry.value.client
        if client in seen:
            problems.append(
                Problem(
                    entry.location,
                    f"Duplicate apiauth directive for API client {client}",
                    f"merge it with the line {seen[client].location.line}",
                )
            )
        else:
            seen[client] = entry
    return problems
