"""The figures behind ``hb status``: intervals over a window, a link's losses and lateness,
groups' actions, and the failover measurements, driven by hand with a fake clock."""

from __future__ import annotations

import itertools
import math

import pytest
from hbcore.stats.groups import FAILED, RUNNING, STOPPED, GroupFigures
from hbcore.stats.link import INTERVAL_BOUNDS_MS, MAX_COUNTED_GAP, LinkFigures
from hbcore.stats.timeline import Death, Timeline
from hbcore.stats.window import JITTER_GAIN, CountWindow, IntervalWindow
from hypothesis import given
from hypothesis import strategies as st

intervals = st.lists(
    st.floats(min_value=0.0, max_value=3600.0, allow_nan=False), min_size=1, max_size=300
)


@pytest.mark.fuzz
@given(intervals, st.integers(min_value=1, max_value=80))
def test_the_window_holds_the_last_intervals_and_the_jitter_follows_rfc3550(
    samples: list[float], size: int
) -> None:
    window = IntervalWindow(size)
    for sample in samples:
        window.add(sample)
    kept = samples[-size:]
    assert window.samples() == kept
    assert window.count == len(samples)
    assert window.last == samples[-1]
    assert window.maximum == max(samples)
    assert window.window_max() == max(kept)
    mean = window.mean()
    assert mean is not None and math.isclose(mean, math.fsum(kept) / len(kept), abs_tol=1e-9)
    jitter = 0.0
    for previous, current in itertools.pairwise(samples):
        jitter += (abs(current - previous) - jitter) / JITTER_GAIN
    assert math.isclose(window.jitter, jitter, rel_tol=1e-9, abs_tol=1e-9)
    steps = [abs(b - a) for a, b in itertools.pairwise(samples)]
    assert window.jitter <= max(steps, default=0.0) + 1e-9


def test_an_empty_window_has_no_mean_and_no_maximum() -> None:
    window = IntervalWindow()
    assert (window.mean(), window.window_max(), window.samples()) == (None, None, [])
    with pytest.raises(ValueError):
        IntervalWindow(0)


@pytest.mark.fuzz
@given(st.lists(st.integers(min_value=0, max_value=1000), max_size=200))
def test_the_count_window_sums_the_last_counts(counts: list[int]) -> None:
    window = CountWindow(16)
    for count in counts:
        window.add(count)
    assert window.total() == sum(counts[-16:])
    assert window.filled == min(len(counts), 16)


def test_a_link_counts_packets_lateness_and_the_numbers_it_skipped() -> None:
    link = LinkFigures()
    now = 100.0
    for seq in (1, 2, 4, 5, 9):  # 3, 6, 7 and 8 went by another link only
        link.heard(now, True, warntime_s=1.5, generation=7, seq=seq)
        now += 1.0
    link.heard(now + 1.0, True, warntime_s=1.5, generation=7, seq=10)  # 2 s after: late
    link.heard(now + 1.1, False, warntime_s=1.5, generation=7, seq=8)  # a retransmission
    snapshot = link.snapshot(now + 2.1)
    assert snapshot["packets"] == 7
    assert snapshot["heartbeats"] == 6
    assert snapshot["lost"] == 4
    assert snapshot["late"] == 1
    assert snapshot["loss"] == round(4 / (4 + 5), 4)  # the first packet sets the baseline
    assert snapshot["heard_ago_ms"] == 1000.0
    assert snapshot["interval_ms"]["last"] == 2000.0
    assert snapshot["interval_ms"]["max"] == 2000.0
    assert snapshot["interval_ms"]["samples"] == 5


def test_a_new_generation_or_a_huge_jump_is_no_loss() -> None:
    link = LinkFigures()
    link.heard(1.0, True, 1.0, generation=1, seq=500)
    link.heard(2.0, True, 1.0, generation=2, seq=1)  # the peer restarted
    link.heard(3.0, True, 1.0, generation=2, seq=2 + MAX_COUNTED_GAP + 1)
    assert link.lost == 0


def test_a_link_that_died_starts_its_intervals_again() -> None:
    link = LinkFigures()
    link.heard(1.0, True, 1.0)
    link.went_dead()
    link.heard(60.0, True, 1.0)
    assert (link.deaths, link.late, link.intervals.count) == (1, 0, 0)


def test_a_group_keeps_its_last_acquisition_and_release_with_their_durations() -> None:
    group = GroupFigures("10.0.0.1")
    group.starting(now=10.0, wall=1000.0)
    group.resource_started(now=10.2)
    group.resource_started(now=10.4)  # only the first counts
    action = group.acquired(now=10.5, wall=1000.5)
    assert group.state == RUNNING and action is not None
    assert action.first_start_s == pytest.approx(0.2)
    assert action.duration_s == pytest.approx(0.5)
    group.stopping(now=20.0, wall=1010.0)
    group.released(now=20.25, wall=1010.25)
    snapshot = group.snapshot()
    assert snapshot["state"] == STOPPED
    assert snapshot["last_release"]["duration_ms"] == 250.0
    assert snapshot["last_acquire"]["first_start_ms"] == 200.0
    assert (snapshot["acquisitions"], snapshot["releases"]) == (1, 1)


def test_a_group_that_failed_to_start_stays_failed_once_given_up() -> None:
    group = GroupFigures("httpd")
    group.starting(1.0, 1.0)
    group.stopping(2.0, 2.0)
    group.failed(2.5)
    group.released(3.0, 3.0)
    assert (group.state, group.failures) == (FAILED, 1)


def test_a_takeover_is_measured_from_the_detection_and_ends_when_the_peer_returns() -> None:
    timeline = Timeline()
    timeline.node_died(Death("linuxha2", detected=50.0, silence_s=0.3, cause="dead"))
    death = timeline.takeover()
    assert death is not None
    assert timeline.takeover_durations(death, first_start=50.1, acquired=50.25) == {
        "detected_to_acquired_ms": 250.0,
        "silence_ms": 300.0,
        "detected_to_first_start_ms": 100.0,
    }
    timeline.node_back("linuxha2")
    assert timeline.takeover() is None


def test_a_handover_runs_from_the_request_to_the_takers_done() -> None:
    timeline = Timeline()
    timeline.asked("linuxha1", "all", "standby", now=5.0)
    assert timeline.done("linuxha1", now=5.5) is None  # the giver released
    done = timeline.done("linuxha2", now=6.0)
    assert done is not None and done.taker == "linuxha2"
    assert done.durations_ms == {"asked_to_held_ms": 1000.0, "asked_to_released_ms": 500.0}
    assert timeline.done("linuxha2", now=7.0) is None  # nothing in progress any more


@pytest.mark.fuzz
@given(intervals)
def test_the_interval_histogram_counts_every_interval_in_its_bucket(samples: list[float]) -> None:
    link = LinkFigures()
    now = 0.0
    link.heard(now, True, warntime_s=1.0)
    for sample in samples:
        now += sample
        link.heard(now, True, warntime_s=1.0)
    histogram = link.snapshot(now)["interval_histogram"]
    counts = histogram["counts"]
    assert len(counts) == len(INTERVAL_BOUNDS_MS) + 1 and sum(counts) == len(samples)
    bounds = [bound / 1000 for bound in INTERVAL_BOUNDS_MS]
    for sample in link.intervals.samples():
        assert counts[sum(1 for bound in bounds if bound < sample)] > 0
    assert histogram["sum_ms"] == pytest.approx(now * 1000, abs=0.1 + now * 1e-6)
