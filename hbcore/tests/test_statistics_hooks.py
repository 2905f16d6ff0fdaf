"""The statistics hooks seen from a running node: a plugin is handed the node's read-only view
once per start (and at once when it registers late), and every cluster event as ``hb events
--json`` prints it, in order, without the history read back from disk."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from functools import partial
from pathlib import Path
from typing import Any

from hb_hookspecs import AuthMethod, KeyRule, StatisticsView, hookimpl
from hbcore.config.timers import Timers
from hbcore.hooks import Hooks, new_plugin_manager
from hbcore.node.daemon import Node
from hbcore.node.settings import NodeSettings
from hbcore.pluginkit.hmac_auth import HmacAuthenticator
from hbcore.state.paths import NodePaths
from hbcore.testing.cluster import RunningNode, wait_for
from hbcore.testing.memory_bus import MemoryBus
from hbcore.wire import Keyring
from structlog.testing import capture_logs

TIMERS = Timers(keepalive=50, deadtime=300, warntime=200, initdead=600, deadping=300)
SHA1 = AuthMethod("sha1", KeyRule.REQUIRED, partial(HmacAuthenticator, digest="sha1"), "test")
NAMES = ("linuxha1", "linuxha2")


class Reader:
    """A plugin that keeps the views it is handed and the events it is told."""

    def __init__(self) -> None:
        self.views: list[StatisticsView] = []
        self.events: list[Mapping[str, Any]] = []

    @hookimpl
    def hb_statistics_ready(self, view: StatisticsView) -> None:
        self.views.append(view)

    @hookimpl
    async def hb_cluster_event(self, event: Mapping[str, Any]) -> None:
        self.events.append(event)

    def kinds(self) -> list[str]:
        return [str(event["kind"]) for event in self.events]


class Broken:
    @hookimpl
    def hb_statistics_ready(self, view: StatisticsView) -> None:
        raise RuntimeError("cannot read")


def _hooks(*plugins: tuple[str, object]) -> Hooks:
    manager = new_plugin_manager()
    for name, plugin in plugins:
        manager.register(plugin, name=name)
    manager.check_pending()
    return Hooks(manager)


def _node(tmp: Path, name: str, bus: MemoryBus, hooks: Hooks | None = None) -> Node:
    paths = NodePaths(tmp / name, tmp / name, tmp / name)
    (tmp / name).mkdir(parents=True, exist_ok=True)
    settings = NodeSettings(name, NAMES, (), TIMERS, paths, auto_failback="on")
    return Node(settings, Keyring(1, {1: (SHA1, b"secret")}), [bus.medium(name)], hooks)


def _active(node: RunningNode, peer: str) -> bool:
    return node.node.membership.nodes[peer].status == "active"


def test_a_node_hands_its_view_once_and_tells_every_event_in_order(tmp_path: Path) -> None:
    reader = Reader()
    # pluggy calls the last registered first: the reader, then the one that raises.
    hooks = _hooks(("broken", Broken()), ("reader", reader))

    async def scenario() -> None:
        bus = MemoryBus()
        one = RunningNode(_node(tmp_path, "linuxha1", bus, hooks))
        two = RunningNode(_node(tmp_path, "linuxha2", bus))
        await wait_for(lambda: _active(one, "linuxha2"))
        assert len(reader.views) == 1
        view = reader.views[0]
        assert isinstance(view, StatisticsView)
        snapshot = view.snapshot()
        assert snapshot["node"] == "linuxha1"
        assert snapshot["nodes"]["linuxha2"]["links"]["eth1"]["heartbeats"] > 0

        late = Reader()  # registered after the start: handed the view at once (historic)
        hooks.manager.register(late, name="late")
        assert late.views == [view]

        two.kill()
        await wait_for(lambda: "node_dead" in reader.kinds())
        await hooks.delivered()
        numbered = view.events(after=0)
        assert [{k: v for k, v in e.items() if k != "n"} for e in numbered] == reader.events
        assert view.last_number == numbered[-1]["n"] == len(reader.events)
        await one.stop()
        await hooks.delivered()

    with capture_logs() as logs:
        asyncio.run(scenario())
    assert reader.kinds()[0] == "start"
    assert reader.kinds()[-1] == "stop"
    dead = next(event for event in reader.events if event["kind"] == "node_dead")
    assert dead["node"] == "linuxha2"
    assert dead["durations_ms"]["silence_ms"] > 0
    assert [log["event"] for log in logs if log.get("plugin") == "broken"] == [
        "event hook hb_statistics_ready of plugin broken failed: RuntimeError: cannot read"
    ]


def test_events_read_back_at_start_are_history_not_news(tmp_path: Path) -> None:
    async def run_once(reader: Reader) -> None:
        hooks = _hooks(("reader", reader))
        node = RunningNode(_node(tmp_path, "linuxha1", MemoryBus(), hooks))
        await wait_for(lambda: "node_up" in reader.kinds())
        await node.stop()
        await hooks.delivered()

    first, second = Reader(), Reader()
    asyncio.run(run_once(first))
    asyncio.run(run_once(second))
    assert second.events[0]["kind"] == "start"
    assert second.events[0]["epoch"] > first.events[-1]["epoch"]
    kept = second.views[0].events()
    assert len(kept) == len(first.events) + len(second.events)
