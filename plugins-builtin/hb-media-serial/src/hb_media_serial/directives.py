"""The ``serial`` directive (one path per device) and ``baud`` (once, from a fixed list).

Whether a device exists is a fact of the host, checked at start-up and by ``hb check``.
"""

from hb_hookspecs import Directive, Form, Repeat
from hb_hookspecs.arguments import ArgumentError, absolute_path

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


SERIAL = Directive(
    name="serial",
    parse=absolute_path,
    summary="serial DEVICE...: heartbeats over each serial line (raw 8N1, RTS/CTS)",
    form=Form.PER_TOKEN,
    repeat=Repeat.ACCUMULATE,
    is_medium=True,
)

BAUD = Directive(
    name="baud",
    parse=baud_rate,
    summary="baud RATE: speed of every serial line (19200 by default)",
    form=Form.PER_TOKEN,
    repeat=Repeat.ONCE,
    default=DEFAULT_BAUD,
)
