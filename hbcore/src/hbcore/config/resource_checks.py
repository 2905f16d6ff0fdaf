"""haresources coverage: every resource token must be handled by a loaded plugin.

- A token its plugin finds malformed is an error of the file.
- A token no loaded plugin handles is an error too: the files ask for something this node
  cannot do. The fix says why the plugin that would handle it provides nothing (its load error,
  its deselection, or the distribution to install).
- A script the script plugin cannot find is a fact of this host (it may be installed on the
  node and not where ``hb check`` runs), unless its name is a near miss of an installed agent
  (``IPadr::...`` for ``IPaddr``): that is a typo in the file, an error.

A name close to an installed agent or to a script of the script directories gets "did you mean"
(:mod:`difflib`, as a misspelt directive does).
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable

from hb_hookspecs import ArgumentError, ResourceContext

from hbcore.config.directive_hints import SCRIPT_DISTRIBUTION, resource_distribution
from hbcore.config.haresources import HaResources, Resource
from hbcore.config.plugin_checks import absent_plugin
from hbcore.config.problems import Problem, Severity
from hbcore.config.safety_net import SafetyNet
from hbcore.plugins import PluginSet

CLOSE_ENOUGH = 0.8
"""The least :class:`difflib.SequenceMatcher` ratio of a suggestion (``IPadr``/``IPaddr`` is
0.91, ``htpd``/``httpd`` 0.89, ``maid``/``mail`` 0.75: not suggested)."""
MOST_SCRIPTS_LOOKED_AT = 4096
"""Entries read per script directory for suggestions, so a huge directory cannot stall a check."""


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
    return [] if agent is not None else [_unhandled(resource, plugins, context)]


def _unhandled(resource: Resource, plugins: PluginSet, context: ResourceContext) -> Problem:
    script = resource.script
    distribution = resource_distribution(script)
    where = " or ".join(str(directory) for directory in context.script_dirs)
    agent = _close(script, installed_agents(plugins))
    installed = any(record.distribution == distribution for record in plugins.active())
    if installed and distribution == SCRIPT_DISTRIBUTION:
        problem = f"Cannot locate resource script {script}"
        fix = f"install it as an executable file in {where}"
        if agent is not None:
            return Problem(resource.location, problem, f"did you mean {agent}?")
        near = _close(script, _scripts_in(context))
        if near is not None:
            fix = f"did you mean {near}? otherwise {fix}"
        return Problem(resource.location, problem, fix, Severity.HOST)
    why, fix = absent_plugin(distribution, plugins.records)
    if distribution == SCRIPT_DISTRIBUTION:
        fix += f"; it runs the script {script} from {where}"
    if agent is not None:
        fix = f"did you mean {agent}? otherwise {fix}"
    return Problem(
        resource.location,
        f"no installed plugin handles resource {resource.token}: it needs the plugin {why}",
        fix,
    )


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


def _scripts_in(context: ResourceContext) -> list[str]:
    """The names of the files in the script directories (at most
    :data:`MOST_SCRIPTS_LOOKED_AT` of each); a directory that cannot be read has none."""
    names: list[str] = []
    for directory in context.script_dirs:
        try:
            with os.scandir(directory) as entries:
                for count, entry in enumerate(entries):
                    if count == MOST_SCRIPTS_LOOKED_AT:
                        break
                    names.append(entry.name)
        except (OSError, ValueError):
            continue
    return names


def _close(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate ``name`` most probably misspells (case aside first), or None."""
    by_folded: dict[str, str] = {}
    for candidate in candidates:
        if candidate != name:
            by_folded.setdefault(candidate.lower(), candidate)
    folded = name.lower()
    if folded in by_folded:
        return by_folded[folded]
    close = difflib.get_close_matches(folded, list(by_folded), n=1, cutoff=CLOSE_ENOUGH)
    return by_folded[close[0]] if close else None
