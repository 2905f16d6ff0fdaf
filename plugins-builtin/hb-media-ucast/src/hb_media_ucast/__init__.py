"""hb plugin: the ``ucast`` medium (``ucast eth0 10.0.0.2``)."""

from collections.abc import Callable

from hb_hookspecs import Directive, hookimpl

from hb_media_ucast.directives import UCAST

HB_CONTRACT = (1, 0)
"""The hb plugin contract this plugin is built for (:mod:`hb_hookspecs.contract`)."""


@hookimpl
def hb_register_directives(register: Callable[[Directive], None]) -> None:
    register(UCAST)
