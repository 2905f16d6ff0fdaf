"""Starting a node for real: configuration, media, logging, the control socket, then the
node's loop until it stops.

:func:`prepare` does everything that can fail before the node exists, and reports it the way
``hb check --strict`` does; :func:`run` then owns the process until the node stops, answering
signals as :mod:`hbcore.node.signals` says and reloads as :mod:`hbcore.node.reloader` does.
"""

from __future__ import annotations

import asyncio
import gc
import os
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

import structlog
from hb_hookspecs import Directive, HealthMonitor, Medium, ResourceContext

from hbcore import __version__
from hbcore.config.configuration import Configuration, load_configuration
from hbcore.config.core_arguments import ClientChild
from hbcore.config.core_directives import (
    DEBUG,
    DEBUGFILE,
    LOGFACILITY,
    LOGFILE,
    REALTIME,
    RTPRIO,
)
from hbcore.config.hacf import Medium as MediumLine
from hbcore.config.problems import Location, Problem
from hbcore.config.resource_monitor import monitor_settings
from hbcore.control.server import ControlServer
from hbcore.decisions.binding import ResourceBinding
from hbcore.log import DISABLED as DISABLED_LOG
from hbcore.log import LogTargets, configure_logging, unwritable_reason
from hbcore.node import warm_start
from hbcore.node.control_handlers import control_handlers
from hbcore.node.daemon import Node
from hbcore.node.media import MediumFailed
from hbcore.node.plugin_settings import PluginSettings
from hbcore.node.rc_hooks import RcHooks
from hbcore.node.reload import RunningConfig
from hbcore.node.reloader import Builders, Reloader
from hbcore.node.respawn import Respawner
from hbcore.node.scheduling import DEFAULT_RTPRIO, make_realtime
from hbcore.node.sd_notify import service_notifier
from hbcore.node.settings import NodeSettings, settings_from
from hbcore.node.signals import hold_signals, take_signals
from hbcore.plugins import PluginSet
from hbcore.resources.groups import Group, GroupTable
from hbcore.state.files import StateFileError
from hbcore.state.generation import read_generation
from hbcore.state.node_uuid import read_uuid
from hbcore.state.paths import NodePaths
from hbcore.wire import Keyring

HEARTBEAT_VERSION = "3.0.6"
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


def load_checked(
    paths: NodePaths, plugins: PluginSet, node_name: str | None = None
) -> tuple[Configuration, NodeSettings]:
    """Load the configuration and judge it as ``hb check --strict`` does, with the files the
    node needs; raise :class:`StartRefused` with every problem. A start and a reload both
    read the files this way."""
    configuration = load_configuration(paths.config_dir, plugins, node_name)
    errors = configuration.errors(strict=True)
    if errors or configuration.authkeys is None:
        raise StartRefused(errors)
    settings = settings_from(configuration, paths)
    startup_problems = file_problems(configuration, settings)
    if startup_problems:
        raise StartRefused(startup_problems)
    return configuration, settings


def prepare(paths: NodePaths, plugins: PluginSet, node_name: str | None = None) -> Prepared:
    """Load and judge the configuration strictly and build the media; raise
    :class:`StartRefused` with every problem otherwise."""
    configuration, settings = load_checked(paths, plugins, node_name)
    assert configuration.authkeys is not None  # load_checked refuses a configuration without
    plugin_settings = PluginSettings(configuration.hacf, settings.name, paths.config_dir)
    media: list[Medium] = []
    media_lines: list[MediumLine] = []
    problems: list[Problem] = []
    for configured in configuration.hacf.media:
        try:
            created = configured.media(plugin_settings)
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


def health_monitors(
    configuration: Configuration,
    node: str,
    plugins: PluginSet,
    kinds: Collection[str] | None = None,
) -> dict[str, HealthMonitor]:
    """The monitors ha.cf asks for, by kind (each plugin's factory decides from its
    directives); only those of ``kinds`` when given."""
    settings = PluginSettings(configuration.hacf, node, configuration.config_dir)
    monitors = {
        name: kind.item.create(settings)
        for name, kind in plugins.registry.health_monitors.items()
        if kinds is None or name in kinds
    }
    return {name: monitor for name, monitor in monitors.items() if monitor is not None}


def live_monitor_kinds(plugins: PluginSet) -> frozenset[str]:
    """The monitor kinds a reload starts again: those of the plugin that owns the ping node
    directives (a monitor such as a watchdog device is never closed and reopened live)."""
    directives = plugins.registry.directives.values()
    owners = {owned.owner for owned in directives if owned.item.ping_node is not None}
    monitors = plugins.registry.health_monitors
    return frozenset(name for name, kind in monitors.items() if kind.owner in owners)


