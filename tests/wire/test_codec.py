"""The codec: what each encoding carries, how packets are signed, and why packets are refused."""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from hb_hookspecs import AuthMethod
from hbcore.registry import Owned
from hbcore.wire import (
    MAX_FIELDS,
    MAXMSG,
    AuthStatus,
    Decoded,
    Encoding,
    Keyring,
    Message,
    Rejected,
    RejectKind,
    decode,
    encode,
)
from parser_spy import ParserCalls

STATUS = Message.of(
    ("t", "status"),
    ("st", "up"),
    ("src", "node1"),
    ("srcuuid", bytes(range(16))),
    ("seq", "1f"),
)


def netstrings(*items: bytes, trailer: bytes = b"1 abc") -> bytes:
    """A netstring packet holding exactly ``items``, with an unverified trailer."""
    body = b"".join(b"%d:%b," % (len(item), item) for item in items)
    return b"###\n" + body + b"%%%\n" + b"%d:%b," % (len(trailer), trailer)


def rejection(packet: bytes, keyring: Keyring | None = None) -> str:
    result = decode(packet, keyring)
    assert isinstance(result, Rejected), result
    return result.reason


@pytest.fixture()
def crc(auth_methods: Mapping[str, Owned[AuthMethod]]) -> Keyring:
    return Keyring(1, {1: (auth_methods["crc"].item, b"")})


# --- messages -------------------------------------------------------------------------------


def test_a_message_keeps_order_and_duplicates_and_tells_strings_from_binary() -> None:
    message = Message.of(("a", "1"), ("b", b"\x00"), ("a", "2"))
    assert [field.name for field in message.fields] == ["a", "b", "a"]
    assert message.get("a") == "1"
    assert message.get("b") is None
    assert message.get_binary("b") == b"\x00"
    assert message.get_binary("a") is None
    assert [int(field.type) for field in message.fields] == [0, 1, 0]


def test_setting_a_field_keeps_its_place_or_appends_it() -> None:
    message = Message.of(("t", "status"), ("seq", "1"))
    assert message.set("t", "ask").fields == Message.of(("t", "ask"), ("seq", "1")).fields
    assert message.set("ts", "5").get("ts") == "5"
    assert message.set("ts", "5").fields[-1].name == "ts"


# --- encoding and signing -------------------------------------------------------------------


def test_netstring_encoding_is_heartbeats_udp_form_with_both_authentications(
    crc: Keyring,
) -> None:
    packet = encode(Message.of(("t", "status"), ("id", b"\n\x00")), crc, Encoding.NETSTRING)

    body = b"###\n11:(0)t=status,8:(1)id=\n\x00,"
    inner = crc.sign(b"t=status\n(1)id=CgA=\n")
    auth_item = b"(0)auth=" + inner.encode()
    signed = body + b"%d:%b," % (len(auth_item), auth_item) + b"%%%\n"
    trailer = crc.sign(signed).encode()
    assert packet == signed + b"%d:%b," % (len(trailer), trailer)


def test_classic_encoding_is_the_serial_form_with_escaped_newlines(crc: Keyring) -> None:
    packet = encode(Message.of(("info", "a\nb"), ("id", b"\xff")), crc, Encoding.CLASSIC)

    inner = crc.sign(b"info=a\x13b\n(1)id=/w==\n")
    assert packet == b">>>\ninfo=a\x13b\n(1)id=/w==\nauth=" + inner.encode() + b"\n<<<\n"


def test_an_existing_auth_field_is_re_signed_in_place(crc: Keyring) -> None:
    message = Message.of(("t", "x"), ("auth", "9 stale"), ("seq", "2"))

    result = decode(encode(message, crc, Encoding.CLASSIC), crc)

    assert isinstance(result, Decoded)
    assert [field.name for field in result.message.fields] == ["t", "auth", "seq"]
    assert result.inner.ok


@pytest.mark.parametrize(
    ("encoding", "message"),
    [
        (Encoding.CLASSIC, Message.of(("a=b", "1"))),
        (Encoding.CLASSIC, Message.of(("(x", "1"))),
        (Encoding.CLASSIC, Message.of(("", "1"))),
        (Encoding.CLASSIC, Message.of(("a", "\x13"))),
        (Encoding.CLASSIC, Message.of(("a", "\x00"))),
        (Encoding.NETSTRING, Message.of(("a=b", "1"))),
        (Encoding.NETSTRING, Message.of(("a\x00", "1"))),
        (Encoding.NETSTRING, Message.of(("a", "x" * MAXMSG))),
    ],
)
def test_encoding_refuses_what_the_encoding_cannot_carry(
    encoding: Encoding, message: Message, crc: Keyring
) -> None:
    with pytest.raises(ValueError):
        encode(message, crc, encoding)


