"""``hb service``: run this installation of hb as a system service.

``unit`` and ``init-script`` print a service file for the ``hb`` that runs them (its absolute
path, so a virtualenv's hb works) and the node's paths and options; ``status`` is the init
script's ``status`` action, heartbeat's ``heartbeat -s``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from hbcore.cli.node_cmd import path_options
from hbcore.cli.options import plugin_selection_options
from hbcore.state.paths import DEFAULT_RUN_DIR, NodePaths

if TYPE_CHECKING:  # imported when a command runs, so that `hb service status` stays fast
    from hbcore.service.installation import Installation

F = TypeVar("F", bound=Callable[..., Any])

LSB_STATUS_OK = 0
LSB_STATUS_STALE_PID = 1
LSB_STATUS_STOPPED = 3


@click.group("service")
def service_group() -> None:
    """Service files for this installation: a systemd unit, an LSB init script."""


def _installation_options(command: F) -> F:
    """The options of ``hb start`` that a service file passes on to it."""
    command = click.option("--node-name", default=None, help="This node's name, for hb start.")(
        command
    )
    decorated: F = path_options(plugin_selection_options(command))
    return decorated


def _installation(
    config_dir: Path,
    state_dir: Path,
    run_dir: Path,
    plugins: str | None,
    disables: tuple[str, ...],
    node_name: str | None,
) -> Installation:
    """This hb and the node's options; the deadtime from ha.cf (heartbeat's default, said on
    standard error, while there is no ha.cf). Exits 1 when ha.cf has errors or there is no
    ``hb`` command to run."""
    from hbcore.cli.options import load_selected
    from hbcore.service.installation import (
        DEFAULT_DEADTIME_MS,
        Installation,
        NoHbCommand,
        configured_deadtime,
        hb_environment,
        this_hb,
    )

    try:
        hb = this_hb()
    except NoHbCommand as error:
        _fail([str(error)])
    paths = NodePaths(config_dir.absolute(), state_dir.absolute(), run_dir.absolute())
    deadtime_ms, problems = configured_deadtime(paths.config_dir, load_selected(plugins, disables))
    if problems:
        _fail([problem.render() for problem in problems] + ["ha.cf has errors (see hb check)"])
    if deadtime_ms is None:
        click.echo(
            f"hb service: no ha.cf in {paths.config_dir} yet: deadtime taken as heartbeat's "
            f"default, {DEFAULT_DEADTIME_MS // 1000} s; write the file again once ha.cf exists",
            err=True,
        )
        deadtime_ms = DEFAULT_DEADTIME_MS
    return Installation(
        hb, paths, deadtime_ms, plugins, disables, node_name, hb_environment(os.environ)
    )


def _fail(lines: list[str]) -> NoReturn:
    for line in lines:
        click.echo(line, err=True)
    click.echo("hb service: no service file written.", err=True)
    sys.exit(1)


@service_group.command("unit")
@_installation_options
def unit(
    config_dir: Path,
    state_dir: Path,
    run_dir: Path,
    plugins: str | None,
    disables: tuple[str, ...],
    node_name: str | None,
) -> None:
    """Print a systemd unit for this hb.

    It runs `hb start --foreground` with this command's options as a Type=notify service:
    hb says READY=1 once its media are up and pings systemd's watchdog, set to twice
    deadtime, from its event loop. Restarted on failure, after twice deadtime; reloaded by
    SIGHUP. The hb it runs is this one, by its absolute path (a virtualenv's works).

    \b
    hb service unit > /etc/systemd/system/hb.service
    systemctl daemon-reload && systemctl enable --now hb
    """
    from hbcore.service.unit import render_unit

    installation = _installation(config_dir, state_dir, run_dir, plugins, disables, node_name)
    click.echo(render_unit(installation), nl=False)


@service_group.command("init-script")
@_installation_options
def init_script(
    config_dir: Path,
    state_dir: Path,
    run_dir: Path,
    plugins: str | None,
    disables: tuple[str, ...],
    node_name: str | None,
) -> None:
    """Print an LSB init script for this hb.

    heartbeat's /etc/init.d/heartbeat, for hosts without systemd: start, stop, status,
    restart, try-restart, reload, force-reload and standby, with the LSB exit statuses and
    heartbeat's resource.d/startstop hook.

    \b
    hb service init-script > /etc/init.d/heartbeat && chmod 755 /etc/init.d/heartbeat
    """
    from hbcore.service.init_script import render_init_script

    installation = _installation(config_dir, state_dir, run_dir, plugins, disables, node_name)
    click.echo(render_init_script(installation), nl=False)


@service_group.command("status")
@click.option(
    "--run-dir",
    type=click.Path(path_type=Path),
    default=DEFAULT_RUN_DIR,
    show_default=True,
    help="Pid file and control socket.",
)
def status(run_dir: Path) -> None:
    """Say whether a node runs here, as `heartbeat -s` does.

    Exit status (LSB): 0 running, 1 stopped with a stale pid file, 3 stopped.
    """
    from hbcore.state.pid_file import Running, inspect

    paths = NodePaths(run_dir=run_dir)
    holder = inspect(paths.pid_file)
    if not isinstance(holder, Running):
        click.echo("heartbeat is stopped. No process")
        sys.exit(LSB_STATUS_STOPPED if holder is None else LSB_STATUS_STALE_PID)
    host = os.uname().nodename.lower()
    click.echo(
        f"heartbeat OK [pid {holder.pid} et al] is running on {host} [{_node_name(paths)}]..."
    )
    sys.exit(LSB_STATUS_OK)


def _node_name(paths: NodePaths) -> str:
    """The running node's name, from its control socket; this host's name if it does not
    answer (the pid file already proved the node runs)."""
    from hbcore.control.client import NodeNotRunning, ask

    try:
        report = ask(paths.control_socket, "status")
    except NodeNotRunning:
        return os.uname().nodename.lower()
    return str(report.get("node") or os.uname().nodename.lower())
