"""The hook relay seen from a running node: a node built with a plugin manager tells its
plugins what happened, through pluggy (wrappers, order, tracing), and no plugin, failing or
slow, holds up a heartbeat. A misspelt hook fails its plugin at start-up."""

from __future__ import annotations

import asyncio
import inspect
import os
import subprocess
import sys
import types
from collections.abc import Callable, Iterator
from functools import partial
from importlib.metadata import EntryPoint
from pathlib import Path
from typing import Any

import pytest
from hb_hookspecs import AuthMethod, Directive, HbHookSpecs, KeyRule, hookimpl
from hb_hookspecs.arguments import boolean
from hbcore.config.timers import Timers
from hbcore.decisions.binding import ResourceBinding
from hbcore.hooks import TRACE_ENV, Hooks, new_plugin_manager
from hbcore.node.daemon import Node
from hbcore.node.settings import NodeSettings
from hbcore.pluginkit.hmac_auth import HmacAuthenticator
from hbcore.plugins import Selection, load_plugins
from hbcore.resources.groups import Group, GroupTable
from hbcore.state.paths import NodePaths
from hbcore.testing.cluster import FakeAgent, RunningNode, World, wait_for
from hbcore.testing.memory_bus import MemoryBus, MemoryMedium
from hbcore.wire import Keyring
from structlog.testing import capture_logs

TIMERS = Timers(keepalive=50, deadtime=300, warntime=200, initdead=600, deadping=300)
SHA1 = AuthMethod("sha1", KeyRule.REQUIRED, partial(HmacAuthenticator, digest="sha1"), "test")
NAMES = ("linuxha1", "linuxha2")
EVENT_HOOKS = (
    "hb_node_status_changed",
    "hb_link_status_changed",
    "hb_resources_acquired",
    "hb_resources_released",
)

Call = tuple[str, dict[str, Any]]


class Recorder:
    """Records every event hook call with its arguments, as a plugin sees them."""

    def __init__(self) -> None:
        self.calls: list[Call] = []

    @hookimpl
    def hb_node_status_changed(self, node: str, status: str, previous: str) -> None:
        self.calls.append(
            ("hb_node_status_changed", dict(node=node, status=status, previous=previous))
        )

    @hookimpl
    def hb_link_status_changed(self, node: str, link: str, status: str) -> None:
        self.calls.append(("hb_link_status_changed", dict(node=node, link=link, status=status)))

    @hookimpl
    async def hb_resources_acquired(self, group: str, resources: list[str]) -> None:
        self.calls.append(("hb_resources_acquired", dict(group=group, resources=list(resources))))

    @hookimpl
    async def hb_resources_released(self, group: str, resources: list[str]) -> None:
        self.calls.append(("hb_resources_released", dict(group=group, resources=list(resources))))

    def of(self, hook: str) -> list[dict[str, Any]]:
        return [arguments for name, arguments in self.calls if name == hook]


class CountingMedium(MemoryMedium):
    """A memory medium that counts what its node sends (a heartbeat every keepalive)."""

    def __init__(self, bus: MemoryBus, owner: str) -> None:
        super().__init__(bus, owner)
        bus.members.append(self)
        self.sent = 0

    async def send(self, packet: bytes) -> None:
        self.sent += 1
        await super().send(packet)


def _node(
    tmp: Path,
    name: str,
    bus: MemoryBus,
    hooks: Hooks | None = None,
    world: World | None = None,
) -> Node:
    paths = NodePaths(tmp / name, tmp / name, tmp / name)
    settings = NodeSettings(name, NAMES, (), TIMERS, paths, auto_failback="on")
    resources = None
    if world is not None:
        group = Group(
            "10.0.0.1",
            "linuxha1",
            ("10.0.0.1", "httpd"),
            (FakeAgent(world, "10.0.0.1", name), FakeAgent(world, "httpd", name)),
        )
        resources = ResourceBinding(GroupTable([group], name), True, hooks, 0.3)
    medium = CountingMedium(bus, name)
    return Node(settings, Keyring(1, {1: (SHA1, b"secret")}), [medium], hooks, resources)


def _hooks(*plugins: tuple[str, object], timeout_s: float = 5.0) -> Hooks:
    manager = new_plugin_manager()
    for name, plugin in plugins:
        manager.register(plugin, name=name)
    manager.check_pending()
    return Hooks(manager, timeout_s)


def _active(*nodes: RunningNode) -> Callable[[], bool]:
    return lambda: all(
        member.node.membership.nodes[other].status == "active"
        for member in nodes
        for other in NAMES
    )


