"""ha.cf argument parsers follow heartbeat 3.0.6 (cl_get_msec, cl_str_to_boolean, ...)."""

from __future__ import annotations

import ipaddress

import pytest
from hb_hookspecs.arguments import (
    ArgumentError,
    absolute_path,
    boolean,
    choice,
    integer,
    ipv4_address,
    milliseconds,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2", 2000),
        ("1.5", 1500),
        ("0", 0),
        ("500ms", 500),
        ("10ms", 10),
        ("250msec", 250),
        ("1500us", 2),
        ("1499us", 1),
        ("2500us", 3),
        ("2000usec", 2),
        ("0.0004", 0),
        (".5", 500),
    ],
)
def test_time_values_in_heartbeats_units(text: str, expected: int) -> None:
    assert milliseconds(text) == expected


@pytest.mark.parametrize("text", ["2s", "2sec", "1m", "ms", "", "-1", "1.2.3", "fast"])
def test_time_values_heartbeat_rejects(text: str) -> None:
    with pytest.raises(ArgumentError) as caught:
        milliseconds(text)
    assert caught.value.fix


def test_seconds_suffix_error_explains_the_fix() -> None:
    with pytest.raises(ArgumentError, match="'2s' and '2sec' are invalid"):
        milliseconds("2s")


@pytest.mark.parametrize("word", ["true", "On", "YES", "y", "1"])
def test_true_words(word: str) -> None:
    assert boolean(word) is True


@pytest.mark.parametrize("word", ["false", "OFF", "no", "N", "0"])
def test_false_words(word: str) -> None:
    assert boolean(word) is False


def test_not_a_boolean() -> None:
    with pytest.raises(ArgumentError, match="'maybe' is not a boolean"):
        boolean("maybe")


def test_integer_bounds() -> None:
    parse = integer(0, 255)
    assert parse("255") == 255
    with pytest.raises(ArgumentError, match="256 is out of range"):
        parse("256")
    with pytest.raises(ArgumentError, match="not a whole number"):
        parse("12x")


def test_choice_returns_the_canonical_spelling() -> None:
    parse = choice("none", "other", "any")
    assert parse("ANY") == "any"
    with pytest.raises(ArgumentError, match="use one of none, other, any"):
        parse("all")


def test_case_sensitive_choice() -> None:
    with pytest.raises(ArgumentError):
        choice("file", case_sensitive=True)("FILE")


def test_ipv4_address_is_numeric_only() -> None:
    assert ipv4_address("10.0.0.1") == ipaddress.IPv4Address("10.0.0.1")
    with pytest.raises(ArgumentError, match="not a numeric IPv4 address"):
        ipv4_address("gateway.example")


def test_absolute_path() -> None:
    assert absolute_path("/usr/lib/heartbeat/ipfail") == "/usr/lib/heartbeat/ipfail"
    with pytest.raises(ArgumentError, match="not an absolute path"):
        absolute_path("ipfail")
