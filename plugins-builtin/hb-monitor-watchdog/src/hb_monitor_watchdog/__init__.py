"""hb plugin: the watchdog device (``watchdog /dev/watchdog``)."""

from collections.abc import Callable

from hb_hookspecs import Directive, hookimpl

from hb_monitor_watchdog.directives import WATCHDOG


@hookimpl
def hb_register_directives(register: Callable[[Directive], None]) -> None:
    register(WATCHDOG)