def test_a_node_fires_every_event_hook_with_the_documented_arguments(tmp_path: Path) -> None:
    recorder = Recorder()
    hooks = _hooks(("recorder", recorder))
    world = World()

    async def scenario() -> None:
        bus = MemoryBus()
        one = RunningNode(_node(tmp_path, "linuxha1", bus, hooks, world))
        two = RunningNode(_node(tmp_path, "linuxha2", bus, world=world))
        await wait_for(_active(one, two))
        await wait_for(lambda: bool(recorder.of("hb_resources_acquired")))
        two.kill()
        await wait_for(
            lambda: (
                {"node": "linuxha2", "status": "dead", "previous": "active"}
                in recorder.of("hb_node_status_changed")
            )
        )
        # The link's own deadline is checked apart from the node's: wait for it too.
        await wait_for(
            lambda: (
                {"node": "linuxha2", "link": "eth1", "status": "dead"}
                in recorder.of("hb_link_status_changed")
            )
        )
        await one.stop()
        await hooks.delivered()

    asyncio.run(scenario())
    assert {name for name, _ in recorder.calls} == set(EVENT_HOOKS)
    for name, arguments in recorder.calls:
        documented = list(inspect.signature(getattr(HbHookSpecs, name)).parameters)[1:]
        assert list(arguments) == documented
    links = recorder.of("hb_link_status_changed")
    assert {"node": "linuxha2", "link": "eth1", "status": "up"} in links
    assert {"node": "linuxha2", "link": "eth1", "status": "dead"} in links
    statuses = recorder.of("hb_node_status_changed")
    assert {"node": "linuxha2", "status": "active", "previous": "up"} in statuses
    assert statuses[-1] == {"node": "linuxha2", "status": "dead", "previous": "active"}
    assert recorder.of("hb_resources_acquired") == [
        {"group": "10.0.0.1", "resources": ["10.0.0.1", "httpd"]}
    ]
    assert recorder.of("hb_resources_released") == [
        {"group": "10.0.0.1", "resources": ["httpd", "10.0.0.1"]}
    ]


def test_a_wrapper_sees_the_nodes_calls_and_implementations_run_in_pluggys_order(
    tmp_path: Path,
) -> None:
    order: list[str] = []

    class Wrapper:
        @hookimpl(wrapper=True)
        def hb_link_status_changed(self, node: str, status: str) -> Iterator[None]:
            order.append(f"wrapper before {node} {status}")
            yield
            order.append("wrapper after")

    class Plain:
        @hookimpl
        def hb_link_status_changed(self) -> None:
            order.append("plain")

    class Late:
        @hookimpl
        def hb_link_status_changed(self) -> None:
            order.append("registered last")

    class First:
        @hookimpl(tryfirst=True)
        def hb_link_status_changed(self) -> None:
            order.append("tryfirst")

    hooks = _hooks(("first", First()), ("plain", Plain()), ("late", Late()), ("wrap", Wrapper()))

    async def scenario() -> None:
        bus = MemoryBus()
        one = RunningNode(_node(tmp_path, "linuxha1", bus, hooks))
        two = RunningNode(_node(tmp_path, "linuxha2", bus))
        await wait_for(lambda: "wrapper before linuxha2 up" in order)
        for member in (one, two):
            member.kill()
        await hooks.delivered()

    asyncio.run(scenario())
    start = order.index("wrapper before linuxha2 up")
    assert order[start : start + 5] == [
        "wrapper before linuxha2 up",
        "tryfirst",
        "registered last",
        "plain",
        "wrapper after",
    ]


def test_a_failing_or_slow_plugin_never_holds_up_a_heartbeat(tmp_path: Path) -> None:
    """While one plugin's coroutine is still pending and two others have raised, the node goes
    on sending heartbeats: each delivery is a task of its own that the heartbeat never awaits.
    Counted in heartbeats, not measured in seconds."""
    began_at: list[int] = []
    """How many packets linuxha1 had sent when the slow plugin began waiting."""
    finished: list[str] = []

    class Slow:
        @hookimpl
        async def hb_node_status_changed(self, node: str, status: str) -> None:
            if node == "linuxha2" and status == "active":
                began_at.append(medium.sent)
                await asyncio.Event().wait()  # never set: pending until the test ends
                finished.append("slow")

    class FailsAtOnce:
        @hookimpl
        def hb_link_status_changed(self) -> None:
            raise RuntimeError("sync boom")

    class FailsLater:
        @hookimpl
        async def hb_node_status_changed(self) -> None:
            raise RuntimeError("async boom")

    hooks = _hooks(
        ("slow", Slow()),
        ("fails-at-once", FailsAtOnce()),
        ("fails-later", FailsLater()),
        timeout_s=600,  # the slow plugin stays pending for the whole test
    )
    bus = MemoryBus()
    node = _node(tmp_path, "linuxha1", bus, hooks)
    medium = node.media[0]
    assert isinstance(medium, CountingMedium)

    async def scenario() -> str:
        one = RunningNode(node)
        two = RunningNode(_node(tmp_path, "linuxha2", bus))
        await wait_for(lambda: bool(began_at))
        await wait_for(lambda: medium.sent >= began_at[0] + 5)
        heard = two.node.membership.nodes["linuxha1"].status
        for member in (one, two):
            member.kill()
        return heard

    with capture_logs() as logs:
        assert asyncio.run(scenario()) == "active"
    assert finished == []
    errors = [entry["event"] for entry in logs if entry["log_level"] == "error"]
    assert (
        "event hook hb_link_status_changed of plugin fails-at-once failed: RuntimeError: sync boom"
        in errors
    )
    assert (
        "event hook hb_node_status_changed of plugin fails-later failed: RuntimeError: async boom"
        in errors
    )
    assert [line for line in errors if not line.startswith("event hook ")] == []


