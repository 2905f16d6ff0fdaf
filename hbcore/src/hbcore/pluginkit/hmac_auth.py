"""HMAC authkeys methods (RFC 2104) with tokens as heartbeat 3.0.6 writes them: the digest in
lowercase hex. The md5 and sha1 plugins are this class with their digest named."""

import hmac


class HmacAuthenticator:
    """Signs and verifies with HMAC over ``digest`` (a name :func:`hashlib.new` knows such as
    ``"sha1"``) under one authkeys secret; ``ValueError`` for a digest hashlib lacks."""

    def __init__(self, key: bytes, digest: str) -> None:
        # The keyed inner/outer state is computed once; each message only copies it.
        self._keyed = hmac.new(key, digestmod=digest)

    def sign(self, data: bytes) -> str:
        mac = self._keyed.copy()
        mac.update(data)
        return mac.hexdigest()

    def verify(self, data: bytes, token: str) -> bool:
        """True when ``token`` is the token of ``data``, compared in constant time; False, never
        an error, for any other text (``compare_digest`` refuses non-ASCII text)."""
        return token.isascii() and hmac.compare_digest(self.sign(data), token)
