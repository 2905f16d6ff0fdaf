"""Starting a node for real: configuration, media, logging, the control socket, signals.

:func:`prepare` does everything that can fail before the node exists, and reports it the way
``hb check --strict`` does; :func:`run` then owns the process until the node stops.
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import structlog
from hb_hookspecs import HealthMonitor, Medium

from hbcore import __version__
from hbcore.config.configuration import Configuration, load_configuration
from hbcore.config.core_arguments import ClientChild
from hbcore.config.hacf import Medium as MediumLine
from hbcore.config.host_checks import resource_context
from hbcore.config.problems import Location, Problem
from hbcore.control.server import ControlServer
from hbcore.log import DISABLED as DISABLED_LOG
from hbcore.log import LogTargets, configure_logging, unwritable_reason
from hbcore.node.daemon import MediumFailed, Node
from hbcore.node.plugin_settings import PluginSettings
from hbcore.node.rc_hooks import RcHooks
from hbcore.node.report import snapshot
from hbcore.node.respawn import Respawner
from hbcore.node.sd_notify import service_notifier
from hbcore.node.settings import NodeSettings, settings_from
from hbcore.plugins import PluginSet
from hbcore.resources.binding import ResourceBinding
from hbcore.resources.groups import Group, GroupTable
from hbcore.resources.holdings import parse_hold
from hbcore.state.files import StateFileError
from hbcore.state.generation import read_generation
from hbcore.state.node_uuid import read_uuid
from hbcore.state.paths import NodePaths
from hbcore.wire import Keyring

HEARTBEAT_VERSION = "3.0.6"
DEFAULT_RTPRIO = 10
"""A low SCHED_FIFO priority: above every ordinary process, below the kernel's own threads."""
RESTART = -1
"""What :func:`run` returns when the node must be started again (after a partition, or after
"No local heartbeat")."""
MAX_UNIX_SOCKET_PATH = 107
"""The longest path a unix socket can bind to on Linux (``sun_path`` holds 108 bytes)."""

log = structlog.get_logger("hb.node")


