"""hb plugin: the ``md5`` authkeys method (``1 md5 secret``)."""

from collections.abc import Callable

from hb_hookspecs import AuthMethod, KeyRule, hookimpl

from hb_auth_md5.md5 import Md5Authenticator

HB_CONTRACT = (1, 0)
"""The hb plugin contract this plugin is built for (:mod:`hb_hookspecs.contract`)."""


@hookimpl
def hb_register_authenticators(register: Callable[[AuthMethod], None]) -> None:
    register(
        AuthMethod(
            name="md5",
            key=KeyRule.REQUIRED,
            create=Md5Authenticator,
            summary="HMAC-MD5 keyed with the authkeys secret (heartbeat's md5)",
        )
    )
