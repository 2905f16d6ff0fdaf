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

from hbcore.wire import Decoded, Encoding, Keyring, Message, Rejected, decode, encode
from hbcore.wire.message import Field
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

_SETTINGS = settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])


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
