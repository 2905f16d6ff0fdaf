"""A small typed view of the kernel's routes and addresses, through pyroute2's
``AsyncIPRoute`` (netlink on an event loop, never the blocking ``IPRoute``), and of its links
through ``if_nametoindex`` and ``SIOCGIFHWADDR`` (the latter in :mod:`hb_ra_ipaddr.announce`;
one system call each: pyroute2 parses every attribute of every link, a millisecond or more,
which a takeover would wait for).

An agent's action runs whole on the netlink loop (:func:`in_kernel`): one hop between threads
per action, not one per request. Import this module only after
:func:`hb_ra_ipaddr.warmup.netlink_ready`: it imports pyroute2.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import ipaddress
import socket
import threading
from collections.abc import Awaitable, Callable, Coroutine
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
class Address:
    """One address of one interface, as the kernel holds it."""

    interface: int
    address: IPAddress
    prefixlen: int
    label: str | None
    broadcast: str | None


class KernelError(Exception):
    """A netlink request failed; the message says which and why."""


def index_of(name: str) -> int | None:
    """The index of interface ``name``, None when there is none."""
    try:
        return socket.if_nametoindex(name)
    except OSError:
        return None


def name_of(index: int) -> str | None:
    """The name of interface ``index``, None when there is none."""
    try:
        return socket.if_indextoname(index)
    except OSError:
        return None


class Netlink:
    """One netlink socket in the current network namespace. Use it only inside
    :func:`in_kernel`: its requests run on the netlink loop."""

    def __init__(self, ipr: Any) -> None:
        self._ipr = ipr

    async def routes(self, version: int) -> list[Route]:
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

    async def addresses(self, version: int) -> list[Address]:
        """Every address of the family."""
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

    async def add(
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

    async def delete(self, interface: int, address: IPAddress, prefixlen: int) -> bool:
        """Delete the address; False when it was already gone (EADDRNOTAVAIL)."""
        try:
            await self._ipr.addr("del", index=interface, address=str(address), prefixlen=prefixlen)
        except NetlinkError as error:
            if error.code == errno.EADDRNOTAVAIL:
                return False
            raise KernelError(f"cannot delete {address}/{prefixlen}: {_reason(error)}") from error
        return True


async def in_kernel(work: Callable[[Netlink], Awaitable[T]]) -> T:
    """Run ``work`` with a fresh netlink socket, the whole of it on the netlink loop, and
    return its result. A socket that cannot be opened raises :class:`KernelError`."""
    return await on_netlink_loop(_session(work))


async def _session(work: Callable[[Netlink], Awaitable[T]]) -> T:
    try:
        ipr = await AsyncIPRoute().__aenter__()
    except NetlinkError as error:
        raise KernelError(_reason(error)) from error
    except OSError as error:
        raise KernelError(f"netlink: {error}") from error
    try:
        return await work(Netlink(ipr))
    finally:
        await ipr.__aexit__(None, None, None)


_loop: asyncio.AbstractEventLoop | None = None
_loop_lock = threading.Lock()


async def on_netlink_loop(work: Coroutine[Any, Any, T]) -> T:
    """Run ``work`` on a private asyncio loop in a daemon thread, and await its result.

    pyroute2's ``AsyncIPRoute`` needs asyncio's own loop (uvloop cannot open netlink sockets),
    hence a loop of its own rather than the node's."""
    return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(work, _netlink_loop()))


def _netlink_loop() -> asyncio.AbstractEventLoop:
    global _loop
    with _loop_lock:
        if _loop is None:
            _loop = asyncio.new_event_loop()
            threading.Thread(target=_loop.run_forever, name="hb-netlink", daemon=True).start()
        return _loop


def _reason(error: Any) -> str:
    code = int(getattr(error, "code", 0) or 0)
    return f"{errno.errorcode.get(code, code)} ({error})"


def warm() -> None:
    """Exercise every kind of request once, from a thread other than the node's loop: the
    netlink loop's thread starts, and pyroute2 builds its message classes (a first request of
    each kind costs milliseconds), now rather than during a takeover. The address request goes
    to interface 0, which does not exist: the kernel refuses it and nothing changes."""

    async def requests(kernel: Netlink) -> None:
        for version in (4, 6):
            await kernel.addresses(version)
            await kernel.routes(version)
        with contextlib.suppress(KernelError):
            await kernel.add(0, ipaddress.ip_address("192.0.2.1"), 32, None, None)
        with contextlib.suppress(KernelError):
            await kernel.delete(0, ipaddress.ip_address("192.0.2.1"), 32)

    with contextlib.suppress(KernelError):
        asyncio.run_coroutine_threadsafe(_session(requests), _netlink_loop()).result()
