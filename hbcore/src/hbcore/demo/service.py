"""The demo's service: a heartbeat ``resource.d`` script that serves the node's name over
HTTP on port 80, so the client can tell which node holds the cluster address."""

from __future__ import annotations

import sys

SCRIPT_NAME = "demo-web"

_TEMPLATE = """#!/bin/sh
# {name}: hb demo web service (heartbeat resource.d convention: start | stop | status).
PIDFILE=/run/{name}.pid
DOCROOT=/run/{name}
running() {{ [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }}
case "$1" in
start)
    running && exit 0
    mkdir -p "$DOCROOT" && uname -n > "$DOCROOT/index.html"
    setsid {python} -m http.server 80 --directory "$DOCROOT" >/dev/null 2>&1 < /dev/null &
    echo $! > "$PIDFILE"
    ;;
stop)
    running && kill "$(cat "$PIDFILE")"
    rm -f "$PIDFILE"
    ;;
status)
    if running; then echo "{name} is running"; else echo "{name} is stopped"; fi
    ;;
esac
exit 0
"""


def script_text() -> str:
    """The script, running this interpreter's Python for the HTTP server."""
    return _TEMPLATE.format(name=SCRIPT_NAME, python=sys.executable)
