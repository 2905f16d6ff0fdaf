"""The resource messages the failback policies send, with heartbeat's fields in heartbeat's
order (wire-protocol.md §8): a real heartbeat peer reads them, so the order is an interface."""

from __future__ import annotations

from hbcore.resources.holdings import Hold
from hbcore.wire import Message


def starting() -> Message:
    """``starting``: comm is up here, the negotiation begins (nice failback)."""
    return Message.of(("t", "starting"))


def resource(hold: Hold, stable: bool, info: str | None = None) -> Message:
    """``resource``: everything we hold (``rtype=full``) and whether we are stable."""
    fields: list[tuple[str, str | bytes]] = [
        ("t", "resource"),
        ("rsc_hold", hold.word),
        ("rtype", "full"),
        ("isstable", "1" if stable else "0"),
    ]
    if info is not None:
        fields.append(("info", info))
    return Message.of(*fields)


def ask_resources(hold: Hold, phase: str) -> Message:
    """``ask_resources``: one phase (``me``, ``other``, ``done``) of a standby of ``hold``."""
    return Message.of(("t", "ask_resources"), ("rsc_hold", hold.word), ("info", phase))


def takeover_request(hold: str) -> Message:
    """``hb_takeover``: ask the peer to go standby so that we get ``hold``."""
    return Message.of(("t", "hb_takeover"), ("rsc_hold", hold))


def stonith(node: str, result: str) -> Message:
    """``stonith``: what fencing did about the dead ``node`` (``n_stnth``: no device;
    ``unneeded``: it had given its groups up)."""
    return Message.of(("t", "stonith"), ("node", node), ("result", result))


def ip_request(key: str) -> Message:
    """``ip-request``: legacy mode asks for the group keyed ``key``."""
    return Message.of(("t", "ip-request"), ("ipaddr", key))


def ip_request_response(dest: str, key: str, weown: bool) -> Message:
    """``ip-request-resp`` to ``dest``: the group ``key`` is free for it; ``weown`` says
    whether we ran it."""
    return Message.of(
        ("t", "ip-request-resp"),
        ("dest", dest),
        ("ipaddr", key),
        ("weown", "yes" if weown else "no"),
        ("ok", "OK"),
    )
