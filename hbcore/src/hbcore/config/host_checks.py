"""Facts about this machine that the configuration depends on.

Every problem here is :attr:`Severity.HOST`: the files may be right for the machine they were
written for. ``hb check`` warns, ``hb check --strict`` and ``hb start`` refuse. These checks
read the host (users, files, devices, DNS) and never change it.
"""

from __future__ import annotations

import os
import pwd
import socket
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol, runtime_checkable

from hb_hookspecs import ArgumentError, ResourceContext

from hbcore.config.core_arguments import ClientChild
from hbcore.config.directive_hints import (
    SCRIPT_DISTRIBUTION,
    install_hint,
    resource_distribution,
)
from hbcore.config.hacf import HaCf
from hbcore.config.haresources import HaResources, Resource
from hbcore.config.node_names import NODEINFO
from hbcore.config.problems import Location, Problem, Severity
from hbcore.plugins import PluginSet

INIT_DIR = Path("/etc/init.d")
DEVICE_DIRECTIVES = ("serial", "watchdog")
"""Directives whose values are device paths that must exist here."""
SCRIPT_DIRS = "script_dirs"
"""hb-ra-script's directive: the script directories, in search order."""


@runtime_checkable
class _UnicastPath(Protocol):
    """What the core reads of a ``ucast`` value (hb-media-ucast's UcastPath)."""

    peer: str


@runtime_checkable
class _OnInterface(Protocol):
    """What the core reads of a path bound to an interface (bcast, ucast and mcast values)."""

    interface: str


def _host(location: Location, problem: str, fix: str) -> Problem:
    return Problem(location, problem, fix, Severity.HOST)


def check_local_node(hacf: HaCf, node_name: str) -> list[Problem]:
    """This machine's node name must be one of the ``node`` lines."""
    if node_name in hacf.nodes or hacf.value("autojoin") == "any":
        return []
    return [
        _host(
            Location(hacf.file),
            f"Current node [{node_name}] not in configuration!",
            "cluster nodes are named by `uname -n` and must be declared with a 'node' "
            f"directive: add 'node {node_name}', or put this node's name in {NODEINFO} "
            "(or pass --node-name)",
        )
    ]


def check_client_children(hacf: HaCf) -> list[Problem]:
    """``respawn`` / ``failfast``: the user must exist and the program be executable."""
    problems: list[Problem] = []
    for directive in ("respawn", "failfast"):
        for entry in hacf.located(directive):
            child = entry.value
            if not isinstance(child, ClientChild):
                continue
            try:
                pwd.getpwnam(child.user)
            except KeyError:
                problems.append(
                    _host(
                        entry.location,
                        f"Invalid uid [{child.user}] specified for client child",
                        f"create the user {child.user}, or name an existing one",
                    )
                )
            if directive == "respawn" and os.path.basename(child.command) == "ipfail":
                # The line turns the built-in ipfail on, so where heartbeat's binary lives
                # (Debian moved it) is no fact of this host that hb depends on.
                problems.append(
                    Problem(
                        entry.location,
                        f"ipfail is built into hb: {child.command} is not run",
                        "keep the line (it turns hb's ipfail on) or remove it to turn ipfail off",
                        Severity.WARNING,
                    )
                )
            elif not (os.path.isfile(child.command) and os.access(child.command, os.X_OK)):
                problems.append(
                    _host(
                        entry.location,
                        f"Client child command [{child.command}] is not executable",
                        "install it or correct the path (Debian ships heartbeat's helpers "
                        "in /usr/libexec/heartbeat)",
                    )
                )
    return problems


def check_ucast_peers(hacf: HaCf) -> list[Problem]:
    """Every ``ucast`` peer must resolve to an IPv4 address."""
    problems: list[Problem] = []
    for entry in hacf.located("ucast"):
        if not isinstance(entry.value, _UnicastPath):
            continue
        try:
            socket.getaddrinfo(entry.value.peer, None, socket.AF_INET)
        except OSError:
            problems.append(
                _host(
                    entry.location,
                    f"ucast: cannot resolve hostname {entry.value.peer}",
                    "use the peer's IP address, or make the name resolvable (/etc/hosts)",
                )
            )
    return problems


