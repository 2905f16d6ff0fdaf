"""Rendering a node's ``/etc/ha.d`` (ha.cf, haresources, authkeys) from typed parameters."""

from hbcore.lab.haconf.model import (
    Auth,
    Bcast,
    ClusterConfig,
    Mcast,
    Medium,
    NodeFacts,
    Serial,
    Timers,
    Ucast,
)
from hbcore.lab.haconf.render import render_authkeys, render_ha_cf, render_haresources
from hbcore.lab.haconf.write import write_ha_d

__all__ = [
    "Auth",
    "Bcast",
    "ClusterConfig",
    "Mcast",
    "Medium",
    "NodeFacts",
    "Serial",
    "Timers",
    "Ucast",
    "render_authkeys",
    "render_ha_cf",
    "render_haresources",
    "write_ha_d",
]
