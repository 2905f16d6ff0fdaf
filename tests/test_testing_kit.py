"""The plugin author's kit (hbcore.testing): the contract classes fail for the classic bugs, the
plugin loader refuses a broken plugin, the recorder sees hb's calls, the pytest plugin's
fixtures load the marked plugins."""

from __future__ import annotations

import asyncio
import sys
import time
import types
from collections.abc import Callable, Iterator

import hb_auth_sha1
import hb_ra_touchfile
import pytest
from hb_hookspecs import AuthMethod, KeyRule, ResourceError, hookimpl
from hbcore.testing.contracts import (
    AuthenticatorContract,
    HealthMonitorContract,
    MediumContract,
    ResourceAgentContract,
)
from hbcore.testing.loop_probe import LoopLagProbe
from hbcore.testing.plugins import PluginLoadError, entry_point_name, load_for_test
from hbcore.testing.recorder import HookRecorder


class Agent:
    """A correct agent; the subclasses below each have one classic bug."""

    name = "thing"

    def __init__(self) -> None:
        self.running = False

    async def start(self) -> None:
        self.running = True

    async def stop(self) -> None:
        self.running = False

    async def status(self) -> bool:
        return self.running

    def describe(self) -> str:
        return "thing for tests"


class StatusLies(Agent):
    async def status(self) -> bool:
        return True


class StopFailsWhenStopped(Agent):
    async def stop(self) -> None:
        if not self.running:
            raise ResourceError("not running")
        self.running = False


class StartFailsWithOSError(Agent):
    async def start(self) -> None:
        raise OSError("no such file")


class BlocksTheLoop(Agent):
    async def start(self) -> None:
        time.sleep(0.5)  # the bug: a blocking call in a coroutine
        self.running = True


AGENT = ResourceAgentContract()


def test_a_correct_agent_passes_every_agent_contract_test() -> None:
    for name in dir(AGENT):
        if name.startswith("test_") and name != "test_a_failing_start_raises_resource_error":
            getattr(AGENT, name)(Agent())


@pytest.mark.parametrize(
    ("agent", "test", "error"),
    [
        (StatusLies(), AGENT.test_status_is_false_before_start, AssertionError),
        (StatusLies(), AGENT.test_status_is_true_after_start_and_false_after_stop, AssertionError),
        (StopFailsWhenStopped(), AGENT.test_stop_when_stopped_is_not_an_error, ResourceError),
        (StartFailsWithOSError(), AGENT.test_a_failing_start_raises_resource_error, OSError),
        (BlocksTheLoop(), AGENT.test_start_status_and_stop_do_not_block_the_loop, AssertionError),
    ],
    ids=["status-lies-before", "status-lies-after", "stop-fails", "oserror", "blocks"],
)
def test_the_agent_contract_catches_the_classic_bugs(
    agent: Agent, test: Callable[[Agent], None], error: type[Exception]
) -> None:
    with pytest.raises(error):
        test(agent)


def test_the_loop_probe_sees_a_blocking_call_and_not_an_awaited_one() -> None:
    async def probed(work: Callable[[], object]) -> float:
        async with LoopLagProbe() as probe:
            await asyncio.sleep(0)
            result = work()
            if asyncio.iscoroutine(result):
                await result
        return probe.longest_s

    assert asyncio.run(probed(lambda: time.sleep(0.3))) >= 0.25
    assert asyncio.run(probed(lambda: asyncio.sleep(0.3))) < 0.25


class AcceptsAnything:
    def sign(self, data: bytes) -> str:
        return "0"

    def verify(self, data: bytes, token: str) -> bool:
        return True


class RaisesOnGarbage:
    def sign(self, data: bytes) -> str:
        return format(len(data), "x")

    def verify(self, data: bytes, token: str) -> bool:
        return int(token, 16) == len(data)


