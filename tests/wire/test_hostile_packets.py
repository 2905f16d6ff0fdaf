"""Regression cases from the adversarial audit (issue 8): packets that once cost a node tens of
milliseconds each, so that a flood of them kept it from sending heartbeats.

Each is now refused after a bounded amount of parsing, counted by the parser spy: no field at
all when authentication fails first, at most ``MAX_FIELDS`` when it cannot.
"""

from __future__ import annotations

from hbcore.wire import MAX_FIELDS, Keyring, Rejected, RejectKind, decode
from parser_spy import ParserCalls

FLOOD_FIELDS = 8000
"""The audit's flood packet: 8000 tiny fields, 64 KB, under any UDP payload limit."""


def _flood_body() -> bytes:
    return b"###\n" + b"5:(0)a=," * FLOOD_FIELDS + b"%%%\n"


def _with_trailer(body: bytes, value: bytes) -> bytes:
    return body + b"%d:%b," % (len(value), value)


FLOOD = _with_trailer(_flood_body(), b"3 " + b"0" * 40)
"""8000 tiny netstring fields and a bogus sha1 trailer (the audit sent 60 a second)."""
CLASSIC_FLOOD = b">>>\n" + b"a=\n" * 21000 + b"auth=3 " + b"0" * 40 + b"\n<<<\n"
"""21000 lines and a bogus inner ``auth`` field."""


def refused(packet: bytes, keyring: Keyring | None) -> Rejected:
    result = decode(packet, keyring, check_inner=False)
    assert isinstance(result, Rejected), result
    return result


def test_the_flood_packet_is_refused_by_its_trailer_without_parsing_a_field(
    sha1_keyring: Keyring, parsers: ParserCalls
) -> None:
    assert 64_000 < len(FLOOD) < 65_507

    result = refused(FLOOD, sha1_keyring)

    assert result.reason == "netstring authentication failed: INVALID token for key 3 (sha1)"
    assert result.kind is RejectKind.BAD_AUTHENTICATION
    assert (parsers.walks, parsers.items) == (0, 0)


def test_the_flood_packet_signed_with_crc_is_refused_at_the_field_limit(
    vector_keyrings: dict[str, Keyring], parsers: ParserCalls
) -> None:
    # With `auth 1 crc` anyone can compute the trailer: the field limit is what bounds the work.
    crc = vector_keyrings["bcast-crc"]
    packet = _with_trailer(_flood_body(), crc.sign(_flood_body()).encode())

    result = refused(packet, crc)

    assert result.reason == f"more than {MAX_FIELDS} fields (the limit)"
    assert result.kind is RejectKind.TOO_BIG
    assert parsers.items == MAX_FIELDS


def test_the_flood_packet_shown_without_authkeys_stops_at_the_field_limit(
    parsers: ParserCalls,
) -> None:
    assert refused(FLOOD, None).kind is RejectKind.TOO_BIG
    assert parsers.items == MAX_FIELDS


def test_the_classic_flood_packet_is_refused_before_any_line_is_parsed(
    sha1_keyring: Keyring, parsers: ParserCalls
) -> None:
    for keyring in (sha1_keyring, None):
        result = refused(CLASSIC_FLOOD, keyring)

        assert result.reason == f"21001 lines (the limit is {MAX_FIELDS})"
        assert result.kind is RejectKind.TOO_BIG
    assert parsers.lines == 0
