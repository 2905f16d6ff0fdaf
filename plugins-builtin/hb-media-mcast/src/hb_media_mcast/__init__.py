"""hb plugin: the ``mcast`` medium (``mcast eth0 239.0.0.10 694 1 0``)."""

from collections.abc import Callable

from hb_hookspecs import Directive, hookimpl

from hb_media_mcast.directives import MCAST

HB_CONTRACT = (1, 0)
"""The hb plugin contract this plugin is built for (:mod:`hb_hookspecs.contract`)."""


@hookimpl
def hb_register_directives(register: Callable[[Directive], None]) -> None:
    register(MCAST)
