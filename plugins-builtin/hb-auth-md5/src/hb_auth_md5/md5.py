"""HMAC-MD5 tokens exactly as heartbeat 3.0.6 writes them: 32 lowercase hex digits."""

from hbcore.pluginkit.hmac_auth import HmacAuthenticator


class Md5Authenticator(HmacAuthenticator):
    """Signs and verifies with HMAC-MD5 (RFC 2104) under one authkeys secret."""

    def __init__(self, key: bytes) -> None:
        super().__init__(key, "md5")
