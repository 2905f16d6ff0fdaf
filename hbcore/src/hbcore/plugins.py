"""Finding, selecting and loading plugins, and building the registry from them.

Plugins are the entry points of the group ``hb.plugins``. A plugin is never silently dropped:
one that is deselected shows as ``disabled``, one that fails to import, to validate against the
hookspecs or to register shows as ``failed`` with its error.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points
from typing import Any, Literal

import pluggy
from hb_hookspecs import (
    ENTRY_POINT_GROUP,
    PROJECT_NAME,
    AuthMethod,
    Directive,
    HbHookSpecs,
    HealthMonitorType,
    MediumType,
    ResourceAgent,
    ResourceAgentType,
    ResourceContext,
)

from hbcore.registry import CORE_OWNER, Owned, Registry

Status = Literal["active", "disabled", "failed"]

ENV_ALLOW = "HB_PLUGINS"
ENV_DENY = "HB_DISABLE_PLUGINS"


@dataclass(frozen=True)
class PluginRecord:
    """One installed plugin as ``hb plugins list`` shows it."""

    name: str
    distribution: str
    version: str
    status: Status
    error: str = ""
    hooks: tuple[str, ...] = ()
    provides: tuple[str, ...] = ()


@dataclass(frozen=True)
class Selection:
    """Which plugins to load: an allow-list (None = every installed one) minus a deny-list.

    Names match a plugin's entry-point name (``auth-sha1``) or its distribution
    (``hb-auth-sha1``).
    """

    allow: frozenset[str] | None = None
    deny: frozenset[str] = frozenset()

    @classmethod
    def from_options(
        cls,
        plugins: str | None,
        disables: Sequence[str],
        environ: Mapping[str, str] | None = None,
    ) -> Selection:
        """Combine ``--plugins a,b``, ``-p no:x`` and the environment.

        ``--plugins`` replaces ``HB_PLUGINS``; an empty allow-list selects no plugin.
        ``-p no:x`` adds to ``HB_DISABLE_PLUGINS``. A ``-p`` value without ``no:`` adds the
        plugin to the allow-list (when there is one).
        """
        env = os.environ if environ is None else environ
        allow_text = plugins if plugins is not None else env.get(ENV_ALLOW)
        allow = None if allow_text is None else frozenset(_split_names(allow_text))
        deny = set(_split_names(env.get(ENV_DENY, "")))
        for option in disables:
            if option.startswith("no:"):
                deny.add(option[3:])
            elif allow is not None:
                allow = allow | {option}
        return cls(allow=allow, deny=frozenset(deny))

    def admits(self, name: str, distribution: str) -> bool:
        """True when the plugin so named is to be loaded."""
        names = {name, distribution}
        if names & self.deny:
            return False
        return self.allow is None or bool(names & self.allow)


def _split_names(text: str) -> list[str]:
    return [part.strip() for part in text.replace(" ", ",").split(",") if part.strip()]


@dataclass
class PluginSet:
    """The loaded plugins: their records, the registry they filled, and their hooks."""

    manager: pluggy.PluginManager
    registry: Registry
    records: list[PluginRecord] = field(default_factory=list)

    def active(self) -> list[PluginRecord]:
        """The records of the plugins that loaded and registered."""
        return [record for record in self.records if record.status == "active"]

    def resolve_resource(self, token: str, context: ResourceContext) -> ResourceAgent | None:
        """The agent for a haresources token, or None when no loaded plugin handles it."""
        agent: ResourceAgent | None = self.manager.hook.hb_resolve_resource(
            token=token, context=context
        )
        return agent


def installed_entry_points() -> list[EntryPoint]:
    """Every entry point of the ``hb.plugins`` group, sorted by name."""
    return sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name)


def load_plugins(
    selection: Selection,
    core_directives: Iterable[Directive] = (),
    available: Iterable[EntryPoint] | None = None,
) -> PluginSet:
    """Load the selected plugins and build the registry.

    ``core_directives`` are registered first, owned by ``hbcore``; a plugin that registers one
    of their names fails. ``available`` defaults to the installed entry points.
    """
    manager = pluggy.PluginManager(PROJECT_NAME)
    manager.add_hookspecs(HbHookSpecs)
    registry = Registry()
    for directive in core_directives:
        registry.directives[directive.name] = Owned(directive, CORE_OWNER)

    loaded: dict[str, EntryPoint] = {}
    failures: dict[str, str] = {}
    records: dict[str, PluginRecord] = {}
    for ep in installed_entry_points() if available is None else available:
        distribution, version = _distribution_of(ep)
        if not selection.admits(ep.name, distribution):
            records[ep.name] = PluginRecord(ep.name, distribution, version, "disabled")
            continue
        try:
            manager.register(ep.load(), name=ep.name)
        except Exception as error:  # any error of a plugin's import must not stop the node
            failures[ep.name] = _describe(error)
        loaded[ep.name] = ep

    _drop_invalid(manager, failures)
    provides = _register_all(manager, registry, failures)

    for name, ep in loaded.items():
        distribution, version = _distribution_of(ep)
        if name in failures:
            records[name] = PluginRecord(name, distribution, version, "failed", failures[name])
            continue
        plugin = manager.get_plugin(name)
        hooks = tuple(sorted(caller.name for caller in manager.get_hookcallers(plugin) or ()))
        records[name] = PluginRecord(
            name, distribution, version, "active", hooks=hooks, provides=tuple(provides[name])
        )
    return PluginSet(manager, registry, [records[name] for name in sorted(records)])


def _distribution_of(ep: EntryPoint) -> tuple[str, str]:
    dist = ep.dist
    if dist is None:
        return ("?", "?")
    return (dist.metadata["Name"] or dist.name, dist.version)


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


def _drop_invalid(manager: pluggy.PluginManager, failures: dict[str, str]) -> None:
    """Unregister plugins implementing hooks that do not exist (``check_pending``)."""
    while True:
        try:
            manager.check_pending()
            return
        except pluggy.PluginValidationError as error:
            name = manager.get_name(error.plugin) or repr(error.plugin)
            failures[name] = _describe(error)
            manager.unregister(error.plugin)


_REGISTRATION_HOOKS: tuple[tuple[str, str, str], ...] = (
    # hook name, registry attribute, prefix shown in "provides"
    ("hb_register_directives", "directives", "directive"),
    ("hb_register_authenticators", "auth_methods", "auth"),
    ("hb_register_media", "media", "medium"),
    ("hb_register_resource_agents", "resource_agents", "agent"),
    ("hb_register_health_monitors", "health_monitors", "monitor"),
)

_REGISTERED_TYPES: dict[str, type] = {
    "directives": Directive,
    "auth_methods": AuthMethod,
    "media": MediumType,
    "resource_agents": ResourceAgentType,
    "health_monitors": HealthMonitorType,
}


def _register_all(
    manager: pluggy.PluginManager, registry: Registry, failures: dict[str, str]
) -> dict[str, list[str]]:
    """Run every registration hook plugin by plugin, so each registration has an owner.

    A plugin whose registration raises, has the wrong type or takes a name already owned is
    unregistered and marked failed; nothing it registered is kept.
    """
    provides: dict[str, list[str]] = {}
    for name, plugin in list(manager.list_name_plugin()):
        if name is None:
            continue
        try:
            staged = _collect_registrations(manager, plugin)
            _check_conflicts(registry, staged)
        except Exception as error:  # a broken plugin is reported, never fatal
            failures[name] = _describe(error)
            manager.unregister(plugin)
            continue
        provides[name] = []
        for attribute, prefix, item in staged:
            getattr(registry, attribute)[item.name] = Owned(item, name)
            provides[name].append(f"{prefix}:{item.name}")
    return provides


def _collect_registrations(
    manager: pluggy.PluginManager, plugin: object
) -> list[tuple[str, str, Any]]:
    staged: list[tuple[str, str, Any]] = []
    for hook_name, attribute, prefix in _REGISTRATION_HOOKS:
        caller = getattr(manager.hook, hook_name)
        for impl in caller.get_hookimpls():
            if impl.plugin is not plugin:
                continue
            expected = _REGISTERED_TYPES[attribute]

            def register(
                item: object,
                expected: type = expected,
                hook: str = hook_name,
                attribute: str = attribute,
                prefix: str = prefix,
            ) -> None:
                if not isinstance(item, expected):
                    raise TypeError(f"{hook} registered {item!r}, not a {expected.__name__}")
                staged.append((attribute, prefix, item))

            impl.function(register=register)
    return staged


def _check_conflicts(registry: Registry, staged: list[tuple[str, str, Any]]) -> None:
    seen: set[tuple[str, str]] = set()
    for attribute, prefix, item in staged:
        existing: dict[str, Owned[Any]] = getattr(registry, attribute)
        if item.name in existing:
            raise ValueError(
                f"{prefix} '{item.name}' is already provided by {existing[item.name].owner}"
            )
        if (attribute, item.name) in seen:
            raise ValueError(f"{prefix} '{item.name}' is registered twice")
        seen.add((attribute, item.name))
