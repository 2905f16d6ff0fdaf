"""Which haresources tokens are addresses, and what their argument says.

heartbeat's ResourceManager turns a token starting with ``digit.digit.digit.digit`` into
``IPaddr::TOKEN``. The IPaddr/IPaddr2 wrappers then split the one argument on ``/`` as
``IP[/NETMASK[/NIC[/BROADCAST]]]``; a third field starting with a digit is the broadcast address
and there is no NIC. The wrappers strip each field with its trailing ``/*``, so a run of slashes
is one separator: ``10.0.30.15//8/eth0:10`` is netmask 8 on eth0:10, and ``10.0.0.1//eth0``
has the netmask ``eth0`` (an error). The NIC may carry a label, ``eth0:web``, which must start
with the interface name: the kernel does not check labels, iproute2 does, and so do we.

IPv6 (heartbeat's wrappers cannot express it, since ResourceManager splits arguments on ``::``):
everything after ``IPaddr2::`` or ``IPv6addr::`` is one argument, ``ADDR[/PREFIX[/NIC]]``, e.g.
``IPaddr2::fd00::10/64/eth0``. IPv6 has no broadcast and no labels; ``IPaddr`` and the bare
shorthand are IPv4 only, as in heartbeat.

Pure and cheap: called for every token while the configuration is loaded.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from hb_hookspecs import ArgumentError

IPADDR = "IPaddr"
IPADDR2 = "IPaddr2"
IPV6ADDR = "IPv6addr"
AGENTS = (IPADDR, IPADDR2, IPV6ADDR)

IFNAMSIZ = 16
"""The kernel's limit on interface names and address labels, terminating NUL included."""

_SHORTHAND = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+")
_BAD_NAME_CHARACTERS = re.compile(r"[\s/:]")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class AddressSpec:
    """One service address as haresources asks for it; None where the token leaves it open
    (the agent then looks at the routing table when it starts)."""

    agent: str
    """``IPaddr``, ``IPaddr2`` or ``IPv6addr``."""
    address: IPAddress
    prefixlen: int | None = None
    interface: str | None = None
    label: str | None = None
    """The whole label, ``eth0:web``; IPv4 only."""
    broadcast: ipaddress.IPv4Address | None = None

    def __str__(self) -> str:
        text = f"{self.agent} {self.address}"
        if self.prefixlen is not None:
            text += f"/{self.prefixlen}"
        if self.interface is not None:
            text += f" on {self.label or self.interface}"
        if self.broadcast is not None:
            text += f" broadcast {self.broadcast}"
        return text


def parse_token(token: str) -> AddressSpec | None:
    """The address a haresources token asks for, or None when the token is not an address.

    Raises :class:`ArgumentError` for a token that is an address resource but malformed.
    """
    if _SHORTHAND.match(token):
        return parse_argument(IPADDR, token)
    agent, separator, argument = token.partition("::")
    if agent in AGENTS and separator:
        return parse_argument(agent, argument)
    if token in AGENTS:
        raise ArgumentError(
            f"{token} needs an address", f"write {token}::{_example(token)} (address/bits/nic)"
        )
    return None


def parse_argument(agent: str, text: str) -> AddressSpec:
    """``IP[/NETMASK[/NIC[/BROADCAST]]]`` for ``agent``."""
    first, *rest = text.split("/")
    fields = [first, *(field for field in rest if field)]
    if len(fields) > 4:
        raise ArgumentError(
            f"'{text}' has {len(fields)} fields",
            f"write at most address/bits/nic/broadcast, e.g. {_example(agent)}",
        )
    present: list[str | None] = [field or None for field in fields]
    present += [None] * (4 - len(fields))
    address = _address(agent, present[0], text)
    if isinstance(address, ipaddress.IPv6Address):
        return _ipv6(agent, address, present[1], present[2], present[3])
    prefixlen = None if present[1] is None else _ipv4_prefix(present[1])
    third, fourth = present[2], present[3]
    if third is not None and third[0].isdigit():
        if fourth is not None:
            raise ArgumentError(
                f"'{third}' is a broadcast address (it starts with a digit), so '{fourth}' "
                "cannot follow it",
                "write address/bits/nic/broadcast: the interface comes before the broadcast",
            )
        return AddressSpec(agent, address, prefixlen, broadcast=_broadcast(third))
    interface, label = (None, None) if third is None else _interface(third)
    broadcast = None if fourth is None else _broadcast(fourth)
    return AddressSpec(agent, address, prefixlen, interface, label, broadcast)


