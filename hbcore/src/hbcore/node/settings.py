"""What a running node needs from the configuration, settled into one value."""

from __future__ import annotations

from dataclasses import dataclass

from hbcore.config.configuration import Configuration
from hbcore.config.core_directives import HBGENMETHOD, HOPFUDGE, MAX_REXMIT_DELAY, RESPAWN
from hbcore.config.timers import Timers
from hbcore.state.paths import NodePaths


@dataclass(frozen=True)
class NodeSettings:
    """The settings of one node, all times in milliseconds."""

    name: str
    nodes: tuple[str, ...]
    ping_nodes: tuple[str, ...]
    timers: Timers
    paths: NodePaths
    max_rexmit_delay_ms: int = MAX_REXMIT_DELAY.default
    hopfudge: int = HOPFUDGE.default
    generation_method: str = HBGENMETHOD.default
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
    return NodeSettings(
        name=configuration.node_name,
        nodes=hacf.nodes,
        ping_nodes=hacf.ping_nodes,
        timers=hacf.timers,
        paths=paths,
        max_rexmit_delay_ms=hacf.get(MAX_REXMIT_DELAY),
        hopfudge=hacf.get(HOPFUDGE),
        generation_method=hacf.get(HBGENMETHOD),
        auto_failback=hacf.auto_failback,
        ipfail=any(child.is_ipfail for child in hacf.get_all(RESPAWN)),
    )
