"""A started mcast medium joins its group on its interface: on lo, with loop on, it hears a
flood of its own of several batches whole and in order. An unknown interface refuses the start.
Reading in bounded batches is ``hbcore.pluginkit.udp``'s, tested there."""

from __future__ import annotations

import asyncio

import pytest
from hb_media_mcast.mcast import McastMedium
from hbcore.pluginkit.udp import BATCH
from hbcore.testing.media import free_udp_port, hear_own_packets


def test_a_started_medium_hears_a_flood_of_its_own_whole_and_in_order() -> None:
    medium = McastMedium("lo", "239.255.42.99", free_udp_port(), ttl=0, loop=True)
    sent = [b"%d" % number for number in range(2 * BATCH + 5)]
    assert hear_own_packets(medium, sent) == sent


def test_an_unknown_interface_refuses_the_start() -> None:
    medium = McastMedium("hbnosuch0", "239.255.42.99", free_udp_port(), ttl=0, loop=True)
    with pytest.raises(OSError, match=r"^mcast: interface \[hbnosuch0\] does not exist$"):
        asyncio.run(medium.start(lambda packet: None))
