"""What a running node needs from the configuration, settled into one value."""

from __future__ import annotations

import os
from dataclasses import dataclass

from hbcore.config.configuration import Configuration
from hbcore.config.core_arguments import ClientChild
from hbcore.config.timers import Timers
from hbcore.state.paths import NodePaths

DEFAULT_MAX_REXMIT_DELAY_MS = 250
DEFAULT_HOPFUDGE = 1


@dataclass(frozen=True)
class NodeSettings:
    """The settings of one node, all times in milliseconds."""

    name: str
    nodes: tuple[str, ...]
    ping_nodes: tuple[str, ...]
    timers: Timers
    paths: NodePaths
    max_rexmit_delay_ms: int = DEFAULT_MAX_REXMIT_DELAY_MS
    hopfudge: int = DEFAULT_HOPFUDGE
    generation_method: str = "file"
    auto_failback: str = "legacy"
    ipfail: bool = False
    """A ``respawn ... ipfail`` line asks for ipfail, which hb runs built in."""

    @property
    def ttl(self) -> int:
        """The ``ttl`` every message carries: hopfudge plus every configured node."""
        return self.hopfudge + len(self.nodes) + len(self.ping_nodes)


def settings_from(configuration: Configuration, paths: NodePaths) -> NodeSettings:
    """Build the node's settings from a configuration that has no errors."""
    hacf = configuration.hacf
    ping_nodes = tuple(str(value) for value in hacf.values("ping"))
    ping_nodes += tuple(str(getattr(group, "name", group)) for group in hacf.values("ping_group"))
    max_rexmit = hacf.value("max_rexmit_delay")
    hopfudge = hacf.value("hopfudge")
    method = hacf.value("hbgenmethod")
    return NodeSettings(
        name=configuration.node_name,
        nodes=hacf.nodes,
        ping_nodes=ping_nodes,
        timers=hacf.timers,
        paths=paths,
        max_rexmit_delay_ms=max_rexmit if isinstance(max_rexmit, int) else 250,
        hopfudge=hopfudge if isinstance(hopfudge, int) else DEFAULT_HOPFUDGE,
        generation_method=method if isinstance(method, str) else "file",
        auto_failback=hacf.auto_failback,
        ipfail=any(
            isinstance(child, ClientChild) and os.path.basename(child.command) == "ipfail"
            for child in hacf.values("respawn")
        ),
    )
