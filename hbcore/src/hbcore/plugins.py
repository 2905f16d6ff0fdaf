"""Finding, selecting and loading plugins, and building the registry from them.

Plugins are the entry points of the group ``hb.plugins``. A plugin is never silently dropped:
one that is deselected shows as ``disabled``, one that fails to import, to validate against the
hookspecs or to register shows as ``failed`` with its error. A plugin built for a plugin
contract this hb does not speak (``HB_CONTRACT``, see :mod:`hb_hookspecs.contract`) is
``failed`` with the reason, before any of its hooks runs. A selection that names a plugin
that is not installed is refused (:class:`UnknownPluginError`): a typo must not quietly load
nothing, or disable nothing.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points
from typing import Any, Literal

import pluggy
from hb_hookspecs import ENTRY_POINT_GROUP, CliCommand, Directive, ResourceAgent, ResourceContext
from hb_hookspecs.contract import contract_refusal, declared_contract

from hbcore.hooks import Hooks, new_plugin_manager
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
    (``hb-auth-sha1``). ``origins`` says where each name was given (``--plugins``,
    ``-p no:x``, ``HB_PLUGINS`` ...), for the error that names an unknown one.
    """

    allow: frozenset[str] | None = None
    deny: frozenset[str] = frozenset()
    origins: tuple[tuple[str, str], ...] = field(default=(), compare=False)

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
        origins: list[tuple[str, str]] = []
        allow: frozenset[str] | None = None
        if plugins is not None:
            allow = frozenset(_named(plugins, "--plugins", origins))
        elif ENV_ALLOW in env:
            allow = frozenset(_named(env[ENV_ALLOW], ENV_ALLOW, origins))
        deny = set(_named(env.get(ENV_DENY, ""), ENV_DENY, origins))
        for option in disables:
            name = option.removeprefix("no:")
            origins.append((name, f"-p {option}"))
            if option.startswith("no:"):
                deny.add(name)
            elif allow is not None:
                allow = allow | {name}
        return cls(allow=allow, deny=frozenset(deny), origins=tuple(origins))

    def admits(self, name: str, distribution: str) -> bool:
        """True when the plugin so named is to be loaded."""
        names = {name, distribution}
        if names & self.deny:
            return False
        return self.allow is None or bool(names & self.allow)

    def check(self, available: Iterable[EntryPoint] | None = None) -> None:
        """Raise :class:`UnknownPluginError` unless every name given is an installed plugin.

        ``available`` defaults to the installed entry points. A misspelt name must not pass:
        in ``--plugins`` it would quietly load nothing, in ``-p no:`` disable nothing.
        """
        plugins = [
            (ep.name, _distribution_of(ep)[0])
            for ep in (installed_entry_points() if available is None else available)
        ]
        known = {name for pair in plugins for name in pair}
        given = list(self.origins)
        recorded = {name for name, _ in given}
        named = (self.allow or frozenset()) | self.deny
        given += [(name, "the selection") for name in sorted(named - recorded)]
        unknown = tuple((name, where) for name, where in given if name not in known)
        if unknown:
            raise UnknownPluginError(unknown, tuple(sorted(name for name, _ in plugins)))

    def as_environment(self) -> dict[str, str]:
        """This selection as ``HB_PLUGINS`` and ``HB_DISABLE_PLUGINS`` values."""
        environ = {ENV_DENY: ",".join(sorted(self.deny))}
        if self.allow is not None:
            environ[ENV_ALLOW] = ",".join(sorted(self.allow))
        return environ


class UnknownPluginError(ValueError):
    """A selection names a plugin that is not installed."""

    def __init__(self, unknown: tuple[tuple[str, str], ...], installed: tuple[str, ...]) -> None:
        self.unknown = unknown
        """Each unknown name with where it was given."""
        self.installed = installed
        """The entry-point names of the installed plugins."""
        super().__init__(self._message())

    def _message(self) -> str:
        lines = []
        for name, where in self.unknown:
            line = f"{where}: no installed plugin is named '{name}'"
            close = difflib.get_close_matches(name.removeprefix("hb-"), self.installed, n=1)
            if close:
                line += f"; did you mean '{close[0]}'?"
            lines.append(line)
        lines.append(f"installed plugins: {', '.join(self.installed) or 'none'}")
        return "\n".join(lines)


def _named(text: str, where: str, origins: list[tuple[str, str]]) -> list[str]:
    """The names in ``text`` (comma- or space-separated), each recorded with its origin."""
    names = [part.strip() for part in text.replace(" ", ",").split(",") if part.strip()]
    origins.extend((name, where) for name in names)
    return names


