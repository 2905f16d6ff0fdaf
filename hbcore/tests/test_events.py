"""Event hooks: sync or async implementations, awaited with a timeout, failures contained."""

from __future__ import annotations

import asyncio
import time

import pluggy
from hb_hookspecs import HbHookSpecs, hookimpl
from hbcore.events import notify


def _manager(*plugins: object) -> pluggy.PluginManager:
    manager = pluggy.PluginManager("hb")
    manager.add_hookspecs(HbHookSpecs)
    for plugin in plugins:
        manager.register(plugin)
    return manager


def test_sync_and_async_implementations_all_see_the_event() -> None:
    seen: list[tuple[str, str, str]] = []

    class Sync:
        @hookimpl
        def hb_node_status_changed(self, node, status, previous):
            seen.append(("sync", node, status))

    class Async:
        @hookimpl
        async def hb_node_status_changed(self, node, status):
            await asyncio.sleep(0)
            seen.append(("async", node, status))

    manager = _manager(Sync(), Async())
    asyncio.run(notify(manager, "hb_node_status_changed", node="n2", status="dead", previous="up"))
    assert sorted(seen) == [("async", "n2", "dead"), ("sync", "n2", "dead")]


def test_slow_plugin_is_abandoned_after_the_timeout() -> None:
    finished: list[str] = []

    class Slow:
        @hookimpl
        async def hb_link_status_changed(self, node, link, status):
            await asyncio.sleep(30)
            finished.append("slow")

    class Quick:
        @hookimpl
        async def hb_link_status_changed(self, node, link, status):
            finished.append("quick")

    manager = _manager(Slow(), Quick())
    started = time.monotonic()
    asyncio.run(
        notify(manager, "hb_link_status_changed", 0.05, node="n2", link="eth1", status="dead")
    )
    assert time.monotonic() - started < 5
    assert finished == ["quick"]


def test_failing_plugins_do_not_stop_the_others() -> None:
    calls: list[str] = []

    class RaisesNow:
        @hookimpl
        def hb_resources_acquired(self, group, resources):
            raise RuntimeError("boom")

    class RaisesLater:
        @hookimpl
        async def hb_resources_acquired(self, group, resources):
            raise RuntimeError("later boom")

    class Fine:
        @hookimpl
        def hb_resources_acquired(self, group, resources):
            calls.append(group)

    manager = _manager(RaisesNow(), RaisesLater(), Fine())
    asyncio.run(notify(manager, "hb_resources_acquired", group="g", resources=["g", "httpd"]))
    assert calls == ["g"]
