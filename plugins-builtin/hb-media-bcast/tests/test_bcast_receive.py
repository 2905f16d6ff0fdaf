"""A started bcast medium hears what it sends on its interface, a flood of several batches
whole and in order, and refuses a taken port in its own words. Reading in bounded batches is
``hbcore.pluginkit.udp``'s, tested there."""

from __future__ import annotations

import asyncio
import socket

import pytest
from hb_media_bcast import bcast
from hb_media_bcast.bcast import BcastMedium
from hbcore.pluginkit.udp import BATCH
from hbcore.testing.media import free_udp_port, hear_own_packets


@pytest.fixture(autouse=True)
def loopback_broadcast(monkeypatch: pytest.MonkeyPatch) -> None:
    """lo has no broadcast address: the medium sends to 127.0.0.1, which its socket hears."""
    monkeypatch.setattr(bcast, "broadcast_address", lambda interface: "127.0.0.1")


def test_a_started_medium_hears_a_flood_of_its_own_whole_and_in_order() -> None:
    medium = BcastMedium("lo", free_udp_port())
    sent = [b"%d" % number for number in range(2 * BATCH + 5)]
    assert hear_own_packets(medium, sent) == sent


def test_a_taken_port_refuses_the_start_naming_the_interface_and_the_port() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as holder:
        holder.bind(("", 0))  # no SO_REUSEADDR: nobody may share it
        port = holder.getsockname()[1]
        with pytest.raises(OSError) as refused:
            asyncio.run(BcastMedium("lo", port).start(lambda packet: None))

    assert (
        refused.value.strerror == f"bcast lo: cannot listen on port {port}: Address already in use"
    )
