"""Properties over generated messages and packets.

What each encoding can carry, and so what is generated for it:
- netstring: any name that is not empty and holds no ``=`` or NUL; any value.
- classic: names also without newline and not starting with ``(``; string values without
  byte 0x13 (it stands for a newline) or NUL; any binary value.
Strings are generated as arbitrary bytes decoded with surrogateescape, which is exactly the set
of strings a packet can hold. No field is named ``auth``: ``encode`` owns that field.
"""

from __future__ import annotations

from pathlib import Path

from hbcore.wire import (
    MAX_FIELDS,
    Decoded,
    Encoding,
    Keyring,
    Message,
    Rejected,
    RejectKind,
    decode,
    encode,
)
from hbcore.wire.message import Field
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from parser_spy import ParserCalls

_SETTINGS = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])


def _text(raw: st.SearchStrategy[bytes]) -> st.SearchStrategy[str]:
    return raw.map(lambda data: data.decode("utf-8", "surrogateescape"))


def _messages(
    name_forbidden: bytes, string_forbidden: bytes, leading_ok: bool
) -> st.SearchStrategy[Message]:
    names = _text(
        st.binary(min_size=1, max_size=12).filter(
            lambda name: (
                not any(byte in name_forbidden for byte in name)
                and (leading_ok or not name.startswith(b"("))
                and name != b"auth"
            )
        )
    )
    strings = _text(
        st.binary(max_size=40).filter(lambda value: not any(b in string_forbidden for b in value))
    )
    values = st.one_of(strings, st.binary(max_size=40))
    fields = st.lists(st.builds(Field, names, values), max_size=12)
    return fields.map(lambda items: Message(tuple(items)))


NETSTRING_MESSAGES = _messages(name_forbidden=b"=\x00", string_forbidden=b"", leading_ok=True)
CLASSIC_MESSAGES = _messages(
    name_forbidden=b"=\x00\n", string_forbidden=b"\x13\x00", leading_ok=False
)


def _round_trip(message: Message, keyring: Keyring, encoding: Encoding) -> None:
    result = decode(encode(message, keyring, encoding), keyring)

    assert isinstance(result, Decoded), result
    assert result.encoding is encoding
    assert result.message.fields[:-1] == message.fields
    assert result.message.fields[-1].name == "auth"
    assert result.inner.ok
    assert encoding is Encoding.CLASSIC or (result.trailer is not None and result.trailer.ok)


@_SETTINGS
@given(message=NETSTRING_MESSAGES)
def test_netstring_round_trips_any_message_it_can_carry(
    message: Message, sha1_keyring: Keyring
) -> None:
    _round_trip(message, sha1_keyring, Encoding.NETSTRING)


@_SETTINGS
@given(message=CLASSIC_MESSAGES)
def test_classic_round_trips_any_message_it_can_carry(
    message: Message, sha1_keyring: Keyring
) -> None:
    _round_trip(message, sha1_keyring, Encoding.CLASSIC)


@_SETTINGS
@given(
    head=st.sampled_from([b"", b"###\n", b">>>\n", b"###\n3:(0)", b">>>\n(1)"]),
    tail=st.binary(max_size=300),
)
def test_decoding_arbitrary_bytes_never_raises(
    head: bytes, tail: bytes, sha1_keyring: Keyring
) -> None:
    for keyring in (None, sha1_keyring):
        assert isinstance(decode(head + tail, keyring), Decoded | Rejected)


def _mutate(data: st.DataObject, packet: bytes) -> bytes:
    mutated = bytearray(packet)
    for _ in range(data.draw(st.integers(1, 4))):
        position = data.draw(st.integers(0, len(mutated)))
        action = data.draw(st.sampled_from(["flip", "insert", "delete", "cut"]))
        byte = data.draw(st.sampled_from(b"\x00\n\x13%,:=()09\xff"))
        if action == "flip" and position < len(mutated):
            mutated[position] = byte
        elif action == "insert":
            mutated.insert(position, byte)
        elif action == "delete" and position < len(mutated):
            del mutated[position]
        elif action == "cut":
            del mutated[position:]
    return bytes(mutated)


@_SETTINGS
@given(data=st.data())
def test_decoding_a_mutated_real_packet_never_raises(
    data: st.DataObject, vectors: Path, vector_keyrings: dict[str, Keyring]
) -> None:
    name = data.draw(
        st.sampled_from(
            [
                "bcast-sha1/001-startup-status.bin",
                "bcast-crc/007-startup-repnodes.bin",
                "serial-sha1/013-1to2-repnodes.bin",
            ]
        )
    )
    packet = _mutate(data, (vectors / name).read_bytes())
    for keyring in (None, *vector_keyrings.values()):
        assert isinstance(decode(packet, keyring), Decoded | Rejected)


