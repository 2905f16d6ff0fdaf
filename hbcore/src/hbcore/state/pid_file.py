"""The pid file: which process is this node, and proof that it still is.

``hb start`` holds an exclusive ``flock`` on the file for its whole life. The lock, not the
number in the file, says whether a node runs: the kernel drops it when the process ends,
however it ends. So a stale file (the node was killed, the machine crashed, the PID now
belongs to another program) never stops a start, and ``hb stop`` signals a PID only when the
file is locked and that PID is an hb process holding the file open.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from hbcore.state.files import StateFileError

_LOCK_ATTEMPTS = 5
_LOCK_RETRY_S = 0.02
"""A probe by ``hb stop`` holds a shared lock for microseconds; a start that meets one tries
again rather than reporting a running node."""
_READ_LIMIT = 32
_PYTHON_OPTIONS_WITH_ARGUMENT = frozenset({"-X", "-W", "-Q"})

ProcessKind = Literal["hb", "heartbeat"]


@dataclass(frozen=True)
class Running:
    """A node runs: the file is locked and ``pid`` is the hb process holding it."""

    pid: int


@dataclass(frozen=True)
class Stale:
    """A pid file that no running node holds; ``pid`` is the number in it, if any."""

    pid: int | None

    def describe(self, path: Path) -> str:
        """``stale pid file FILE (pid N is not a running hb node)``."""
        if self.pid is None:
            return f"stale pid file {path} (it names no process)"
        return f"stale pid file {path} (pid {self.pid} is not a running hb node)"


class PidFile:
    """This process's exclusive lock on the pid file, held until :meth:`release` or exit.

    The lock belongs to the open file, so it survives the forks of :func:`daemonize`: take
    it before forking (a refusal reaches the terminal) and :meth:`record` the daemon's pid
    after. The descriptor is close-on-exec: a node that re-executes itself takes it again.
    """

    def __init__(self, path: Path, descriptor: int, replaced: Stale | None) -> None:
        self.path = path
        self._descriptor: int | None = descriptor
        self.replaced = replaced
        """The stale file this start took over, if there was one (to be logged)."""

    @classmethod
    def take(cls, path: Path) -> PidFile:
        """Lock ``path`` (creating it and its directory) and record this process in it.

        :raises StateFileError: when a node holds the lock, when heartbeat or another hb runs
            under the PID on file without holding it, or when the file cannot be opened.
        """
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise _cannot_open(path, error) from None
        descriptor = _open_locked(path)
        for _retry in range(_LOCK_ATTEMPTS - 1):
            if descriptor is not None:
                break
            time.sleep(_LOCK_RETRY_S)
            descriptor = _open_locked(path)
        if descriptor is None:
            holder = inspect(path)
            if isinstance(holder, Running):
                raise StateFileError(
                    path, f"hb is already running (pid {holder.pid})", "hb stop first"
                )
            raise StateFileError(path, "locked by another process", f"see who: fuser {path}")
        try:
            previous = _pid_in(_read(path))
            replaced = _judge_previous(path, previous)
        except StateFileError:
            os.close(descriptor)
            raise
        pid_file = cls(path, descriptor, replaced)
        pid_file.record(os.getpid())
        return pid_file

    def record(self, pid: int) -> None:
        """Write ``pid`` (this process after a fork); a reader sees the old pid or the new,
        never an empty file."""
        if self._descriptor is None:
            return
        data = f"{pid}\n".encode("ascii")
        os.pwrite(self._descriptor, data, 0)
        os.ftruncate(self._descriptor, len(data))

    def release(self) -> None:
        """Remove the file (when it is still ours) and drop the lock."""
        if self._descriptor is None:
            return
        with contextlib.suppress(OSError):
            if _same_file(self._descriptor, self.path):
                self.path.unlink()
        os.close(self._descriptor)
        self._descriptor = None


def inspect(path: Path) -> Running | Stale | None:
    """Who holds ``path``: a running node, nobody (a stale file), or None when there is no
    file. A PID counts as the node only when the file is locked, the process is alive, its
    command line is hb's and it holds the file open: a PID reused by another program after
    the node died is never taken for the node."""
    try:
        content = _read(path)
    except StateFileError:
        return Stale(None)
    if content is None:
        return None
    pid = _pid_in(content)
    if pid is None or not _is_locked(path):
        return Stale(pid)
    if not is_alive(pid) or process_kind(pid) != "hb" or not _holds_open(pid, path):
        return Stale(pid)
    return Running(pid)


def is_alive(pid: int) -> bool:
    """True while process ``pid`` exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def process_kind(pid: int) -> ProcessKind | None:
    """``hb`` for an hb command (the ``hb`` entry point, directly or through python),
    ``heartbeat`` for heartbeat's own daemon, None for anything else or a gone process."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    argv = [os.fsdecode(argument) for argument in raw.split(b"\0") if argument]
    if not argv:
        return None
    program = os.path.basename(argv[0])
    if program.startswith("heartbeat"):  # its children rename themselves "heartbeat: ..."
        return "heartbeat"
    if program == "hb":
        return "hb"
    if program.startswith("python"):
        return "hb" if _python_runs_hb(argv[1:]) else None
    return None


def _python_runs_hb(arguments: list[str]) -> bool:
    """True when a python command line (after the interpreter) runs the ``hb`` script or
    ``-m hbcore...``."""
    skip = False
    for index, argument in enumerate(arguments):
        if skip:
            skip = False
        elif argument == "-c":
            return False
        elif argument == "-m":
            return index + 1 < len(arguments) and arguments[index + 1].startswith("hbcore")
        elif argument in _PYTHON_OPTIONS_WITH_ARGUMENT:
            skip = True
        elif not argument.startswith("-"):
            return os.path.basename(argument) == "hb"
    return False


def _open_locked(path: Path) -> int | None:
    """A descriptor of ``path`` under our exclusive lock, or None when someone else holds
    it. A file unlinked by a node that stopped meanwhile is not the one at ``path``: open
    again."""
    while True:
        try:
            descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as error:
            raise _cannot_open(path, error) from None
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)
            return None
        except OSError as error:
            os.close(descriptor)
            raise _cannot_open(path, error) from None
        if _same_file(descriptor, path):
            return descriptor
        os.close(descriptor)


def _judge_previous(path: Path, previous: int | None) -> Stale | None:
    """What the pid on file says, once we hold the lock: nothing (none, or ours after a
    re-exec), a stale file to replace, or a daemon that runs without the lock (heartbeat
    itself, or an hb from before the lock): refuse rather than run two nodes."""
    if previous is None or previous == os.getpid():
        return None
    if not is_alive(previous):
        return Stale(previous)
    kind = process_kind(previous)
    if kind == "heartbeat":
        raise StateFileError(
            path,
            f"heartbeat is running (pid {previous})",
            "stop it first (/etc/init.d/heartbeat stop)",
        )
    if kind == "hb":
        raise StateFileError(
            path,
            f"hb is running (pid {previous}) without holding this file's lock",
            f"stop it first (kill {previous}); if it is a node of another --run-dir, "
            "remove this file",
        )
    return Stale(previous)


def _read(path: Path) -> bytes | None:
    try:
        with path.open("rb") as file:
            return file.read(_READ_LIMIT)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise _cannot_open(path, error) from None


def _pid_in(content: bytes | None) -> int | None:
    words = (content or b"").split()
    if not words or not words[0].isdigit() or len(words[0]) > 10 or int(words[0]) == 0:
        return None
    return int(words[0])


def _is_locked(path: Path) -> bool:
    """True when some process holds a lock on ``path`` (probed with a shared lock, dropped
    at once)."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        fcntl.flock(descriptor, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        os.close(descriptor)
    return False


def _holds_open(pid: int, path: Path) -> bool:
    """True when process ``pid`` has ``path`` open (its lock is one of them)."""
    try:
        wanted = os.stat(path)
        descriptors = os.listdir(f"/proc/{pid}/fd")
    except PermissionError:
        return True  # not ours to see; the signal would be refused to us anyway
    except OSError:
        return False
    for name in descriptors:
        with contextlib.suppress(OSError):
            found = os.stat(f"/proc/{pid}/fd/{name}")
            if (found.st_dev, found.st_ino) == (wanted.st_dev, wanted.st_ino):
                return True
    return False


def _same_file(descriptor: int, path: Path) -> bool:
    try:
        at_path = os.stat(path)
    except OSError:
        return False
    opened = os.fstat(descriptor)
    return (opened.st_dev, opened.st_ino) == (at_path.st_dev, at_path.st_ino)


def _cannot_open(path: Path, error: OSError) -> StateFileError:
    return StateFileError(
        path, f"cannot open the pid file: {error.strerror or error}", "fix or remove it"
    )
