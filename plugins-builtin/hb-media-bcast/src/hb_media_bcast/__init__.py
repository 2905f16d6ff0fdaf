"""hb plugin: the ``bcast`` medium (``bcast eth0 eth1``)."""

from collections.abc import Callable

from hb_hookspecs import Directive, hookimpl

from hb_media_bcast.directives import BCAST

HB_CONTRACT = (1, 0)
"""The hb plugin contract this plugin is built for (:mod:`hb_hookspecs.contract`)."""


@hookimpl
def hb_register_directives(register: Callable[[Directive], None]) -> None:
    register(BCAST)
