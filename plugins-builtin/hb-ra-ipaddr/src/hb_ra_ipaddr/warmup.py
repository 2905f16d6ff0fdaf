"""Importing pyroute2 and scapy ahead of the first takeover, in a background thread, and getting
the gratuitous ARP ready: scapy's frame building warmed, the sending socket of each interface a
token names opened.

Together the imports take about a third of a second. Done on the event loop that would stall
heartbeats; done at the first ``start`` it would delay the address and its gratuitous ARPs. So
the first agent created while the node's loop runs (or the first agent asked to do anything)
starts one thread that imports pyroute2 and then scapy's layer-2 and IPv6 modules; coroutines
wait, off the loop, only for the part they need. Not when ``hb check`` builds agents: that runs
without a loop and has no use for either. The node waits for threads its start-up began before
its first heartbeat (see ``hbcore.node.warm_start``), so this import holds no heartbeat back.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import threading

NETLINK_MODULES = ("hb_ra_ipaddr.netlink",)
"""Imports pyroute2."""
PACKET_MODULES = ("hb_ra_ipaddr.announce",)
"""Imports scapy's layer-2, IPv6 and Linux socket modules (never ``scapy.all``)."""

log = logging.getLogger("hb.ra.ipaddr")

_lock = threading.Lock()
_thread: threading.Thread | None = None
_netlink_ready = threading.Event()
_packets_ready = threading.Event()
_interfaces: set[str] = set()
"""Interfaces named by tokens: their sending sockets are opened by the thread."""


def begin(interface: str | None = None) -> None:
    """Start the import thread, once per process, and have it open the sending socket of
    ``interface`` (a later one is opened by a short thread of its own). Cheap to call again."""
    global _thread
    with _lock:
        if interface is not None and interface not in _interfaces:
            _interfaces.add(interface)
            if _packets_ready.is_set():
                threading.Thread(
                    target=_open_senders, args=([interface],), name="hb-ra-ipaddr-socket"
                ).start()
        if _thread is not None:
            return
        # Not a daemon: a process that exits meanwhile waits for the imports rather than
        # tearing the interpreter down under them.
        _thread = threading.Thread(target=_import_all, name="hb-ra-ipaddr-warmup")
        _thread.start()


def begin_if_running(interface: str | None = None) -> None:
    """:func:`begin` when called from a running event loop (the node daemon)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return
    begin(interface)


async def netlink_ready() -> None:
    """Return once pyroute2 is imported (or failed to import), waiting off the loop."""
    await _wait(_netlink_ready)


async def packets_ready() -> None:
    """Return once scapy's modules are imported (or failed to import), waiting off the loop."""
    await _wait(_packets_ready)


def packets_are_ready() -> bool:
    """Whether scapy's modules are imported (or failed to import) and its frames warmed."""
    return _packets_ready.is_set()


async def _wait(event: threading.Event) -> None:
    begin()
    if not event.is_set():
        await asyncio.to_thread(event.wait)


def _import_all() -> None:
    for modules, ready in ((NETLINK_MODULES, _netlink_ready), (PACKET_MODULES, _packets_ready)):
        try:
            for module in modules:
                importlib.import_module(module)
        except ImportError:
            # The user of the module imports it again and reports the error where it matters.
            ready.set()
            continue
        try:
            _warm(ready)
        except Exception as error:  # a warm-up that fails only leaves the first takeover slower
            log.debug(f"warming up {modules[0]} failed: {type(error).__name__}: {error}")
        finally:
            ready.set()


def _warm(ready: threading.Event) -> None:
    if ready is _netlink_ready:
        from hb_ra_ipaddr.netlink import warm as warm_netlink

        warm_netlink()
    else:
        from hb_ra_ipaddr.announce import warm

        warm()
        with _lock:
            wanted = sorted(_interfaces)
        _open_senders(wanted)


def _open_senders(interfaces: list[str]) -> None:
    from hb_ra_ipaddr.announce import open_sender

    for interface in interfaces:
        try:
            open_sender(interface)
        except OSError as error:
            # Not fatal: the announcement opens it again, and says why if it still fails.
            log.debug(f"cannot open a packet socket on {interface} yet: {error}")