def test_the_keyring_needs_its_outbound_key(auth_methods: Mapping[str, Owned[AuthMethod]]) -> None:
    with pytest.raises(ValueError, match="outbound key 2"):
        Keyring(2, {1: (auth_methods["crc"].item, b"")})


# --- decoding -------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", list(Encoding))
def test_a_signed_message_decodes_back_and_verifies(encoding: Encoding, crc: Keyring) -> None:
    result = decode(encode(STATUS, crc, encoding), crc)

    assert isinstance(result, Decoded)
    assert result.encoding is encoding
    assert result.message.fields[:-1] == STATUS.fields
    assert result.inner.status is AuthStatus.VALID
    if encoding is Encoding.NETSTRING:
        assert result.trailer is not None and result.trailer.ok
    else:
        assert result.trailer is None


def test_without_a_keyring_nothing_is_checked(crc: Keyring) -> None:
    result = decode(encode(STATUS, crc, Encoding.NETSTRING), None)

    assert isinstance(result, Decoded)
    assert result.inner.status is AuthStatus.UNCHECKED
    assert result.trailer is not None and result.trailer.status is AuthStatus.UNCHECKED
    assert result.inner.index == 1


def test_classic_accepts_msg2strings_trailing_nul_and_blank_lines(crc: Keyring) -> None:
    packet = encode(STATUS, crc, Encoding.CLASSIC)
    padded = packet.replace(b">>>\n", b">>>\n\n\n") + b"\x00"

    result, reference = decode(padded, crc), decode(packet, crc)

    assert isinstance(result, Decoded) and isinstance(reference, Decoded)
    assert result.message == reference.message


def test_a_classic_packet_without_auth_field_is_rejected_by_a_node(crc: Keyring) -> None:
    assert rejection(b">>>\nt=status\n<<<\n", crc) == "classic authentication failed: absent"
    assert isinstance(decode(b">>>\nt=status\n<<<\n", None), Decoded)


def test_a_malformed_inner_auth_field_is_reported(crc: Keyring) -> None:
    result = decode(b">>>\nt=x\nauth=nonsense\n<<<\n", crc)
    assert isinstance(result, Rejected)
    assert result.reason == "classic authentication failed: malformed"


def test_a_packet_signed_with_an_unknown_key_index_is_rejected(crc: Keyring) -> None:
    packet = encode(STATUS, crc, Encoding.NETSTRING)
    other = packet[: packet.rindex(b"%%%\n") + 4] + b"5:7 abc,"
    assert rejection(other, crc) == "netstring authentication failed: key 7 is not in authkeys"


def test_a_netstring_packet_is_judged_by_its_trailer_alone(crc: Keyring) -> None:
    # No inner auth field at all (heartbeat with `msgfmt netstring`): accepted on the trailer.
    body = b"###\n11:(0)t=status,%%%\n"
    token = crc.sign(body).encode()
    result = decode(body + b"%d:%b," % (len(token), token), crc)

    assert isinstance(result, Decoded)
    assert result.inner.status is AuthStatus.ABSENT


def test_a_receiver_may_skip_the_inner_field_of_a_netstring_packet(crc: Keyring) -> None:
    # The inner token is wrong, the trailer (which covers it) is right: heartbeat accepts.
    body = b"###\n11:(0)t=status,18:(0)auth=1 deadbeef,%%%\n"
    token = crc.sign(body).encode()
    packet = body + b"%d:%b," % (len(token), token)

    checked, skipped = decode(packet, crc), decode(packet, crc, check_inner=False)

    assert isinstance(checked, Decoded) and isinstance(skipped, Decoded)
    assert checked.inner.status is AuthStatus.INVALID
    assert skipped.inner.status is AuthStatus.SKIPPED
    assert skipped.message == checked.message and skipped.trailer == checked.trailer


def test_a_classic_packet_is_always_judged_by_its_inner_field(crc: Keyring) -> None:
    packet = encode(STATUS, crc, Encoding.CLASSIC)
    forged = packet.replace(b"st=up", b"st=dead")

    assert isinstance(decode(packet, crc, check_inner=False), Decoded)
    assert isinstance(decode(forged, crc, check_inner=False), Rejected)


