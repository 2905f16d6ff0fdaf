"""hb plugin: the ``bcast`` medium (``bcast eth0 eth1``)."""

from collections.abc import Callable

from hb_hookspecs import Directive, Medium, MediumType, Settings, hookimpl

from hb_media_bcast.directives import BCAST


@hookimpl
def hb_register_directives(register: Callable[[Directive], None]) -> None:
    register(BCAST)


def _create(value: object, settings: Settings) -> list[Medium]:
    # Imported here so that listing plugins stays free of sockets and asyncio.
    from hb_media_bcast.bcast import BcastMedium

    port = settings.value("udpport")
    return [BcastMedium(str(value), port if isinstance(port, int) else 694)]


@hookimpl
def hb_register_media(register: Callable[[MediumType], None]) -> None:
    register(MediumType(name="bcast", summary="UDP broadcast on one interface", create=_create))
