"""The resource monitor's policy: ok -> failing (restart) -> gave up, by the count of failures
within the window, whatever the order of the checks' results."""

from __future__ import annotations

from hbcore.decisions.monitoring import MonitorPolicy, MonitorState, Verdict
from hypothesis import given
from hypothesis import strategies as st


def test_a_healthy_group_stays_ok() -> None:
    policy = MonitorPolicy(3, 60)
    assert [policy.judge(True, t) for t in range(5)] == [Verdict.NOTHING] * 5
    assert policy.state(5) is MonitorState.OK


def test_failures_restart_until_the_third_gives_up() -> None:
    policy = MonitorPolicy(3, 60)
    assert policy.judge(False, 0) is Verdict.RESTART
    assert policy.state(0) is MonitorState.FAILING
    assert policy.judge(True, 10) is Verdict.NOTHING  # the restart worked: still failing
    assert policy.state(10) is MonitorState.FAILING
    assert policy.judge(False, 20) is Verdict.RESTART
    assert policy.judge(False, 30) is Verdict.GIVE_UP
    assert policy.state(30) is MonitorState.GAVE_UP
    assert policy.judge(False, 40) is Verdict.NOTHING  # given up once: nothing more to do


def test_a_failure_older_than_the_window_no_longer_counts() -> None:
    policy = MonitorPolicy(2, 60)
    assert policy.judge(False, 0) is Verdict.RESTART
    assert policy.failures(59.9) == 1
    assert policy.state(60) is MonitorState.OK
    assert policy.judge(False, 60) is Verdict.RESTART


def test_one_allowed_failure_gives_up_at_once() -> None:
    assert MonitorPolicy(1, 60).judge(False, 0) is Verdict.GIVE_UP


def test_new_limits_keep_the_failures_seen() -> None:
    policy = MonitorPolicy(5, 60)
    policy.judge(False, 0)
    policy.judge(False, 1)
    policy.configure(3, 60)
    assert policy.judge(False, 2) is Verdict.GIVE_UP


def test_a_failed_restart_is_final() -> None:
    policy = MonitorPolicy(3, 60)
    policy.judge(False, 0)
    policy.gave_up()
    assert policy.state(1000) is MonitorState.GAVE_UP
    assert policy.judge(False, 1001) is Verdict.NOTHING


checks = st.lists(
    st.tuples(st.booleans(), st.floats(min_value=0, max_value=50, allow_nan=False)),
    max_size=60,
)


@given(
    checks=checks,
    failures=st.integers(min_value=1, max_value=6),
    window=st.floats(min_value=1, max_value=200),
)
def test_it_gives_up_exactly_when_the_window_holds_n_failures(
    checks: list[tuple[bool, float]], failures: int, window: float
) -> None:
    """Never before ``failures`` failures fall within the window, always at that failure,
    once; every earlier failure is a restart and every success changes nothing."""
    policy = MonitorPolicy(failures, window)
    failed_at: list[float] = []
    now = 0.0
    gave_up = False
    for running, gap in checks:
        now += gap
        verdict = policy.judge(running, now)
        if gave_up or running:
            assert verdict is Verdict.NOTHING
            continue
        failed_at.append(now)
        counted = [t for t in failed_at if now - t < window]
        if len(counted) >= failures:
            assert verdict is Verdict.GIVE_UP
            gave_up = True
        else:
            assert verdict is Verdict.RESTART
            assert policy.state(now) is MonitorState.FAILING
    if gave_up:
        assert policy.state(now) is MonitorState.GAVE_UP


@given(failures=st.integers(min_value=1, max_value=20), gap=st.floats(min_value=0, max_value=5))
def test_n_failures_inside_the_window_always_give_up(failures: int, gap: float) -> None:
    policy = MonitorPolicy(failures, window_s=gap * failures + 1)
    verdicts = [policy.judge(False, i * gap) for i in range(failures)]
    assert verdicts == [Verdict.RESTART] * (failures - 1) + [Verdict.GIVE_UP]