@dataclass
class PluginSet:
    """The loaded plugins: their records, the registry they filled, and their hooks."""

    manager: pluggy.PluginManager
    registry: Registry
    records: list[PluginRecord] = field(default_factory=list)
    hooks: Hooks = field(init=False)
    """How the core calls the loaded plugins' hooks."""

    def __post_init__(self) -> None:
        self.hooks = Hooks(self.manager)

    def active(self) -> list[PluginRecord]:
        """The records of the plugins that loaded and registered."""
        return [record for record in self.records if record.status == "active"]

    def resolve_resource(self, token: str, context: ResourceContext) -> ResourceAgent | None:
        """The agent for a haresources token, or None when no loaded plugin handles it."""
        return self.hooks.resolve_resource(token, context)


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
    of their names fails. ``available`` defaults to the installed entry points. Raises
    :class:`UnknownPluginError` when the selection names a plugin that is not available.
    """
    available = installed_entry_points() if available is None else list(available)
    selection.check(available)
    manager = new_plugin_manager()
    registry = Registry()
    for directive in core_directives:
        registry.directives[directive.name] = Owned(directive, CORE_OWNER)

    loaded: dict[str, EntryPoint] = {}
    failures: dict[str, str] = {}
    records: dict[str, PluginRecord] = {}
    for ep in available:
        distribution, version = _distribution_of(ep)
        if not selection.admits(ep.name, distribution):
            records[ep.name] = PluginRecord(ep.name, distribution, version, "disabled")
            continue
        try:
            plugin = ep.load()
            _check_contract(plugin)
            manager.register(plugin, name=ep.name)
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


class ContractError(Exception):
    """A plugin was built for a plugin contract this hb does not speak (``HB_CONTRACT``)."""


def _check_contract(plugin: object) -> None:
    """Raise :class:`ContractError` unless ``plugin`` declares a contract hb speaks: a plugin
    built for another major version must fail before any of its hooks runs."""
    try:
        refusal = contract_refusal(declared_contract(plugin))
    except ValueError as error:
        raise ContractError(str(error)) from None
    if refusal is not None:
        raise ContractError(refusal)


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


def _register_all(
    manager: pluggy.PluginManager, registry: Registry, failures: dict[str, str]
) -> dict[str, list[str]]:
    """Run every registration hook plugin by plugin, so each registration has an owner.

    A plugin whose registration raises, has the wrong type or takes a name already owned is
    unregistered and marked failed; nothing it registered is kept.
    """
    hooks = Hooks(manager)
    provides: dict[str, list[str]] = {}
    for name, plugin in list(manager.list_name_plugin()):
        if name is None:
            continue
        try:
            staged = _collect_registrations(hooks, plugin)
            _check_conflicts(registry, staged)
        except Exception as error:  # a broken plugin is reported, never fatal
            failures[name] = _describe(error)
            manager.unregister(plugin)
            continue
        for attribute, _, item in staged:
            getattr(registry, attribute)[item.name] = Owned(item, name)
        provides[name] = registry.provided_by(name) + _commands_of(hooks, plugin)
    return provides


def _commands_of(hooks: Hooks, plugin: object) -> list[str]:
    """The ``hb`` commands ``plugin`` adds, as "provides" shows them (``command:lab``).

    Only listed here: ``hb`` asks for them itself when it runs a command, and a plugin whose
    ``hb_register_commands`` fails loses its commands there, with a warning, not its place
    in the plugin set.
    """
    commands: list[CliCommand] = []
    try:
        hooks.register_commands(commands.append, plugin)
    except Exception:  # hbcore.cli.plugin_commands warns about it when hb asks
        return []
    return [f"command:{command.name}" for command in commands]


def _collect_registrations(hooks: Hooks, plugin: object) -> list[tuple[str, str, Any]]:
    """What ``plugin`` registers, as (registry attribute, prefix shown in "provides", item)."""
    staged: list[tuple[str, str, Any]] = []

    def stage(attribute: str, prefix: str) -> Callable[[Any], None]:
        return lambda item: staged.append((attribute, prefix, item))

    hooks.register_directives(stage("directives", "directive"), plugin)
    hooks.register_authenticators(stage("auth_methods", "auth"), plugin)
    hooks.register_resource_agents(stage("resource_agents", "agent"), plugin)
    hooks.register_health_monitors(stage("health_monitors", "monitor"), plugin)
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
