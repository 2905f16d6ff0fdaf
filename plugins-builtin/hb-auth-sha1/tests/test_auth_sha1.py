"""sha1 tokens are RFC 2104 HMAC-SHA1 in lowercase hex (RFC 2202 test vectors)."""

from hb_auth_sha1 import hb_register_authenticators
from hb_auth_sha1.sha1 import Sha1Authenticator
from hb_hookspecs import AuthMethod, KeyRule


def test_rfc2202_vector() -> None:
    token = Sha1Authenticator(b"\x0b" * 20).sign(b"Hi There")
    assert token == "b617318655057264e28bc0b6fb378c8ef146be00"


def test_key_longer_than_a_block_is_hashed_first() -> None:
    data = b"Test Using Larger Than Block-Size Key - Hash Key First"
    assert Sha1Authenticator(b"\xaa" * 80).sign(data) == "aa4ae5e15272d00e95705637ce8a3b55ed402112"


def test_verify_accepts_only_the_exact_token() -> None:
    auth = Sha1Authenticator(b"key-for-sha1-any-text-you-want")
    token = auth.sign(b"t=status\n")
    assert auth.verify(b"t=status\n", token)
    assert not auth.verify(b"t=status\n", token.upper())
    assert not auth.verify(b"t=status!\n", token)
    assert not Sha1Authenticator(b"other").verify(b"t=status\n", token)


def test_signing_twice_gives_the_same_token() -> None:
    auth = Sha1Authenticator(b"k")
    assert auth.sign(b"abc") == auth.sign(b"abc")


def test_registers_sha1_with_a_required_key() -> None:
    registered: list[AuthMethod] = []
    hb_register_authenticators(registered.append)
    (method,) = registered
    assert (method.name, method.key) == ("sha1", KeyRule.REQUIRED)
