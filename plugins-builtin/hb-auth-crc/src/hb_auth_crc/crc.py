"""heartbeat's ``crc`` token: CRC-32 with polynomial 0x04C11DB7 processed MSB-first, initial
value 0, no length appended, final one's complement, written as ``%lx`` (lowercase hex without
zero padding). The check value of ``b"123456789"`` is ``765e7680``.

This is not ``zlib.crc32`` (which is bit-reflected and starts from all ones).
"""

_POLYNOMIAL = 0x04C11DB7


def _build_table() -> tuple[int, ...]:
    table = []
    for byte in range(256):
        register = byte << 24
        for _ in range(8):
            register = ((register << 1) ^ _POLYNOMIAL) if register & 0x80000000 else register << 1
        table.append(register & 0xFFFFFFFF)
    return tuple(table)


_TABLE = _build_table()


def crc32_msb(data: bytes) -> int:
    """The CRC as heartbeat computes it, as an unsigned 32-bit integer."""
    register = 0
    table = _TABLE
    for byte in data:
        register = ((register << 8) & 0xFFFFFFFF) ^ table[(register >> 24) ^ byte]
    return ~register & 0xFFFFFFFF


class CrcAuthenticator:
    """Signs and verifies with heartbeat's CRC-32; the key is ignored (crc takes none)."""

    def __init__(self, key: bytes = b"") -> None:
        del key

    def sign(self, data: bytes) -> str:
        return format(crc32_msb(data), "x")

    def verify(self, data: bytes, token: str) -> bool:
        return self.sign(data) == token
