"""hb plugin: the ``serial`` medium and its ``baud`` setting."""

from collections.abc import Callable

from hb_hookspecs import Directive, hookimpl

from hb_media_serial.directives import BAUD, SERIAL

HB_CONTRACT = (1, 0)
"""The hb plugin contract this plugin is built for (:mod:`hb_hookspecs.contract`)."""


@hookimpl
def hb_register_directives(register: Callable[[Directive], None]) -> None:
    register(BAUD)
    register(SERIAL)
