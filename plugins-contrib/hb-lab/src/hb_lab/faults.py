"""Link faults on demand: a pulled cable (switch port down, or an nftables drop) and random loss.

The kernel here has no netem: loss is nftables ``numgen random``. Each fault is its own nftables
table in the node's namespace, named after its kind and interface, so applying one is
idempotent, clearing one leaves the others alone, and any process can do either.
"""

from __future__ import annotations

from typing import Literal

from hb_lab.netns import LabCommandError, ip_batch, netns_exec_argv, run_checked

Direction = Literal["in", "out", "both"]


def switch_port(switch_netns: str, port: str, up: bool) -> None:
    """Set a switch port (the far end of a member's veth) up or down.

    Down is what a pulled cable looks like to the member: its interface shows NO-CARRIER, its
    route stays, and sends succeed while the frames vanish.
    """
    ip_batch([f"link set {port} {'up' if up else 'down'}"], switch_netns)


def drop(netns: str, interface: str, percent: float, direction: Direction = "both") -> None:
    """Drop ``percent`` (0-100, to 0.01) of the IP packets crossing ``interface`` of ``netns``
    in ``direction``; 100 is a cut that keeps the carrier up. Replaces an earlier drop rule for
    the same interface."""
    if not 0 < percent <= 100:
        raise ValueError(f"loss percent must be in (0, 100], not {percent}")
    basis_points = round(percent * 100)
    verdict = "drop" if basis_points >= 10000 else f"numgen random mod 10000 < {basis_points} drop"
    chains = []
    if direction in ("in", "both"):
        chains.append(_chain("input", f'iifname "{interface}" {verdict}'))
    if direction in ("out", "both"):
        chains.append(_chain("output", f'oifname "{interface}" {verdict}'))
    table = _table(interface)
    _nft(netns, f"table {table}\ndelete table {table}\ntable {table} {{\n{''.join(chains)}}}\n")


def undrop(netns: str, interface: str) -> None:
    """Remove the drop rule of ``interface`` in ``netns``, if any."""
    table = _table(interface)
    _nft(netns, f"table {table}\ndelete table {table}\n")


def _table(interface: str) -> str:
    return f"inet hblab_drop_{interface}"


def _chain(hook: str, rule: str) -> str:
    return f"  chain {hook} {{ type filter hook {hook} priority 0; policy accept; {rule}; }}\n"


def _nft(netns: str, script: str) -> None:
    try:
        run_checked(netns_exec_argv(netns, ["nft", "-f", "-"]), stdin=script)
    except FileNotFoundError as missing:
        raise LabCommandError("nft not found: apt-get install nftables") from missing