class StartRefused(Exception):
    """The node cannot start; ``problems`` says why, each with file, line and fix."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(problem) for problem in problems))
        self.problems = problems


@dataclass(frozen=True)
class Prepared:
    """Everything a node needs, checked and built, before any process is forked."""

    configuration: Configuration
    settings: NodeSettings
    keyring: Keyring
    media: list[Medium]
    plugins: PluginSet
    media_lines: tuple[MediumLine, ...]
    """The ha.cf line of each medium, in the order of ``media``."""

    def line_of(self, medium: Medium) -> MediumLine:
        """The ha.cf line that configured ``medium`` (one of ours)."""
        return next(
            line for m, line in zip(self.media, self.media_lines, strict=True) if m is medium
        )


def prepare(paths: NodePaths, plugins: PluginSet, node_name: str | None = None) -> Prepared:
    """Load and judge the configuration strictly and build the media; raise
    :class:`StartRefused` with every problem otherwise."""
    configuration = load_configuration(paths.config_dir, plugins, node_name)
    errors = configuration.errors(strict=True)
    if errors or configuration.authkeys is None:
        raise StartRefused(errors)
    settings = settings_from(configuration, paths)
    startup_problems = file_problems(configuration, settings)
    if startup_problems:
        raise StartRefused(startup_problems)
    plugin_settings = PluginSettings(configuration.hacf, settings.name, paths.config_dir)
    media: list[Medium] = []
    media_lines: list[MediumLine] = []
    problems: list[Problem] = []
    for configured in configuration.hacf.media:
        medium_type = plugins.registry.media.get(configured.directive)
        if medium_type is None:
            owner = plugins.registry.directives[configured.directive].owner
            problems.append(
                Problem(
                    configured.location,
                    f"plugin {owner} parses '{configured.directive}' but provides no medium",
                    "upgrade that plugin to a version that implements the medium",
                )
            )
            continue
        try:
            created = list(medium_type.item.create(configured.value, plugin_settings))
        except OSError as error:
            problems.append(cannot_open(configured, error))
            continue
        media.extend(created)
        media_lines.extend(configured for _ in created)
    if not media and not problems:
        problems.append(
            Problem(Location("ha.cf"), "No heartbeat media defined", "add a bcast or ucast line")
        )
    if problems:
        raise StartRefused(problems)
    keyring = configuration.authkeys.keyring()
    return Prepared(configuration, settings, keyring, media, plugins, tuple(media_lines))


def file_problems(configuration: Configuration, settings: NodeSettings) -> list[Problem]:
    """What stops the node's files from working, found before it forks so that the operator
    sees it: a log file that cannot be written, a corrupt generation or uuid file, a control
    socket path too long for a unix socket."""
    problems: list[Problem] = []
    hacf = configuration.hacf
    for directive in ("logfile", "debugfile"):
        value = hacf.value(directive)
        if not value or Path(str(value)) == DISABLED_LOG:
            continue
        reason = unwritable_reason(Path(str(value)))
        if reason is not None:
            problems.append(
                Problem(
                    hacf.location(directive),
                    f"{directive} {value}: {reason}",
                    "create the directory or fix the path",
                )
            )
    paths = settings.paths
    try:
        if settings.generation_method != "time":
            read_generation(paths.generation_file)
        read_uuid(paths.uuid_file)
    except StateFileError as error:
        problems.append(Problem(Location(str(error.path)), error.problem, error.fix))
    if len(os.fsencode(paths.control_socket)) > MAX_UNIX_SOCKET_PATH:
        problems.append(
            Problem(
                Location(str(paths.control_socket)),
                f"the control socket path is longer than {MAX_UNIX_SOCKET_PATH} bytes",
                "use a shorter --run-dir",
            )
        )
    return problems


def cannot_open(line: MediumLine, error: OSError) -> Problem:
    """A medium that cannot be opened (built or started), as ``hb check`` words a problem."""
    return Problem(
        line.location,
        f"cannot open {line}: {error.strerror or error}",
        "check that the device or interface exists and is up, and that no other program "
        "holds the port",
    )


def respawner(prepared: Prepared) -> Respawner:
    """The ``respawn`` clients, with the ``env`` settings of ha.cf in their environment."""
    hacf = prepared.configuration.hacf
    children = [value for value in hacf.values("respawn") if isinstance(value, ClientChild)]
    environment: dict[str, str] = {}
    for value in hacf.values("env"):
        if isinstance(value, tuple):
            name, setting = value
            environment[str(name)] = str(setting)
    return Respawner(children, environment)


def health_monitors(prepared: Prepared) -> list[HealthMonitor]:
    """The monitors ha.cf asks for (each plugin's factory decides from its directives)."""
    settings = PluginSettings(
        prepared.configuration.hacf, prepared.settings.name, prepared.settings.paths.config_dir
    )
    monitors = (
        kind.item.create(settings) for kind in prepared.plugins.registry.health_monitors.values()
    )
    return [monitor for monitor in monitors if monitor is not None]


def resource_groups(configuration: Configuration, plugins: PluginSet, node: str) -> GroupTable:
    """The haresources groups with their agents (every token resolves: prepare checked).

    Called on the running loop, so that agents can warm up what they need (scapy for the
    gratuitous ARP) long before a takeover needs it.
    """
    context = replace(
        resource_context(configuration.config_dir, configuration.hacf),
        environment={"HA_CURHOST": node},
    )
    groups: list[Group] = []
    haresources = configuration.haresources
    for line in haresources.groups if haresources is not None else ():
        tokens = tuple(resource.token for resource in line.resources)
        agents = tuple(plugins.resolve_resource(token, context) for token in tokens)
        groups.append(Group(line.key, line.node, tokens, tuple(a for a in agents if a)))
    return GroupTable(groups, node)


def log_targets(
    configuration: Configuration, foreground: bool, json_file: Path | None
) -> LogTargets:
    """Where to log, from ha.cf's logfile, debugfile, logfacility and debug."""
    hacf = configuration.hacf

    def path(directive: str) -> Path | None:
        value = hacf.value(directive)
        return Path(str(value)) if value else None

    facility = hacf.value("logfacility")
    debug = hacf.value("debug")
    return LogTargets(
        logfile=path("logfile"),
        debugfile=path("debugfile"),
        facility=str(facility) if facility else None,
        debug_level=debug if isinstance(debug, int) else 0,
        json_file=json_file,
        stderr=foreground,
    )


def run(prepared: Prepared, targets: LogTargets, notices: Sequence[str] = ()) -> int:
    """Run the node until SIGTERM/SIGINT or ``hb stop``; return the exit status, or
    :data:`RESTART` when the node stopped itself to start again. ``notices`` (said before
    logging existed, such as a stale pid file replaced) are logged as warnings first."""
    configure_logging(targets, prepared.settings.name)
    log.info(f"Configuration validated. Starting heartbeat {HEARTBEAT_VERSION} (hb {__version__})")
    for notice in notices:
        log.warning(notice)
    hacf = prepared.configuration.hacf
    if hacf.value("realtime") is not False:
        priority = hacf.value("rtprio")
        use_realtime_priority(priority if isinstance(priority, int) else DEFAULT_RTPRIO)
    try:
        import uvloop
    except ImportError:  # uvloop is Linux-only; asyncio's loop does the same, a little slower
        return asyncio.run(_serve(prepared))
    return uvloop.run(_serve(prepared))


async def _serve(prepared: Prepared) -> int:
    settings = prepared.settings
    stopping = asyncio.Event()
    auto_failback = prepared.configuration.hacf.auto_failback
    groups = resource_groups(prepared.configuration, prepared.plugins, settings.name)
    binding = ResourceBinding(
        groups, auto_failback == "on", prepared.plugins.manager, legacy=auto_failback == "legacy"
    )
    hooks = RcHooks(
        settings.paths.config_dir,
        settings.name,
        nice_failback=auto_failback != "legacy",
        status=lambda: node.local_status,
    )
    # systemd's READY=1 comes last among the monitors, once the others (a watchdog device) are
    # up, and its STOPPING=1 first at shutdown; a restart in place is a reload to systemd.
    notifier = service_notifier(os.environ, os.getpid(), lambda: node.restart_requested)
    systemd = [] if notifier is None else [notifier]
    node = Node(
        settings,
        prepared.keyring,
        prepared.media,
        prepared.plugins.manager,
        binding,
        hooks,
        [*health_monitors(prepared), *systemd],
        respawner(prepared),
    )
    plugin_names = [record.name for record in prepared.plugins.active()]

    def status(_request: Mapping[str, Any]) -> Mapping[str, Any]:
        return snapshot(node, plugin_names)

    def stop(_request: Mapping[str, Any]) -> Mapping[str, Any]:
        stopping.set()
        return {"stopping": True}

    def standby(request: Mapping[str, Any]) -> Mapping[str, Any]:
        hold = parse_hold(str(request.get("hold", "all")))
        if node.resources is None or hold is None:
            return {"refused": "no resources are managed here"}
        return {"refused": node.resources.request_standby(hold)}

    def takeover(request: Mapping[str, Any]) -> Mapping[str, Any]:
        if node.resources is None:
            return {"refused": "no resources are managed here"}
        return {"refused": node.resources.request_takeover(str(request.get("hold", "all")))}

    handlers = {"status": status, "stop": stop, "standby": standby, "takeover": takeover}
    control = ControlServer(settings.paths.control_socket, handlers)
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopping.set)
    await control.start()
    try:
        await node.run(stopping)
    except MediumFailed as failed:
        # Logged, not printed: a daemon's standard error is /dev/null by now.
        problem = cannot_open(prepared.line_of(failed.medium), failed.error)
        log.error(problem.render(strict=True))
        log.error("Heartbeat not started: a heartbeat path cannot be opened.")
        return 1
    finally:
        await control.stop()
    if node.restart_requested:
        log.info("Restarting heartbeat.")
        return RESTART
    return 0


def use_realtime_priority(priority: int) -> None:
    """Run under SCHED_FIFO at ``priority``, as heartbeat does (``realtime on``, its default),
    so that heartbeats keep their schedule on a busy machine. Resource scripts and other
    children start with normal priority (SCHED_RESET_ON_FORK). A refusal is logged, not fatal."""
    try:
        policy = os.SCHED_FIFO | os.SCHED_RESET_ON_FORK
        os.sched_setscheduler(0, policy, os.sched_param(priority))
    except (OSError, AttributeError) as error:
        log.warning(f"Unable to set real-time priority {priority}: {error}")
    else:
        log.info(f"Running with real-time priority SCHED_FIFO {priority}")


def daemonize() -> None:
    """Detach from the terminal (double fork, new session, stdio to /dev/null)."""
    if os.fork() > 0:
        os._exit(0)
    os.setsid()
    if os.fork() > 0:
        os._exit(0)
    os.chdir("/")
    null = os.open(os.devnull, os.O_RDWR)
    for descriptor in (0, 1, 2):
        os.dup2(null, descriptor)
    os.close(null)
