"""The HMAC authkeys methods plugins share: RFC 2104 tokens in lowercase hex, as heartbeat
3.0.6 writes them, verified in constant time and never with an error."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from hbcore.pluginkit.hmac_auth import HmacAuthenticator
from hypothesis import given
from hypothesis import strategies as st


@pytest.mark.parametrize(
    ("digest", "key", "data", "token"),
    [
        ("md5", b"\x0b" * 16, b"Hi There", "9294727a3638bb1c13f48ef8158bfc9d"),
        ("sha1", b"\x0b" * 20, b"Hi There", "b617318655057264e28bc0b6fb378c8ef146be00"),
        (
            "md5",
            b"\xaa" * 80,
            b"Test Using Larger Than Block-Size Key - Hash Key First",
            "6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd",
        ),
        (
            "sha1",
            b"\xaa" * 80,
            b"Test Using Larger Than Block-Size Key - Hash Key First",
            "aa4ae5e15272d00e95705637ce8a3b55ed402112",
        ),
    ],
    ids=["md5", "sha1", "md5-long-key", "sha1-long-key"],
)
def test_rfc2202_vectors(digest: str, key: bytes, data: bytes, token: str) -> None:
    assert HmacAuthenticator(key, digest).sign(data) == token


def test_verify_accepts_only_the_exact_token_of_the_same_key() -> None:
    auth = HmacAuthenticator(b"secret", "sha1")
    token = auth.sign(b"t=status\n")
    assert auth.verify(b"t=status\n", token)
    assert not auth.verify(b"t=status\n", token.upper())
    assert not auth.verify(b"t=status!\n", token)
    assert not auth.verify(b"t=status\n", "0" * 40)
    assert not HmacAuthenticator(b"other", "sha1").verify(b"t=status\n", token)
    assert not HmacAuthenticator(b"secret", "md5").verify(b"t=status\n", token)


def test_a_digest_hashlib_lacks_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        HmacAuthenticator(b"k", "no-such-digest")


@given(key=st.binary(max_size=200), data=st.binary(max_size=2000))
def test_every_token_is_the_rfc2104_hmac_in_lowercase_hex_and_signing_twice_agrees(
    key: bytes, data: bytes
) -> None:
    auth = HmacAuthenticator(key, "md5")
    assert auth.sign(data) == hmac.new(key, data, hashlib.md5).hexdigest() == auth.sign(data)
    assert auth.verify(data, auth.sign(data))


@given(data=st.binary(max_size=200), token=st.text())
def test_verify_never_raises_whatever_the_token(data: bytes, token: str) -> None:
    assert HmacAuthenticator(b"secret", "sha1").verify(data, token) is False
