"""What ``hb status`` shows: a JSON-ready picture of a running node."""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any

from hbcore import __version__
from hbcore.config.hacf_syntax import directive_lines, split_tokens
from hbcore.config.timers import Timers
from hbcore.decisions.holders import holder_of
from hbcore.decisions.ipfail import CLIENT as IPFAIL_CLIENT
from hbcore.decisions.legacy import LegacyFailback
from hbcore.decisions.nice_failback import NiceFailback
from hbcore.node.daemon import Node
from hbcore.stats.view import RECENT_EVENTS, STATUS_SCHEMA, StatisticsView

RECORDED: Mapping[str, str | None] = {
    "cluster": "linux-ha",
    "hopfudge": "1",
    "keepalive": "1000ms",
    "deadtime": "30000ms",
    "deadping": None,
    "initdead": None,
    "warntime": None,
    "watchdog": None,
    "baud": "19200",
    "udpport": None,
    "logfacility": None,
    "logfile": None,
    "debugfile": None,
    "auto_failback": "legacy",
    "rtprio": None,
    "hbgenmethod": "file",
    "realtime": "true",
    "debug": None,
    "msgfmt": "classic",
    "use_logd": None,
    "conn_logd_time": "60",
    "log_badpack": "true",
    "syslogmsgfmt": "true",
    "coredumps": "true",
    "coreroot": None,
    "crm_daemon_dir": None,
    "crmd_spawns_pengine": None,
    "pacemaker": "false",
    "autojoin": "none",
    "uuidfrom": "file",
    "compression": "zlib",
    "compression_threshold": "2",
    "traditional_compression": "no",
    "max_rexmit_delay": "250",
    "record_config_changes": "on",
    "record_pengine_inputs": "on",
    "enable_config_writes": "on",
    "memreserve": "6500",
    "quorum_server": None,
}
"""The ``ha.cf`` directives heartbeat 3.0.6 records as parameters (heartbeat/config.c
``Directives[]`` with ``record_value``), with the default it records when one is absent."""
ALIASES = {"crm": "pacemaker"}
"""A directive heartbeat records under another name."""
NO_SYSLOG = ("none", "kern")
"""``logfacility`` values that leave heartbeat's facility at 0 or below: no syslog."""
MAX_HACF_BYTES = 1024 * 1024
"""Read no more of ``ha.cf`` for a status answer (the node checked the file at start)."""


def snapshot(node: Node, plugins: list[str]) -> dict[str, Any]:
    """The node's own status, generation and plugin set, every node with its links, and the
    packets dropped (``dropped``: ``total``, ``media`` and ``nodes``, each by reason; see
    :meth:`hbcore.node.drops.DropCounter.snapshot`).

    Statistics (``schema`` 2, docs/node.md): each node's ``stats`` (see
    :meth:`hbcore.stats.view.StatisticsView.node_figures`), ``groups`` (each resource group, its
    holder as this node sees it, and its figures here) and ``events`` (the latest).

    Also what ``cl_status`` asks heartbeat for: ``timers`` (the running ones, in
    milliseconds), ``parameters`` (see :func:`heartbeat_parameters`) and ``clients`` (the
    heartbeat API clients running here: ipfail, which hb runs inside the node)."""
    table = node.membership
    view = StatisticsView(node.stats, node.drops)
    return {
        "schema": STATUS_SCHEMA,
        "node": node.settings.name,
        "status": node.local_status,
        "generation": node.generation,
        "comm_up": table.comm_up,
        "plugins": plugins,
        "nodes": [
            {
                "name": state.name,
                "type": state.kind,
                "status": state.status,
                "links": {name: link.status for name, link in state.links.items()},
                "stats": view.node_figures(state.name),
            }
            for state in table.nodes.values()
        ],
        "resources": "none" if node.resources is None else node.resources.holding,
        "groups": groups(node, view),
        "events": view.recent(RECENT_EVENTS),
        "dropped": node.drops.snapshot(),
        "timers": asdict(node.settings.timers),
        "parameters": heartbeat_parameters(
            _hacf_text(node.settings.paths.config_dir), node.settings.timers, _version()
        ),
        "clients": [] if node.ipfail is None else [IPFAIL_CLIENT],
    }


