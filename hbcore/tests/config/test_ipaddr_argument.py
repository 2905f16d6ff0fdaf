"""IP[/BITS[/NIC[/BROADCAST]]]: a third field starting with a digit is the broadcast."""

from __future__ import annotations

import pytest
from hbcore.config.ipaddr_argument import IpAddrArgument, parse_ipaddr_argument


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("192.168.85.3", IpAddrArgument("192.168.85.3")),
        ("192.168.85.3/27", IpAddrArgument("192.168.85.3", "27")),
        ("10.0.0.10/24/eth0", IpAddrArgument("10.0.0.10", "24", "eth0")),
        (
            "10.0.0.10/24/eth0:1/10.0.0.255",
            IpAddrArgument("10.0.0.10", "24", "eth0:1", "10.0.0.255"),
        ),
        (
            "192.168.85.3/27/192.168.85.16",
            IpAddrArgument("192.168.85.3", "27", None, "192.168.85.16"),
        ),
        ("10.0.30.15//8/eth0:10", IpAddrArgument("10.0.30.15", None, None, "8")),
        ("192.168.88.140/255.255.255.0", IpAddrArgument("192.168.88.140", "255.255.255.0")),
    ],
)
def test_fields(text: str, parsed: IpAddrArgument) -> None:
    assert parse_ipaddr_argument(text) == parsed


def test_description() -> None:
    assert str(parse_ipaddr_argument("10.0.0.10/24/eth0/10.0.0.255")) == (
        "10.0.0.10/24 on eth0 broadcast 10.0.0.255"
    )
