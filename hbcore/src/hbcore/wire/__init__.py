"""The wire format of heartbeat 3.0.6: messages, both encodings, and their authentication.

``decode(packet, keyring)`` and ``encode(message, keyring, encoding)`` are the entry points;
``docs/wire.md`` describes the format as implemented.
"""

from hbcore.wire.auth import AuthStatus, AuthVerdict
from hbcore.wire.codec import MAXMSG, Decoded, Encoding, Rejected, decode, encode
from hbcore.wire.keyring import Keyring
from hbcore.wire.message import Field, FieldType, Message, Value

__all__ = [
    "MAXMSG",
    "AuthStatus",
    "AuthVerdict",
    "Decoded",
    "Encoding",
    "Field",
    "FieldType",
    "Keyring",
    "Message",
    "Rejected",
    "Value",
    "decode",
    "encode",
]
