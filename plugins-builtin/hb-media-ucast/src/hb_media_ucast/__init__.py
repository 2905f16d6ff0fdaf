"""hb plugin: the ``ucast`` medium (``ucast eth0 10.0.0.2``)."""

from collections.abc import Callable

from hb_hookspecs import Directive, Medium, MediumType, Settings, hookimpl

from hb_media_ucast.directives import UCAST, UcastPath


@hookimpl
def hb_register_directives(register: Callable[[Directive], None]) -> None:
    register(UCAST)


def _create(value: object, settings: Settings) -> list[Medium]:
    # Imported here so that listing plugins stays free of sockets and asyncio.
    from hb_media_ucast.ucast import UcastMedium

    assert isinstance(value, UcastPath)
    port = settings.value("udpport")
    own_port = port if isinstance(port, int) else 694
    return [UcastMedium(value.interface, value.peer, own_port, value.port or own_port)]


@hookimpl
def hb_register_media(register: Callable[[MediumType], None]) -> None:
    register(MediumType(name="ucast", summary="UDP unicast to one peer", create=_create))
