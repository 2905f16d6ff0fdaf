"""HMAC-SHA1 tokens exactly as heartbeat 3.0.6 writes them: 40 lowercase hex digits."""

from hbcore.pluginkit.hmac_auth import HmacAuthenticator


class Sha1Authenticator(HmacAuthenticator):
    """Signs and verifies with HMAC-SHA1 (RFC 2104) under one authkeys secret."""

    def __init__(self, key: bytes) -> None:
        super().__init__(key, "sha1")
