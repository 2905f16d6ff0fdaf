"""One cluster node: its private directories, its namespaces (held by its anchor), the
processes it runs and its logs; and the client, a namespace on the public network only.

Each node gets its own copy of the directories heartbeat (and hb, which replaces it in place)
uses at their default paths. Inside the node they are bind-mounted over the real paths, so the
node process needs no path options; outside, the lab reads and writes them directly.

The anchor is a sleeping process that holds a node's hostname and mount namespace: it joins the
node's network namespace, unshares UTS and mount namespaces, sets the hostname, bind-mounts the
node's private directories over the default paths and sleeps. Every node process and every
command run "on" the node enters the anchor's namespaces, so the node's view exists before its
daemon starts and survives the daemon being killed and restarted.

Signals reach only processes inside the node's network namespace (see :mod:`hb_lab.netns`); the
anchor is spared, so a killed node keeps its hostname and files and can be started again.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from hb_lab.commands import NodeCommand
from hb_lab.logs import LogMatch, Pattern, log_mark, read_lines, wait_for_line
from hb_lab.netns import (
    LabCommandError,
    kill_all,
    netns_exec_argv,
    netns_pids,
    signal_all,
    wait_gone,
)

# -- private directories ---------------------------------------------------------------------------

# (directory under the node's root, path the node sees). /run comes last: once it is mounted
# over, the sources of later mounts (under the lab's /run/hb-lab) would be hidden.
BIND_MOUNTS: tuple[tuple[str, str], ...] = (
    ("etc-ha.d", "/etc/ha.d"),
    ("var-lib-heartbeat", "/var/lib/heartbeat"),
    ("var-log", "/var/log"),
    ("run", "/run"),
)

# Files of an installed /etc/ha.d that belong to one cluster, never copied into a node.
_CLUSTER_FILES = frozenset({"ha.cf", "haresources", "authkeys"})


@dataclass(frozen=True)
class NodeDirs:
    """The host side of a node's private directories, all under ``root``."""

    root: Path

    @property
    def ha_d(self) -> Path:
        return self.root / "etc-ha.d"

    @property
    def log(self) -> Path:
        return self.root / "var-log"

    @property
    def run(self) -> Path:
        return self.root / "run"

    def mounts(self) -> list[tuple[Path, str]]:
        """(host directory, path inside the node) in mount order."""
        return [(self.root / name, target) for name, target in BIND_MOUNTS]

    def outside(self, inside: str) -> Path:
        """The host path of ``inside``, a path as the node sees it (``/var/log/ha-log``)."""
        for name, target in sorted(BIND_MOUNTS, key=lambda item: -len(item[1])):
            if inside == target or inside.startswith(target + "/"):
                return self.root / name / os.path.relpath(inside, target)
        raise ValueError(f"{inside} is not in a node's private directories")


def seed(dirs: NodeDirs) -> None:
    """Create the node's directories as a freshly installed machine has them.

    ``/etc/ha.d`` copies the installed scripts (resource.d, rc.d, harc, shellfuncs) but no
    cluster file; ``/var/lib/heartbeat`` copies the installed sub-directories with their owners
    but none of the state files at its top (hb_uuid, hostcache...), so each node gets its own
    uuid; ``/run`` starts with ``lock`` and ``shm`` as after boot.
    """
    for _name, target in BIND_MOUNTS:
        # The node's mounts need their mount points; an hb-only machine may lack these two.
        Path(target).mkdir(parents=True, exist_ok=True)
    for source, _target in dirs.mounts():
        source.mkdir(parents=True, exist_ok=True)
    _copy_entries(Path("/etc/ha.d"), dirs.ha_d, lambda entry: entry.name not in _CLUSTER_FILES)
    _copy_entries(Path("/var/lib/heartbeat"), dirs.root / "var-lib-heartbeat", Path.is_dir)
    lock = dirs.run / "lock"
    lock.mkdir(exist_ok=True)
    lock.chmod(0o1777)
    (dirs.run / "shm").symlink_to("/dev/shm")


def _copy_entries(source: Path, destination: Path, keep: Callable[[Path], bool]) -> None:
    if not source.is_dir():
        return
    entries = [str(entry) for entry in sorted(source.iterdir()) if keep(entry)]
    if entries:
        # cp -a keeps owners and modes (hacluster-owned dirs), which shutil cannot do in one go.
        subprocess.run(["cp", "-a", *entries, str(destination)], check=True)


# -- the anchor ------------------------------------------------------------------------------------

_SCRIPT = """set -e
hostname "$1"
shift
while [ $# -gt 0 ]; do mount --bind "$1" "$2"; shift 2; done
echo ready
exec sleep infinity >/dev/null
"""


def start_anchor(netns: str, hostname: str, dirs: NodeDirs) -> subprocess.Popen[str]:
    """Start the anchor of a node and wait until its mounts are in place."""
    mounts = [str(part) for source, target in dirs.mounts() for part in (source, target)]
    argv = netns_exec_argv(
        netns,
        [
            "unshare",
            "--uts",
            "--mount",
            "--propagation",
            "private",
            "sh",
            "-c",
            _SCRIPT,
            "hb-lab-anchor",
            hostname,
            *mounts,
        ],
    )
    anchor = subprocess.Popen(
        argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert anchor.stdout is not None and anchor.stderr is not None
    if anchor.stdout.readline().strip() != "ready":
        anchor.wait()
        raise LabCommandError(f"node {hostname} did not start: {anchor.stderr.read().strip()}")
    anchor.stdout.close()
    anchor.stderr.close()
    return anchor


def enter_argv(anchor_pid: int, argv: list[str]) -> list[str]:
    """``argv`` prefixed to run in the anchor's network, UTS and mount namespaces."""
    return ["nsenter", "-t", str(anchor_pid), "-n", "-u", "-m", "--", *argv]


# -- the node --------------------------------------------------------------------------------------

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
        # The processes this lab launched are its children: collected here, they are gone
        # when kill returns, not zombies that a pid check (heartbeat's) takes for running.
        deadline = time.monotonic() + timeout
        for child in self._children:
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.wait(max(0.0, deadline - time.monotonic()))
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


# -- the client ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Client:
    """The client namespace and its public address."""

    netns: str
    address: str

    def run(
        self, argv: Sequence[str], timeout: float = 30.0, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        """Run ``argv`` in the client namespace to completion and capture its output."""
        result = subprocess.run(
            netns_exec_argv(self.netns, list(argv)),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check and result.returncode != 0:
            raise LabCommandError(
                f"client: {' '.join(argv)} exited {result.returncode}: {result.stderr.strip()}"
            )
        return result
