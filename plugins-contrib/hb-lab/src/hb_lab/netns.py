"""The lab's only door to namespaces: iproute2 (namespaces, batches of ``ip`` commands), the
processes inside a namespace, signals that can reach only those, and sockets made inside one.

Every ``ip`` call raises :class:`LabCommandError` with the command and iproute2's message on
failure. Listing processes works as ``ip netns pids`` does (compare each ``/proc/PID/ns/net``
with the namespace's file under ``/run/netns``), without a subprocess. Signalling opens a pidfd
first and checks the namespace afterwards, so a PID that is reused between listing and
signalling is never hit.

Python 3.11 has no ``os.setns``; ``setns(2)`` changes only the calling thread's namespace, so
:func:`socket_in_netns` makes the socket in a short-lived thread that joins the namespace. The
socket keeps that namespace for its whole life; the calling thread never changes namespace.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Collection, Sequence
from pathlib import Path

NETNS_DIR = Path("/run/netns")


class LabCommandError(RuntimeError):
    """A helper command (ip, nft, nsenter...) failed; the message holds its argv and stderr."""


def run_checked(argv: Sequence[str], stdin: str | None = None, timeout: float = 30.0) -> str:
    """Run ``argv`` to completion and return its stdout; raise :class:`LabCommandError`."""
    result = subprocess.run(
        list(argv), input=stdin, capture_output=True, text=True, timeout=timeout, check=False
    )
    if result.returncode != 0:
        raise LabCommandError(
            f"{' '.join(argv)} exited {result.returncode}: {result.stderr.strip()}"
        )
    return result.stdout


def ip_batch(commands: Sequence[str], netns: str | None = None) -> None:
    """Run ``ip`` commands (without the leading ``ip``) in one process, in ``netns`` if given.
    The batch stops at the first failing command."""
    if not commands:
        return
    prefix = ["ip", "-n", netns] if netns else ["ip"]
    run_checked([*prefix, "-batch", "-"], stdin="\n".join(commands) + "\n")


def netns_list() -> list[str]:
    """Names of every named network namespace on the machine."""
    if not NETNS_DIR.is_dir():
        return []
    return sorted(path.name for path in NETNS_DIR.iterdir())


def netns_exists(name: str) -> bool:
    return (NETNS_DIR / name).exists()


def netns_add(names: Sequence[str]) -> None:
    """Create the namespaces ``names`` (all in one ``ip`` process)."""
    ip_batch([f"netns add {name}" for name in names])


def netns_delete(name: str) -> None:
    """Delete namespace ``name`` if it exists. Its interfaces go with it once no process and no
    socket holds it any more."""
    if netns_exists(name):
        run_checked(["ip", "netns", "delete", name])


def netns_exec_argv(netns: str, argv: Sequence[str]) -> list[str]:
    """``argv`` prefixed to run inside ``netns`` (with its own /sys, as ``ip netns exec`` does)."""
    return ["ip", "netns", "exec", netns, *argv]


# -- processes in a namespace ------------------------------------------------------------------

_PROC = Path("/proc")


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def netns_pids(netns: str) -> list[int]:
    """PIDs of every process whose network namespace is ``netns``; empty if it does not exist."""
    wanted = _identity(NETNS_DIR / netns)
    if wanted is None:
        return []
    found = []
    for entry in _PROC.iterdir():
        if entry.name.isdigit() and _identity(entry / "ns" / "net") == wanted:
            found.append(int(entry.name))
    return sorted(found)


def signal_in_netns(netns: str, pid: int, sig: int) -> bool:
    """Send ``sig`` to ``pid`` only if it is (still) inside ``netns``; True if it was sent."""
    wanted = _identity(NETNS_DIR / netns)
    if wanted is None:
        return False
    try:
        pidfd = os.pidfd_open(pid)
    except OSError:
        return False
    try:
        if _identity(_PROC / str(pid) / "ns" / "net") != wanted:
            return False
        signal.pidfd_send_signal(pidfd, sig)
        return True
    except ProcessLookupError:
        return False
    finally:
        os.close(pidfd)


def signal_all(netns: str, sig: int, exclude: Collection[int] = ()) -> list[int]:
    """Send ``sig`` to every process in ``netns`` except ``exclude``; return the PIDs hit."""
    return [
        pid for pid in netns_pids(netns) if pid not in exclude and signal_in_netns(netns, pid, sig)
    ]


def kill_all(netns: str, timeout: float = 5.0, exclude: Collection[int] = ()) -> None:
    """SIGKILL every process in ``netns`` (except ``exclude``) until none is left, catching
    children forked meanwhile. Raise TimeoutError if some survive ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        if not signal_all(netns, signal.SIGKILL, exclude):
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"processes in netns {netns} survive SIGKILL")
        time.sleep(0.01)


def wait_gone(pids: Collection[int], timeout: float) -> bool:
    """Wait until none of ``pids`` exists (as a process that is not a zombie)."""
    deadline = time.monotonic() + timeout
    while any(_running(pid) for pid in pids):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def _running(pid: int) -> bool:
    with contextlib.suppress(OSError):
        state = (_PROC / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
        return state != "Z"
    return False


# -- sockets in a namespace -------------------------------------------------------------------

_CLONE_NEWNET = 0x40000000
_libc = ctypes.CDLL(None, use_errno=True)


def socket_in_netns(
    netns: str, family: int = socket.AF_INET, kind: int = socket.SOCK_DGRAM, proto: int = 0
) -> socket.socket:
    """A new socket inside ``netns`` (which must exist: nothing is created)."""
    made: list[socket.socket] = []
    failed: list[BaseException] = []

    def work() -> None:
        fd = os.open(NETNS_DIR / netns, os.O_RDONLY)
        try:
            if _libc.setns(fd, _CLONE_NEWNET) != 0:
                errno = ctypes.get_errno()
                raise OSError(errno, f"setns({netns}): {os.strerror(errno)}")
            made.append(socket.socket(family, kind, proto))
        except BaseException as error:
            failed.append(error)
        finally:
            os.close(fd)

    thread = threading.Thread(target=work, name=f"setns-{netns}")
    thread.start()
    thread.join()
    if failed:
        raise failed[0]
    return made[0]
