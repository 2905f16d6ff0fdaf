"""The crc method keeps the authenticator contract hb relies on (hbcore.testing.contracts):
tokens in lowercase hex that verify, and reject tampered data and tampered tokens."""

import hb_auth_crc
import pytest
from hb_hookspecs import AuthMethod
from hbcore.testing.contracts import AuthenticatorContract


@pytest.mark.hb_plugins(hb_auth_crc)
class TestTheCrcMethodAsLoaded(AuthenticatorContract):
    @pytest.fixture
    def method(self, hb_plugin_set) -> AuthMethod:
        return hb_plugin_set.registry.auth_methods["crc"].item