def test_the_authenticator_contract_catches_acceptance_and_raising() -> None:
    contract = AuthenticatorContract()
    with pytest.raises(AssertionError):
        contract.test_tampered_data_or_token_is_rejected(AcceptsAnything())
    with pytest.raises(ValueError):
        contract.test_verify_rejects_garbage_tokens_without_raising(RaisesOnGarbage())
    method = AuthMethod("any", KeyRule.REQUIRED, lambda key: AcceptsAnything(), "test")
    with pytest.raises(AssertionError):
        contract.test_a_token_of_another_key_is_rejected(method, AcceptsAnything(), b"secret")


class Deaf:
    name = "deaf0"
    wire_format = "netstring"

    async def start(self, deliver: Callable[[bytes], None]) -> None:
        pass

    async def send(self, packet: bytes) -> None:
        pass

    async def stop(self) -> None:
        pass

    def describe(self) -> str:
        return "deaf medium"


def test_the_medium_contract_catches_a_medium_that_delivers_nothing() -> None:
    contract = MediumContract()
    contract.timeout_s = 0.2
    with pytest.raises(TimeoutError):
        contract.test_sent_packets_are_delivered_whole_without_blocking(Deaf)
    contract.test_stop_releases_the_path_and_is_idempotent(Deaf)


class ReportsGarbage:
    name = "garbage"

    async def start(self, report: Callable[[object], None]) -> None:
        report("alive")

    async def stop(self) -> None:
        pass


def test_the_monitor_contract_catches_reports_that_are_not_observations() -> None:
    contract = HealthMonitorContract()
    contract.watch_s = 0.01
    with pytest.raises(AssertionError, match="alive"):
        contract.test_reports_observations_without_blocking_and_stops_twice(ReportsGarbage())  # type: ignore[arg-type]


@pytest.fixture
def broken_plugin() -> Iterator[types.ModuleType]:
    module = types.ModuleType("hb_ra_broken")

    @hookimpl
    def hb_register_resurce_agents(register: object) -> None:  # misspelt on purpose
        pass

    module.hb_register_resurce_agents = hb_register_resurce_agents  # type: ignore[attr-defined]
    sys.modules[module.__name__] = module
    yield module
    del sys.modules[module.__name__]


def test_loading_for_a_test_refuses_a_broken_plugin_naming_it(broken_plugin) -> None:
    assert entry_point_name("hb_ra_broken") == "ra-broken"
    with pytest.raises(PluginLoadError, match=r"^ra-broken: PluginValidationError: "):
        load_for_test([hb_ra_touchfile, broken_plugin])


def test_loading_for_a_test_loads_only_the_plugins_given() -> None:
    plugins = load_for_test(["hb_ra_touchfile"])
    assert [record.name for record in plugins.records] == ["ra-touchfile"]
    assert "node" in plugins.registry.directives  # hbcore's own
    assert "sha1" not in plugins.registry.auth_methods


def test_the_recorder_sees_every_call_and_stops_when_closed() -> None:
    plugins = load_for_test([hb_ra_touchfile])
    recorder = HookRecorder(plugins.manager)
    plugins.hooks.register_resource_agents(lambda item: None)
    recorder.close()
    plugins.hooks.register_resource_agents(lambda item: None)
    [call] = recorder.calls
    assert (call.name, call.plugins, call.error) == (
        "hb_register_resource_agents",
        ("ra-touchfile",),
        None,
    )


@pytest.mark.hb_plugins(hb_auth_sha1, "hb_ra_touchfile")
def test_the_marker_selects_the_plugins_of_the_fixtures(hb_plugin_set, hb_plugin_manager) -> None:
    assert [record.name for record in hb_plugin_set.records] == ["auth-sha1", "ra-touchfile"]
    assert hb_plugin_manager is hb_plugin_set.manager


def test_without_the_marker_the_plugin_set_fixture_says_what_to_write(request) -> None:
    with pytest.raises(pytest.UsageError, match=r"mark the test with @pytest.mark.hb_plugins"):
        request.getfixturevalue("hb_plugin_set")
