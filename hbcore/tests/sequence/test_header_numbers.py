"""Header numbers as heartbeat reads them (``%lx``, ``atoi``), bounded to unsigned 64 bits."""

from __future__ import annotations

import pytest
from hbcore.wire.numbers import U64_MAX, dec_u64, hex_u64
from hypothesis import given
from hypothesis import strategies as st


@pytest.mark.parametrize(
    ("text", "value"),
    [("1", 1), ("0", 0), ("ff", 255), ("FF", 255), ("0001", 1), ("f" * 16, U64_MAX)],
)
def test_hex_numbers_within_64_bits_are_read(text: str, value: int) -> None:
    assert hex_u64(text) == value


@pytest.mark.parametrize(
    "text",
    [None, "", "1" + "0" * 16, "f" * 300, "-1", "+1", " 1", "1 ", "0x1", "g", "1.0", "\u0661"],
)
def test_anything_else_is_not_a_hex_number(text: str | None) -> None:
    assert hex_u64(text) is None


@pytest.mark.parametrize(
    ("text", "value"), [("0", 0), ("42", 42), (str(U64_MAX), U64_MAX), ("007", 7)]
)
def test_decimal_numbers_within_64_bits_are_read(text: str, value: int) -> None:
    assert dec_u64(text) == value


@pytest.mark.parametrize(
    "text", [None, "", str(U64_MAX + 1), "9" * 20, "9" * 5000, "-1", "1a", " 1", "\u0663"]
)
def test_anything_else_is_not_a_decimal_number(text: str | None) -> None:
    assert dec_u64(text) is None


@given(st.text(max_size=40))
def test_any_text_reads_as_a_bounded_number_or_none(text: str) -> None:
    for parse in (hex_u64, dec_u64):
        value = parse(text)
        assert value is None or 0 <= value <= U64_MAX


@given(st.integers(min_value=0, max_value=U64_MAX))
def test_what_heartbeat_writes_reads_back(value: int) -> None:
    assert hex_u64(format(value, "x")) == value
    assert dec_u64(str(value)) == value
