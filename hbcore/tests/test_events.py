"""Event hooks through the relay: called as pluggy calls them, delivered in the background,
awaitables bounded by the timeout, failures logged with the plugin's name."""

from __future__ import annotations

import asyncio
from typing import Any

import pluggy
from hb_hookspecs import hookimpl
from hbcore.hooks import Hooks, new_plugin_manager
from structlog.testing import capture_logs


def _hooks(*plugins: tuple[str, object], timeout_s: float = 5.0) -> Hooks:
    manager = new_plugin_manager()
    for name, plugin in plugins:
        manager.register(plugin, name=name)
    return Hooks(manager, timeout_s)


def _deliver(hooks: Hooks, fire: Any) -> list[dict[str, Any]]:
    """Fire an event on a loop, wait until it is delivered, return what was logged."""

    async def scenario() -> None:
        fire()
        await hooks.delivered()

    with capture_logs() as logs:
        asyncio.run(scenario())
    return logs


def test_sync_and_async_implementations_all_see_the_event() -> None:
    seen: list[tuple[str, str, str, str]] = []

    class Sync:
        @hookimpl
        def hb_node_status_changed(self, node, status, previous):
            seen.append(("sync", node, status, previous))

    class Async:
        @hookimpl
        async def hb_node_status_changed(self, node, status, previous):
            await asyncio.sleep(0)
            seen.append(("async", node, status, previous))

    hooks = _hooks(("sync", Sync()), ("async", Async()))
    _deliver(hooks, lambda: hooks.node_status_changed("n2", "dead", "active"))
    assert sorted(seen) == [("async", "n2", "dead", "active"), ("sync", "n2", "dead", "active")]


def test_the_event_method_returns_before_any_plugin_runs() -> None:
    """The caller (the node's heartbeat path) never runs plugin code: delivery is a task."""
    seen: list[str] = []

    class Sync:
        @hookimpl
        def hb_link_status_changed(self, node, link, status):
            seen.append(link)

    hooks = _hooks(("sync", Sync()))

    async def scenario() -> list[str]:
        hooks.link_status_changed("n2", "eth1", "dead")
        before = list(seen)
        await hooks.delivered()
        return before

    assert asyncio.run(scenario()) == []
    assert seen == ["eth1"]


def test_implementations_run_in_pluggys_order() -> None:
    """The last registered first, ``tryfirst`` before and ``trylast`` after the rest."""
    order: list[str] = []

    def plugin(name: str, **options: bool) -> object:
        class Plugin:
            @hookimpl(**options)
            def hb_resources_acquired(self, group):
                order.append(name)

        return Plugin()

    hooks = _hooks(
        ("last", plugin("last", trylast=True)),
        ("first-registered", plugin("first-registered")),
        ("second-registered", plugin("second-registered")),
        ("first", plugin("first", tryfirst=True)),
    )
    _deliver(hooks, lambda: hooks.resources_acquired("g", ["g"]))
    assert order == ["first", "second-registered", "first-registered", "last"]


def test_a_wrapper_sees_the_call_and_its_results() -> None:
    seen: list[object] = []

    class Wrapper:
        @hookimpl(wrapper=True)
        def hb_resources_released(self, group, resources):
            seen.append(("before", group, tuple(resources)))
            results = yield
            seen.append(("after", len(results)))
            return results

    class Plain:
        @hookimpl
        async def hb_resources_released(self, group):
            seen.append(("plain", group))

    hooks = _hooks(("plain", Plain()), ("wrapper", Wrapper()))
    _deliver(hooks, lambda: hooks.resources_released("g", ["httpd", "g"]))
    assert seen == [("before", "g", ("httpd", "g")), ("after", 1), ("plain", "g")]


def test_slow_plugin_is_abandoned_after_the_timeout_and_named() -> None:
    finished: list[str] = []

    class Slow:
        @hookimpl
        async def hb_link_status_changed(self, node, link, status):
            await asyncio.Event().wait()  # never set: overruns any timeout
            finished.append("slow")

    class Quick:
        @hookimpl
        async def hb_link_status_changed(self, node, link, status):
            finished.append("quick")

    hooks = _hooks(("slow", Slow()), ("quick", Quick()), timeout_s=0.05)
    logs = _deliver(hooks, lambda: hooks.link_status_changed("n2", "eth1", "dead"))
    assert finished == ["quick"]
    abandoned = [entry for entry in logs if "abandoned" in entry["event"]]
    assert [entry["event"] for entry in abandoned] == [
        "event hook hb_link_status_changed of plugin slow abandoned after 0.05 s"
    ]
    assert abandoned[0]["log_level"] == "warning"


def test_an_async_plugin_that_raises_is_logged_and_the_others_still_run() -> None:
    calls: list[str] = []

    class RaisesLater:
        @hookimpl
        async def hb_resources_acquired(self, group, resources):
            raise RuntimeError("later boom")

    class Fine:
        @hookimpl
        async def hb_resources_acquired(self, group, resources):
            calls.append(group)

    hooks = _hooks(("fine", Fine()), ("raises-later", RaisesLater()))
    logs = _deliver(hooks, lambda: hooks.resources_acquired("g", ["g", "httpd"]))
    assert calls == ["g"]
    failed = [entry for entry in logs if entry["log_level"] == "error"]
    assert [entry["event"] for entry in failed] == [
        "event hook hb_resources_acquired of plugin raises-later failed: RuntimeError: later boom"
    ]
    assert failed[0]["plugin"] == "raises-later"


def test_a_plugin_that_raises_at_once_ends_the_call_as_pluggy_documents() -> None:
    """A synchronous implementation that raises stops the call: the implementations pluggy
    would call after it are not called. The relay logs it with the plugin's name."""
    calls: list[str] = []

    class Fine:
        @hookimpl
        def hb_resources_acquired(self, group):
            calls.append(group)

    class RaisesNow:
        @hookimpl
        def hb_resources_acquired(self, group, resources):
            raise RuntimeError("boom")

    hooks = _hooks(("fine", Fine()), ("raises-now", RaisesNow()))
    logs = _deliver(hooks, lambda: hooks.resources_acquired("g", ["g"]))
    assert calls == []
    assert [entry["event"] for entry in logs if entry["log_level"] == "error"] == [
        "event hook hb_resources_acquired of plugin raises-now failed: RuntimeError: boom"
    ]


def test_call_monitoring_sees_event_calls() -> None:
    """pluggy's ``add_hookcall_monitoring`` (pytest's and ``HB_TRACE_PLUGINS``'s tracing)."""
    traced: list[tuple[str, list[str]]] = []

    class Plugin:
        @hookimpl
        def hb_node_status_changed(self, node):
            pass

    hooks = _hooks(("plugin", Plugin()))

    def before(name: str, impls: list[pluggy.HookImpl], kwargs: dict[str, object]) -> None:
        traced.append((name, [impl.plugin_name for impl in impls]))

    hooks.manager.add_hookcall_monitoring(before, lambda *_: None)
    _deliver(hooks, lambda: hooks.node_status_changed("n2", "up", "init"))
    assert traced == [("hb_node_status_changed", ["plugin"])]
