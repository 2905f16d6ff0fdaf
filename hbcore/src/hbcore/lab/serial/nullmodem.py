"""The forwarder behind a lab null-modem cable, run as its own process.

``python -m hbcore.lab.serial.nullmodem MASTER_A MASTER_B SLAVE_A SLAVE_B`` (inherited file
descriptor numbers) copies bytes between the two pty masters until killed. It holds the slave
ends open so that a node closing its device never makes the masters report EIO. Like a real
line, bytes that the far end is not reading are lost rather than blocking the other direction.

SIGUSR1 cuts the cable (bytes are read and discarded), SIGUSR2 restores it. The process prints
``ready`` once its handlers are installed.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import sys
from types import FrameType


class _Cable:
    def __init__(self) -> None:
        self.connected = True

    def cut(self, _sig: int, _frame: FrameType | None) -> None:
        self.connected = False

    def restore(self, _sig: int, _frame: FrameType | None) -> None:
        self.connected = True


def forward(master_a: int, master_b: int, cable: _Cable) -> None:
    """Copy between the masters forever, honouring ``cable.connected``."""
    other = {master_a: master_b, master_b: master_a}
    for fd in other:
        os.set_blocking(fd, False)
    while True:
        try:
            readable, _, _ = select.select(list(other), [], [])
        except InterruptedError:
            continue
        for fd in readable:
            try:
                data = os.read(fd, 4096)
            except BlockingIOError:
                continue
            if cable.connected and data:
                with contextlib.suppress(BlockingIOError):
                    os.write(other[fd], data)


def main(argv: list[str]) -> None:
    master_a, master_b, _slave_a, _slave_b = (int(arg) for arg in argv)
    cable = _Cable()
    signal.signal(signal.SIGUSR1, cable.cut)
    signal.signal(signal.SIGUSR2, cable.restore)
    print("ready", flush=True)
    forward(master_a, master_b, cable)


if __name__ == "__main__":
    main(sys.argv[1:])
