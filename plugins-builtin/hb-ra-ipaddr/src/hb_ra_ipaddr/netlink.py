"""A small typed view of the kernel's links, routes and addresses, through pyroute2's
``AsyncIPRoute`` (netlink on the event loop, never the blocking ``IPRoute``).

Import this module only after :func:`hb_ra_ipaddr.warmup.netlink_ready`: it imports pyroute2.
"""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import socket
import threading
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from pyroute2 import AsyncIPRoute  # type: ignore[import-untyped]
from pyroute2.netlink.exceptions import NetlinkError  # type: ignore[import-untyped]

from hb_ra_ipaddr.argument import IPAddress
from hb_ra_ipaddr.placement import Route

T = TypeVar("T")

MAIN_TABLE = 254
RTN_UNICAST = 1
IFA_F_NODAD = 0x02


@dataclass(frozen=True)
class Link:
    index: int
    name: str
    mac: str


@dataclass(frozen=True)
class Address:
    """One address of one interface, as the kernel holds it."""

    interface: int
    address: IPAddress
    prefixlen: int
    label: str | None
    broadcast: str | None


class KernelError(Exception):
    """A netlink request failed; the message says which and why."""


class Netlink:
    """One netlink socket in the current network namespace.

    pyroute2's ``AsyncIPRoute`` needs asyncio's own loop (uvloop cannot open netlink sockets),
    so every request runs on :func:`on_netlink_loop`'s private loop; callers just await.
    """

    def __init__(self, ipr: Any) -> None:
        self._ipr = ipr

    async def links(self) -> list[Link]:
        """Every interface."""
        return await on_netlink_loop(self._links())

    async def routes(self, version: int) -> list[Route]:
        """The unicast routes of the main table, in the kernel's order."""
        return await on_netlink_loop(self._routes(version))

    async def addresses(self, version: int) -> list[Address]:
        """Every address of the family."""
        return await on_netlink_loop(self._addresses(version))

    async def add(
        self,
        interface: int,
        address: IPAddress,
        prefixlen: int,
        broadcast: ipaddress.IPv4Address | None,
        label: str | None,
    ) -> bool:
        """Add the address; False when the interface holds it already (EEXIST)."""
        return await on_netlink_loop(self._add(interface, address, prefixlen, broadcast, label))

    async def delete(self, interface: int, address: IPAddress, prefixlen: int) -> bool:
        """Delete the address; False when it was already gone (EADDRNOTAVAIL)."""
        return await on_netlink_loop(self._delete(interface, address, prefixlen))

    async def _links(self) -> list[Link]:
        return [
            Link(int(m["index"]), str(m.get("IFLA_IFNAME")), str(m.get("IFLA_ADDRESS") or ""))
            async for m in await self._ipr.get_links()
        ]

    async def _routes(self, version: int) -> list[Route]:
        """The unicast routes of the main table, in the kernel's order."""
        family = socket.AF_INET if version == 4 else socket.AF_INET6
        routes = []
        async for m in await self._ipr.get_routes(family=family, table=MAIN_TABLE):
            if m["type"] != RTN_UNICAST or m.get("RTA_OIF") is None:
                continue
            destination = m.get("RTA_DST") or ("0.0.0.0" if version == 4 else "::")
            gateway = m.get("RTA_GATEWAY")
            routes.append(
                Route(
                    ipaddress.ip_network(f"{destination}/{m['dst_len']}", strict=False),
                    int(m.get("RTA_OIF")),
                    int(m.get("RTA_PRIORITY") or 0),
                    None if gateway is None else str(gateway),
                )
            )
        return routes

    async def _addresses(self, version: int) -> list[Address]:
        family = socket.AF_INET if version == 4 else socket.AF_INET6
        found = []
        async for m in await self._ipr.get_addr(family=family):
            local = m.get("IFA_LOCAL") or m.get("IFA_ADDRESS")
            label, broadcast = m.get("IFA_LABEL"), m.get("IFA_BROADCAST")
            found.append(
                Address(
                    int(m["index"]),
                    ipaddress.ip_address(str(local)),
                    int(m["prefixlen"]),
                    None if label is None else str(label),
                    None if broadcast is None else str(broadcast),
                )
            )
        return found

    async def _add(
        self,
        interface: int,
        address: IPAddress,
        prefixlen: int,
        broadcast: ipaddress.IPv4Address | None,
        label: str | None,
    ) -> bool:
        """Add the address; False when the interface holds it already (EEXIST)."""
        request: dict[str, Any] = {
            "index": interface,
            "address": str(address),
            "prefixlen": prefixlen,
        }
        if address.version == 6:
            # Usable at once: duplicate address detection would hold it tentative for ~2 s.
            request["flags"] = IFA_F_NODAD
        if broadcast is not None:
            request["broadcast"] = str(broadcast)
        if label is not None:
            request["label"] = label
        try:
            await self._ipr.addr("add", **request)
        except NetlinkError as error:
            if error.code == errno.EEXIST:
                return False
            raise KernelError(f"cannot add {address}/{prefixlen}: {_reason(error)}") from error
        return True

    async def _delete(self, interface: int, address: IPAddress, prefixlen: int) -> bool:
        """Delete the address; False when it was already gone (EADDRNOTAVAIL)."""
        try:
            await self._ipr.addr("del", index=interface, address=str(address), prefixlen=prefixlen)
        except NetlinkError as error:
            if error.code == errno.EADDRNOTAVAIL:
                return False
            raise KernelError(f"cannot delete {address}/{prefixlen}: {_reason(error)}") from error
        return True


@asynccontextmanager
async def netlink() -> AsyncIterator[Netlink]:
    """A netlink socket for one action, closed afterwards."""
    try:
        ipr = await on_netlink_loop(_open())
    except NetlinkError as error:
        raise KernelError(_reason(error)) from error
    except OSError as error:
        raise KernelError(f"netlink: {error}") from error
    try:
        yield Netlink(ipr)
    finally:
        await on_netlink_loop(ipr.__aexit__(None, None, None))


async def _open() -> Any:
    return await AsyncIPRoute().__aenter__()


_loop: asyncio.AbstractEventLoop | None = None
_loop_lock = threading.Lock()


async def on_netlink_loop(work: Coroutine[Any, Any, T]) -> T:
    """Run ``work`` on a private asyncio loop in a daemon thread, and await its result."""
    global _loop
    with _loop_lock:
        if _loop is None:
            _loop = asyncio.new_event_loop()
            threading.Thread(target=_loop.run_forever, name="hb-netlink", daemon=True).start()
    return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(work, _loop))


def _reason(error: Any) -> str:
    code = int(getattr(error, "code", 0) or 0)
    return f"{errno.errorcode.get(code, code)} ({error})"
