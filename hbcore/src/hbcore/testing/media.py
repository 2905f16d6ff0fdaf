"""Helpers for testing media: a free UDP port on loopback, and a medium hearing its own packets.

For hb's own tests and for third-party media: nothing here is used by the daemon.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Sequence

from hb_hookspecs import Medium


def free_udp_port() -> int:
    """A UDP port nobody listens on at this moment on 127.0.0.1 (the kernel's choice)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def hear_own_packets(
    medium: Medium, packets: Sequence[bytes], timeout_s: float = 10
) -> list[bytes]:
    """Start ``medium``, send ``packets`` through it, and return what it delivered once it has
    delivered as many (a medium that hears itself: loopback, multicast loop); stops it after.

    :raises TimeoutError: when fewer arrive within ``timeout_s``.
    """

    async def scenario() -> list[bytes]:
        heard: list[bytes] = []
        all_heard = asyncio.get_running_loop().create_future()

        def deliver(packet: bytes) -> None:
            heard.append(packet)
            if len(heard) == len(packets):
                all_heard.set_result(None)

        await medium.start(deliver)
        try:
            for packet in packets:
                await medium.send(packet)
            await asyncio.wait_for(all_heard, timeout_s)
        finally:
            await medium.stop()
        return heard

    return asyncio.run(scenario())
