"""The ``serial`` directive (one path per device) and ``baud`` (once, from a fixed list).

Whether a device exists is a fact of the host, checked at start-up and by ``hb check``.
"""

from __future__ import annotations

from hb_hookspecs import Directive, Form, HostProblem, Medium, Repeat, Settings
from hb_hookspecs.arguments import ArgumentError, absolute_path
from hb_hookspecs.host import missing_device

BAUD_RATES = (9600, 19200, 38400, 57600, 115200, 230400, 460800)
DEFAULT_BAUD = 19200


def baud_rate(text: str) -> int:
    """One of the rates heartbeat's serial medium supports."""
    if text not in {str(rate) for rate in BAUD_RATES}:
        raise ArgumentError(
            f"baud rate [{text}] is not supported",
            f"use one of {', '.join(str(rate) for rate in BAUD_RATES)}",
        )
    return int(text)


BAUD = Directive(
    name="baud",
    parse=baud_rate,
    summary="baud RATE: speed of every serial line (19200 by default)",
    form=Form.PER_TOKEN,
    repeat=Repeat.ONCE,
    default=DEFAULT_BAUD,
)


def check_device(device: str, settings: Settings) -> list[HostProblem]:
    """The device must exist here."""
    return missing_device("serial", device)


def serial_media(device: str, settings: Settings) -> list[Medium]:
    """The serial path on ``device``, at the ``baud`` of ha.cf."""
    # Imported here so that listing plugins stays free of pyserial and asyncio.
    from hb_media_serial.serial_medium import SerialMedium

    return [SerialMedium(device, settings.get(BAUD))]


SERIAL = Directive(
    name="serial",
    parse=absolute_path,
    summary="serial DEVICE...: heartbeats over each serial line (raw 8N1, RTS/CTS)",
    form=Form.PER_TOKEN,
    repeat=Repeat.ACCUMULATE,
    medium=serial_media,
    check_host=check_device,
)
