"""HMAC-SHA1 tokens exactly as heartbeat 3.0.6 writes them: 40 lowercase hex digits."""

import hashlib
import hmac


class Sha1Authenticator:
    """Signs and verifies with HMAC-SHA1 (RFC 2104) under one authkeys secret."""

    def __init__(self, key: bytes) -> None:
        # The keyed inner/outer state is computed once; each message only copies it.
        self._keyed = hmac.new(key, digestmod=hashlib.sha1)

    def sign(self, data: bytes) -> str:
        mac = self._keyed.copy()
        mac.update(data)
        return mac.hexdigest()

    def verify(self, data: bytes, token: str) -> bool:
        return hmac.compare_digest(self.sign(data), token)
