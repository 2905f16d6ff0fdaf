"""A started ucast medium sends to its peer through its interface: with itself as the peer on
lo, it hears a flood of several batches whole and in order. An unresolvable peer refuses the
start. Reading in bounded batches is ``hbcore.pluginkit.udp``'s, tested there."""

from __future__ import annotations

import asyncio

import pytest
from hb_media_ucast.ucast import UcastMedium
from hbcore.pluginkit.udp import BATCH
from hbcore.testing.media import free_udp_port, hear_own_packets


def test_a_started_medium_hears_a_flood_of_its_own_whole_and_in_order() -> None:
    port = free_udp_port()
    medium = UcastMedium("lo", "127.0.0.1", port, port)
    sent = [b"%d" % number for number in range(2 * BATCH + 5)]
    assert hear_own_packets(medium, sent) == sent


def test_an_unresolvable_peer_refuses_the_start() -> None:
    medium = UcastMedium("lo", "no-such-host.invalid", free_udp_port(), 694)
    with pytest.raises(OSError, match=r"^ucast: cannot resolve hostname no-such-host\.invalid: "):
        asyncio.run(medium.start(lambda packet: None))
