"""Laying a null-modem cable between two nodes, and pulling it out again.

The forwarder runs inside the switch namespace, so tearing the lab down (which kills every
process in the lab's namespaces) removes it too. The pty slave devices live in the machine's
``/dev/pts``, which every node's mount namespace shares: the paths work unchanged inside nodes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tty
from dataclasses import dataclass

from hbcore.lab.net.iproute import LabCommandError, netns_exec_argv
from hbcore.lab.net.pids import signal_in_netns


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


def lay_cable(switch: str, a_node: str, b_node: str) -> tuple[SerialCable, subprocess.Popen[str]]:
    """Open two raw pty pairs and start their forwarder in ``switch``; return the cable and the
    forwarder process (the caller reaps it after teardown)."""
    master_a, slave_a = os.openpty()
    master_b, slave_b = os.openpty()
    fds = (master_a, master_b, slave_a, slave_b)
    try:
        for slave in (slave_a, slave_b):
            tty.setraw(slave)
        forwarder = subprocess.Popen(
            netns_exec_argv(
                switch, [sys.executable, "-m", "hbcore.lab.serial.nullmodem", *map(str, fds)]
            ),
            pass_fds=fds,
            stdout=subprocess.PIPE,
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
