"""Loading plugins: a broken plugin is reported as failed, never silently dropped."""

from __future__ import annotations

import sys
import types
from collections.abc import Callable, Iterator
from importlib.metadata import EntryPoint

import pytest
from hb_hookspecs import (
    AuthMethod,
    Directive,
    HealthMonitorType,
    KeyRule,
    ResourceAgentType,
    hookimpl,
)
from hb_hookspecs.arguments import boolean
from hbcore.plugins import Selection, UnknownPluginError, load_plugins

_EVERYTHING = Selection()


class _Plain:
    def sign(self, data: bytes) -> str:
        return "0"

    def verify(self, data: bytes, token: str) -> bool:
        return token == "0"


def _auth(name: str) -> AuthMethod:
    return AuthMethod(name, KeyRule.FORBIDDEN, lambda key: _Plain(), "test method")


@pytest.fixture
def fake_plugins() -> Iterator[Callable[..., EntryPoint]]:
    """Make modules importable as plugins; returns a factory of entry points."""
    created: list[str] = []

    def make(name: str, **functions: object) -> EntryPoint:
        module_name = f"hb_test_plugin_{name.replace('-', '_')}"
        module = types.ModuleType(module_name)
        for attribute, value in functions.items():
            setattr(module, attribute, value)
        sys.modules[module_name] = module
        created.append(module_name)
        return EntryPoint(name=name, value=module_name, group="hb.plugins")

    yield make
    for module_name in created:
        sys.modules.pop(module_name, None)


def test_registrations_fill_the_registry_with_their_owner(fake_plugins) -> None:
    @hookimpl
    def hb_register_authenticators(register):
        register(_auth("plain"))

    @hookimpl
    def hb_register_directives(register):
        register(Directive("frobnicate", boolean, "test directive"))
        register(Directive("carrier-pigeon", str, "test medium", medium=lambda value, settings: []))

    @hookimpl
    def hb_register_resource_agents(register):
        register(ResourceAgentType("thing", "test agent"))

    @hookimpl
    def hb_register_health_monitors(register):
        register(HealthMonitorType("pulse", "test monitor", lambda settings: None))

    ep = fake_plugins(
        "everything",
        hb_register_authenticators=hb_register_authenticators,
        hb_register_directives=hb_register_directives,
        hb_register_resource_agents=hb_register_resource_agents,
        hb_register_health_monitors=hb_register_health_monitors,
    )
    plugin_set = load_plugins(_EVERYTHING, available=[ep])
    (record,) = plugin_set.records
    assert record.status == "active"
    assert record.provides == (
        "directive:frobnicate",
        "directive:carrier-pigeon",
        "auth:plain",
        "medium:carrier-pigeon",
        "agent:thing",
        "monitor:pulse",
    )
    assert "hb_register_authenticators" in record.hooks
    registry = plugin_set.registry
    assert registry.auth_methods["plain"].owner == "everything"
    assert registry.directives["frobnicate"].owner == "everything"
    assert registry.directives["carrier-pigeon"].item.medium is not None
    assert set(registry.resource_agents) == {"thing"}
    assert set(registry.health_monitors) == {"pulse"}


def test_plugin_that_fails_to_import_is_listed_as_failed() -> None:
    ep = EntryPoint(name="broken", value="hb_no_such_module_anywhere", group="hb.plugins")
    (record,) = load_plugins(_EVERYTHING, available=[ep]).records
    assert record.status == "failed"
    assert "ModuleNotFoundError" in record.error


def test_misspelt_hook_fails_that_plugin_only(fake_plugins) -> None:
    @hookimpl
    def hb_register_authenticator(register):  # missing the final "s"
        register(_auth("x"))

    @hookimpl
    def hb_register_authenticators(register):
        register(_auth("good"))

    bad = fake_plugins("misspelt", hb_register_authenticator=hb_register_authenticator)
    good = fake_plugins("good", hb_register_authenticators=hb_register_authenticators)
    plugin_set = load_plugins(_EVERYTHING, available=[bad, good])
    status = {r.name: r.status for r in plugin_set.records}
    assert status == {"misspelt": "failed", "good": "active"}
    assert "hb_register_authenticator" in plugin_set.records[1].error
    assert set(plugin_set.registry.auth_methods) == {"good"}


