"""The wire format of heartbeat 3.0.6: messages, both encodings, and their authentication.

``decode(packet, keyring)`` and ``encode(message, keyring, encoding)`` are the entry points;
``docs/wire.md`` describes the format as implemented.
"""

from hbcore.wire.auth import AuthStatus, AuthVerdict
from hbcore.wire.codec import Decoded, Encoding, Rejected, RejectKind, decode, encode
from hbcore.wire.keyring import Keyring
from hbcore.wire.limits import MAX_FIELDS, MAXMSG
from hbcore.wire.message import Field, FieldType, Message, Value

__all__ = [
    "MAXMSG",
    "MAX_FIELDS",
    "AuthStatus",
    "AuthVerdict",
    "Decoded",
    "Encoding",
    "Field",
    "FieldType",
    "Keyring",
    "Message",
    "RejectKind",
    "Rejected",
    "Value",
    "decode",
    "encode",
]
