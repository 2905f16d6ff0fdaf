"""Facts about this machine that the configuration depends on.

Every problem here is :attr:`Severity.HOST`: the files may be right for the machine they were
written for. ``hb check`` warns, ``hb check --strict`` and ``hb start`` refuse. These checks
read the host (users, files, devices, DNS) and never change it. A value the host cannot even be
asked about (a name the resolver's encoding refuses, a NUL byte, a name too long for a path) is
reported here like one it does not have, never raised.
"""

from __future__ import annotations

import ipaddress
import os
import pwd
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Protocol, runtime_checkable

from hb_hookspecs import ResourceContext

from hbcore.config.core_arguments import ClientChild
from hbcore.config.hacf import HaCf
from hbcore.config.haresources import HaResources
from hbcore.config.node_names import NODEINFO
from hbcore.config.problems import Location, Problem, Severity
from hbcore.config.resource_checks import check_resources
from hbcore.config.safety_net import SafetyNet
from hbcore.plugins import PluginSet

INIT_DIR = Path("/etc/init.d")
DEVICE_DIRECTIVES = ("serial", "watchdog")
"""Directives whose values are device paths that must exist here."""
SCRIPT_DIRS = "script_dirs"
"""hb-ra-script's directive: the script directories, in search order."""
LOG_DIRECTIVES = ("logfile", "debugfile")
LOG_DISABLED = "/dev/null"


@runtime_checkable
class _UnicastPath(Protocol):
    """What the core reads of a ``ucast`` value (hb-media-ucast's UcastPath)."""

    peer: str


@runtime_checkable
class _NamesHosts(Protocol):
    """What the core reads of a value naming hosts this machine must resolve (hb-monitor-ping's
    ping hosts and groups): the names, and whether the value is unusable without every one of
    them (heartbeat refuses a ``ping`` host it cannot resolve, and pings a ``ping_group``
    without the member)."""

    @property
    def host_names(self) -> tuple[str, ...]: ...

    @property
    def needs_every_host(self) -> bool: ...


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
            except (KeyError, ValueError):
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
        except (OSError, UnicodeError, ValueError):  # the name cannot even be asked about
            problems.append(
                _host(
                    entry.location,
                    f"ucast: cannot resolve hostname {entry.value.peer}",
                    "use the peer's IP address, or make the name resolvable (/etc/hosts)",
                )
            )
    return problems


def check_host_names(hacf: HaCf) -> list[Problem]:
    """Every host a value names must resolve here, as heartbeat resolves it (``inet_pton``,
    then ``gethostbyname``), with heartbeat's text ``unknown host: NAME: reason``. A host its
    value cannot do without is a host fact; one it can (a group member) is a warning, since
    heartbeat runs without it too."""
    problems: list[Problem] = []
    unresolved: dict[str, str | None] = {}
    for directive, entries in hacf.entries.items():
        for entry in entries:
            value = entry.value
            if not isinstance(value, _NamesHosts):
                continue
            for name in value.host_names:
                if name not in unresolved:
                    unresolved[name] = _unresolvable(name)
                reason = unresolved[name]
                if reason is None:
                    continue
                problem = f"{directive}: unknown host: {name}: {reason}"
                fix = "write its IPv4 address, or make the name resolve on this node (/etc/hosts)"
                if value.needs_every_host:
                    problems.append(_host(entry.location, problem, fix))
                else:
                    fix = f"the others are used without it, as heartbeat does; {fix}"
                    problems.append(Problem(entry.location, problem, fix, Severity.WARNING))
    return problems


def _unresolvable(name: str) -> str | None:
    """Why ``name`` has no IPv4 address here (the resolver's words), or None when it has one."""
    try:
        ipaddress.IPv4Address(name)
        return None
    except ValueError:
        pass
    try:
        socket.getaddrinfo(name, None, socket.AF_INET)
    except socket.gaierror as error:
        return error.strerror or "no address"
    except (OSError, UnicodeError, ValueError):  # the name cannot even be asked about
        return "no resolver can look this name up"
    return None


def check_interfaces(hacf: HaCf) -> list[Problem]:
    """Every network interface a heartbeat path names must exist here."""
    problems: list[Problem] = []
    for medium in hacf.media:
        if not isinstance(medium.value, _OnInterface):
            continue
        interface = medium.value.interface
        try:
            socket.if_nametoindex(interface)
        except (OSError, ValueError):
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


def check_log_files(hacf: HaCf) -> list[Problem]:
    """``logfile`` / ``debugfile``: the file must be one hb can create or append to, or the
    node would start and lose its log."""
    problems: list[Problem] = []
    for directive in LOG_DIRECTIVES:
        entry = hacf.last(directive)
        if entry is None or entry.value == LOG_DISABLED:
            continue
        path = Path(str(entry.value))
        if not path.is_absolute():
            problems.append(
                Problem(
                    entry.location,
                    f"{directive} {path} is not an absolute path: the file it names depends "
                    "on the directory hb runs in",
                    "write the full path, e.g. /var/log/ha-log",
                    Severity.WARNING,
                )
            )
            continue
        unusable = _unwritable(path)
        if unusable is not None:
            problem, fix = unusable
            problems.append(_host(entry.location, f"{directive} {path}: {problem}", fix))
    return problems


def _unwritable(path: Path) -> tuple[str, str] | None:
    """Why hb could not append to ``path``, and the fix; None when it could."""
    other_place = "or log elsewhere (e.g. logfile /var/log/ha-log), or to syslog alone"
    try:
        if path.exists():
            if path.is_dir():
                return "is a directory", f"name a file in it, e.g. {path / 'ha-log'}"
            if not os.access(path, os.W_OK):
                return "is not writable", f"make it writable by root, {other_place}"
            return None
        parent = path.parent
        if not parent.is_dir():
            return (
                f"the directory {parent} does not exist",
                f"create it (mkdir -p {parent}), {other_place}",
            )
        if not os.access(parent, os.W_OK):
            return f"the directory {parent} is not writable", f"fix its mode, {other_place}"
    except (OSError, ValueError) as error:
        return (
            f"cannot be checked ({error})",
            f"name a file in an existing directory, {other_place}",
        )
    return None


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


def check_host(
    hacf: HaCf,
    haresources: HaResources | None,
    plugins: PluginSet,
    config_dir: Path,
    node_name: str,
    net: SafetyNet,
) -> list[Problem]:
    """Every host check above, ha.cf first, each inside ``net``."""
    checks: tuple[Callable[[], list[Problem]], ...] = (
        lambda: check_local_node(hacf, node_name),
        lambda: check_client_children(hacf),
        lambda: check_ucast_peers(hacf),
        lambda: check_host_names(hacf),
        lambda: check_interfaces(hacf),
        lambda: check_devices(hacf),
        lambda: check_log_files(hacf),
    )
    problems: list[Problem] = []
    for check in checks:
        with net.guard(Location(hacf.file)):
            problems += check()
    if haresources is not None:
        with net.guard(Location(haresources.file)):
            context = resource_context(config_dir, hacf)
            problems += check_resources(haresources, plugins, context, net)
    return problems
