"""The core's ``ha.cf`` directives that plugins read, declared once with their defaults.

hbcore owns and registers them; they are declared here so that a plugin depending on
``hb-hookspecs`` alone reads them typed: ``settings.get(UDPPORT)`` is an ``int``, 694 when
``ha.cf`` does not say.
"""

from __future__ import annotations

from hb_hookspecs.arguments import integer, time_value
from hb_hookspecs.directives import Directive

KEEPALIVE = Directive("keepalive", time_value(1), "time between heartbeats", default=1000)
"""Milliseconds between heartbeats (heartbeat's default: 1 s)."""
DEADTIME = Directive("deadtime", time_value(0), "silence before a node is dead", default=30000)
"""Milliseconds of silence before a node is declared dead (heartbeat's default: 30 s)."""
UDPPORT = Directive("udpport", integer(1, 65535), "UDP port of bcast and ucast", default=694)
"""The UDP port of the broadcast and unicast paths (heartbeat's registered port, 694)."""
