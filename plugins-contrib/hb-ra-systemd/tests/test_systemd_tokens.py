"""``systemd:UNIT`` tokens read as systemctl reads unit names, and systemd's time spans as
``systemctl show`` prints them; no input raises anything but the documented error."""

from __future__ import annotations

import contextlib

import pytest
from hb_hookspecs import ArgumentError
from hb_ra_systemd.timespan import timespan
from hb_ra_systemd.units import UnitToken, parse_token
from hypothesis import given
from hypothesis import strategies as st


@pytest.mark.parametrize(
    ("token", "unit"),
    [
        ("systemd:nginx", "nginx.service"),
        ("systemd:nginx.service", "nginx.service"),
        ("systemd:backup.timer", "backup.timer"),
        ("systemd:getty@tty1", "getty@tty1.service"),
        ("systemd:postgresql@15-main.service", "postgresql@15-main.service"),
        ("systemd:my.app", "my.app.service"),
    ],
)
def test_a_unit_without_a_type_is_a_service(token: str, unit: str) -> None:
    assert parse_token(token) == UnitToken(token, unit)


@pytest.mark.parametrize("token", ["nginx", "systemd", "Systemd:nginx", "httpd::start"])
def test_other_tokens_are_left_to_other_plugins(token: str) -> None:
    assert parse_token(token) is None


@pytest.mark.parametrize(
    ("token", "problem"),
    [
        ("systemd:", "'' is not a systemd unit name"),
        ("systemd:a b", "'a b' is not a systemd unit name"),
        ("systemd:nginx::reload", "a systemd unit takes no arguments"),
        ("systemd:getty@.service", "'getty@.service' is a template, not a unit"),
        ("systemd:dev-sda.device", "a .device unit cannot be started"),
        ("systemd:" + "a" * 256, f"'{'a' * 256}' is not a systemd unit name"),
    ],
)
def test_a_malformed_unit_says_what_is_wrong(token: str, problem: str) -> None:
    with pytest.raises(ArgumentError) as raised:
        parse_token(token)
    assert raised.value.problem == problem


@given(st.text())
def test_no_token_raises_anything_but_an_argument_error(token: str) -> None:
    with contextlib.suppress(ArgumentError):
        parse_token(token)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("1min 30s", 90.0),
        ("100ms", 0.1),
        ("1h 5min", 3900.0),
        ("infinity", None),
        ("0", 0.0),
        ("1month", 2629800.0),
        ("2m", 120.0),
    ],
)
def test_time_spans_read_as_systemd_prints_them(text: str, seconds: float | None) -> None:
    assert timespan(text) == seconds


@pytest.mark.parametrize("text", ["", "soon", "5 parsecs", "1min x"])
def test_anything_else_is_not_a_time_span(text: str) -> None:
    with pytest.raises(ValueError):
        timespan(text)


@given(st.text())
def test_no_text_raises_anything_but_a_value_error(text: str) -> None:
    with contextlib.suppress(ValueError):
        timespan(text)
