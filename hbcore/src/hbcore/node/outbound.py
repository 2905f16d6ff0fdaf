"""Sending: every message this node originates is stamped, signed, encoded once per wire
format and written to every medium; sequenced messages are kept for retransmission."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import structlog
from hb_hookspecs import Medium

from hbcore.wire import Encoding, Keyring, Message, encode
from hbcore.wire.header import LoadAverage, SenderIdentity, add_header, is_unsequenced

RECENT_PACKETS = 16
HISTORY_SIZE = 500
"""heartbeat's MAXMSGHIST: how many sent messages can be retransmitted."""

log = structlog.get_logger("hb.outbound")

_ENCODINGS = {"netstring": Encoding.NETSTRING, "classic": Encoding.CLASSIC}


@dataclass
class Sent:
    """A sequenced message as it went out, kept so it can be re-sent byte for byte."""

    message: Message
    packets: dict[str, bytes]
    last_sent: float


class Outbound:
    """The sending half of a node.

    ``loopback`` receives every message this node sends, before it goes out, as heartbeat
    feeds its own messages to its own processing path.
    """

    def __init__(
        self,
        sender: SenderIdentity,
        keyring: Keyring,
        media: Sequence[Medium],
        loopback: Callable[[Message], None],
    ) -> None:
        self.sender = sender
        self.keyring = keyring
        self.media = list(media)
        self.loopback = loopback
        self.last_seq = 0
        self.history: OrderedDict[int, Sent] = OrderedDict()
        self.recent_packets: OrderedDict[bytes, None] = OrderedDict()
        """The last packets sent, so that our own copies heard back need no decoding."""
        self._load_average = LoadAverage()
        self._formats = sorted({medium.wire_format for medium in self.media})

    def stamp(self, message: Message, dest_uuid: bytes | None = None) -> Message:
        """Add the common header, taking the next sequence number when the type has one."""
        seq: int | None = None
        if not is_unsequenced(message.get("t") or ""):
            self.last_seq += 1
            seq = self.last_seq
        return add_header(
            message, self.sender, seq, int(time.time()), self._load_average(), dest_uuid=dest_uuid
        )

    def encode_all(self, message: Message) -> dict[str, bytes]:
        """The packet for each wire format the media use."""
        return {fmt: encode(message, self.keyring, _ENCODINGS[fmt]) for fmt in self._formats}

    async def send(self, message: Message, dest_uuid: bytes | None = None) -> Message:
        """Stamp, loop back, and transmit ``message`` on every medium; return it stamped."""
        stamped = self.stamp(message, dest_uuid)
        packets = self.encode_all(stamped)
        seq_text = stamped.get("seq")
        if seq_text is not None:
            self._remember(int(seq_text, 16), Sent(stamped, packets, time.monotonic()))
        self.loopback(stamped)
        await self.transmit(packets)
        return stamped

    def is_own(self, packet: bytes) -> bool:
        """True when ``packet`` is one we sent lately (heard back on a broadcast medium)."""
        return packet in self.recent_packets

    async def transmit(self, packets: dict[str, bytes]) -> None:
        """Write already-encoded packets to every medium; a failing medium does not stop the
        others."""
        for packet in packets.values():
            self.recent_packets[packet] = None
        while len(self.recent_packets) > RECENT_PACKETS:
            self.recent_packets.popitem(last=False)
        for medium in self.media:
            try:
                await medium.send(packets[medium.wire_format])
            except OSError as error:
                log.debug(f"send on {medium.name} failed: {error}", medium=medium.name)

    def _remember(self, seq: int, sent: Sent) -> None:
        self.history[seq] = sent
        while len(self.history) > HISTORY_SIZE:
            self.history.popitem(last=False)
