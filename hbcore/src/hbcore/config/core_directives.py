"""The ``ha.cf`` directives hbcore owns, with heartbeat 3.0.6's argument rules and defaults.

Media (``bcast``, ``ucast``, ``mcast``, ``serial``, ``baud``) and monitors (``ping``,
``ping_group``, ``watchdog``) belong to plugins. A default of None means "absent"; the timers
without a fixed default (``warntime``, ``initdead``, ``deadping``) and ``use_logd`` are derived
from other directives (:mod:`hbcore.config.timers`, :mod:`hbcore.config.hacf_rules`).
"""

from __future__ import annotations

from collections.abc import Callable

from hb_hookspecs import Directive, Form, Repeat
from hb_hookspecs.arguments import absolute_path, boolean, choice, integer

from hbcore.config import core_arguments as args
from hbcore.config.node_names import node_name

_CRM_ONLY = "CRM only; ignored by hb (haresources mode)"


def _whole_line(name: str, parse: Callable[[str], object], summary: str) -> Directive:
    return Directive(name, parse, summary, form=Form.WHOLE_LINE, repeat=Repeat.ACCUMULATE)


CORE_DIRECTIVES: tuple[Directive, ...] = (
    # cluster membership
    Directive("node", node_name, "a cluster node (uname -n), lowercased", repeat=Repeat.ACCUMULATE),
    Directive("autojoin", choice("none", "other", "any"), "who may join", default="none"),
    Directive("cluster", args.word, "cluster name", default="linux-ha"),
    Directive("uuidfrom", choice("file", "nodename"), "where node uuids come from", default="file"),
    Directive("hopfudge", integer(0, 255), "unused ttl fudge", default=1),
    # timers (milliseconds)
    Directive("keepalive", args.time_value(1), "time between heartbeats", default=1000),
    Directive("deadtime", args.time_value(0), "silence before a node is dead", default=30000),
    Directive("warntime", args.time_value(1), "silence before 'Late heartbeat'"),
    Directive("initdead", args.time_value(0), "deadtime right after start-up"),
    Directive("deadping", args.time_value(0), "silence before a ping node is dead"),
    # transport settings shared by the media
    Directive("udpport", integer(1, 65535), "UDP port of bcast and ucast", default=694),
    Directive("msgfmt", choice("classic", "netstring"), "wire format", default="classic"),
    Directive("compression", args.word, "compression plugin", default="zlib"),
    Directive("compression_threshold", integer(1), "compress above (KiB)", default=2),
    Directive("traditional_compression", boolean, "compress whole messages", default=False),
    Directive("max_rexmit_delay", integer(1), "retransmission delay (ms)", default=250),
    Directive("hbgenmethod", choice("file", "time"), "generation numbers", default="file"),
    # failover policy
    Directive("auto_failback", args.auto_failback, "return resources to their owner"),
    Directive("nice_failback", boolean, "obsolete: use auto_failback"),
    # logging
    Directive("logfacility", args.log_facility, "syslog facility"),
    Directive("logfile", args.word, "log file (/dev/null disables)"),
    Directive("debugfile", args.word, "debug log file (/dev/null disables)"),
    Directive("use_logd", boolean, "log through ha_logd"),
    Directive("conn_logd_time", integer(0), "logd reconnect interval (s)", default=60),
    Directive("debug", integer(0, 255), "debug level (HA_debug)", default=0),
    Directive("log_badpack", boolean, "log bad packets", default=True),
    Directive("syslogmsgfmt", boolean, "classic syslog message format", default=True),
    # process
    Directive("realtime", boolean, "run with real-time priority", default=True),
    Directive("rtprio", integer(1, 99), "SCHED_FIFO priority"),
    Directive("memreserve", integer(1), "memory to lock (KiB)", default=6500),
    Directive("coredumps", boolean, "allow core dumps", default=True),
    Directive("coreroot", absolute_path, "where core dumps go"),
    Directive("normalpoll", boolean, "normal poll()", default=True),
    Directive("use_apphbd", boolean, "use apphbd for client heartbeats"),
    Directive("env", args.environment_setting, "NAME=value for clients", repeat=Repeat.ACCUMULATE),
    _whole_line("respawn", args.client_child, "run and restart a program: USER /path [args]"),
    _whole_line("failfast", args.client_child, "like respawn; reboot if it dies"),
    _whole_line("apiauth", args.api_auth, "API access: CLIENT uid=... gid=..."),
    _whole_line("stonith", args.stonith, "R1 STONITH: TYPE CONFIGFILE"),
    _whole_line("stonith_host", args.stonith_host, "R1 STONITH: HOST|* TYPE PARAMS"),
    # Pacemaker: refused when enabled (hb manages haresources itself)
    Directive("crm", args.crm_mode, "run Pacemaker (hb: must be off)", default="off"),
    Directive("pacemaker", args.crm_mode, "same as crm", default="off"),
    Directive("quorum_server", args.word, _CRM_ONLY),
    Directive("crm_daemon_dir", args.word, _CRM_ONLY),
    Directive("crmd_spawns_pengine", args.word, _CRM_ONLY),
    Directive("record_config_changes", args.word, _CRM_ONLY),
    Directive("record_pengine_inputs", args.word, _CRM_ONLY),
    Directive("enable_config_writes", args.word, _CRM_ONLY),
)
