"""Facts about this machine that the configuration depends on.

Every problem here is :attr:`Severity.HOST` (or a warning): the files may be right for the
machine they were written for. ``hb check`` warns, ``hb check --strict`` and ``hb start`` refuse.
The core checks one fact itself, that this node is one of the ``node`` lines; every other check
belongs to a directive (its ``check_host``, see :class:`hb_hookspecs.Directive`) or to the plugin
that resolves a haresources token, and is run here without knowing what it looks at. A check
that raises becomes an error naming its plugin, and the others still run.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from hb_hookspecs import HostProblem, Repeat, ResourceContext, Settings

from hbcore.config.core_directives import AUTOJOIN
from hbcore.config.hacf import HaCf
from hbcore.config.haresources import HaResources
from hbcore.config.node_names import NODEINFO
from hbcore.config.problems import Location, Problem, Severity
from hbcore.config.resource_checks import check_resources
from hbcore.config.safety_net import SafetyNet
from hbcore.plugins import PluginRecord, PluginSet
from hbcore.registry import CORE_OWNER


def check_local_node(hacf: HaCf, node_name: str) -> list[Problem]:
    """This machine's node name must be one of the ``node`` lines."""
    if node_name in hacf.nodes or hacf.get(AUTOJOIN) == "any":
        return []
    return [
        Problem(
            Location(hacf.file),
            f"Current node [{node_name}] not in configuration!",
            "cluster nodes are named by `uname -n` and must be declared with a 'node' "
            f"directive: add 'node {node_name}', or put this node's name in {NODEINFO} "
            "(or pass --node-name)",
            Severity.HOST,
        )
    ]


def check_directives(
    hacf: HaCf, settings: Settings, records: Sequence[PluginRecord], net: SafetyNet
) -> list[Problem]:
    """Every directive's ``check_host`` on the values in force: each value of an accumulating
    directive, the winning one of a single-valued directive. Each call runs inside ``net``,
    which names the directive's plugin if it raises."""
    problems: list[Problem] = []
    for name, entries in hacf.entries.items():
        owned = hacf.directives.get(name)
        if owned is None or owned.item.check_host is None:
            continue
        in_force = entries[-1:] if owned.item.repeat is Repeat.LAST_WINS else entries
        for entry in in_force:
            with net.guard(entry.location, _plugin(owned.owner, records)):
                found = owned.item.check_host(entry.value, settings)
                problems += [_located(entry.location, problem) for problem in found]
    return problems


def _located(location: Location, found: HostProblem) -> Problem:
    severity = Severity.WARNING if found.warning else Severity.HOST
    return Problem(location, found.problem, found.fix, severity)


def _plugin(owner: str, records: Sequence[PluginRecord]) -> str | None:
    """``owner`` as a problem names it (``monitor-ping (hb-monitor-ping)``); None for hbcore."""
    if owner == CORE_OWNER:
        return None
    record = next((record for record in records if record.name == owner), None)
    return owner if record is None else f"{owner} ({record.distribution})"


def check_host(
    hacf: HaCf,
    haresources: HaResources | None,
    plugins: PluginSet,
    config_dir: Path,
    node_name: str,
    net: SafetyNet,
) -> list[Problem]:
    """Every host check: this node, then each directive's, then the haresources tokens'."""
    settings = Settings(node_name, config_dir, hacf.given)
    problems: list[Problem] = []
    with net.guard(Location(hacf.file)):
        problems += check_local_node(hacf, node_name)
    problems += check_directives(hacf, settings, plugins.records, net)
    if haresources is not None:
        with net.guard(Location(haresources.file)):
            context = ResourceContext(settings, environment={})
            problems += check_resources(haresources, plugins, context, net)
    return problems