def check_interfaces(hacf: HaCf) -> list[Problem]:
    """Every network interface a heartbeat path names must exist here."""
    problems: list[Problem] = []
    for medium in hacf.media:
        if not isinstance(medium.value, _OnInterface):
            continue
        interface = medium.value.interface
        try:
            socket.if_nametoindex(interface)
        except OSError:
            problems.append(
                _host(
                    medium.location,
                    f"{medium.directive}: interface [{interface}] does not exist",
                    "name an interface of this machine (ip link), or rename the line's "
                    "interface to the one this node uses",
                )
            )
    return problems


def check_devices(hacf: HaCf) -> list[Problem]:
    """Serial and watchdog devices must exist."""
    return [
        _host(
            entry.location,
            f"{directive} device {entry.value} does not exist",
            "correct the path, or load the driver that creates it",
        )
        for directive in DEVICE_DIRECTIVES
        for entry in hacf.located(directive)
        if isinstance(entry.value, str) and not os.path.exists(entry.value)
    ]


def resource_context(config_dir: Path, hacf: HaCf) -> ResourceContext:
    """Where script resources are searched: the directories of ``script_dirs`` in ``hacf``
    (hb-ra-script's directive; relative ones are in ``config_dir``), else heartbeat's order,
    ``config_dir/resource.d`` then /etc/init.d."""
    configured = hacf.values(SCRIPT_DIRS)
    return ResourceContext(
        config_dir=config_dir,
        script_dirs=tuple(config_dir / str(directory) for directory in configured)
        or (config_dir / "resource.d", INIT_DIR),
        environment={},
    )


def check_resources(
    haresources: HaResources, plugins: PluginSet, context: ResourceContext
) -> list[Problem]:
    """Every resource token must be handled by a loaded plugin (which finds its script).

    A token its plugin finds malformed is an error of the file; a missing script or plugin is
    a fact of this host.
    """
    problems: list[Problem] = []
    for group in haresources.groups:
        for resource in group.resources:
            try:
                agent = plugins.resolve_resource(resource.token, context)
            except ArgumentError as error:
                problems.append(
                    Problem(resource.location, f"{resource.token}: {error.problem}", error.fix)
                )
                continue
            if agent is None:
                problems.append(_unhandled(resource, plugins, context))
    return problems


def _unhandled(resource: Resource, plugins: PluginSet, context: ResourceContext) -> Problem:
    distribution = resource_distribution(resource.script)
    where = " or ".join(str(directory) for directory in context.script_dirs)
    installed = any(record.distribution == distribution for record in plugins.active())
    if installed and distribution == SCRIPT_DISTRIBUTION:
        return _host(
            resource.location,
            f"Cannot locate resource script {resource.script}",
            f"install it as an executable file in {where}",
        )
    fix = install_hint(distribution)
    if distribution == SCRIPT_DISTRIBUTION:
        fix += f"; it runs the script {resource.script} from {where}"
    return _host(resource.location, f"no installed plugin handles resource {resource.token}", fix)


def check_host(
    hacf: HaCf,
    haresources: HaResources | None,
    plugins: PluginSet,
    config_dir: Path,
    node_name: str,
) -> list[Problem]:
    """Every host check above, ha.cf first."""
    checks: Iterable[list[Problem]] = (
        check_local_node(hacf, node_name),
        check_client_children(hacf),
        check_ucast_peers(hacf),
        check_interfaces(hacf),
        check_devices(hacf),
    )
    problems = [problem for found in checks for problem in found]
    if haresources is not None:
        problems += check_resources(haresources, plugins, resource_context(config_dir, hacf))
    return problems
