"""Two in-memory nodes, linuxha1 serving its figures through the exporter as a started node
does: the plugin loaded as hb loads it, its exporter built from ha.cf's settings by its own
monitor registration, and the node's view handed over by ``hb_statistics_ready``."""

from __future__ import annotations

import asyncio
import urllib.request
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import hb_exporter_prometheus
from hb_exporter_prometheus.exporter import Exporter
from hb_exporter_prometheus.listen import Listen
from hb_hookspecs import AuthMethod, KeyRule, Settings
from hbcore.config.timers import Timers
from hbcore.decisions.binding import ResourceBinding
from hbcore.hooks import Hooks
from hbcore.node.daemon import Node
from hbcore.node.settings import NodeSettings
from hbcore.pluginkit.hmac_auth import HmacAuthenticator
from hbcore.resources.groups import Group, GroupTable
from hbcore.state.paths import NodePaths
from hbcore.testing.cluster import FakeAgent, RunningNode, World, wait_for
from hbcore.testing.memory_bus import MemoryBus
from hbcore.testing.plugins import load_for_test
from hbcore.wire import Keyring

TIMERS = Timers(keepalive=50, deadtime=300, warntime=200, initdead=600, deadping=300)
SHA1 = AuthMethod("sha1", KeyRule.REQUIRED, partial(HmacAuthenticator, digest="sha1"), "test")
NAMES = ("linuxha1", "linuxha2")
HOME = {"10.0.0.1": "linuxha1", "10.0.0.2": "linuxha2"}
"""Each group's preferred node (auto_failback on)."""


@dataclass
class Served:
    """The running pair and where linuxha1's exporter listens."""

    nodes: dict[str, RunningNode]
    bus: MemoryBus
    exporter: Exporter
    hooks: Hooks

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.exporter.port}"

    async def get(self, path: str, accept: str | None = None) -> tuple[int, str, str]:
        """``GET path`` from a thread, as a scraper would (the node's loop goes on meanwhile):
        the status, content type and body."""

        def fetch() -> tuple[int, str, str]:
            request = urllib.request.Request(self.url + path)
            if accept is not None:
                request.add_header("Accept", accept)
            with urllib.request.urlopen(request, timeout=30) as answer:
                body = answer.read().decode()
                return answer.status, answer.headers.get("Content-Type", ""), body

        return await asyncio.to_thread(fetch)


def _node(
    tmp: Path, name: str, bus: MemoryBus, world: World, hooks: Hooks, exporter: Exporter | None
) -> Node:
    home = tmp / name
    home.mkdir(parents=True, exist_ok=True)
    settings = NodeSettings(
        name, NAMES, (), TIMERS, NodePaths(home, home, home), auto_failback="on"
    )
    groups = [
        Group(key, preferred, (key,), (FakeAgent(world, key, name),))
        for key, preferred in HOME.items()
    ]
    binding = ResourceBinding(GroupTable(groups, name), True, hooks, 0.3)
    keyring = Keyring(1, {1: (SHA1, b"secret")})
    monitors = [] if exporter is None else [exporter]
    return Node(settings, keyring, [bus.medium(name)], hooks, binding, monitors=monitors)


@asynccontextmanager
async def served_pair(tmp: Path) -> AsyncIterator[Served]:
    """linuxha1 (with the exporter on a free loopback port) and linuxha2, both active and
    each holding its own group."""
    plugins = load_for_test([hb_exporter_prometheus])
    kind = plugins.registry.health_monitors["prometheus"].item
    given = {"metrics_listen": (Listen("127.0.0.1", 0),)}
    exporter = kind.create(Settings("linuxha1", tmp, given))
    assert isinstance(exporter, Exporter)
    world, bus = World(), MemoryBus()
    nodes = {
        "linuxha1": RunningNode(_node(tmp, "linuxha1", bus, world, plugins.hooks, exporter)),
        "linuxha2": RunningNode(_node(tmp, "linuxha2", bus, world, plugins.hooks, None)),
    }
    served = Served(nodes, bus, exporter, plugins.hooks)
    try:
        await wait_for(world.settled(HOME))
        assert exporter.port is not None
        yield served
    finally:
        for node in list(nodes.values()):
            if not node.task.done():
                await node.stop()
        await plugins.hooks.delivered()
