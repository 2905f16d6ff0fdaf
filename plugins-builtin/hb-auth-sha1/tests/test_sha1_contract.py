"""The sha1 method keeps the authenticator contract hb relies on (hbcore.testing.contracts):
tokens in lowercase hex that verify, and reject tampered data, tampered tokens and the tokens
of another key."""

import hb_auth_sha1
import pytest
from hb_hookspecs import AuthMethod
from hbcore.testing.contracts import AuthenticatorContract


@pytest.mark.hb_plugins(hb_auth_sha1)
class TestTheSha1MethodAsLoaded(AuthenticatorContract):
    @pytest.fixture
    def method(self, hb_plugin_set) -> AuthMethod:
        return hb_plugin_set.registry.auth_methods["sha1"].item
