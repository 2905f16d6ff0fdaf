"""The announcements in flight, one per address, and the one a group's acquisition calls for.

``start`` announces the address it adds. But heartbeat's ResourceManager, and hb's executor
after it, skip ``start`` for a resource whose status says running, and IPaddr2 sends nothing
for an address already up. So a node whose heartbeat died and came back with the address still
configured, taking its group back after the peer had taken it over and announced it, would
leave every client's ARP cache (or neighbour cache) on the peer's MAC until the entry times out,
tens of seconds of an unreachable address: what keepalived's users report after a heal
(keepalived issue #166). Hence :func:`group_acquired`, run from ``hb_resources_acquired``: each
address of the group that is up here and that no ``start`` announced since the group's last
acquisition is announced now, on the usual schedule.

One announcement per address at a time: a new one replaces the one running, and ``stop`` of any
agent for the address cancels it (the resource is the address, as ``stop`` itself has it). An
address we no longer hold must not be announced: that would pull the clients away from its new
owner.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from hb_hookspecs import ArgumentError

from hb_ra_ipaddr import warmup
from hb_ra_ipaddr.announce import (
    IPADDR2_SCHEDULE,
    IPADDR_SCHEDULE,
    Rounds,
    announce,
    first_frame_now,
)
from hb_ra_ipaddr.argument import IPADDR, AddressSpec, IPAddress, parse_token

if TYPE_CHECKING:
    from hb_ra_ipaddr.netlink import Address, Netlink

log = logging.getLogger("hb.ra.ipaddr")

_running: dict[IPAddress, asyncio.Task[None]] = {}
_announced_by_start: set[IPAddress] = set()
_stops: dict[IPAddress, int] = {}
"""How many times each address was stopped: an acquisition that sees the count change while it
looks the address up does not announce it."""


def begin(interface: str, address: IPAddress, mac: str, agent: str, by_start: bool) -> None:
    """Announce ``address`` from ``interface`` (MAC ``mac``) in the background, on ``agent``'s
    schedule, replacing an announcement of it still running. ``by_start``: ``start`` added
    the address, so the acquisition of its group need not announce it again."""
    cancel(address)
    if by_start:
        _announced_by_start.add(address)
    # The first frame now, from here: a task would wait behind whatever the loop runs next.
    first = first_frame_now(interface, address, mac)
    task = asyncio.get_running_loop().create_task(
        _announce(interface, address, mac, agent == IPADDR, first), name=f"announce {address}"
    )
    _running[address] = task
    task.add_done_callback(lambda done: _finished(address, done))


def stopped(address: IPAddress) -> None:
    """``stop`` is removing ``address``: cancel its announcement and forget its start."""
    cancel(address)
    _announced_by_start.discard(address)
    _stops[address] = _stops.get(address, 0) + 1


def cancel(address: IPAddress) -> None:
    """Cancel the announcement of ``address``, if one runs."""
    task = _running.pop(address, None)
    if task is not None:
        task.cancel()


async def group_acquired(tokens: Sequence[str]) -> None:
    """Announce the addresses among ``tokens`` (a group just acquired) that are up on this
    node but were not announced by their ``start``. Logs, never raises."""
    specs = []
    for token in tokens:
        spec = _spec(token)
        if spec is None:
            continue
        if spec.address in _announced_by_start:
            _announced_by_start.discard(spec.address)
        else:
            specs.append(spec)
    if not specs:
        return
    stops = {spec.address: _stops.get(spec.address, 0) for spec in specs}
    await warmup.netlink_ready()
    from hb_ra_ipaddr.announce import mac_of
    from hb_ra_ipaddr.netlink import KernelError, in_kernel, name_of

    versions = sorted({spec.address.version for spec in specs})

    async def addresses(kernel: Netlink) -> list[Address]:
        return [address for version in versions for address in await kernel.addresses(version)]

    try:
        held = await in_kernel(addresses)
    except KernelError as error:
        log.warning(f"cannot tell where {specs[0]} is up to announce it: {error}")
        return
    for spec in specs:
        if _stops.get(spec.address, 0) != stops[spec.address]:
            continue
        for address in held:
            name = name_of(address.interface)
            if address.address != spec.address or name is None:
                continue
            if spec.interface is None or name == spec.interface:
                try:
                    mac = mac_of(name)
                except OSError as error:
                    log.warning(f"cannot announce {spec.address} on {name}: {error}")
                    break
                log.info(f"{spec.agent} {spec.address} is already up on {name}: announcing it")
                begin(name, spec.address, mac, spec.agent, by_start=False)
                break


def _spec(token: str) -> AddressSpec | None:
    try:
        return parse_token(token)
    except ArgumentError:
        # Reported when the configuration was loaded; such a group never starts.
        return None


async def _announce(
    interface: str, address: IPAddress, mac: str, ipaddr: bool, first: Rounds | None
) -> None:
    await warmup.packets_ready()
    schedule = IPADDR_SCHEDULE if ipaddr else IPADDR2_SCHEDULE
    await announce(interface, address, mac, schedule, first)


def _finished(address: IPAddress, task: asyncio.Task[None]) -> None:
    if _running.get(address) is task:
        del _running[address]
    if not task.cancelled() and (error := task.exception()) is not None:
        log.error(f"announcing {address} failed: {type(error).__name__}: {error}")
