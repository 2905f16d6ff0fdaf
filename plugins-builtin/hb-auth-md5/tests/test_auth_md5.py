"""md5 tokens are RFC 2104 HMAC-MD5 in lowercase hex (RFC 2202 test vectors)."""

from hb_auth_md5 import hb_register_authenticators
from hb_auth_md5.md5 import Md5Authenticator
from hb_hookspecs import AuthMethod, KeyRule


def test_rfc2202_vector() -> None:
    assert Md5Authenticator(b"\x0b" * 16).sign(b"Hi There") == "9294727a3638bb1c13f48ef8158bfc9d"


def test_key_longer_than_a_block_is_hashed_first() -> None:
    data = b"Test Using Larger Than Block-Size Key - Hash Key First"
    assert Md5Authenticator(b"\xaa" * 80).sign(data) == "6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd"


def test_verify_accepts_only_the_exact_token() -> None:
    auth = Md5Authenticator(b"secret")
    token = auth.sign(b"t=status\n")
    assert auth.verify(b"t=status\n", token)
    assert not auth.verify(b"t=status\n", "0" * 32)
    assert not Md5Authenticator(b"other").verify(b"t=status\n", token)


def test_registers_md5_with_a_required_key() -> None:
    registered: list[AuthMethod] = []
    hb_register_authenticators(registered.append)
    (method,) = registered
    assert (method.name, method.key) == ("md5", KeyRule.REQUIRED)
