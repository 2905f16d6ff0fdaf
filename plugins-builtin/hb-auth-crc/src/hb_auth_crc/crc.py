"""heartbeat's ``crc`` token: CRC-32 with polynomial 0x04C11DB7 processed MSB-first, initial
value 0, no length appended, final one's complement, written as ``%lx`` (lowercase hex without
zero padding). The check value of ``b"123456789"`` is ``765e7680``.

This is not plain ``zlib.crc32`` (which is bit-reflected and starts from all ones), but the
same polynomial: fed bit-reversed bytes and a zero register, zlib computes the mirror image of
heartbeat's register. Going through zlib keeps a forged 64 KB packet (anyone can sign with crc)
as cheap to reject as a genuine one is to accept: ~0.1 ms instead of ~10 ms in a Python loop.
"""

import zlib

_REVERSED_BYTES = bytes(int(f"{byte:08b}"[::-1], 2) for byte in range(256))
_ZERO_REGISTER = 0xFFFFFFFF
"""zlib takes and returns the register complemented: this start value is a register of 0."""


def crc32_msb(data: bytes) -> int:
    """The CRC as heartbeat computes it, as an unsigned 32-bit integer."""
    mirrored = zlib.crc32(data.translate(_REVERSED_BYTES), _ZERO_REGISTER) ^ 0xFFFFFFFF
    register = int(f"{mirrored:032b}"[::-1], 2)
    return ~register & 0xFFFFFFFF


class CrcAuthenticator:
    """Signs and verifies with heartbeat's CRC-32; the key is ignored (crc takes none)."""

    def __init__(self, key: bytes = b"") -> None:
        del key

    def sign(self, data: bytes) -> str:
        return format(crc32_msb(data), "x")

    def verify(self, data: bytes, token: str) -> bool:
        return self.sign(data) == token
