"""Importing pyroute2 and scapy ahead of the first takeover, in a background thread.

Together they take about a third of a second to import. Done on the event loop that would stall
heartbeats; done at the first ``start`` it would delay the address and its gratuitous ARPs. So
the first agent created while the node's loop runs (or the first agent asked to do anything)
starts one thread that imports pyroute2 and then scapy's layer-2 and IPv6 modules; coroutines
wait, off the loop, only for the part they need. Not when ``hb check`` builds agents: that runs
without a loop and has no use for either.
"""

from __future__ import annotations

import asyncio
import importlib
import threading

NETLINK_MODULES = ("hb_ra_ipaddr.netlink",)
"""Imports pyroute2."""
PACKET_MODULES = ("hb_ra_ipaddr.announce",)
"""Imports scapy's layer-2, IPv6 and Linux socket modules (never ``scapy.all``)."""

_lock = threading.Lock()
_thread: threading.Thread | None = None
_netlink_ready = threading.Event()
_packets_ready = threading.Event()


def begin() -> None:
    """Start the import thread, once per process. Cheap to call again."""
    global _thread
    with _lock:
        if _thread is not None:
            return
        # Not a daemon: a process that exits meanwhile waits for the imports rather than
        # tearing the interpreter down under them.
        _thread = threading.Thread(target=_import_all, name="hb-ra-ipaddr-warmup")
        _thread.start()


def begin_if_running() -> None:
    """Start the import thread when called from a running event loop (the node daemon)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return
    begin()


async def netlink_ready() -> None:
    """Return once pyroute2 is imported (or failed to import), waiting off the loop."""
    await _wait(_netlink_ready)


async def packets_ready() -> None:
    """Return once scapy's modules are imported (or failed to import), waiting off the loop."""
    await _wait(_packets_ready)


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
            pass
        finally:
            ready.set()
