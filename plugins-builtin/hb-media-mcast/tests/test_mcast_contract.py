"""mcast keeps the medium contract hb relies on (hbcore.testing.contracts): on lo, with loop
on, it hears what it sends without holding the loop, and stops cleanly, twice."""

from collections.abc import Callable

import pytest
from hb_hookspecs import Medium
from hb_media_mcast.mcast import McastMedium
from hbcore.testing.contracts import MediumContract
from hbcore.testing.media import free_udp_port


class TestMcastOnLoopback(MediumContract):
    @pytest.fixture
    def make_medium(self) -> Callable[[], Medium]:
        port = free_udp_port()
        return lambda: McastMedium("lo", "239.255.42.99", port, ttl=0, loop=True)
