"""The memo of fields heard and sent before: it saves work and changes no result."""

from __future__ import annotations

import pytest
from hbcore.wire import (
    Decoded,
    Encoding,
    Keyring,
    Message,
    Rejected,
    classic,
    decode,
    encode,
    netstring,
    rawfield,
)
from hbcore.wire.memo import MEMO_FIELD_BYTES, MEMO_SIZE, Memo
from hbcore.wire.message import Field
from hypothesis import HealthCheck, given, settings
from test_properties import NETSTRING_MESSAGES

_SETTINGS = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])


def test_a_full_memo_starts_over_so_memory_stays_bounded() -> None:
    memo: Memo[int, str] = Memo()
    for key in range(MEMO_SIZE * 3 + 1):
        memo.put(key, str(key), 1)

    assert memo.get(MEMO_SIZE * 3) == str(MEMO_SIZE * 3)
    assert memo.get(0) is None
    assert len(memo._results) <= MEMO_SIZE


def test_a_stream_of_new_fields_keeps_the_parser_memo_bounded(sha1_keyring: Keyring) -> None:
    for number in range(MEMO_SIZE * 2):
        packet = encode(
            Message.of(("t", "status"), ("x", str(number))), sha1_keyring, Encoding.NETSTRING
        )
        assert isinstance(decode(packet, sha1_keyring), Decoded)

    assert len(netstring._ITEMS._results) <= MEMO_SIZE


def test_large_fields_are_converted_every_time_never_kept(sha1_keyring: Keyring) -> None:
    memos = [netstring._ITEMS, netstring._NETSTRINGS, classic._LINES]
    memos += [rawfield._DECODED, rawfield._ENCODED]
    for memo in memos:
        memo._results.clear()
    big = "x" * (MEMO_FIELD_BYTES + 1)
    for number in range(3):
        message = Message.of(("t", "status"), ("big", f"{number}{big}"))
        packet = encode(message, sha1_keyring, Encoding.NETSTRING)
        decoded = decode(packet, sha1_keyring)
        assert isinstance(decoded, Decoded) and decoded.message.get("big") == f"{number}{big}"

    kept = [key for memo in memos for key in memo._results]
    assert kept and all(len(repr(key)) < MEMO_FIELD_BYTES for key in kept)


@_SETTINGS
@given(message=NETSTRING_MESSAGES)
def test_a_packet_decodes_the_same_the_second_time(message: Message, sha1_keyring: Keyring) -> None:
    packet = encode(message, sha1_keyring, Encoding.NETSTRING)

    first, again = decode(packet, sha1_keyring), decode(packet, sha1_keyring)

    assert isinstance(first, Decoded) and isinstance(again, Decoded)
    assert first.message == again.message
    assert encode(first.message, sha1_keyring, Encoding.NETSTRING) == packet


def test_a_field_refused_once_is_refused_every_time(sha1_keyring: Keyring) -> None:
    for _ in range(2):
        with pytest.raises(ValueError, match="cannot carry the field name"):
            encode(Message((Field("a=b", "1"),)), sha1_keyring, Encoding.NETSTRING)


def test_a_malformed_field_is_refused_after_its_well_formed_twin_was_heard(
    sha1_keyring: Keyring,
) -> None:
    good = encode(Message.of(("t", "status")), sha1_keyring, Encoding.NETSTRING)
    assert isinstance(decode(good, None), Decoded)
    # The same bytes with an unsupported type digit: a different item, parsed and refused.
    bad = good.replace(b"(0)t=status", b"(7)t=status")

    result = decode(bad, None)

    assert isinstance(result, Rejected)
    assert "type" in result.reason
