"""``hb service unit``: a systemd unit that runs this ``hb`` as a ``Type=notify`` service.

Every line is explained in the unit itself, for the operator who reads it in
``/etc/systemd/system``; docs/node.md says the same at more length.
"""

from __future__ import annotations

import re

from hbcore import __version__
from hbcore.service.installation import Installation

STOP_TIMEOUT_S = 150
"""systemd's wait for a stop: long enough for the resource scripts to stop in order."""

_PLAIN = re.compile(r"[A-Za-z0-9_@+=:,./-]+")


def exec_word(word: str) -> str:
    """``word`` as one argument of an ``Exec*=`` line: ``%`` and ``$`` escaped (systemd expands
    specifiers and variables there) and quoted when it holds anything but plain characters."""
    escaped = word.replace("%", "%%").replace("$", "$$")
    if _PLAIN.fullmatch(word):
        return escaped
    return '"' + escaped.replace("\\", "\\\\").replace('"', '\\"') + '"'


def environment_assignment(name: str, value: str) -> str:
    """``NAME=value`` as one quoted ``Environment=`` word (specifiers escaped)."""
    assignment = f"{name}={value}".replace("%", "%%")
    return '"' + assignment.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_unit(installation: Installation) -> str:
    """The text of ``hb.service`` for ``installation``."""
    hb = installation.hb
    start = [str(hb), "start", "--foreground", *installation.path_arguments()]
    start += installation.start_arguments()
    environment = "".join(
        f"Environment={environment_assignment(name, value)}\n"
        for name, value in installation.environment
    )
    watchdog_s = installation.watchdog_s
    return f"""\
# hb, Linux-HA heartbeat 3.0.6 rebuilt in Python, as a systemd service.
# Written by `hb service unit` (hb {__version__}) for {hb}
# and the configuration in {installation.paths.config_dir}. Install:
#   {hb} service unit > /etc/systemd/system/hb.service
#   systemctl daemon-reload && systemctl enable --now hb
# Write it again after changing deadtime ({installation.deadtime_ms} ms now): WatchdogSec and
# RestartSec follow it.

[Unit]
Description=hb: Linux-HA heartbeat cluster node
After=network-online.target
Wants=network-online.target
# heartbeat 3.0.6 itself: both would use the same pid file, port and resources.
Conflicts=heartbeat.service

[Service]
# hb says READY=1 once its media are up, pings the watchdog from its event loop and says
# STOPPING=1 when it begins to stop. It stays in the foreground, the service's main process.
Type=notify
NotifyAccess=main
ExecStart={" ".join(exec_word(word) for word in start)}
{environment}\
# Re-read ha.cf, haresources and authkeys without dropping a heartbeat or a resource.
ExecReload=/bin/kill -HUP $MAINPID
# SIGTERM to hb alone, which gives its resources up in order (their daemons may share this
# cgroup); whatever is left once hb has exited gets SIGKILL.
KillMode=mixed
TimeoutStopSec={STOP_TIMEOUT_S}s
# Twice deadtime. A node that stalls past deadtime and comes back restarts itself, as heartbeat
# does ("No local heartbeat. Forcing restart."); one hung for longer is killed and restarted.
# Killing it leaves its addresses configured while its peer takes them over: add
# `watchdog /dev/watchdog` to ha.cf, which reboots the machine after deadtime instead.
WatchdogSec={watchdog_s}s
# After a crash, start again once the peer has surely declared this node dead and taken its
# resources over, so that it rejoins as a fresh node.
Restart=on-failure
RestartSec={watchdog_s}s

[Install]
WantedBy=multi-user.target
"""