def groups(node: Node, view: StatisticsView) -> list[dict[str, Any]]:
    """Each resource group: its ``key``, preferred ``node``, ``resources``, ``holder`` (this
    node, the peer, ``none``, or ``null`` when this node cannot tell) and this node's figures
    for it (see :meth:`hbcore.stats.groups.GroupFigures.snapshot`); ``monitor``, the state of
    its resource monitoring (:meth:`hbcore.resources.monitor.ResourceMonitor.state_of`), or
    null when no ``resource_monitor`` line covers it."""
    policy = node.resources
    if not isinstance(policy, NiceFailback | LegacyFailback):
        return []
    monitor = node.resource_monitor
    return [
        {
            "key": group.key,
            "node": group.node,
            "resources": list(group.tokens),
            "holder": holder_of(policy, group),
            **(view.group_figures(group.key) or {"state": "stopped"}),
            "monitor": monitor.state_of(group.key) if monitor is not None else None,
        }
        for group in policy.groups.groups
    ]


def heartbeat_parameters(hacf: str, timers: Timers, version: str) -> dict[str, str]:
    """What heartbeat 3.0.6 answers ``cl_status hbparameter -p NAME`` with, for the ``ha.cf``
    text ``hacf`` and the settled ``timers``: a recorded directive's last value as written
    (``keepalive 2`` is ``2``, not ``2000ms``), else its fixed default, else what heartbeat
    derives (``warntime``, ``initdead`` and ``deadping`` as ``<n>ms``; ``udpport`` 694;
    ``debug`` 0; ``use_logd`` yes when nothing else logs; ``logfile`` and ``debugfile``
    ``/dev/null`` when syslog is on); and ``hbversion``. Other directives (``node``, media,
    ``ping``, ``respawn`` ...) are no parameters."""
    given: dict[str, str] = {}
    for line in directive_lines(hacf):
        name = ALIASES.get(line.name, line.name)
        if name in RECORDED:
            for token in split_tokens(line.rest):
                given[name] = token
    values = {
        name: value
        for name, default in RECORDED.items()
        if (value := given.get(name, default)) is not None
    }
    derived = {
        "warntime": f"{timers.warntime}ms",
        "initdead": f"{timers.initdead}ms",
        "deadping": f"{timers.deadping}ms",
        "udpport": "694",
        "debug": "0",
    }
    if values.get("logfacility", "none").lower() not in NO_SYSLOG:
        derived |= {"logfile": "/dev/null", "debugfile": "/dev/null"}
    elif not {"logfile", "debugfile"} & values.keys():
        derived["use_logd"] = "yes"
    return {**derived, **values, "hbversion": version}


def _hacf_text(config_dir: Path) -> str:
    """``ha.cf`` as it is on disk now, if it is a regular file (a FIFO put there must not
    stall the node), up to :data:`MAX_HACF_BYTES`; empty when unreadable: defaults answer."""
    try:
        descriptor = os.open(config_dir / "ha.cf", os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return ""
    with os.fdopen(descriptor, "rb") as file:
        try:
            if not stat.S_ISREG(os.fstat(descriptor).st_mode):
                return ""
            return file.read(MAX_HACF_BYTES).decode("utf-8", errors="surrogateescape")
        except OSError:
            return ""


def _version() -> str:
    """heartbeat's ``hbversion`` (``3.0.6 (node: <changeset>)``), naming hb where heartbeat
    names the changeset it was built from."""
    from hbcore.node.runner import HEARTBEAT_VERSION  # late: runner imports this module

    return f"{HEARTBEAT_VERSION} (hb {__version__})"
