"""The short description of a valid cluster that ``hb check`` prints."""

from __future__ import annotations

from hbcore.config.configuration import Configuration
from hbcore.config.problems import printable


def duration(ms: int) -> str:
    """``2 s`` for whole seconds, ``250 ms`` otherwise."""
    return f"{ms // 1000} s" if ms % 1000 == 0 else f"{ms} ms"


def summary_lines(config: Configuration) -> list[str]:
    """Nodes, media, timers, failback, resource groups and the outbound key, each one
    printable line (names are shown escaped as problems are)."""
    hacf = config.hacf
    timers = hacf.timers
    nodes = ", ".join(
        f"{node} (this node)" if node == config.node_name else node for node in hacf.nodes
    )
    lines = [
        f"nodes:    {nodes or 'none (autojoin any)'}",
        f"media:    {', '.join(str(medium) for medium in hacf.media)} "
        f"(udpport {hacf.value('udpport')})",
        f"timers:   keepalive {duration(timers.keepalive)}, warntime {duration(timers.warntime)}, "
        f"deadtime {duration(timers.deadtime)}, initdead {duration(timers.initdead)}",
        f"failback: auto_failback {hacf.auto_failback}",
    ]
    groups = config.haresources.groups if config.haresources else ()
    lines += [
        f"group:    {group.key} on {group.node}: "
        + " ".join(resource.token for resource in group.resources)
        for group in groups
    ] or ["group:    none"]
    if config.authkeys is not None:
        outbound = config.authkeys.keys[config.authkeys.outbound.value].value
        lines.append(f"authkeys: auth {outbound.index} ({outbound.method.item.name})")
    return [printable(line) for line in lines]
