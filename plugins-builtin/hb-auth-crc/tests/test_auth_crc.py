"""crc tokens: CRC-32 MSB-first, initial 0, complemented, printed with %lx (no padding)."""

import itertools

from hb_auth_crc import hb_register_authenticators
from hb_auth_crc.crc import CrcAuthenticator, crc32_msb
from hb_hookspecs import AuthMethod, KeyRule
from hypothesis import given
from hypothesis import strategies as st

POLYNOMIAL = 0x04C11DB7


def bitwise_crc(data: bytes) -> int:
    """The definition, one bit at a time: MSB-first, register 0, complemented at the end."""
    register = 0
    for byte in data:
        register ^= byte << 24
        for _ in range(8):
            register = (register << 1) ^ POLYNOMIAL if register & 0x80000000 else register << 1
            register &= 0xFFFFFFFF
    return ~register & 0xFFFFFFFF


@given(st.binary(max_size=2048))
def test_agrees_with_the_bitwise_definition(data: bytes) -> None:
    assert crc32_msb(data) == bitwise_crc(data)


def test_check_value() -> None:
    assert CrcAuthenticator().sign(b"123456789") == "765e7680"


def test_empty_input_is_the_complement_of_zero() -> None:
    assert crc32_msb(b"") == 0xFFFFFFFF


def test_tokens_have_no_zero_padding() -> None:
    data = next(
        str(n).encode() for n in itertools.count() if crc32_msb(str(n).encode()) < 0x10000000
    )
    token = CrcAuthenticator().sign(data)
    assert len(token) < 8
    assert int(token, 16) == crc32_msb(data)
    assert not token.startswith("0")


def test_key_is_ignored() -> None:
    assert CrcAuthenticator(b"anything").sign(b"abc") == CrcAuthenticator().sign(b"abc")


def test_verify() -> None:
    auth = CrcAuthenticator()
    assert auth.verify(b"123456789", "765e7680")
    assert not auth.verify(b"123456789", "0765e7680")
    assert not auth.verify(b"123456780", "765e7680")


def test_registers_crc_without_a_key() -> None:
    registered: list[AuthMethod] = []
    hb_register_authenticators(registered.append)
    (method,) = registered
    assert (method.name, method.key) == ("crc", KeyRule.FORBIDDEN)
