"""Importing pyroute2 ahead of the first takeover, in a background thread, and getting the
announcements ready: the frames of each address a token names built (by a short-lived helper
process that imports scapy, see :mod:`hb_ra_ipaddr.announce`), the sending socket of each
interface a token names opened.

pyroute2's import and the helper take a few tenths of a second. Done on the event loop that
would stall heartbeats; done at the first ``start`` it would delay the address and its
gratuitous ARPs. So the first agent created while the node's loop runs (or the first agent
asked to do anything) starts one thread that imports pyroute2 and then prepares the frames;
coroutines wait, off the loop, only for the part they need. Not when ``hb check`` builds
agents: that runs without a loop and has no use for either. The node waits for threads its
start-up began before its first heartbeat (see ``hbcore.node.warm_start``), so this work holds
no heartbeat back. An agent created later (a reload adding an address) has its frames built by
a short thread of its own.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import socket
import threading

from hb_ra_ipaddr.argument import IPAddress

NETLINK_MODULES = ("hb_ra_ipaddr.netlink",)
"""Imports pyroute2."""

log = logging.getLogger("hb.ra.ipaddr")

_lock = threading.Lock()
_thread: threading.Thread | None = None
_netlink_ready = threading.Event()
_packets_ready = threading.Event()
_wanted: set[tuple[str | None, IPAddress]] = set()
"""(interface, address) of every token seen; None: the token names no interface, so the frames
are built for every interface's MAC, and no socket is opened ahead."""


def begin(interface: str | None = None, address: IPAddress | None = None) -> None:
    """Start the warm-up thread, once per process, and have it build the frames of
    ``address`` (on ``interface``, or on every interface when None) and open the sending
    socket of ``interface`` (later ones get a short thread of their own). Cheap to call
    again."""
    global _thread
    with _lock:
        if address is not None and (interface, address) not in _wanted:
            _wanted.add((interface, address))
            if _packets_ready.is_set():
                threading.Thread(
                    target=_get_ready,
                    args=([(interface, address)],),
                    name="hb-ra-ipaddr-frames",
                ).start()
        if _thread is not None:
            return
        # Not a daemon: a process that exits meanwhile waits for the imports rather than
        # tearing the interpreter down under them.
        _thread = threading.Thread(target=_import_all, name="hb-ra-ipaddr-warmup")
        _thread.start()


def begin_if_running(interface: str | None = None, address: IPAddress | None = None) -> None:
    """:func:`begin` when called from a running event loop (the node daemon)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return
    begin(interface, address)


async def netlink_ready() -> None:
    """Return once pyroute2 is imported (or failed to import), waiting off the loop."""
    await _wait(_netlink_ready)


async def packets_ready() -> None:
    """Return once the warm-up has built the frames it knew of (or failed to), waiting off
    the loop."""
    await _wait(_packets_ready)


async def _wait(event: threading.Event) -> None:
    begin()
    if not event.is_set():
        await asyncio.to_thread(event.wait)


def _import_all() -> None:
    # The helper that builds the frames is a process of its own: it runs while pyroute2 is
    # imported here, rather than after.
    frames = threading.Thread(target=_build_frames, name="hb-ra-ipaddr-frames")
    frames.start()
    try:
        for module in NETLINK_MODULES:
            importlib.import_module(module)
    except ImportError:
        # The user of the module imports it again and reports the error where it matters.
        pass
    else:
        try:
            from hb_ra_ipaddr.netlink import warm

            warm()
        except Exception as error:  # a warm-up that fails only leaves the first takeover slower
            log.debug(f"warming up netlink failed: {type(error).__name__}: {error}")
    finally:
        _netlink_ready.set()
        frames.join()


def _build_frames() -> None:
    """Get every token's frames ready, those of tokens seen meanwhile too; then set
    ``_packets_ready`` (under the lock: a token seen after it gets a thread of its own)."""
    done: set[tuple[str | None, IPAddress]] = set()
    try:
        while True:
            with _lock:
                todo = sorted(_wanted - done, key=str)
                if not todo:
                    _packets_ready.set()
                    return
            _get_ready(todo)
            done.update(todo)
    finally:
        _packets_ready.set()


def _get_ready(wanted: list[tuple[str | None, IPAddress]]) -> None:
    """Build the frames of ``wanted`` and open the sockets of the interfaces it names."""
    from hb_ra_ipaddr.announce import open_sender, prepare

    everywhere = _every_mac() if any(interface is None for interface, _ in wanted) else {}
    pairs = []
    for interface, address in wanted:
        if interface is None:
            pairs += [(address, mac) for mac in everywhere.values()]
        elif (mac := _mac(interface)) is not None:
            pairs.append((address, mac))
    prepare(pairs)
    for interface in sorted({interface for interface, _ in wanted if interface is not None}):
        try:
            open_sender(interface)
        except OSError as error:
            # Not fatal: the announcement opens it again, and says why if it still fails.
            log.debug(f"cannot open a packet socket on {interface} yet: {error}")


def _every_mac() -> dict[str, str]:
    macs = {}
    for _, name in socket.if_nameindex():
        if (mac := _mac(name)) is not None:
            macs[name] = mac
    return macs


def _mac(interface: str) -> str | None:
    from hb_ra_ipaddr.announce import mac_of

    try:
        return mac_of(interface)
    except OSError as error:
        # The token names an interface not there yet: its start builds the frames then.
        log.debug(f"cannot read the MAC of {interface} yet: {error}")
        return None
