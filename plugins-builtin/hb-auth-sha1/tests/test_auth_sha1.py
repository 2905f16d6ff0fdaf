"""sha1 tokens are RFC 2104 HMAC-SHA1 in lowercase hex (RFC 2202 test vector). Signing and
verifying are ``hbcore.pluginkit.hmac_auth``'s, tested there."""

from hb_auth_sha1 import hb_register_authenticators
from hb_auth_sha1.sha1 import Sha1Authenticator
from hb_hookspecs import AuthMethod, KeyRule


def test_rfc2202_vector() -> None:
    token = Sha1Authenticator(b"\x0b" * 20).sign(b"Hi There")
    assert token == "b617318655057264e28bc0b6fb378c8ef146be00"


def test_verify_accepts_the_token_of_the_same_key_only() -> None:
    token = Sha1Authenticator(b"secret").sign(b"t=status\n")
    assert Sha1Authenticator(b"secret").verify(b"t=status\n", token)
    assert not Sha1Authenticator(b"other").verify(b"t=status\n", token)


def test_registers_sha1_with_a_required_key() -> None:
    registered: list[AuthMethod] = []
    hb_register_authenticators(registered.append)
    (method,) = registered
    assert (method.name, method.key) == ("sha1", KeyRule.REQUIRED)
