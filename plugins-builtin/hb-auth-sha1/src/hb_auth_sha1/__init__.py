"""hb plugin: the ``sha1`` authkeys method (``1 sha1 secret``)."""

from collections.abc import Callable

from hb_hookspecs import AuthMethod, KeyRule, hookimpl

from hb_auth_sha1.sha1 import Sha1Authenticator

HB_CONTRACT = (1, 0)
"""The hb plugin contract this plugin is built for (:mod:`hb_hookspecs.contract`)."""


@hookimpl
def hb_register_authenticators(register: Callable[[AuthMethod], None]) -> None:
    register(
        AuthMethod(
            name="sha1",
            key=KeyRule.REQUIRED,
            create=Sha1Authenticator,
            summary="HMAC-SHA1 keyed with the authkeys secret (heartbeat's sha1)",
        )
    )
