"""Null-modem cables between nodes: two raw pty pairs joined by a forwarder process, laid and
pulled out again.

The forwarder runs inside the switch namespace, so tearing the lab down (which kills every
process in the lab's namespaces) removes it too. The pty slave devices live in the machine's
``/dev/pts``, which every node's mount namespace shares: the paths work unchanged inside nodes.

The forwarder is this module run as its own process: ``python -m hb_lab.nullmodem MASTER_A
MASTER_B SLAVE_A SLAVE_B`` (inherited file descriptor numbers) copies bytes between the two pty
masters until killed. It holds the slave ends open so that a node closing its device never
makes the masters report EIO. Like a real line, bytes that the far end is not reading are lost
rather than blocking the other direction. SIGUSR1 cuts the cable (bytes are read and
discarded), SIGUSR2 restores it. The process prints ``ready`` once its handlers are installed.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import subprocess
import sys
import tty
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from hb_lab.netns import LabCommandError, netns_exec_argv, signal_in_netns


@dataclass(frozen=True)
class SerialCable:
    """A null-modem cable: ``a_device`` on ``a_node`` talks to ``b_device`` on ``b_node``."""

    a_node: str
    a_device: str
    b_node: str
    b_device: str
    switch: str
    forwarder_pid: int

    def device_of(self, node: str) -> str | None:
        """The device path on ``node``'s end, or None if the cable does not reach it."""
        if node == self.a_node:
            return self.a_device
        return self.b_device if node == self.b_node else None

    def cut(self) -> None:
        """Pull the cable: bytes sent either way are lost until :meth:`restore`."""
        self._signal(signal.SIGUSR1)

    def restore(self) -> None:
        """Plug the cable back in."""
        self._signal(signal.SIGUSR2)

    def _signal(self, sig: int) -> None:
        if not signal_in_netns(self.switch, self.forwarder_pid, sig):
            raise LabCommandError(f"serial forwarder {self.forwarder_pid} is gone")


def lay_cable(
    switch: str, a_node: str, b_node: str, log: Path
) -> tuple[SerialCable, subprocess.Popen[str]]:
    """Open two raw pty pairs and start their forwarder in ``switch``, its stderr appended to
    ``log``; return the cable and the forwarder process (the caller reaps it after teardown).

    The forwarder outlives a detached lab's maker, so it must not hold that process's output
    open: ``hb lab up | tail`` would wait for it."""
    master_a, slave_a = os.openpty()
    master_b, slave_b = os.openpty()
    fds = (master_a, master_b, slave_a, slave_b)
    try:
        for slave in (slave_a, slave_b):
            tty.setraw(slave)
        with log.open("ab") as errors:
            forwarder = subprocess.Popen(
                netns_exec_argv(switch, [sys.executable, "-m", "hb_lab.nullmodem", *map(str, fds)]),
                pass_fds=fds,
                stdout=subprocess.PIPE,
                stderr=errors,
                stdin=subprocess.DEVNULL,
                text=True,
            )
        assert forwarder.stdout is not None
        if forwarder.stdout.readline().strip() != "ready":
            forwarder.kill()
            forwarder.wait()
            raise LabCommandError("the serial forwarder did not start")
        forwarder.stdout.close()
        cable = SerialCable(
            a_node, os.ttyname(slave_a), b_node, os.ttyname(slave_b), switch, forwarder.pid
        )
    finally:
        for fd in fds:
            os.close(fd)
    return cable, forwarder


# -- the forwarder ---------------------------------------------------------------------------------


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
