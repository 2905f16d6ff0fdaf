"""The IPaddr / IPaddr2 resource agent: one service address on this node.

``start`` completes what the token leaves open from the kernel (see :mod:`placement`), adds the
address and returns; the gratuitous ARPs follow in a background task (see :mod:`announcements`,
which also announces an address found up when its group is acquired). ``status`` asks the
kernel whether the address is on its interface (any interface when the token names none and
this agent has not placed it). ``stop`` removes the address wherever ``status`` would find it,
whoever added it: the resource *is* the address, as with heartbeat's IPaddr2, so a node that
restarts with the address left over from before can still give it up. An address found present
at ``start`` is left as it is (IPaddr2 exits at once with success, sending no ARP).
"""

from __future__ import annotations

import ipaddress
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from hb_hookspecs import ResourceError

from hb_ra_ipaddr import announcements, warmup
from hb_ra_ipaddr.argument import IPADDR, AddressSpec, IPAddress

if TYPE_CHECKING:
    from hb_ra_ipaddr.netlink import Address, Netlink

log = logging.getLogger("hb.ra.ipaddr")


@dataclass(frozen=True)
class Placement:
    """Where ``start`` put the address."""

    interface: str
    index: int
    prefixlen: int
    label: str | None
    broadcast: str | None


class IpAddrAgent:
    """A :class:`hb_hookspecs.ResourceAgent` for one IPaddr, IPaddr2 or IPv6addr token.

    ``start`` and ``stop`` log heartbeat's ``Running PATH ARGS start|stop`` line with the
    wrapper script heartbeat would have run, ``CONFIG_DIR/resource.d/IPaddr``, so that greps
    for it find address changes as they found them under heartbeat.
    """

    def __init__(self, token: str, spec: AddressSpec, config_dir: Path) -> None:
        self.name = token
        self.spec = spec
        # ResourceManager's resource2arg: what follows "IPaddr::", or the whole shorthand.
        argument = token.partition("::")[2] or token
        self.script = f"{config_dir / 'resource.d' / spec.agent} {argument}"
        self.placement: Placement | None = None
        warmup.begin_if_running(spec.interface, spec.address)

    def describe(self) -> str:
        placed = self.placement
        if placed is None:
            return str(self.spec)
        text = f"{self.spec.agent} {self.spec.address}/{placed.prefixlen} on "
        text += placed.label or placed.interface
        return text + (f" broadcast {placed.broadcast}" if placed.broadcast else "")

    async def start(self) -> None:
        log.info(f"Running {self.script} start")
        await warmup.netlink_ready()
        from hb_ra_ipaddr.announce import mac_of
        from hb_ra_ipaddr.netlink import KernelError, in_kernel

        try:
            placement, added = await in_kernel(self._add)
        except KernelError as error:
            # The reason belongs in the log, as IPaddr's own ERROR lines are in heartbeat's.
            log.error(f"{self.spec}: {error}")
            raise ResourceError(f"{self.spec}: {error}") from error
        if placement is None:
            log.info(f"{self.describe()} is already up")
            return
        self.placement = placement
        if added:
            # The clients first, the log after: the line costs a fraction of a millisecond.
            try:
                mac = mac_of(placement.interface)
            except OSError as error:
                log.warning(f"cannot announce {self.spec.address}: {error}")
            else:
                announcements.begin(
                    placement.interface, self.spec.address, mac, self.spec.agent, by_start=True
                )
            log.info(f"{self.describe()} added")

    async def stop(self) -> None:
        log.info(f"Running {self.script} stop")
        await warmup.netlink_ready()
        from hb_ra_ipaddr.netlink import KernelError, in_kernel

        announcements.stopped(self.spec.address)
        try:
            removed = await in_kernel(self._remove)
        except KernelError as error:
            log.error(f"{self.spec}: {error}")
            raise ResourceError(f"{self.spec}: {error}") from error
        for address, where in removed:
            log.info(f"{self.spec.agent} {address} removed from {where}")
        self.placement = None

    async def status(self) -> bool:
        try:
            await warmup.netlink_ready()
            from hb_ra_ipaddr.netlink import in_kernel

            return bool(await in_kernel(self._held))
        except Exception as error:
            # The contract: answer, never raise. A kernel we cannot ask holds nothing for us.
            log.warning(f"cannot tell whether {self.spec} is up: {error}")
            return False

    # The methods below run on the netlink loop (inside ``in_kernel``): no logging there.

    async def _add(self, kernel: Netlink) -> tuple[Placement | None, bool]:
        """Add the address unless it is up: (where it went, whether we added it), or
        (None, False) when it was up already."""
        if await self._held(kernel):
            return None, False
        placement = await self._place(kernel)
        added = await kernel.add(
            placement.index,
            self.spec.address,
            placement.prefixlen,
            _ip4(placement.broadcast),
            placement.label,
        )
        return placement, added

    async def _remove(self, kernel: Netlink) -> list[tuple[IPAddress, str]]:
        """Delete the address wherever :meth:`_held` finds it: (address, interface) of each."""
        from hb_ra_ipaddr.netlink import name_of

        removed = []
        for held in await self._held(kernel):
            await kernel.delete(held.interface, held.address, held.prefixlen)
            removed.append((held.address, name_of(held.interface) or str(held.interface)))
        return removed

    def _interface(self) -> str | None:
        if self.placement is not None:
            return self.placement.interface
        return self.spec.interface

    async def _held(self, kernel: Netlink) -> list[Address]:
        """This address on our interface (on any, when we have none yet)."""
        from hb_ra_ipaddr.netlink import name_of

        interface = self._interface()
        return [
            held
            for held in await kernel.addresses(self.spec.address.version)
            if held.address == self.spec.address
            and (interface is None or name_of(held.interface) == interface)
        ]

    async def _place(self, kernel: Netlink) -> Placement:
        from hb_ra_ipaddr.netlink import KernelError, index_of, name_of
        from hb_ra_ipaddr.placement import choose_route, default_broadcast, free_label

        spec = self.spec
        wanted = None
        if spec.interface is not None:
            wanted = index_of(spec.interface)
            if wanted is None:
                raise KernelError(f"there is no interface {spec.interface}")
        prefixlen = spec.prefixlen
        index = wanted
        if prefixlen is None or index is None:
            route = choose_route(spec.address, await kernel.routes(spec.address.version), wanted)
            if route is None:
                where = f" on {spec.interface}" if spec.interface else ""
                raise KernelError(
                    f"no connected route{where} contains {spec.address}; "
                    f"name the interface and netmask ({spec.agent}::{_example(spec)})"
                )
            if prefixlen is None and route.network.prefixlen == 0:
                raise KernelError(f"Cannot use default route w/o netmask [{spec.address}]")
            prefixlen = route.network.prefixlen if prefixlen is None else prefixlen
            index = route.interface
        interface = name_of(index)
        if interface is None:
            raise KernelError(f"interface {index} is gone")
        broadcast = None
        label = spec.label
        if spec.address.version == 4:
            broadcast = spec.broadcast or default_broadcast(spec.address, prefixlen)
            if label is None and spec.agent == IPADDR:
                taken = {held.label for held in await kernel.addresses(4) if held.label}
                label = free_label(interface, taken)
        return Placement(
            interface, index, prefixlen, label, None if broadcast is None else str(broadcast)
        )


def _ip4(text: str | None) -> ipaddress.IPv4Address | None:
    return None if text is None else ipaddress.IPv4Address(text)


def _example(spec: AddressSpec) -> str:
    bits = 64 if spec.address.version == 6 else 24
    return f"{spec.address}/{bits}/eth0"
