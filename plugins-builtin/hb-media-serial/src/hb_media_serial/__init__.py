"""hb plugin: the ``serial`` medium and its ``baud`` setting."""

from collections.abc import Callable

from hb_hookspecs import Directive, Medium, MediumType, Settings, hookimpl

from hb_media_serial.directives import BAUD, DEFAULT_BAUD, SERIAL


@hookimpl
def hb_register_directives(register: Callable[[Directive], None]) -> None:
    register(BAUD)
    register(SERIAL)


def _create(value: object, settings: Settings) -> list[Medium]:
    # Imported here so that listing plugins stays free of pyserial and asyncio.
    from hb_media_serial.serial_medium import SerialMedium

    baud = settings.value("baud")
    return [SerialMedium(str(value), baud if isinstance(baud, int) else DEFAULT_BAUD)]


@hookimpl
def hb_register_media(register: Callable[[MediumType], None]) -> None:
    register(
        MediumType(
            name="serial",
            summary="classic >>> messages on one serial line (8N1, RTS/CTS)",
            create=_create,
        )
    )
