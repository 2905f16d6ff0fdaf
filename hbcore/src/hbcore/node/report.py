"""What ``hb status`` shows: a JSON-ready picture of a running node."""

from __future__ import annotations

from typing import Any

from hbcore.node.daemon import Node


def snapshot(node: Node, plugins: list[str]) -> dict[str, Any]:
    """The node's own status, generation and plugin set, every node with its links, and the
    packets dropped (``dropped``: ``total``, ``media`` and ``nodes``, each by reason; see
    :meth:`hbcore.node.drops.DropCounter.snapshot`)."""
    table = node.membership
    return {
        "node": node.settings.name,
        "status": node.local_status,
        "generation": node.generation,
        "comm_up": table.comm_up,
        "plugins": plugins,
        "nodes": [
            {
                "name": state.name,
                "type": state.kind,
                "status": state.status,
                "links": {name: link.status for name, link in state.links.items()},
            }
            for state in table.nodes.values()
        ],
        "resources": "none" if node.resources is None else node.resources.holding,
        "dropped": node.drops.snapshot(),
    }