def _address(agent: str, text: str | None, argument: str) -> IPAddress:
    if text is None:
        raise ArgumentError(
            f"'{argument}' does not start with an address", f"write e.g. {_example(agent)}"
        )
    try:
        address: IPAddress = ipaddress.ip_address(text)
    except ValueError:
        version = "IPv4" if agent == IPADDR else "IPv6" if agent == IPV6ADDR else "IPv4 or IPv6"
        fix = "write four numbers 0-255, e.g. 10.0.0.10"
        if "::" in argument and agent != IPADDR:
            fix = f"everything after {agent}:: is one argument: address/bits/nic"
        raise ArgumentError(f"'{text}' is not a numeric {version} address", fix) from None
    if agent == IPADDR and address.version == 6:
        raise ArgumentError(
            f"IPaddr handles IPv4 only, and {address} is IPv6",
            f"write IPaddr2::{address}/64/eth0 (or IPv6addr::...)",
        )
    if agent == IPV6ADDR and address.version == 4:
        raise ArgumentError(
            f"IPv6addr handles IPv6 only, and {address} is IPv4", f"write IPaddr2::{address}"
        )
    if address.is_unspecified or address.is_multicast:
        raise ArgumentError(
            f"{address} cannot be a service address", "use a unicast address of the subnet"
        )
    return address


def _ipv4_prefix(text: str) -> int:
    if "." in text:
        try:
            return ipaddress.IPv4Network(f"0.0.0.0/{text}").prefixlen
        except ValueError:
            raise ArgumentError(
                f"'{text}' is not a netmask", "write the number of bits, e.g. 24"
            ) from None
    return _prefix(text, 32)


def _prefix(text: str, bits: int) -> int:
    # ASCII digits, at most three that count: isdigit() alone takes '²' and 5000-digit numbers.
    digits = text.isascii() and text.isdigit() and len(text.lstrip("0")) <= 3
    if not digits or not 1 <= int(text) <= bits:
        fix = f"write the number of bits, 1 to {bits} (e.g. 24)"
        if not text[0].isdigit():
            fix += "; a run of slashes counts as one, so the netmask cannot be left empty"
        raise ArgumentError(f"'{text}' is not a netmask", fix)
    return int(text)


def _interface(text: str) -> tuple[str, str | None]:
    name, colon, suffix = text.partition(":")
    if (
        not name
        or _bytes(name) >= IFNAMSIZ
        or _BAD_NAME_CHARACTERS.search(name)
        or not name.isprintable()
    ):
        raise ArgumentError(
            f"'{name}' is not an interface name",
            f"write a name of at most {IFNAMSIZ - 1} characters without blanks, e.g. eth0",
        )
    if not colon:
        return name, None
    if not suffix or _bytes(text) >= IFNAMSIZ or not suffix.isprintable() or " " in suffix:
        raise ArgumentError(
            f"'{text}' is not a label",
            f"write interface:label in at most {IFNAMSIZ - 1} characters, e.g. {name}:0",
        )
    return name, text


def _bytes(name: str) -> int:
    """The length the kernel sees: the file's bytes (read with surrogateescape)."""
    return len(name.encode("utf-8", "surrogateescape"))


def _broadcast(text: str) -> ipaddress.IPv4Address:
    try:
        return ipaddress.IPv4Address(text)
    except ValueError:
        raise ArgumentError(
            f"'{text}' is not a broadcast address",
            "write four numbers (e.g. 10.0.0.255), or start the field with a letter if it is "
            "an interface",
        ) from None


def _ipv6(
    agent: str,
    address: ipaddress.IPv6Address,
    prefix: str | None,
    interface: str | None,
    extra: str | None,
) -> AddressSpec:
    if extra is not None:
        raise ArgumentError(
            f"IPv6 has no broadcast address, so '{extra}' is one field too many",
            f"write {agent}::{address}/64/eth0",
        )
    name, label = (None, None) if interface is None else _interface(interface)
    if label is not None:
        raise ArgumentError(
            f"IPv6 addresses have no labels ('{label}')", f"write the interface alone: {name}"
        )
    prefixlen = None if prefix is None else _prefix(prefix, 128)
    return AddressSpec(agent, address, prefixlen, name)


def _example(agent: str) -> str:
    return "fd00::10/64/eth0" if agent == IPV6ADDR else "10.0.0.10/24/eth0"