@pytest.mark.parametrize(
    ("packet", "reason"),
    [
        (b"", "empty packet"),
        (b"GET / HTTP/1.1\r\n", "not a heartbeat message: it starts with b'GET / HT'"),
        (b"x" * MAXMSG, "packet of 262144 bytes is too big (the limit is 262143)"),
        (b"###\n", "no '%%%' line: the message is truncated"),
        (b"###\n11:(0)t=status,", "no '%%%' line: the message is truncated"),
        (b"###\nx1:(0)t=s,", "byte 4: bad netstring length b'x1'"),
        (b"###\nabc", "byte 4: expected a netstring length and ':'"),
        (b"###\n1a:(0)t=s,", "byte 4: bad netstring length b'1a'"),
        (b"###\n07:(0)t=s,", "byte 4: bad netstring length b'07'"),
        (b"###\n1234567:(0)t=s,", "byte 4: expected a netstring length and ':'"),
        (b"###\n99:(0)t=s,", "byte 4: a netstring of 99 bytes runs past the end of the packet"),
        (b"###\n4:(0)t=s,", "byte 10: a netstring does not end with ','"),
        (netstrings(b"t=status"), "byte 4: b't=status' is not '(t)name=value'"),
        (netstrings(b"(0)tstatus"), "byte 4: no '=' in b'(0)tstatus'"),
        (netstrings(b"(0)=status"), "byte 4: bad field name b''"),
        (netstrings(b"(0)a\x00b=1"), "byte 4: bad field name b'a\\x00b'"),
        (netstrings(b"(2)sub=x"), "field 'sub' has type 2 (struct), which hb does not support"),
        (netstrings(b"(3)l=x"), "field 'l' has type 3 (list), which hb does not support"),
        (netstrings(b"(4)c=x"), "field 'c' has type 4 (compressed), which hb does not support"),
        (netstrings(b"(5)u=x"), "field 'u' has type 5 (uncompressed), which hb does not support"),
        (netstrings(b"(9)n=x"), "field 'n' has unknown type 9"),
        (b"###\n8:(0)t=abc,%%%", "byte 15: expected the '%%%' line"),
        (b"###\n8:(0)t=abc,%%%\n", "no authentication trailer after the '%%%' line"),
        (
            netstrings(b"(0)t=a", trailer=b"1abc"),
            "bad authentication trailer b'1abc': expected '<key index> <token>'",
        ),
        (
            netstrings(b"(0)t=a", trailer=b"x abc"),
            "bad authentication trailer b'x abc': expected '<key index> <token>'",
        ),
        (
            netstrings(b"(0)t=a", trailer=b"1 "),
            "bad authentication trailer b'1 ': expected '<key index> <token>'",
        ),
        (netstrings(b"(0)t=a") + b"\x00", "1 bytes follow the authentication trailer"),
        (b">>>\nt=status\n", "no '<<<' line: the message is truncated"),
        (b">>>\nt=status\n<<<\nmore", "4 bytes follow the '<<<' line"),
        (b">>>\nt=sta\x00tus\n<<<\n", "a NUL byte inside a classic message"),
        (b">>>\nt status\n<<<\n", "line 2: no '=' in b't status'"),
        (b">>>\n=status\n<<<\n", "line 2: a field without a name"),
        (b">>>\n(x)t=status\n<<<\n", "line 2: bad type prefix b'(x)'"),
        (b">>>\n(1)id=@@@@\n<<<\n", "line 2: bad base64 in b'id': Only base64 data is allowed"),
        (b">>>\n(2)sub=x\n<<<\n", "field 'sub' has type 2 (struct), which hb does not support"),
    ],
)
def test_a_malformed_packet_is_rejected_with_the_reason(packet: bytes, reason: str) -> None:
    assert rejection(packet) == reason


# --- what a rejection costs, and its category -----------------------------------------------


def classic_packet(*lines: bytes) -> bytes:
    return b">>>\n" + b"".join(line + b"\n" for line in lines) + b"<<<\n"


def signed(body: bytes, keyring: Keyring) -> bytes:
    """``body`` (through ``%%%\\n``) with a trailer that verifies."""
    token = keyring.sign(body).encode()
    return body + b"%d:%b," % (len(token), token)


@pytest.mark.parametrize(
    ("packet", "kind"),
    [
        (b"x" * MAXMSG, RejectKind.TOO_BIG),
        (classic_packet(*[b"a="] * (MAX_FIELDS + 1)), RejectKind.TOO_BIG),
        (b"", RejectKind.NOT_HEARTBEAT),
        (b"GET / HTTP/1.1\r\n", RejectKind.NOT_HEARTBEAT),
        (b"###\n8:(0)t=abc,%%%\n", RejectKind.MALFORMED),
        (b">>>\nt status\n<<<\n", RejectKind.MALFORMED),
        (netstrings(b"(0)t=a"), RejectKind.BAD_AUTHENTICATION),
        (classic_packet(b"t=a"), RejectKind.BAD_AUTHENTICATION),
        (classic_packet(b"t=a", b"auth=1 0"), RejectKind.BAD_AUTHENTICATION),
    ],
)
def test_each_rejection_has_a_category_to_count_by(
    packet: bytes, kind: RejectKind, crc: Keyring
) -> None:
    result = decode(packet, crc)

    assert isinstance(result, Rejected)
    assert result.kind is kind
    assert f"{result.kind}" == kind.value  # the wording of a summary line