def resource_groups(configuration: Configuration, plugins: PluginSet, node: str) -> GroupTable:
    """The haresources groups with their agents (every token resolves: prepare checked).

    Called on the running loop, so that agents can warm up what they need (scapy for the
    gratuitous ARP) long before a takeover needs it.
    """
    settings = PluginSettings(configuration.hacf, node, configuration.config_dir)
    context = ResourceContext(settings, environment={"HA_CURHOST": node})
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

    def path(directive: Directive[str, None]) -> Path | None:
        value = hacf.get(directive)
        return None if value is None else Path(value)

    return LogTargets(
        logfile=path(LOGFILE),
        debugfile=path(DEBUGFILE),
        facility=hacf.get(LOGFACILITY),
        debug_level=hacf.get(DEBUG),
        json_file=json_file,
        stderr=foreground,
    )


def run(prepared: Prepared, targets: LogTargets, notices: Sequence[str] = ()) -> int:
    """Run the node until SIGTERM/SIGINT or ``hb stop``; return the exit status, or
    :data:`RESTART` when the node stopped itself to start again. ``notices`` (said before
    logging existed, such as a stale pid file replaced) are logged as warnings first."""
    early = hold_signals()
    configure_logging(targets, prepared.settings.name)
    log.info(f"Configuration validated. Starting heartbeat {HEARTBEAT_VERSION} (hb {__version__})")
    for notice in notices:
        log.warning(notice)
    hacf = prepared.configuration.hacf
    if hacf.get(REALTIME):
        priority = hacf.get(RTPRIO)
        make_realtime(DEFAULT_RTPRIO if priority is None else priority)
    try:
        import uvloop
    except ImportError:  # uvloop is Linux-only; asyncio's loop does the same, a little slower
        serve: Callable[..., int] = asyncio.run
    else:
        serve = uvloop.run
    try:
        return serve(_serve(prepared, targets, early))
    finally:
        hold_signals()  # the closed loop gave them their defaults back; the process goes on


async def _serve(prepared: Prepared, targets: LogTargets, early: Sequence[int]) -> int:
    settings = prepared.settings
    configuration = prepared.configuration
    stopping = asyncio.Event()
    auto_failback = configuration.hacf.auto_failback
    threads = warm_start.threads_now()
    groups = resource_groups(configuration, prepared.plugins, settings.name)
    binding = ResourceBinding(
        groups,
        auto_failback == "on",
        prepared.plugins.hooks,
        legacy=auto_failback == "legacy",
        # Read at each check, so that what a reload accepted counts from the next one.
        monitoring=lambda: monitor_settings(reloader.running.configuration.hacf),
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
    monitors = health_monitors(configuration, settings.name, prepared.plugins)
    node = Node(
        settings,
        prepared.keyring,
        prepared.media,
        prepared.plugins.hooks,
        binding,
        hooks,
        [*monitors.values(), *systemd],
        respawner(prepared),
    )
    live_kinds = live_monitor_kinds(prepared.plugins)
    reloader = Reloader(
        node,
        RunningConfig.at_start(configuration),
        groups,
        {kind: monitor for kind, monitor in monitors.items() if kind in live_kinds},
        _builders(prepared, targets, live_kinds),
        settings.paths,
        stopping,
    )
    plugin_names = [record.name for record in prepared.plugins.active()]
    handlers = control_handlers(node, plugin_names, stopping, reloader)
    control = ControlServer(settings.paths.control_socket, handlers)
    take_signals(stopping, reloader.request, early, HEARTBEAT_VERSION)
    await control.start()
    # Before the first heartbeat: a warm-up thread would hold the loop back from its schedule.
    await warm_start.settle(threads)
    # What start-up built lives as long as the node: out of the collector's sight, so that a
    # full collection walks only what the node allocates from now on.
    gc.freeze()
    try:
        await node.run(stopping)
    except MediumFailed as failed:
        # Logged, not printed: a daemon's standard error is /dev/null by now.
        problem = cannot_open(prepared.line_of(failed.medium), failed.error)
        log.error(problem.render(strict=True))
        log.error("Heartbeat not started: a heartbeat path cannot be opened.")
        return 1
    finally:
        reloader.stop()
        await control.stop()
    if node.restart_requested:
        log.info("Restarting heartbeat.")
        return RESTART
    return 0


def _builders(prepared: Prepared, targets: LogTargets, live_kinds: frozenset[str]) -> Builders:
    """What a reload rebuilds, built as at start."""
    paths, plugins, name = prepared.settings.paths, prepared.plugins, prepared.settings.name

    def check() -> Configuration | list[Problem]:
        try:
            return load_checked(paths, plugins, name)[0]
        except StartRefused as refused:
            return refused.problems

    return Builders(
        check=check,
        groups=lambda configuration: resource_groups(configuration, plugins, name),
        monitors=lambda configuration: health_monitors(configuration, name, plugins, live_kinds),
        log_targets=lambda configuration: log_targets(
            configuration, targets.stderr, targets.json_file
        ),
        configure_logging=lambda new_targets: configure_logging(new_targets, name),
    )


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
