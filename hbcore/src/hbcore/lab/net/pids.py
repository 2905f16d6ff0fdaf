"""Processes inside a network namespace, and signals that can only reach those processes.

Listing works as ``ip netns pids`` does (compare each ``/proc/PID/ns/net`` with the namespace's
file under ``/run/netns``), without a subprocess. Signalling opens a pidfd first and checks the
namespace afterwards, so a PID that is reused between listing and signalling is never hit.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Collection
from pathlib import Path

from hbcore.lab.net.iproute import NETNS_DIR

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
