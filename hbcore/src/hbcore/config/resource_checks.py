"""haresources coverage: every resource token must be handled by a loaded plugin.

- A token its plugin finds malformed (``ArgumentError``) is an error of the file.
- A token no loaded plugin handles is an error too: the files ask for something this node
  cannot do. The fix says why the plugin that would handle it provides nothing (its load error,
  its deselection, or the distribution to install).
- A token whose plugin finds what it names missing here (``HostError``: a script not installed
  here) is a fact of this host, unless its name is a near miss of an installed agent
  (``IPadr::...`` for ``IPaddr``): that is a typo in the file, an error with "did you mean".
"""

from __future__ import annotations

from hb_hookspecs import ArgumentError, HostError, ResourceContext
from hb_hookspecs.suggest import closest

from hbcore.config.directive_hints import (
    SCRIPT_DISTRIBUTION,
    heartbeat_search_path,
    resource_distribution,
)
from hbcore.config.haresources import HaResources, Resource
from hbcore.config.plugin_checks import absent_plugin
from hbcore.config.problems import Problem, Severity
from hbcore.config.safety_net import SafetyNet
from hbcore.plugins import PluginSet


def check_resources(
    haresources: HaResources, plugins: PluginSet, context: ResourceContext, net: SafetyNet
) -> list[Problem]:
    """Every resource token must be handled by a loaded plugin (which finds its script).

    Each token is resolved inside ``net``: a plugin that raises anything but ArgumentError
    fails that token only.
    """
    problems: list[Problem] = []
    for group in haresources.groups:
        for resource in group.resources:
            with net.guard(resource.location):
                problems += _check_resource(resource, plugins, context)
    return problems


def _check_resource(
    resource: Resource, plugins: PluginSet, context: ResourceContext
) -> list[Problem]:
    try:
        agent = plugins.resolve_resource(resource.token, context)
    except ArgumentError as error:
        return [Problem(resource.location, f"{resource.token}: {error.problem}", error.fix)]
    except HostError as missing:
        return [_missing(resource, plugins, context, missing)]
    return [] if agent is not None else [_unhandled(resource, plugins, context)]


def _missing(
    resource: Resource, plugins: PluginSet, context: ResourceContext, missing: HostError
) -> Problem:
    """What the plugin that took the token finds missing here: a host fact; rather a typo when
    the name is close to an installed agent's; rather the absence of the distribution the name
    belongs to when that is not the script lookup's (``IPaddr2::...`` without hb-ra-ipaddr,
    which only the script lookup took)."""
    distribution = resource_distribution(resource.script)
    if distribution != SCRIPT_DISTRIBUTION and not _provided(distribution, plugins):
        return _unhandled(resource, plugins, context)
    agent = closest(resource.script, installed_agents(plugins))
    if agent is not None:
        return Problem(resource.location, missing.problem, f"did you mean {agent}?")
    return Problem(resource.location, missing.problem, missing.fix, Severity.HOST)


def _unhandled(resource: Resource, plugins: PluginSet, context: ResourceContext) -> Problem:
    """No loaded plugin handles the token: say which distribution would, and why it does not."""
    script = resource.script
    distribution = resource_distribution(script)
    why, fix = absent_plugin(distribution, plugins.records)
    if distribution == SCRIPT_DISTRIBUTION:
        where = " or ".join(str(d) for d in heartbeat_search_path(context.settings.config_dir))
        fix += f"; it runs the script {script} from {where}"
    agent = closest(script, installed_agents(plugins))
    if agent is not None:
        fix = f"did you mean {agent}? otherwise {fix}"
    return Problem(
        resource.location,
        f"no installed plugin handles resource {resource.token}: it needs the plugin {why}",
        fix,
    )


def _provided(distribution: str, plugins: PluginSet) -> bool:
    return any(record.distribution == distribution for record in plugins.active())


def installed_agents(plugins: PluginSet) -> list[str]:
    """The resource agents the loaded plugins registered, as haresources names them
    (``IPaddr``); the script plugin's own entry stands for every script, not for a name."""
    script_plugins = {
        record.name for record in plugins.records if record.distribution == SCRIPT_DISTRIBUTION
    }
    return [
        name
        for name, owned in plugins.registry.resource_agents.items()
        if owned.owner not in script_plugins
    ]
