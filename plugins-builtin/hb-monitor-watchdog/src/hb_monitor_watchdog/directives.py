"""The ``watchdog`` directive: the device to keep alive, given at most once.

Whether the device exists is a fact of the host, checked at start-up and by ``hb check``.
"""

from __future__ import annotations

from hb_hookspecs import Directive, Form, HostProblem, Repeat, Settings
from hb_hookspecs.arguments import absolute_path
from hb_hookspecs.host import missing_device


def check_device(device: str, settings: Settings) -> list[HostProblem]:
    """The device must exist here."""
    return missing_device("watchdog", device)


WATCHDOG = Directive(
    name="watchdog",
    parse=absolute_path,
    summary="watchdog DEVICE: reboot the machine if heartbeat stops",
    form=Form.PER_TOKEN,
    repeat=Repeat.ONCE,
    check_host=check_device,
)
