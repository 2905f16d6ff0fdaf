"""One cluster node: its namespaces (held by its anchor), the processes it runs, its logs.

Signals reach only processes inside the node's network namespace (see ``net.pids``); the
anchor is spared, so a killed node keeps its hostname and files and can be started again.
"""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from hbcore.lab.net.iproute import LabCommandError
from hbcore.lab.net.pids import kill_all, netns_pids, signal_all, wait_gone
from hbcore.lab.nodes.anchor import enter_argv
from hbcore.lab.nodes.commands import NodeCommand
from hbcore.lab.nodes.filesystem import NodeDirs
from hbcore.lab.nodes.logs import LogMatch, Pattern, log_mark, read_lines, wait_for_line

DEFAULT_LOG = "/var/log/ha-log"
CONSOLE_LOG = "/var/log/hb-lab-console.log"


@dataclass
class Node:
    """A node of a lab. ``addresses`` maps each interface (eth0, eth1...) to its address."""

    name: str
    netns: str
    anchor_pid: int
    dirs: NodeDirs
    addresses: dict[str, str]
    _children: list[subprocess.Popen[bytes]] = field(default_factory=list, repr=False)

    # -- processes ----------------------------------------------------------------------------

    def start(self, command: NodeCommand) -> subprocess.Popen[bytes]:
        """Prepare the node's directories for ``command`` and run it inside the node, its
        stdout and stderr appended to ``/var/log/hb-lab-console.log`` on the node. Returns the
        launched process (a daemonising one exits once it has forked)."""
        command.prepare(self.dirs)
        with self.log_path(CONSOLE_LOG).open("ab") as console:
            process = self.spawn(command.argv(self.name), stdout=console, stderr=console)
        return process

    def spawn(
        self,
        argv: Sequence[str],
        stdout: int | IO[bytes] | None = None,
        stderr: int | IO[bytes] | None = None,
    ) -> subprocess.Popen[bytes]:
        """Start ``argv`` inside the node without waiting; the lab reaps it at teardown."""
        self._check_anchor()
        process = subprocess.Popen(
            enter_argv(self.anchor_pid, list(argv)),
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
            cwd="/",
        )
        self._children.append(process)
        return process

    def run(
        self,
        argv: Sequence[str],
        timeout: float = 30.0,
        check: bool = True,
        stdin: str | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """Run ``argv`` inside the node to completion and capture its output."""
        self._check_anchor()
        result = subprocess.run(
            enter_argv(self.anchor_pid, list(argv)),
            input=stdin,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check and result.returncode != 0:
            raise LabCommandError(
                f"{self.name}: {' '.join(argv)} exited {result.returncode}: {result.stderr.strip()}"
            )
        return result

    def pids(self) -> list[int]:
        """Every process running on the node, except its anchor."""
        return [pid for pid in netns_pids(self.netns) if pid != self.anchor_pid]

    def signal(self, sig: int) -> list[int]:
        """Send ``sig`` to every process on the node (not the anchor); return the PIDs hit."""
        return signal_all(self.netns, sig, exclude={self.anchor_pid})

    def kill(self, timeout: float = 5.0) -> None:
        """SIGKILL everything on the node, as a power cut does to the machine's processes."""
        kill_all(self.netns, timeout, exclude={self.anchor_pid})
        self.reap()

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM everything on the node; SIGKILL what is left after ``timeout`` seconds."""
        pids = self.signal(signal.SIGTERM)
        if not wait_gone(pids, timeout):
            self.kill()
        self.reap()

    def freeze(self) -> list[int]:
        """SIGSTOP every process on the node (a hung machine); return the PIDs stopped."""
        return self.signal(signal.SIGSTOP)

    def thaw(self) -> list[int]:
        """SIGCONT every process on the node."""
        return self.signal(signal.SIGCONT)

    def reap(self) -> None:
        """Collect the exit status of launched processes that have ended."""
        self._children = [child for child in self._children if child.poll() is None]

    # -- logs -----------------------------------------------------------------------------------

    def log_path(self, inside: str = DEFAULT_LOG) -> Path:
        """The host path of a log file the node writes at ``inside``."""
        return self.dirs.outside(inside)

    def log_mark(self, inside: str = DEFAULT_LOG) -> int:
        """The current end of a log, for :meth:`wait_for_log`'s ``after``."""
        return log_mark(self.log_path(inside))

    def read_log(self, inside: str = DEFAULT_LOG, after: int = 0) -> list[str]:
        """The complete lines of a log written after offset ``after``."""
        return read_lines(self.log_path(inside), after)

    def wait_for_log(
        self, pattern: Pattern, timeout: float, after: int = 0, inside: str = DEFAULT_LOG
    ) -> LogMatch:
        """Wait for a log line after ``after`` containing (or matching) ``pattern``.

        :raises TimeoutError: with the last lines read.
        """
        return wait_for_line(self.log_path(inside), pattern, timeout, after)

    def _check_anchor(self) -> None:
        if self.anchor_pid not in netns_pids(self.netns):
            raise LabCommandError(f"node {self.name} has no anchor: the lab is down")
