"""Loading a configuration directory: ``ha.cf``, ``haresources`` and ``authkeys`` together.

Every file is read even when an earlier one has errors, so one run reports every problem.
``haresources`` is checked against the nodes of ``ha.cf``; it is not read when ``crm`` asks for
Pacemaker (heartbeat ignores it then, and hb refuses ``crm`` anyway). A plugin that failed to
load is an error of the ``plugins`` (see :mod:`hbcore.config.plugin_checks`). Each step runs
inside a :class:`SafetyNet`: a step that raises where it should have reported becomes one
problem naming its file, and the other steps still run.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hbcore.config.authkeys import AuthKeys, read_authkeys
from hbcore.config.hacf import HaCf, parse_hacf, read_hacf
from hbcore.config.haresources import HaResources, read_haresources
from hbcore.config.host_checks import check_host
from hbcore.config.node_names import local_node_name
from hbcore.config.plugin_checks import PLUGINS, failed_plugins
from hbcore.config.problems import ConfigError, Location, Problem
from hbcore.config.resource_monitor import check_monitored_groups
from hbcore.config.safety_net import SafetyNet
from hbcore.plugins import PluginSet

HACF = "ha.cf"
HARESOURCES = "haresources"
AUTHKEYS = "authkeys"
_FILE_ORDER = {PLUGINS: 0, HACF: 1, HARESOURCES: 2, AUTHKEYS: 3}


@dataclass(frozen=True)
class Configuration:
    """A configuration directory as far as it could be read, and everything wrong with it.

    ``haresources`` is None when it was not read (crm enabled, or reading it failed);
    ``authkeys`` is None when it has errors.
    """

    config_dir: Path
    node_name: str
    hacf: HaCf
    haresources: HaResources | None
    authkeys: AuthKeys | None
    problems: tuple[Problem, ...]
    """Errors, host problems and warnings, ordered by file (the plugins that failed to load,
    ha.cf, haresources, authkeys) then line."""

    def errors(self, strict: bool) -> list[Problem]:
        """The problems that make the configuration unusable (``strict``: host ones too)."""
        return [problem for problem in self.problems if problem.is_error(strict)]


def load_configuration(
    config_dir: Path,
    plugins: PluginSet,
    node_name: str | None = None,
    catch_bugs: bool = True,
) -> Configuration:
    """Read the three files of ``config_dir`` and run the cross-file and host checks.

    ``node_name`` overrides the local name (``nodeinfo`` or ``uname -n``). Never raises for a
    bad configuration: the problems are in the result. Nor for a bug of hb or of a plugin
    while ``catch_bugs`` (the default): that is an error problem asking for a report;
    ``catch_bugs=False`` lets the exception through, for tests.
    """
    net = SafetyNet(catch_bugs)
    local = node_name.lower() if node_name else local_node_name(config_dir)
    directives = plugins.registry.directives
    hacf, _ = parse_hacf("", directives, HACF)  # stands in when reading ha.cf fails
    problems: list[Problem] = failed_plugins(plugins.records)
    with net.guard(Location(HACF)):
        hacf, hacf_problems = read_hacf(config_dir / HACF, directives, plugins=plugins.records)
        problems += hacf_problems
    haresources: HaResources | None = None
    if not hacf.crm_enabled:
        with net.guard(Location(HARESOURCES)):
            haresources, resource_problems = read_haresources(config_dir / HARESOURCES, hacf.nodes)
            problems += resource_problems
            problems += check_monitored_groups(hacf, haresources)
    authkeys: AuthKeys | None = None
    with net.guard(Location(AUTHKEYS)):
        try:
            authkeys = read_authkeys(
                config_dir / AUTHKEYS, plugins.registry.auth_methods, display_name=AUTHKEYS
            )
            problems += authkeys.warnings
        except ConfigError as error:
            problems += error.problems
    problems += check_host(hacf, haresources, plugins, config_dir, local, net)
    ordered = sorted(
        [*problems, *net.problems],
        key=lambda problem: (_FILE_ORDER.get(problem.location.file, 4), problem.location.line),
    )
    return Configuration(config_dir, local, hacf, haresources, authkeys, tuple(ordered))
