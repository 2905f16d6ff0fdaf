"""Real-time scheduling for the node, as heartbeat's ``cl_make_realtime`` does when ``realtime
on`` (its default): the round-robin real-time policy SCHED_RR at ``rtprio``, its memory locked
(``mlockall(MCL_CURRENT | MCL_FUTURE)``, with ``MCL_ONFAULT`` where the kernel has it: see
:meth:`Linux.lock_memory`), and, beyond heartbeat, a timer slack of
1 µs (``prctl(PR_SET_TIMERSLACK)``: a normal thread's timers may fire up to 50 µs late so that
the kernel can batch wake-ups; real-time threads have none on recent kernels, and ask for none
on older ones).

Each part needs a privilege (root, or CAP_SYS_NICE with an RLIMIT_RTPRIO for the policy,
CAP_IPC_LOCK or an RLIMIT_MEMLOCK as large as the process for the lock; the slack needs none).
One that is refused is a warning, never a failure: the node runs, with later heartbeats on a
busy machine. Resource scripts and other children start with normal priority
(SCHED_RESET_ON_FORK); memory locks are never inherited across fork.

``HB_REALTIME_SKIP`` (comma-separated ``policy``, ``mlock``, ``slack``) leaves parts out, for
measuring what each brings (``bench/compare.py --realtime-parts``).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

import structlog

DEFAULT_RTPRIO = 10
"""A low real-time priority: above every ordinary process, below the kernel's own threads."""
TIMER_SLACK_NS = 1000
THREAD_STACK_BYTES = 256 * 1024
"""Without MCL_ONFAULT, each thread's stack is locked and resident in full: 8 MiB by default,
far more than any of ours uses."""
PARTS = ("policy", "mlock", "slack")
MCL_CURRENT, MCL_FUTURE, MCL_ONFAULT = 1, 2, 4
PR_SET_TIMERSLACK = 29

log = structlog.get_logger("hb.node")


class System(Protocol):
    """The system calls the node makes here; each raises OSError when refused."""

    def set_policy(self, priority: int) -> None: ...
    def lock_memory(self) -> None: ...
    def set_timer_slack(self, nanoseconds: int) -> None: ...


class Linux:
    """:class:`System` through ``os`` and libc."""

    def __init__(self) -> None:
        self._libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)

    def set_policy(self, priority: int) -> None:
        os.sched_setscheduler(0, os.SCHED_RR | os.SCHED_RESET_ON_FORK, os.sched_param(priority))

    def lock_memory(self) -> None:
        """Lock every page as it is first touched (``MCL_ONFAULT``, Linux 4.4 and later), so
        that a page in use never waits for the disk while the mapped but unused pages of every
        library, arena and thread stack stay out of memory; heartbeat's plain
        ``MCL_CURRENT | MCL_FUTURE`` made them all resident (90 MB for a node that touches 50).
        An older kernel refuses the flag (EINVAL): then everything is locked, as heartbeat
        does."""
        # Before locking: stacks of threads started from now on, resident in full without
        # MCL_ONFAULT.
        threading.stack_size(THREAD_STACK_BYTES)
        try:
            self._check(self._libc.mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT))
        except OSError as error:
            if error.errno != errno.EINVAL:
                raise
            self._check(self._libc.mlockall(MCL_CURRENT | MCL_FUTURE))

    def set_timer_slack(self, nanoseconds: int) -> None:
        self._check(self._libc.prctl(PR_SET_TIMERSLACK, ctypes.c_ulong(nanoseconds), 0, 0, 0))

    @staticmethod
    def _check(result: int) -> None:
        if result != 0:
            number = ctypes.get_errno()
            raise OSError(number, os.strerror(number))


@dataclass(frozen=True)
class Realtime:
    """What :func:`make_realtime` obtained: each part True when in force."""

    policy: bool
    mlock: bool
    slack: bool


def skipped(environment: Mapping[str, str]) -> frozenset[str]:
    """The parts ``HB_REALTIME_SKIP`` leaves out (unknown words are ignored)."""
    words = environment.get("HB_REALTIME_SKIP", "").split(",")
    return frozenset(word.strip() for word in words if word.strip() in PARTS)


def make_realtime(
    priority: int,
    system: System | None = None,
    environment: Mapping[str, str] = os.environ,
) -> Realtime:
    """Run under SCHED_RR at ``priority``, locked in memory, with a 1 µs timer slack. A part
    the system refuses is logged as a warning with the privilege it needs; none raises."""
    system = Linux() if system is None else system
    skip = skipped(environment)
    policy = mlock = slack = False
    if "policy" not in skip:
        try:
            system.set_policy(priority)
        except (OSError, AttributeError) as error:
            log.warning(
                f"Unable to set real-time priority SCHED_RR {priority}: {error} "
                "(needs root or CAP_SYS_NICE and an RLIMIT_RTPRIO)"
            )
        else:
            policy = True
            log.info(f"Running with real-time priority SCHED_RR {priority}")
    if "mlock" not in skip:
        try:
            system.lock_memory()
        except OSError as error:
            log.warning(
                f"Unable to lock memory: {error} "
                "(needs root or CAP_IPC_LOCK, or an RLIMIT_MEMLOCK as large as the process)"
            )
        else:
            mlock = True
            log.info("Memory locked (mlockall)")
    if "slack" not in skip:
        try:
            system.set_timer_slack(TIMER_SLACK_NS)
        except OSError as error:
            log.warning(f"Unable to set the timer slack to {TIMER_SLACK_NS} ns: {error}")
        else:
            slack = True
    return Realtime(policy, mlock, slack)
