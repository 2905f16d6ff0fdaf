"""hb plugin: ping nodes (``ping``, ``ping_group``)."""

from collections.abc import Callable

from hb_hookspecs import Directive, hookimpl

from hb_monitor_ping.directives import PING, PING_GROUP


@hookimpl
def hb_register_directives(register: Callable[[Directive], None]) -> None:
    register(PING)
    register(PING_GROUP)