# --- what decoding a hostile packet can cost, by structure ----------------------------------

_ITEMS = st.lists(
    st.tuples(
        st.one_of(st.binary(max_size=6).map(lambda value: b"(0)a=" + value), st.binary(max_size=8)),
        st.integers(1, 2 * MAX_FIELDS),
    ),
    max_size=4,
).map(lambda runs: [item for item, count in runs for _ in range(count)])
"""Field contents, well-formed or not, in runs: up to 8 times as many as a message may hold."""
_LINES = st.lists(
    st.tuples(
        st.binary(max_size=6).map(lambda line: line.replace(b"\n", b"")),
        st.integers(1, 2 * MAX_FIELDS),
    ),
    max_size=4,
).map(lambda runs: [line for line, count in runs for _ in range(count)])
"""Classic lines, well-formed or not, in runs."""


def _netstring_packet(items: list[bytes], trailer: bytes) -> bytes:
    body = b"".join(b"%d:%b," % (len(item), item) for item in items)
    return b"###\n" + body + b"%%%\n" + b"%d:%b," % (len(trailer), trailer)


@_SETTINGS
@given(
    items=_ITEMS,
    index=st.integers(0, 15),
    token=st.binary(min_size=1, max_size=48).map(lambda raw: raw.hex().encode()),
)
def test_a_packet_whose_trailer_fails_is_never_parsed(
    items: list[bytes], index: int, token: bytes, sha1_keyring: Keyring, parsers: ParserCalls
) -> None:
    parsers.reset()

    result = decode(_netstring_packet(items, b"%d %b" % (index, token)), sha1_keyring)

    assert isinstance(result, Rejected)
    assert result.kind is RejectKind.BAD_AUTHENTICATION
    assert (parsers.walks, parsers.items) == (0, 0)


@_SETTINGS
@given(
    items=_ITEMS,
    lines=_LINES,
    describe=st.booleans(),
)
def test_no_packet_makes_decoding_parse_more_than_max_fields(
    items: list[bytes],
    lines: list[bytes],
    describe: bool,
    vector_keyrings: dict[str, Keyring],
    parsers: ParserCalls,
) -> None:
    # Signed with crc, so that the fields are parsed: anyone can do that to an `auth crc` node.
    crc = vector_keyrings["bcast-crc"]
    unsigned = _netstring_packet(items, b"")
    body = unsigned[: unsigned.rindex(b"%%%\n") + 4]
    packets = [
        _netstring_packet(items, crc.sign(body).encode()),
        b">>>\n" + b"".join(line + b"\n" for line in lines) + b"<<<\n",
    ]
    for packet in packets:
        for keyring in (None, crc):
            parsers.reset()
            assert isinstance(decode(packet, keyring, describe=describe), Decoded | Rejected)
            assert parsers.walks <= 1
            assert parsers.items <= MAX_FIELDS
            assert parsers.lines <= MAX_FIELDS


_TRICKY = st.sampled_from([b"%%%\n", b"%", b"5:1 ab,", b",", b":", b"\n", b"x"])
_FIELD = st.tuples(
    st.lists(_TRICKY, min_size=1, max_size=3).map(b"".join),
    st.sampled_from([b"(0)", b"(1)", b"(2)", b""]),
).map(lambda parts: parts[1] + b"f=" + parts[0])
_SEGMENTS = st.lists(
    st.one_of(
        _FIELD.map(lambda item: b"%d:%b," % (len(item), item)),
        st.sampled_from([b"%%%\n", b"%", b"%%%\n5:1 ab,", b"0:,", b"3:abc,"]),
    ),
    max_size=6,
)
"""A packet body, piece by piece: field netstrings whose values hold the framing's special
bytes, and stray marks, trailers and netstrings between them."""


def _signed(body: bytes, keyring: Keyring) -> bytes:
    """``body`` with a trailer that verifies."""
    token = keyring.sign(body).encode()
    return body + b"%d:%b," % (len(token), token)


@_SETTINGS
@given(segments=_SEGMENTS)
def test_authenticating_first_accepts_exactly_what_reading_front_to_back_accepts(
    segments: list[bytes], sha1_keyring: Keyring
) -> None:
    # Signed, so that both ways get past authentication and read the fields.
    packet = _signed(b"###\n" + b"".join(segments) + b"%%%\n", sha1_keyring)

    first = decode(packet, sha1_keyring, check_inner=False)
    front_to_back = decode(packet, sha1_keyring, check_inner=False, describe=True)

    assert type(first) is type(front_to_back), (first, front_to_back)
    if isinstance(first, Decoded):
        assert first == front_to_back
