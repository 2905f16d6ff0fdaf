"""A two-node cluster in one process for plugin tests: real membership, real resource
negotiation (nice failback), the plugins' own agents, a :class:`MemoryBus` as the only path.

``linuxha1`` and ``linuxha2`` share the haresources lines given; each node resolves every
token through the plugin set (``hb_resolve_resource``), as a started node does, and tells the
plugins what happens through the event hooks. Timers are short (keepalive 50 ms, deadtime
300 ms), so a failover takes well under a second. Run it inside the test's own loop::

    async with TwoNodeCluster(tmp_path, ["linuxha1 touchfile::/tmp/x"], plugins) as cluster:
        await cluster.start()
        await cluster.wait_for(lambda: cluster.holdings() == {"linuxha1": "local", ...})
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from types import TracebackType

from hb_hookspecs import AuthMethod, KeyRule, ResourceAgent, ResourceContext, Settings

from hbcore.config.timers import Timers
from hbcore.decisions.binding import ResourceBinding
from hbcore.decisions.nice_failback import NiceFailback, State
from hbcore.node.daemon import Node
from hbcore.node.settings import NodeSettings
from hbcore.pluginkit.hmac_auth import HmacAuthenticator
from hbcore.plugins import PluginSet
from hbcore.resources.groups import Group, GroupTable
from hbcore.state.paths import NodePaths
from hbcore.testing.cluster import RunningNode, wait_for
from hbcore.testing.memory_bus import MemoryBus
from hbcore.wire import Keyring

NAMES = ("linuxha1", "linuxha2")
TIMERS = Timers(keepalive=50, deadtime=300, warntime=200, initdead=600, deadping=300)
_SHA1 = AuthMethod("sha1", KeyRule.REQUIRED, partial(HmacAuthenticator, digest="sha1"), "test")


class UnresolvedToken(LookupError):
    """A haresources token no plugin of the set handles."""


class TwoNodeCluster:
    """``linuxha1`` and ``linuxha2`` on one :class:`MemoryBus`; no node runs until started.

    :param haresources: heartbeat's lines, ``"linuxha1 10.0.0.1 touchfile::/tmp/x"``.
    :param plugins: the plugin set that resolves the tokens and hears the events.
    :param auto_failback: ``auto_failback on`` (True) or ``off``.
    """

    def __init__(
        self,
        tmp: Path,
        haresources: Sequence[str],
        plugins: PluginSet,
        auto_failback: bool = True,
    ) -> None:
        self.tmp = tmp
        self.lines = [line.split() for line in haresources]
        self.plugins = plugins
        self.auto_failback = auto_failback
        self.bus = MemoryBus()
        self.nodes: dict[str, RunningNode] = {}

    async def __aenter__(self) -> TwoNodeCluster:
        return self

    async def __aexit__(
        self,
        _type: type[BaseException] | None,
        _error: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        await self.close()

    def groups(self, node: str) -> GroupTable:
        """The groups as ``node`` sees them, each token resolved by the plugins.

        :raises UnresolvedToken: for a token no plugin handles.
        """
        settings = Settings(node, self.tmp / node, {})
        context = ResourceContext(settings, {"HA_CURHOST": node})
        groups = []
        for preferred, *tokens in self.lines:
            agents: list[ResourceAgent] = []
            for token in tokens:
                agent = self.plugins.resolve_resource(token, context)
                if agent is None:
                    raise UnresolvedToken(f"no plugin under test handles the token {token!r}")
                agents.append(agent)
            groups.append(Group(tokens[0], preferred, tuple(tokens), tuple(agents)))
        return GroupTable(groups, node)

    async def start(self, *names: str) -> None:
        """Start the nodes named (both when none is), each with its state directory."""
        for name in names or NAMES:
            home = self.tmp / name
            home.mkdir(parents=True, exist_ok=True)
            word = "on" if self.auto_failback else "off"
            settings = NodeSettings(
                name, NAMES, (), TIMERS, NodePaths(home, home, home), auto_failback=word
            )
            binding = ResourceBinding(
                self.groups(name), self.auto_failback, self.plugins.hooks, 0.3
            )
            keyring = Keyring(1, {1: (_SHA1, b"secret")})
            node = Node(settings, keyring, [self.bus.medium(name)], self.plugins.hooks, binding)
            self.nodes[name] = RunningNode(node)

    async def stop(self, name: str) -> None:
        """Stop ``name`` cleanly: it releases its resources and tells its peer."""
        await self.nodes.pop(name).stop()

    def kill(self, name: str) -> None:
        """Stop ``name`` at once, as SIGKILL would: its peer sees it die after deadtime."""
        self.nodes.pop(name).kill()

    def manager(self, name: str) -> NiceFailback:
        """The resource manager of ``name``."""
        manager = self.nodes[name].node.resources
        assert isinstance(manager, NiceFailback)
        return manager

    def holdings(self) -> dict[str, str]:
        """What each running node says it holds, as ``cl_status rscstatus`` prints it
        (``local``, ``foreign``, ``all``, ``none``, ``transition``)."""
        return {name: self.manager(name).holding for name in self.nodes}

    def stable(self) -> bool:
        """Every running node stable, with no action running."""
        return all(
            self.manager(name).state is State.STABLE and not self.manager(name).executor.busy
            for name in self.nodes
        )

    async def wait_for(self, condition: Callable[[], bool], timeout: float = 8.0) -> None:
        """Wait until ``condition()`` holds; AssertionError after ``timeout`` seconds."""
        await wait_for(condition, timeout)

    async def close(self) -> None:
        """Kill whatever still runs, wait for it, and let the plugins' events end."""
        running = list(self.nodes.values())
        self.nodes.clear()
        for node in running:
            node.kill()
        await asyncio.gather(*(node.task for node in running), return_exceptions=True)
        await self.plugins.hooks.delivered()
