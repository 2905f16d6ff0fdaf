"""Classic ``>>>`` messages on a serial line: what may be sent, and reassembly on receive.

Heartbeat's tty settings strip bit 7 (ISTRIP) and drop CR (IGNCR) before its reader sees a
byte, then it reads lines: everything up to a line starting with ``>>>`` is skipped, and the
message runs to a line starting with ``<<<``. The framer does the same in software, so a pty,
a USB adapter and a real UART all behave alike, with two additions for resynchronising:

- between messages, a line that *ends* with ``>>>`` also starts one. A peer that opens its
  line sends a break, which arrives as a NUL, and a peer that died half-way through a line
  leaves junk in front of its next ``>>>``;
- inside a message, a line starting with ``>>>`` restarts it (the sender gave up on the
  previous one), instead of corrupting both.

Memory is bounded: while hunting for ``>>>`` only the ends of the current line are kept, and a
message longer than ``limit`` is dropped whole.
"""

from __future__ import annotations

START = b">>>"
END = b"<<<"
MAXMSG = 256 * 1024
"""Heartbeat's limit on one message, on every medium."""

_SEVEN_BIT = bytes(byte & 0x7F for byte in range(256))
# Deleting CR both as itself and with bit 7 set is ISTRIP followed by IGNCR, in one pass.
_IGNORED = b"\r\x8d"
_HUNT_KEEP = 64


def refusal(packet: bytes) -> str | None:
    """Why ``packet`` cannot go on a serial line unchanged, or None when it can.

    The peer strips bit 7 and drops CR, so such a packet would arrive altered, fail its
    authentication, and be retransmitted for ever.
    """
    if not packet.isascii():
        position = next(index for index, byte in enumerate(packet) if byte > 0x7F)
        return f"byte 0x{packet[position]:02x} at offset {position} is not 7-bit"
    position = packet.find(b"\r")
    if position >= 0:
        return f"carriage return at offset {position}"
    return None


class ClassicFramer:
    """Turns the bytes read from a line into whole classic packets."""

    def __init__(self, limit: int = MAXMSG) -> None:
        self.limit = limit
        self.oversized = 0
        """How many messages were dropped for exceeding ``limit``."""
        self._line = bytearray()
        self._body: bytearray | None = None
        """The lines after ``>>>`` of the message being received; None between messages."""

    def reset(self) -> None:
        """Forget a partial line and message (the line was reopened)."""
        self._line.clear()
        self._body = None

    def buffered(self) -> int:
        """Bytes held for an incomplete line or message."""
        return len(self._line) + (len(self._body) if self._body is not None else 0)

    def feed(self, data: bytes) -> list[bytes]:
        """Take bytes as read; return the packets they complete, as ``>>>\\n...<<<\\n``."""
        data = data.translate(_SEVEN_BIT, _IGNORED)
        packets: list[bytes] = []
        start = 0
        while (end := data.find(b"\n", start)) >= 0:
            self._line += data[start:end]
            start = end + 1
            packet = self._take_line()
            if packet is not None:
                packets.append(packet)
        self._line += data[start:]
        self._bound()
        return packets

    def _take_line(self) -> bytes | None:
        line = bytes(self._line)
        self._line.clear()
        if self._body is None:
            if line.startswith(START) or line.endswith(START):
                self._body = bytearray()
            return None
        if line.startswith(START):
            self._body.clear()
            return None
        if line.startswith(END):
            packet = START + b"\n" + self._body + END + b"\n"
            self._body = None
            return packet
        self._body += line
        self._body += b"\n"
        self._bound()
        return None

    def _bound(self) -> None:
        if self._body is not None and len(self._body) + len(self._line) > self.limit:
            self._body = None
            self.oversized += 1
        if self._body is None and len(self._line) > _HUNT_KEEP:
            # Only a line's first and last bytes can make it a start line.
            del self._line[len(START) : -len(START)]
