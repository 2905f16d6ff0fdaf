"""ha.cf argument parsers follow heartbeat 3.0.6 (cl_get_msec, cl_str_to_boolean, ...)."""

from __future__ import annotations

import ipaddress

import pytest
from hb_hookspecs.arguments import (
    MAX_MILLISECONDS,
    ArgumentError,
    absolute_path,
    boolean,
    choice,
    host_name,
    integer,
    interface_name,
    ipv4_address,
    milliseconds,
    time_value,
)
from hypothesis import given
from hypothesis import strategies as st


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


def test_time_value_bounds() -> None:
    assert time_value(0)("0") == 0
    with pytest.raises(ArgumentError, match="too small"):
        time_value(1)("0")


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


# --- hostile arguments: numbers no int or float holds, names no lookup can take ---------------


@pytest.mark.parametrize("digits", [21, 4300, 4301, 5000, 20_000])
def test_an_integer_of_absurd_length_is_out_of_range_before_conversion(digits: int) -> None:
    with pytest.raises(ArgumentError, match=r"is out of range; use a value in 1\.\.65535"):
        integer(1, 65535)("9" * digits)


def test_leading_zeros_and_a_sign_read_as_atoi_reads_them() -> None:
    parse = integer(-5, 700)
    assert parse("0" * 30 + "694") == 694
    assert parse("+7") == 7
    assert parse("-5") == -5


@pytest.mark.parametrize("text", ["²", "١٢", "1_000", " 7", "7 ", "0x10", ""])
def test_only_ascii_digits_are_a_whole_number(text: str) -> None:
    with pytest.raises(ArgumentError, match="is not a whole number"):
        integer()(text)


@pytest.mark.parametrize("text", ["1" * 310, "9" * 5000, "2147483648ms", "2147484"])
def test_a_time_beyond_24_days_is_too_large(text: str) -> None:
    with pytest.raises(ArgumentError, match="is too large; give at most 2147483647 ms"):
        milliseconds(text)


def test_the_largest_time_is_accepted() -> None:
    assert milliseconds(f"{MAX_MILLISECONDS}ms") == MAX_MILLISECONDS
    assert milliseconds("0." + "0" * 5000 + "1") == 0


@pytest.mark.parametrize(
    "name", ["10.0.0.2", "node2", "node2.example.com.", "a" * 63, "fd00::2", "bücher.example"]
)
def test_host_names_a_resolver_can_take(name: str) -> None:
    assert host_name(name) == name


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("a" * 64 + ".example.com", "has a label of 64 characters"),
        ("a..b", "has a label of 0 characters"),
        (".a", "has a label of 0 characters"),
        ("a." * 130, "is longer than 253 characters"),
        ("", "is not a host name"),
        ("p\0q", "is not a host name"),
        ("x\udce9y", "is not a host name"),
        ("a\tb", "is not a host name"),
    ],
)
def test_host_names_no_lookup_can_take(name: str, why: str) -> None:
    with pytest.raises(ArgumentError, match=why):
        host_name(name)


@pytest.mark.parametrize("name", ["eth0", "eth0:1", "enp0s31f6", "x" * 15, "br-lan.100"])
def test_interface_names_linux_can_have(name: str) -> None:
    assert interface_name(name) == name


@pytest.mark.parametrize("name", ["x" * 16, "é" * 8, "\udce9" * 16])
def test_interface_names_are_at_most_15_bytes(name: str) -> None:
    with pytest.raises(ArgumentError, match="is longer than 15 bytes"):
        interface_name(name)


@pytest.mark.parametrize("name", ["", ".", "..", "a/b", "l\0o", "e\udce9"])
def test_interface_names_linux_cannot_have(name: str) -> None:
    with pytest.raises(ArgumentError, match="is not an interface name"):
        interface_name(name)


_PARSERS = (
    boolean,
    milliseconds,
    integer(),
    integer(0, 255),
    choice("none", "any"),
    ipv4_address,
    absolute_path,
    host_name,
    interface_name,
)
_ARGUMENTS = st.one_of(
    st.text(),
    st.binary().map(lambda data: data.decode("utf-8", "surrogateescape")),
    st.integers(1, 6000).map(lambda digits: "9" * digits),
    st.from_regex(r"\A[0-9.]{1,400}(ms|us|s)?\Z"),
)


@given(st.sampled_from(_PARSERS), _ARGUMENTS)
def test_a_parser_returns_or_raises_argument_error_only(parse: object, text: str) -> None:
    assert callable(parse)
    try:
        parse(text)
    except ArgumentError as error:
        assert error.problem and error.fix
