"""Real-time scheduling (``realtime on``): SCHED_RR, mlockall and the timer slack, each asked
for, each refusal a warning and never a failure. The system calls are faked: a test process
must not become real-time."""

from __future__ import annotations

import errno

import pytest
from hbcore.node.scheduling import TIMER_SLACK_NS, Realtime, make_realtime, skipped
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
