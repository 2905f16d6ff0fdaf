"""hb plugin: the ``crc`` authkeys method (``2 crc``): integrity only, no secret."""

from collections.abc import Callable

from hb_hookspecs import AuthMethod, KeyRule, hookimpl

from hb_auth_crc.crc import CrcAuthenticator

HB_CONTRACT = (1, 0)
"""The hb plugin contract this plugin is built for (:mod:`hb_hookspecs.contract`)."""


@hookimpl
def hb_register_authenticators(register: Callable[[AuthMethod], None]) -> None:
    register(
        AuthMethod(
            name="crc",
            key=KeyRule.FORBIDDEN,
            create=CrcAuthenticator,
            summary="CRC-32 of the message, no key (heartbeat's crc: detects corruption only)",
        )
    )
