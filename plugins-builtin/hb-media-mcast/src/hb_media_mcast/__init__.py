"""hb plugin: the ``mcast`` medium (``mcast eth0 239.0.0.10 694 1 0``)."""

from collections.abc import Callable

from hb_hookspecs import Directive, Medium, MediumType, Settings, hookimpl

from hb_media_mcast.directives import MCAST, McastPath


@hookimpl
def hb_register_directives(register: Callable[[Directive], None]) -> None:
    register(MCAST)


def _create(value: object, settings: Settings) -> list[Medium]:
    # Imported here so that listing plugins stays free of sockets and asyncio.
    from hb_media_mcast.mcast import McastMedium

    assert isinstance(value, McastPath)
    return [McastMedium(value.interface, str(value.group), value.port, value.ttl, value.loop)]


@hookimpl
def hb_register_media(register: Callable[[MediumType], None]) -> None:
    register(MediumType(name="mcast", summary="UDP multicast to a group", create=_create))
