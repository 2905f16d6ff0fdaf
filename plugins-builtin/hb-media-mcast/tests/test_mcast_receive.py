"""A started mcast medium joins its group on its interface: on lo, with loop on, it hears a
flood of its own of several batches whole and in order. An unknown interface refuses the start.
Reading in bounded batches is ``hbcore.pluginkit.udp``'s, tested there."""

from __future__ import annotations

import asyncio
import socket

import pytest
from hb_media_mcast.mcast import McastMedium
from hbcore.pluginkit.udp import BATCH


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_a_started_medium_hears_a_flood_of_its_own_whole_and_in_order() -> None:
    medium = McastMedium("lo", "239.255.42.99", free_udp_port(), ttl=0, loop=True)
    sent = [b"%d" % number for number in range(2 * BATCH + 5)]

    async def scenario() -> list[bytes]:
        heard: list[bytes] = []
        all_heard = asyncio.get_running_loop().create_future()

        def deliver(packet: bytes) -> None:
            heard.append(packet)
            if len(heard) == len(sent):
                all_heard.set_result(None)

        await medium.start(deliver)
        try:
            for packet in sent:
                await medium.send(packet)
            await asyncio.wait_for(all_heard, 10)
        finally:
            await medium.stop()
        return heard

    assert asyncio.run(scenario()) == sent


def test_an_unknown_interface_refuses_the_start() -> None:
    medium = McastMedium("hbnosuch0", "239.255.42.99", free_udp_port(), ttl=0, loop=True)
    with pytest.raises(OSError, match=r"^mcast: interface \[hbnosuch0\] does not exist$"):
        asyncio.run(medium.start(lambda packet: None))
