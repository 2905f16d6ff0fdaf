"""The ``watchdog`` directive: the device to keep alive, given at most once.

Whether the device exists is a fact of the host, checked at start-up and by ``hb check``.
"""

from hb_hookspecs import Directive, Form, Repeat
from hb_hookspecs.arguments import absolute_path

WATCHDOG = Directive(
    name="watchdog",
    parse=absolute_path,
    summary="watchdog DEVICE: reboot the machine if heartbeat stops",
    form=Form.PER_TOKEN,
    repeat=Repeat.ONCE,
)
