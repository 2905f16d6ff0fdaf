"""A nice-mode pair (``auto_failback on|off``) in one process for the resource tests.

linuxha1 prefers the group ``10.0.0.1 httpd``, linuxha2 the group ``10.0.0.2``. Every agent is
a :class:`FakeAgent` of one shared :class:`World` unless a test hands in its own groups, so a
moment with two owners is recorded.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path

from hb_hookspecs import AuthMethod, KeyRule
from hbcore.config.timers import Timers
from hbcore.decisions.binding import ResourceBinding
from hbcore.decisions.nice_failback import NiceFailback as ResourceManager
from hbcore.decisions.nice_failback import Standby, State
from hbcore.node.daemon import Node
from hbcore.node.settings import NodeSettings
from hbcore.pluginkit.hmac_auth import HmacAuthenticator
from hbcore.resources.groups import Group, GroupTable
from hbcore.resources.holdings import Hold
from hbcore.state.paths import NodePaths
from hbcore.testing.cluster import FakeAgent, RunningNode, World
from hbcore.testing.memory_bus import MemoryBus
from hbcore.wire import Keyring

TIMERS = Timers(keepalive=50, deadtime=300, warntime=200, initdead=600, deadping=300)
SHA1 = AuthMethod("sha1", KeyRule.REQUIRED, partial(HmacAuthenticator, digest="sha1"), "test")
NAMES = ("linuxha1", "linuxha2")
HOME = {"10.0.0.1": "linuxha1", "httpd": "linuxha1", "10.0.0.2": "linuxha2"}
"""Each resource on its preferred node."""

GroupMaker = Callable[[World, str], Sequence[Group]]
"""The groups of one node (``World``, node name)."""


def fake_groups(world: World, node: str) -> list[Group]:
    """The two groups, every resource a :class:`FakeAgent` of ``node``."""
    return [
        Group(
            "10.0.0.1",
            "linuxha1",
            ("10.0.0.1", "httpd"),
            (FakeAgent(world, "10.0.0.1", node), FakeAgent(world, "httpd", node)),
        ),
        Group("10.0.0.2", "linuxha2", ("10.0.0.2",), (FakeAgent(world, "10.0.0.2", node),)),
    ]


class Pair:
    """The two nodes of one cluster on one :class:`MemoryBus`; none runs until started."""

    def __init__(
        self,
        tmp: Path,
        world: World,
        auto_failback: bool,
        make_groups: GroupMaker = fake_groups,
    ) -> None:
        self.tmp = tmp
        self.world = world
        self.auto_failback = auto_failback
        self.make_groups = make_groups
        self.bus = MemoryBus()
        self.nodes: dict[str, RunningNode] = {}

    def start(self, name: str) -> RunningNode:
        """Start ``name`` (again: its state directory keeps its generation, which goes up)."""
        paths = NodePaths(self.tmp / name, self.tmp / name, self.tmp / name)
        word = "on" if self.auto_failback else "off"
        settings = NodeSettings(name, NAMES, (), TIMERS, paths, auto_failback=word)
        groups = GroupTable(self.make_groups(self.world, name), name)
        binding = ResourceBinding(groups, self.auto_failback, local_takeover_delay_s=0.3)
        keyring = Keyring(1, {1: (SHA1, b"secret")})
        node = Node(settings, keyring, [self.bus.medium(name)], resources=binding)
        self.nodes[name] = RunningNode(node)
        return self.nodes[name]

    def manager(self, name: str) -> ResourceManager:
        """The nice-mode resource manager of ``name``."""
        manager = self.nodes[name].node.resources
        assert isinstance(manager, ResourceManager)
        return manager

    def stable(self) -> bool:
        """Both nodes stable, each knowing the other stable, no standby or action running."""
        return len(self.nodes) == 2 and all(
            manager.state is State.STABLE
            and manager.other_stable
            and manager.peer is not None
            and manager.standby is Standby.NOT
            and not manager.executor.busy
            for manager in (self.manager(name) for name in self.nodes)
        )

    def holdings(self) -> dict[str, str]:
        """What each node says it holds (``cl_status rscstatus``)."""
        return {name: self.manager(name).holding for name in self.nodes}

    async def finish(self) -> None:
        """Kill whatever still runs and wait for it."""
        for running in self.nodes.values():
            running.kill()
        await asyncio.gather(*(r.task for r in self.nodes.values()), return_exceptions=True)


@asynccontextmanager
async def nice_pair(
    tmp: Path, world: World, auto_failback: bool, make_groups: GroupMaker = fake_groups
) -> AsyncIterator[Pair]:
    """A :class:`Pair` whose nodes are killed at the end, whatever happened."""
    pair = Pair(tmp, world, auto_failback, make_groups)
    try:
        yield pair
    finally:
        await pair.finish()


def holding_words(owners: dict[str, str]) -> dict[str, str]:
    """What each node should say it holds when each resource runs where ``owners`` says."""
    holds = dict.fromkeys(NAMES, Hold.NONE)
    for resource, node in owners.items():
        holds[node] |= Hold.LOCAL if HOME[resource] == node else Hold.FOREIGN
    return {name: hold.word for name, hold in holds.items()}


def events(logs: Iterable[dict[str, object]]) -> list[str]:
    """The messages of captured log entries."""
    return [str(entry["event"]) for entry in logs]