def test_a_rejection_built_from_a_reason_alone_is_malformed() -> None:
    assert Rejected("why") == Rejected("why", None, RejectKind.MALFORMED)


@pytest.mark.parametrize("encoding", list(Encoding))
def test_a_message_has_at_most_max_fields_fields(encoding: Encoding, crc: Keyring) -> None:
    # encode adds the auth field: MAX_FIELDS - 1 of the message's own fit, one more does not.
    largest = Message.of(*[("f", "x")] * (MAX_FIELDS - 1))

    result = decode(encode(largest, crc, encoding), crc)

    assert isinstance(result, Decoded) and len(result.message.fields) == MAX_FIELDS
    with pytest.raises(ValueError, match=f"message of {MAX_FIELDS + 1} fields"):
        encode(largest.set_all([("g", "x")]), crc, encoding)


def test_a_netstring_packet_is_refused_at_its_first_field_over_the_limit(
    parsers: ParserCalls,
) -> None:
    result = decode(netstrings(*[b"(0)a="] * (MAX_FIELDS * 4)), None)

    assert isinstance(result, Rejected)
    assert result.reason == f"more than {MAX_FIELDS} fields (the limit)"
    assert result.kind is RejectKind.TOO_BIG
    assert parsers.items == MAX_FIELDS


def test_a_classic_packet_over_the_line_limit_is_refused_before_any_line_is_read(
    parsers: ParserCalls,
) -> None:
    # Blank lines count: the bound is on the work, which splitting blank lines costs too.
    lines = [b"a=1"] * (MAX_FIELDS - 10) + [b""] * 10

    assert isinstance(decode(classic_packet(*lines), None), Decoded)
    parsers.reset()
    result = decode(classic_packet(*lines, b""), None)

    assert isinstance(result, Rejected)
    assert result.reason == f"{MAX_FIELDS + 1} lines (the limit is {MAX_FIELDS})"
    assert parsers.lines == 0


def test_a_node_verifies_the_trailer_before_reading_any_field(
    crc: Keyring, parsers: ParserCalls
) -> None:
    packet = netstrings(b"(0)t=status", b"not a field", trailer=b"1 0")

    result = decode(packet, crc)

    assert isinstance(result, Rejected)
    assert result.reason == "netstring authentication failed: INVALID token for key 1 (crc)"
    assert result.kind is RejectKind.BAD_AUTHENTICATION
    assert result.decoded is None
    assert parsers.walks == 0
    # Shown to an operator, the same packet is read front to back, as before.
    assert rejection(packet) == "byte 19: b'not a field' is not '(t)name=value'"


@pytest.mark.parametrize(
    ("packet", "reason"),
    [
        (b"###\n11:(0)t=status,", "no '%%%' line: the message is truncated"),
        (b"###\n8:(0)t=abc,%%%\n", "no authentication trailer after the '%%%' line"),
        (netstrings(b"(0)t=a") + b"\x00", "1 bytes follow the authentication trailer"),
        (
            netstrings(b"(0)t=a", trailer=b"1abc"),
            "bad authentication trailer b'1abc': expected '<key index> <token>'",
        ),
    ],
)
def test_a_node_reads_the_trailer_from_the_end(
    packet: bytes, reason: str, crc: Keyring, parsers: ParserCalls
) -> None:
    assert rejection(packet, crc) == reason
    assert parsers.walks == 0


def test_a_value_holding_the_trailer_mark_does_not_fool_the_search_from_the_end(
    crc: Keyring,
) -> None:
    message = Message.of(("t", "status"), ("info", "%%%\n5:1 ab,"), ("bin", b"%%%\n"))

    result = decode(encode(message, crc, Encoding.NETSTRING), crc)

    assert isinstance(result, Decoded)
    assert result.message.fields[:-1] == message.fields


def test_the_fields_must_reach_the_last_trailer_mark(crc: Keyring) -> None:
    # Signed, so it passes authentication; then the fields stop at an earlier '%%%' line.
    packet = signed(b"###\n11:(0)t=status,%%%\nX%%%\n", crc)

    assert rejection(packet, crc) == "byte 19: the fields end before the last '%%%' line"
    assert rejection(packet) == "byte 23: expected a netstring length and ':'"
