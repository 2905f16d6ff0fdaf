"""The keys of one authkeys file, bound to their algorithms once, for the hot path."""

from __future__ import annotations

from collections.abc import Mapping

from hb_hookspecs import Authenticator, AuthMethod, KeyRule


class Keyring:
    """Signs with the outbound key and verifies with any configured key index.

    Built once per authkeys file (``AuthKeys.keyring()``): every authenticator is created here,
    so signing and verifying are one method call each.

    Verification follows heartbeat 3.0.6 exactly, quirk included: the inner ``auth`` field is
    checked with the algorithm and key of the index it names, but the netstring trailer is
    checked with the algorithm of the index it names and the key of the **outbound** index
    (``hb_compute_authentication`` is given the outbound method's key). With the same authkeys
    on every node, as heartbeat requires anyway, the two agree.
    """

    __slots__ = ("_methods", "_own", "_prefix", "_signer", "_trailer", "outbound")

    def __init__(self, outbound: int, keys: Mapping[int, tuple[AuthMethod, bytes]]) -> None:
        """``keys`` maps each key index to its method and key text (empty when it has none).

        Raises ``ValueError`` when ``outbound`` is not one of the indexes.
        """
        if outbound not in keys:
            raise ValueError(f"the outbound key {outbound} is not in the keyring")
        self.outbound = outbound
        outbound_key = keys[outbound][1]
        self._methods = {index: method.name for index, (method, _) in keys.items()}
        self._own: dict[int, Authenticator] = {}
        self._trailer: dict[int, Authenticator] = {}
        for index, (method, key) in keys.items():
            own = method.create(key)
            self._own[index] = own
            same_key = method.key is KeyRule.FORBIDDEN or key == outbound_key
            self._trailer[index] = own if same_key else method.create(outbound_key)
        self._signer = self._own[outbound]
        self._prefix = f"{outbound} "

    def sign(self, data: bytes) -> str:
        """``"<outbound index> <token>"``: the value of an ``auth`` field or a trailer."""
        return self._prefix + self._signer.sign(data)

    def method_name(self, index: int) -> str | None:
        """The method of key ``index`` (``sha1``), or None when the index is not configured."""
        return self._methods.get(index)

    def verify(self, index: int, data: bytes, token: str) -> bool:
        """True when ``token`` is key ``index``'s token of ``data`` (the inner field's rule).

        False as well when the index is not configured; ``method_name`` tells the two apart.
        """
        authenticator = self._own.get(index)
        return authenticator is not None and authenticator.verify(data, token)

    def verify_trailer(self, index: int, data: bytes, token: str) -> bool:
        """Like ``verify`` with the netstring trailer's rule (the outbound key, see above)."""
        authenticator = self._trailer.get(index)
        return authenticator is not None and authenticator.verify(data, token)
