"""Real-time scheduling (``realtime on``): SCHED_RR, mlockall and the timer slack, each asked
for, each refusal a warning and never a failure. The system calls are faked: a test process
must not become real-time (the lock is taken for real only in a process of its own)."""

from __future__ import annotations

import ctypes
import errno
import os
import subprocess
import sys
import textwrap

import pytest
from hbcore.node.scheduling import (
    MCL_CURRENT,
    MCL_FUTURE,
    MCL_ONFAULT,
    TIMER_SLACK_NS,
    Linux,
    Realtime,
    make_realtime,
    skipped,
)
from structlog.testing import capture_logs


class FakeSystem:
    """Records each call; raises EPERM for the parts listed in ``refuse``."""

    def __init__(self, refuse: frozenset[str] = frozenset()) -> None:
        self.refuse = refuse
        self.calls: list[tuple[str, int]] = []

    def _call(self, part: str, value: int) -> None:
        self.calls.append((part, value))
        if part in self.refuse:
            raise OSError(errno.EPERM, "Operation not permitted")

    def set_policy(self, priority: int) -> None:
        self._call("policy", priority)

    def lock_memory(self) -> None:
        self._call("mlock", 0)

    def set_timer_slack(self, nanoseconds: int) -> None:
        self._call("slack", nanoseconds)


def test_a_privileged_node_gets_the_policy_the_lock_and_the_slack() -> None:
    system = FakeSystem()
    with capture_logs() as logs:
        got = make_realtime(12, system, environment={})
    assert got == Realtime(policy=True, mlock=True, slack=True)
    assert system.calls == [("policy", 12), ("mlock", 0), ("slack", TIMER_SLACK_NS)]
    assert "Running with real-time priority SCHED_RR 12" in [entry["event"] for entry in logs]


def test_an_unprivileged_node_warns_with_the_privilege_needed_and_runs_on() -> None:
    system = FakeSystem(refuse=frozenset({"policy", "mlock"}))
    with capture_logs() as logs:
        got = make_realtime(10, system, environment={})
    assert got == Realtime(policy=False, mlock=False, slack=True)
    warnings = [entry["event"] for entry in logs if entry["log_level"] == "warning"]
    assert len(warnings) == 2
    assert "CAP_SYS_NICE" in warnings[0]
    assert "CAP_IPC_LOCK" in warnings[1]


def test_a_refused_slack_is_a_warning_too() -> None:
    with capture_logs() as logs:
        got = make_realtime(10, FakeSystem(refuse=frozenset({"slack"})), environment={})
    assert got == Realtime(policy=True, mlock=True, slack=False)
    assert any("timer slack" in entry["event"] for entry in logs)


def test_hb_realtime_skip_leaves_parts_out_for_measuring() -> None:
    system = FakeSystem()
    got = make_realtime(10, system, environment={"HB_REALTIME_SKIP": "mlock, slack"})
    assert got == Realtime(policy=True, mlock=False, slack=False)
    assert system.calls == [("policy", 10)]


@pytest.mark.parametrize(
    ("value", "parts"),
    [("", set()), ("policy", {"policy"}), ("slack,nonsense,,mlock", {"slack", "mlock"})],
)
def test_skip_words_outside_the_three_parts_are_ignored(value: str, parts: set[str]) -> None:
    assert skipped({"HB_REALTIME_SKIP": value}) == parts


class FakeLibc:
    """libc's mlockall, refusing the flags in ``refuse`` with ``number`` (EINVAL: as a kernel
    before 4.4 refuses MCL_ONFAULT)."""

    def __init__(self, refuse: int, number: int = errno.EINVAL) -> None:
        self.refuse = refuse
        self.number = number
        self.calls: list[int] = []

    def mlockall(self, flags: int) -> int:
        self.calls.append(flags)
        if flags & self.refuse:
            ctypes.set_errno(self.number)
            return -1
        return 0


def test_memory_is_locked_on_fault_and_without_it_on_a_kernel_that_refuses_it() -> None:
    linux = Linux()
    linux._libc = FakeLibc(refuse=MCL_ONFAULT)
    linux.lock_memory()
    both = MCL_CURRENT | MCL_FUTURE
    assert linux._libc.calls == [both | MCL_ONFAULT, both]


def test_another_refusal_of_the_lock_is_not_retried() -> None:
    linux = Linux()
    linux._libc = FakeLibc(refuse=MCL_CURRENT, number=errno.EPERM)
    with pytest.raises(OSError) as raised:
        linux.lock_memory()
    assert raised.value.errno == errno.EPERM
    assert len(linux._libc.calls) == 1


@pytest.mark.skipif(os.geteuid() != 0, reason="mlockall needs root or CAP_IPC_LOCK")
def test_locked_memory_leaves_untouched_pages_out_of_memory() -> None:
    # A process of its own: the lock lasts as long as the process.
    script = textwrap.dedent(
        """
        import mmap, threading
        from hbcore.node.scheduling import Linux
        Linux().lock_memory()
        spare = mmap.mmap(-1, 64 << 20)  # mapped after the lock, never touched
        thread = threading.Thread(target=lambda: None)
        thread.start(); thread.join()
        status = dict(line.split(":", 1) for line in open("/proc/self/status"))
        print(int(status["VmLck"].split()[0]), int(status["VmRSS"].split()[0]))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=30, check=True
    )
    locked_kb, resident_kb = map(int, done.stdout.split())
    assert locked_kb > 64 << 10  # the spare mapping is locked...
    assert resident_kb < 32 << 10  # ...and not resident