def test_a_slow_plugin_is_abandoned_at_the_timeout_and_named(tmp_path: Path) -> None:
    class Slow:
        @hookimpl
        async def hb_link_status_changed(self) -> None:
            await asyncio.Event().wait()

    hooks = _hooks(("slow", Slow()), timeout_s=0.05)

    async def scenario() -> None:
        bus = MemoryBus()
        one = RunningNode(_node(tmp_path, "linuxha1", bus, hooks))
        await wait_for(lambda: one.node.local_status == "active")
        await hooks.delivered()
        one.kill()

    with capture_logs() as logs:
        asyncio.run(scenario())
    assert "event hook hb_link_status_changed of plugin slow abandoned after 0.05 s" in [
        entry["event"] for entry in logs
    ]


# ---------------------------------------------------------------------- start-up


@pytest.fixture
def fake_plugin() -> Iterator[Callable[..., EntryPoint]]:
    """Make a module importable as a plugin; returns a factory of entry points."""
    created: list[str] = []

    def make(name: str, **functions: object) -> EntryPoint:
        module_name = f"hb_test_relay_plugin_{name.replace('-', '_')}"
        module = types.ModuleType(module_name)
        for attribute, value in functions.items():
            setattr(module, attribute, value)
        sys.modules[module_name] = module
        created.append(module_name)
        return EntryPoint(name=name, value=module_name, group="hb.plugins")

    yield make
    for module_name in created:
        sys.modules.pop(module_name, None)


def test_a_misspelt_event_hook_fails_its_plugin_at_start_up(fake_plugin) -> None:
    @hookimpl
    def hb_node_status_chnaged(node: str) -> None:
        raise AssertionError("never called")

    @hookimpl
    def hb_node_status_changed(node: str) -> None:
        pass

    typo = fake_plugin("typo", hb_node_status_chnaged=hb_node_status_chnaged)
    fine = fake_plugin("fine", hb_node_status_changed=hb_node_status_changed)
    plugins = load_plugins(Selection(), available=[typo, fine])
    records = {record.name: record for record in plugins.records}
    assert records["typo"].status == "failed"
    assert "hb_node_status_chnaged" in records["typo"].error
    assert "unknown hook" in records["typo"].error
    assert records["fine"].status == "active"


def test_hb_trace_plugins_logs_every_hook_call_with_plugin_and_duration(
    fake_plugin, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TRACE_ENV, "1")

    @hookimpl
    def hb_register_directives(register: Callable[[Directive], None]) -> None:
        register(Directive("frobnicate", boolean, "test directive"))

    @hookimpl
    async def hb_link_status_changed(node: str) -> None:
        pass

    traced = fake_plugin(
        "traced",
        hb_register_directives=hb_register_directives,
        hb_link_status_changed=hb_link_status_changed,
    )

    async def deliver(hooks: Hooks) -> None:
        hooks.link_status_changed("linuxha2", "eth1", "up")
        await hooks.delivered()

    with capture_logs() as logs:
        plugins = load_plugins(Selection(), available=[traced])
        asyncio.run(deliver(plugins.hooks))
    lines = {entry["event"].split(" (")[0]: entry for entry in logs}
    assert "hook hb_register_directives called: traced" in lines
    assert "hook hb_link_status_changed called: traced" in lines
    assert "hook hb_link_status_changed awaited: traced" in lines
    assert lines["hook hb_register_directives called: traced"]["duration_ms"] >= 0


def test_a_commands_trace_goes_to_stderr_and_leaves_its_output_alone() -> None:
    """``hb plugins list --requirements`` is fed to pip: tracing must not end up in it."""
    traced = subprocess.run(
        [str(Path(sys.executable).with_name("hb")), "plugins", "list", "--requirements"],
        env={**os.environ, TRACE_ENV: "1"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert "hook hb_register_directives called" in traced.stderr
    assert "hook " not in traced.stdout


def test_without_hb_trace_plugins_nothing_is_traced(fake_plugin, monkeypatch) -> None:
    monkeypatch.delenv(TRACE_ENV, raising=False)

    @hookimpl
    def hb_register_directives(register: Callable[[Directive], None]) -> None:
        register(Directive("frobnicate", boolean, "test directive"))

    with capture_logs() as logs:
        load_plugins(
            Selection(),
            available=[fake_plugin("quiet", hb_register_directives=hb_register_directives)],
        )
    assert logs == []


def test_the_relay_has_one_method_per_hook() -> None:
    """tox's facade: every hookspec has its typed method (``hb_x`` -> ``Hooks.x``)."""
    hooks = sorted(name for name in vars(HbHookSpecs) if name.startswith("hb_"))
    missing = [
        name for name in hooks if not callable(getattr(Hooks, name.removeprefix("hb_"), None))
    ]
    assert missing == []
