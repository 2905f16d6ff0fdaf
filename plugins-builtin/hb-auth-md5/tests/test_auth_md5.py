"""md5 tokens are RFC 2104 HMAC-MD5 in lowercase hex (RFC 2202 test vector). Signing and
verifying are ``hbcore.pluginkit.hmac_auth``'s, tested there."""

from hb_auth_md5 import hb_register_authenticators
from hb_auth_md5.md5 import Md5Authenticator
from hb_hookspecs import AuthMethod, KeyRule


def test_rfc2202_vector() -> None:
    assert Md5Authenticator(b"\x0b" * 16).sign(b"Hi There") == "9294727a3638bb1c13f48ef8158bfc9d"


def test_verify_accepts_the_token_of_the_same_key_only() -> None:
    token = Md5Authenticator(b"secret").sign(b"t=status\n")
    assert Md5Authenticator(b"secret").verify(b"t=status\n", token)
    assert not Md5Authenticator(b"other").verify(b"t=status\n", token)


def test_registers_md5_with_a_required_key() -> None:
    registered: list[AuthMethod] = []
    hb_register_authenticators(registered.append)
    (method,) = registered
    assert (method.name, method.key) == ("md5", KeyRule.REQUIRED)
