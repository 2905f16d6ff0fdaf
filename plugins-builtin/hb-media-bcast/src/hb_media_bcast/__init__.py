"""hb plugin: the ``bcast`` medium (``bcast eth0 eth1``)."""

from collections.abc import Callable

from hb_hookspecs import Directive, hookimpl

from hb_media_bcast.directives import BCAST


@hookimpl
def hb_register_directives(register: Callable[[Directive], None]) -> None:
    register(BCAST)
