"""What the two authentications of a packet cover, and their verdicts.

- The inner ``auth`` string field, ``"<key index> <token>"``: the token covers the classic
  rendering (``name=value\\n`` lines, no ``>>>``/``<<<``) of every other field, in order. Both
  encodings carry it when heartbeat sends with ``msgfmt classic``, its default.
- The netstring trailer: the token covers the packet from ``###\\n`` through ``%%%\\n``, inner
  field included. A netstring receiver decides on the trailer alone.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from hbcore.wire import classic
from hbcore.wire.keyring import Keyring
from hbcore.wire.rawfield import RawField

AUTH_FIELD = "auth"
_AUTH_NAME = AUTH_FIELD.encode()
_MAX_INDEX_DIGITS = 6


class AuthStatus(enum.Enum):
    """The outcome of checking one authentication."""

    VALID = "valid"
    INVALID = "invalid"
    """The token is not the one the key gives."""
    UNKNOWN_KEY = "unknown key"
    """The packet names a key index the authkeys file does not configure."""
    MALFORMED = "malformed"
    """The inner field is not ``"<key index> <token>"``."""
    ABSENT = "absent"
    """The message has no inner ``auth`` field."""
    UNCHECKED = "unchecked"
    """No keyring was given."""
    SKIPPED = "skipped"
    """Not checked: the netstring trailer decides, and the receiver asked for nothing more."""


@dataclass(frozen=True, slots=True)
class AuthVerdict:
    """One authentication of a packet: what it claims (``index``) and what checking found."""

    status: AuthStatus
    index: int | None = None
    method: str | None = None
    """The method the index names in the keyring, when there is one."""

    @property
    def ok(self) -> bool:
        """True only for a token that verified."""
        return self.status is AuthStatus.VALID

    def __str__(self) -> str:
        key = "" if self.index is None else f"key {self.index}"
        if self.method is not None:
            key += f" ({self.method})"
        if self.status is AuthStatus.VALID:
            return f"valid, {key}"
        if self.status is AuthStatus.INVALID:
            return f"INVALID token for {key}"
        if self.status is AuthStatus.UNKNOWN_KEY:
            return f"{key} is not in authkeys"
        if self.status is AuthStatus.UNCHECKED:
            return f"not checked (no authkeys), {key}"
        return self.status.name.lower()


def parse_auth_value(value: bytes) -> tuple[int, str] | None:
    """``b"3 ce4f..."`` -> ``(3, "ce4f...")``; None unless it is digits, one space and an
    alphanumeric ASCII token."""
    index, space, token = value.partition(b" ")
    if not space or not index.isdigit() or len(index) > _MAX_INDEX_DIGITS or not token.isalnum():
        return None
    return int(index), token.decode("ascii")


def signed_by_inner(fields: Sequence[RawField]) -> bytes:
    """The bytes the inner ``auth`` token covers: every other field, rendered classic."""
    return classic.render(field for field in fields if field.name != _AUTH_NAME)


def check_inner(fields: Sequence[RawField], keyring: Keyring | None) -> AuthVerdict:
    """Check the first inner ``auth`` field with the key of the index it names."""
    for field in fields:
        if field.name == _AUTH_NAME:
            parsed = None if field.binary else parse_auth_value(field.value)
            if parsed is None:
                return AuthVerdict(AuthStatus.MALFORMED)
            index, token = parsed
            if keyring is None:  # do not render what nobody checks
                return AuthVerdict(AuthStatus.UNCHECKED, index)
            return _verdict(keyring, index, token, signed_by_inner(fields), trailer=False)
    return AuthVerdict(AuthStatus.ABSENT)


def check_trailer(signed: bytes, index: int, token: str, keyring: Keyring | None) -> AuthVerdict:
    """Check a netstring trailer over ``signed`` (heartbeat's rule, see ``Keyring``)."""
    return _verdict(keyring, index, token, signed, trailer=True)


def _verdict(
    keyring: Keyring | None, index: int, token: str, data: bytes, *, trailer: bool
) -> AuthVerdict:
    if keyring is None:
        return AuthVerdict(AuthStatus.UNCHECKED, index)
    method = keyring.method_name(index)
    if method is None:
        return AuthVerdict(AuthStatus.UNKNOWN_KEY, index)
    verify = keyring.verify_trailer if trailer else keyring.verify
    status = AuthStatus.VALID if verify(index, data, token) else AuthStatus.INVALID
    return AuthVerdict(status, index, method)
