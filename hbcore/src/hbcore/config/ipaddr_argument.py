"""The argument of heartbeat's IPaddr / IPaddr2 scripts: ``IP[/BITS[/NIC[/BROADCAST]]]``.

The legacy wrappers split it on ``/``. A third field that starts with a digit is the broadcast
address and there is no interface; otherwise it is the interface (``eth0``, ``eth0:1``) and the
fourth field is the broadcast address. Empty fields count as absent.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class IpAddrArgument:
    """The parts of ``IP[/BITS[/NIC[/BROADCAST]]]``; absent parts are None."""

    ip: str
    netmask: str | None = None
    nic: str | None = None
    broadcast: str | None = None

    def __str__(self) -> str:
        text = self.ip
        if self.netmask:
            text += f"/{self.netmask}"
        if self.nic:
            text += f" on {self.nic}"
        if self.broadcast:
            text += f" broadcast {self.broadcast}"
        return text


def parse_ipaddr_argument(text: str) -> IpAddrArgument:
    """Split an IPaddr argument with the wrappers' third-field rule."""
    fields = [field or None for field in text.split("/")]
    fields += [None] * (4 - len(fields))
    ip, netmask, third, fourth = fields[:4]
    if third is not None and third[0].isdigit():
        return IpAddrArgument(ip or "", netmask, None, third)
    return IpAddrArgument(ip or "", netmask, third, fourth)
