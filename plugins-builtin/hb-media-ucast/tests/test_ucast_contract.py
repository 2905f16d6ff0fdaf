"""ucast keeps the medium contract hb relies on (hbcore.testing.contracts): with itself as the
peer on lo it hears what it sends, without holding the loop, and its stop frees the port."""

from collections.abc import Callable

import pytest
from hb_hookspecs import Medium
from hb_media_ucast.ucast import UcastMedium
from hbcore.testing.contracts import MediumContract
from hbcore.testing.media import free_udp_port


class TestUcastOnLoopback(MediumContract):
    @pytest.fixture
    def make_medium(self) -> Callable[[], Medium]:
        port = free_udp_port()
        return lambda: UcastMedium("lo", "127.0.0.1", port, port)
