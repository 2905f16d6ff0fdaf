"""Time values read as heartbeat's cl_get_msec does, through the timer directives."""

from __future__ import annotations

import pytest
from config_helpers import MINIMAL, errors, parse


@pytest.mark.parametrize(
    ("written", "ms"),
    [("2", 2000), ("1.5", 1500), ("500ms", 500), ("500msec", 500), ("1500us", 2), ("0.25", 250)],
)
def test_accepted_time_values(written: str, ms: int) -> None:
    hacf, problems = parse(f"{MINIMAL}keepalive {written}\ndeadtime 60\n")
    assert errors(problems) == []
    assert hacf.timers.keepalive == ms


@pytest.mark.parametrize("written", ["2s", "2sec", "ten", "1m"])
def test_other_units_are_errors(written: str) -> None:
    _, problems = parse(f"{MINIMAL}keepalive {written}\n")
    assert len(errors(problems)) == 1
    assert errors(problems)[0].startswith("5: keepalive: ")


def test_a_blank_before_the_unit_makes_two_tokens() -> None:
    hacf, problems = parse(f"{MINIMAL}keepalive 2 ms\n")
    assert errors(problems) == ["5: keepalive: 'ms' is not a time value"]
    assert hacf.timers.keepalive == 2000


def test_keepalive_must_be_positive() -> None:
    _, problems = parse(f"{MINIMAL}keepalive 0\n")
    assert errors(problems) == ["5: keepalive: time '0' is too small"]
