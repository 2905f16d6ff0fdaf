"""The common header, rebuilt from a captured packet's own values, gives its exact bytes."""

from __future__ import annotations

from pathlib import Path

import pytest
from hbcore.wire import Decoded, Encoding, Keyring, Message, Value, decode, encode
from hbcore.wire.header import SenderIdentity, add_header, is_unsequenced

HEADER_FIELDS = {"destuuid", "src", "srcuuid", "seq", "hg", "ts", "ld", "ttl", "auth"}


@pytest.mark.parametrize(
    "name",
    [
        "001-startup-status.bin",
        "005-startup-NS_ackmsg.bin",
        "006-startup-repnodes.bin",
        "026-standby-ask_resources.bin",
    ],
)
def test_header_rebuilt_from_a_real_packet_reencodes_identically(
    name: str, vectors: Path, sha1_keyring: Keyring
) -> None:
    packet = (vectors / "bcast-sha1" / name).read_bytes()
    keyring = sha1_keyring
    decoded = decode(packet, keyring)
    assert isinstance(decoded, Decoded)
    original = decoded.message
    own = Message(tuple(f for f in original.fields if f.name not in HEADER_FIELDS))
    message_type = original.get("t") or ""
    seq = None if is_unsequenced(message_type) else int(original.get("seq") or "", 16)
    sender = SenderIdentity(
        name=original.get("src") or "",
        uuid=original.get_binary("srcuuid") or b"",
        generation=int(original.get("hg") or "", 16),
        ttl=int(original.get("ttl") or ""),
    )
    rebuilt = add_header(
        own,
        sender,
        seq,
        timestamp=int(original.get("ts") or "", 16),
        load=original.get("ld") or "n/a",
        dest_uuid=original.get_binary("destuuid"),
    )
    assert encode(rebuilt, keyring, Encoding.NETSTRING) == packet


def test_unsequenced_types() -> None:
    assert is_unsequenced("NS_ackmsg") and is_unsequenced("NS_rexmit")
    assert not is_unsequenced("status")


@pytest.mark.parametrize(
    "pairs",
    [
        [("src", "a"), ("seq", "1")],
        [("t", "again"), ("new", "x"), ("new", "y")],
        [("dup", "first"), ("srcuuid", b"\x00\x01")],
    ],
)
def test_setting_many_fields_at_once_is_setting_each_in_turn(
    pairs: list[tuple[str, Value]],
) -> None:
    message = Message.of(("t", "status"), ("dup", "1"), ("dup", "2"))
    one_by_one = message
    for name, value in pairs:
        one_by_one = one_by_one.set(name, value)
    assert message.set_all(pairs) == one_by_one