def test_second_plugin_claiming_a_name_fails_and_keeps_nothing(fake_plugins) -> None:
    @hookimpl
    def first(register):
        register(_auth("sha1"))

    @hookimpl
    def second(register):
        register(_auth("other"))
        register(_auth("sha1"))

    a = fake_plugins("a-first", hb_register_authenticators=first)
    b = fake_plugins("b-second", hb_register_authenticators=second)
    plugin_set = load_plugins(_EVERYTHING, available=[a, b])
    records = {r.name: r for r in plugin_set.records}
    assert records["a-first"].status == "active"
    assert records["b-second"].status == "failed"
    assert "already provided by a-first" in records["b-second"].error
    assert set(plugin_set.registry.auth_methods) == {"sha1"}


def test_plugin_may_not_take_a_core_directive(fake_plugins) -> None:
    @hookimpl
    def hb_register_directives(register):
        register(Directive("keepalive", boolean, "hijack"))

    ep = fake_plugins("hijacker", hb_register_directives=hb_register_directives)
    core = [Directive("keepalive", boolean, "core")]
    (record,) = load_plugins(_EVERYTHING, core_directives=core, available=[ep]).records
    assert record.status == "failed"
    assert "already provided by hbcore" in record.error


def test_registering_the_wrong_type_fails_the_plugin(fake_plugins) -> None:
    @hookimpl
    def hb_register_directives(register):
        register("bcast")

    ep = fake_plugins("sloppy", hb_register_directives=hb_register_directives)
    (record,) = load_plugins(_EVERYTHING, available=[ep]).records
    assert record.status == "failed"
    assert "not a Directive" in record.error


def test_registration_that_raises_fails_the_plugin(fake_plugins) -> None:
    @hookimpl
    def hb_register_directives(register):
        raise RuntimeError("cannot read my table")

    ep = fake_plugins("raiser", hb_register_directives=hb_register_directives)
    (record,) = load_plugins(_EVERYTHING, available=[ep]).records
    assert (record.status, record.error) == ("failed", "RuntimeError: cannot read my table")


def test_deselected_plugin_is_listed_as_disabled_and_not_loaded(fake_plugins) -> None:
    @hookimpl
    def hb_register_authenticators(register):
        register(_auth("plain"))

    ep = fake_plugins("quiet", hb_register_authenticators=hb_register_authenticators)
    plugin_set = load_plugins(Selection(deny=frozenset({"quiet"})), available=[ep])
    assert [r.status for r in plugin_set.records] == ["disabled"]
    assert plugin_set.registry.auth_methods == {}


def test_a_selection_naming_a_plugin_that_is_not_available_is_refused(fake_plugins) -> None:
    ep = fake_plugins("quiet")
    selection = Selection(allow=frozenset({"quiet", "loud"}), deny=frozenset({"hb-quiet"}))
    with pytest.raises(UnknownPluginError) as caught:
        load_plugins(selection, available=[ep])
    assert caught.value.unknown == (("hb-quiet", "the selection"), ("loud", "the selection"))
    assert caught.value.installed == ("quiet",)
    assert str(caught.value).endswith("\ninstalled plugins: quiet")


def test_a_selection_may_name_a_plugin_by_its_distribution() -> None:
    selection = Selection.from_options("hb-auth-sha1", (), environ={})
    (active,) = load_plugins(selection).active()
    assert (active.name, active.distribution) == ("auth-sha1", "hb-auth-sha1")


def test_with_no_plugin_installed_an_unknown_name_says_so() -> None:
    with pytest.raises(UnknownPluginError, match=r"installed plugins: none$"):
        load_plugins(Selection.from_options("auth-sha1", (), environ={}), available=[])
