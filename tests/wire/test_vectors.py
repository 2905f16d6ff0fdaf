"""Every packet captured from a real heartbeat 3.0.6 decodes, verifies with its authkeys and
re-encodes to the very same bytes."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest
from hb_hookspecs import AuthMethod
from hbcore.registry import Owned
from hbcore.wire import (
    AuthStatus,
    Decoded,
    Encoding,
    Keyring,
    Rejected,
    RejectKind,
    decode,
    encode,
)


def test_the_captured_vectors_are_all_there(vectors: Path, vector_counts: dict[str, int]) -> None:
    for folder, count in vector_counts.items():
        assert len(list((vectors / folder).glob("*.bin"))) == count, vectors / folder


def test_a_captured_packet_decodes_verifies_and_reencodes_identically(
    vector_path: Path, vector_keyrings: dict[str, Keyring]
) -> None:
    path = vector_path
    packet = path.read_bytes()
    keyring = vector_keyrings[path.parent.name]

    result = decode(packet, keyring)

    assert isinstance(result, Decoded), result
    expected = Encoding.CLASSIC if path.parent.name.startswith("serial") else Encoding.NETSTRING
    assert result.encoding is expected
    assert result.inner.status is AuthStatus.VALID
    if expected is Encoding.NETSTRING:
        assert result.trailer is not None and result.trailer.status is AuthStatus.VALID
    assert result.message.get("t") == path.stem.split("-", 2)[2]
    assert encode(result.message, keyring, result.encoding) == packet


@pytest.mark.parametrize(
    "relative", ["bcast-sha1/001-startup-status.bin", "serial-sha1/001-1to2-status.bin"]
)
def test_a_captured_packet_with_one_word_changed_is_rejected(
    relative: str, vectors: Path, vector_keyrings: dict[str, Keyring]
) -> None:
    packet = bytearray((vectors / relative).read_bytes())
    packet[packet.index(b"st=init") + 3 : packet.index(b"st=init") + 7] = b"dead"

    keyring = vector_keyrings[relative.split("/")[0]]

    result, described = (
        decode(bytes(packet), keyring),
        decode(bytes(packet), keyring, describe=True),
    )

    assert isinstance(result, Rejected) and isinstance(described, Rejected)
    assert "authentication failed" in result.reason
    assert result.kind is RejectKind.BAD_AUTHENTICATION
    assert result.decoded is None
    assert (described.reason, described.kind) == (result.reason, result.kind)
    assert described.decoded is not None and described.decoded.message.get("st") == "dead"


def test_the_wrong_key_rejects_a_captured_packet(
    auth_methods: Mapping[str, Owned[AuthMethod]], vectors: Path
) -> None:
    wrong = Keyring(3, {3: (auth_methods["sha1"].item, b"not-the-key")})
    packet = (vectors / "bcast-sha1" / "015-steady-status.bin").read_bytes()

    result = decode(packet, wrong, describe=True)

    assert isinstance(result, Rejected)
    assert result.reason == "netstring authentication failed: INVALID token for key 3 (sha1)"
    assert result.decoded is not None
    assert result.decoded.inner.status is AuthStatus.INVALID


def test_the_trailer_is_checked_with_the_outbound_key_as_heartbeat_does(
    auth_methods: Mapping[str, Owned[AuthMethod]], vectors: Path
) -> None:
    # Key 3 is right, but key 1 signs outbound: heartbeat checks the trailer of a key-3 packet
    # with sha1 and key 1's secret, so it fails, while the inner field (key 3's own) verifies.
    sha1 = auth_methods["sha1"].item
    keyring = Keyring(1, {1: (sha1, b"other-secret"), 3: (sha1, b"steering-anchor-key")})
    packet = (vectors / "bcast-sha1" / "001-startup-status.bin").read_bytes()

    result = decode(packet, keyring, describe=True)

    assert isinstance(result, Rejected)
    assert result.decoded is not None
    assert result.decoded.inner.status is AuthStatus.VALID
    assert result.decoded.trailer is not None
    assert result.decoded.trailer.status is AuthStatus.INVALID


def test_a_crc_packet_verifies_with_any_outbound_key(
    auth_methods: Mapping[str, Owned[AuthMethod]], vectors: Path
) -> None:
    keyring = Keyring(
        2, {1: (auth_methods["crc"].item, b""), 2: (auth_methods["md5"].item, b"secret")}
    )
    packet = (vectors / "bcast-crc" / "014-steady-status.bin").read_bytes()

    result = decode(packet, keyring)

    assert isinstance(result, Decoded)
    assert str(result.trailer) == "valid, key 1 (crc)"
