"""The ``ha.cf`` directives hbcore owns, with heartbeat 3.0.6's argument rules and defaults.

Heartbeat paths, monitors and resource search paths belong to the plugins that implement them.
A default of None means "absent"; the timers without a fixed default (``warntime``,
``initdead``, ``deadping``) and ``use_logd`` are derived from other directives
(:mod:`hbcore.config.timers`, :mod:`hbcore.config.hacf_rules`). The directives the core reads
are named here, so that it reads them typed (``hacf.get(HOPFUDGE)`` is an ``int``) with their
default stated once; those plugins read too are declared in :mod:`hb_hookspecs.core_directives`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from hb_hookspecs import (
    DEADTIME,
    KEEPALIVE,
    UDPPORT,
    Directive,
    Form,
    HostProblem,
    Repeat,
    Settings,
)
from hb_hookspecs.arguments import absolute_path, boolean, choice, integer, time_value

from hbcore.config import core_arguments as args
from hbcore.config.core_host_checks import check_failfast, check_respawn, log_file_check
from hbcore.config.node_names import node_name
from hbcore.config.resource_monitor import NAME as RESOURCE_MONITOR_NAME
from hbcore.config.resource_monitor import SYNTAX as RESOURCE_MONITOR_SYNTAX
from hbcore.config.resource_monitor import parse_monitor_line

T = TypeVar("T")

_CRM_ONLY = "CRM only; ignored by hb (haresources mode)"


def _whole_line(
    name: str,
    parse: Callable[[str], T],
    summary: str,
    check_host: Callable[[T, Settings], list[HostProblem]] | None = None,
) -> Directive[T, None]:
    return Directive(
        name, parse, summary, Form.WHOLE_LINE, Repeat.ACCUMULATE, check_host=check_host
    )


AUTOJOIN = Directive("autojoin", choice("none", "other", "any"), "who may join", default="none")
HOPFUDGE = Directive("hopfudge", integer(0, 255), "unused ttl fudge", default=1)
WARNTIME = Directive("warntime", time_value(1), "silence before 'Late heartbeat'")
INITDEAD = Directive("initdead", time_value(0), "deadtime right after start-up")
DEADPING = Directive("deadping", time_value(0), "silence before a ping node is dead")
MAX_REXMIT_DELAY = Directive(
    "max_rexmit_delay", integer(1), "retransmission delay (ms)", default=250
)
HBGENMETHOD = Directive("hbgenmethod", choice("file", "time"), "generation numbers", default="file")
LOGFILE = Directive(
    "logfile", args.word, "log file (/dev/null disables)", check_host=log_file_check("logfile")
)
DEBUGFILE = Directive(
    "debugfile",
    args.word,
    "debug log file (/dev/null disables)",
    check_host=log_file_check("debugfile"),
)
USE_LOGD = Directive("use_logd", boolean, "log through ha_logd")
LOGFACILITY = Directive("logfacility", args.log_facility, "syslog facility")
DEBUG = Directive("debug", integer(0, 255), "debug level (HA_debug)", default=0)
REALTIME = Directive("realtime", boolean, "run with real-time priority", default=True)
RTPRIO = Directive("rtprio", integer(1, 99), "SCHED_FIFO priority")
RESPAWN = _whole_line(
    "respawn", args.client_child, "run and restart a program: USER /path [args]", check_respawn
)
FAILFAST = _whole_line(
    "failfast", args.client_child, "like respawn; reboot if it dies", check_failfast
)
RESOURCE_MONITOR = _whole_line(
    RESOURCE_MONITOR_NAME,
    parse_monitor_line,
    f"hb extension: check held resources: {RESOURCE_MONITOR_SYNTAX.split(' ', 1)[1]}",
)
"""hb's extension (heartbeat has no such directive): see :mod:`hbcore.config.resource_monitor`."""
CRM = Directive("crm", args.crm_mode, "run Pacemaker (hb: must be off)", default="off")
PACEMAKER = Directive("pacemaker", args.crm_mode, "same as crm", default="off")

CORE_DIRECTIVES: tuple[Directive, ...] = (
    # cluster membership
    Directive("node", node_name, "a cluster node (uname -n), lowercased", repeat=Repeat.ACCUMULATE),
    AUTOJOIN,
    Directive("cluster", args.word, "cluster name", default="linux-ha"),
    Directive("uuidfrom", choice("file", "nodename"), "where node uuids come from", default="file"),
    HOPFUDGE,
    # timers (milliseconds)
    KEEPALIVE,
    DEADTIME,
    WARNTIME,
    INITDEAD,
    DEADPING,
    # transport settings shared by the media
    UDPPORT,
    Directive("msgfmt", choice("classic", "netstring"), "wire format", default="classic"),
    Directive("compression", args.word, "compression plugin", default="zlib"),
    Directive("compression_threshold", integer(1), "compress above (KiB)", default=2),
    Directive("traditional_compression", boolean, "compress whole messages", default=False),
    MAX_REXMIT_DELAY,
    HBGENMETHOD,
    # failover policy
    Directive("auto_failback", args.auto_failback, "return resources to their owner"),
    Directive("nice_failback", boolean, "obsolete: use auto_failback"),
    RESOURCE_MONITOR,
    # logging
    LOGFACILITY,
    LOGFILE,
    DEBUGFILE,
    USE_LOGD,
    Directive("conn_logd_time", integer(0), "logd reconnect interval (s)", default=60),
    DEBUG,
    Directive("log_badpack", boolean, "log bad packets", default=True),
    Directive("syslogmsgfmt", boolean, "classic syslog message format", default=True),
    # process
    REALTIME,
    RTPRIO,
    Directive("memreserve", integer(1), "memory to lock (KiB)", default=6500),
    Directive("coredumps", boolean, "allow core dumps", default=True),
    Directive("coreroot", absolute_path, "where core dumps go"),
    Directive("normalpoll", boolean, "normal poll()", default=True),
    Directive("use_apphbd", boolean, "use apphbd for client heartbeats"),
    Directive("env", args.environment_setting, "NAME=value for clients", repeat=Repeat.ACCUMULATE),
    RESPAWN,
    FAILFAST,
    _whole_line("apiauth", args.api_auth, "API access: CLIENT uid=... gid=..."),
    _whole_line("stonith", args.stonith, "R1 STONITH: TYPE CONFIGFILE"),
    _whole_line("stonith_host", args.stonith_host, "R1 STONITH: HOST|* TYPE PARAMS"),
    # Pacemaker: refused when enabled (hb manages haresources itself)
    CRM,
    PACEMAKER,
    Directive("quorum_server", args.word, _CRM_ONLY),
    Directive("crm_daemon_dir", args.word, _CRM_ONLY),
    Directive("crmd_spawns_pengine", args.word, _CRM_ONLY),
    Directive("record_config_changes", args.word, _CRM_ONLY),
    Directive("record_pengine_inputs", args.word, _CRM_ONLY),
    Directive("enable_config_writes", args.word, _CRM_ONLY),
)
